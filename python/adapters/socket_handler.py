"""python-socket: logging.handlers.SocketHandler to logjam's TCP collector. The collector reads
lines of text, so makePickle (the documented serialisation hook) sends the formatted record and
a newline instead of a pickle."""

import logging
import logging.handlers
import types

name = "python-socket"
description = "Python stdlib SocketHandler to a TCP collector, one formatted line per record (makePickle overridden)"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True, "tcp": True}

_logger = logging.getLogger("logjam.socket")


class LineSocketHandler(logging.handlers.SocketHandler):
    def makePickle(self, record):
        return (self.format(record) + "\n").encode("utf-8")


def setup(ctx):
    host, port = ctx.collector
    handler = LineSocketHandler(host, port)
    handler.setFormatter(logging.Formatter("%(levelname)s %(threadName)s %(message)s"))
    _logger.propagate = False
    _logger.setLevel(ctx.logging_level)
    _logger.addHandler(handler)
    return types.SimpleNamespace(close=handler.close)


def create(ctx):
    return types.SimpleNamespace(log=_logger.log)
