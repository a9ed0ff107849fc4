"""python-pipe: a StreamHandler on a pipe, as an application logging to stdout under a process
supervisor: logjam's side of the run reads the pipe and appends what it reads to the sink."""

import logging
import os
import types

name = "python-pipe"
description = "Python stdlib StreamHandler on a pipe read by another process (stdout under a supervisor)"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True, "pipe": True}

_logger = logging.getLogger("logjam.pipe")


def setup(ctx):
    stream = os.fdopen(ctx.stream_fd, "w", encoding="utf-8", buffering=1)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(threadName)s %(message)s"))
    _logger.propagate = False
    _logger.setLevel(ctx.logging_level)
    _logger.addHandler(handler)

    def close():
        handler.flush()
        handler.close()

    return types.SimpleNamespace(close=close)


def create(ctx):
    return types.SimpleNamespace(log=_logger.log)
