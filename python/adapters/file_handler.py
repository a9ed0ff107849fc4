"""python-file: the standard library's FileHandler, one instance shared by every thread.

Every producer thread logs through one logger with one FileHandler: emit() runs on the calling
thread under the handler's lock (an RLock from createLock), which is what serialises whole
lines (seeds: "Python Logging Handlers — Deep Dive", Thread safety).
"""

import logging
import types

name = "python-file"
description = "Python stdlib FileHandler shared by all threads (emit under the handler's RLock, on the caller)"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True}

_logger = logging.getLogger("logjam.file")


def setup(ctx):
    handler = logging.FileHandler(ctx.file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    _logger.propagate = False
    _logger.setLevel(ctx.logging_level)
    _logger.addHandler(handler)
    return types.SimpleNamespace(close=handler.close)


def create(ctx):
    return types.SimpleNamespace(log=_logger.log, flush=lambda: [h.flush() for h in _logger.handlers])
