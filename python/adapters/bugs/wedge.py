"""python-bug-wedge: seeded defect. A handler whose write blocks forever, under the handler's
lock, at the 200th record: a stalled network mount. Every other thread then waits on the
handler lock; no cycle forms, so it is a hang, reported with every Python thread's stack.
"""

import logging
import threading

name = "python-bug-wedge"
description = "seeded defect: a handler blocks forever under its lock at the 200th record"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True}

_never = threading.Event()


class WedgingHandler(logging.FileHandler):
    def __init__(self, path):
        super().__init__(path, encoding="utf-8")
        self.count = 0

    def emit(self, record):
        self.count += 1
        if self.count == 200:
            _never.wait()  # blocks forever, holding self.lock (taken by Handler.handle)
        super().emit(record)


_logger = None


def setup(ctx):
    global _logger
    _logger = logging.getLogger("logjam.wedge")
    _logger.propagate = False
    _logger.setLevel(ctx.logging_level)
    _logger.addHandler(WedgingHandler(ctx.file))


class _Logger:
    def __init__(self):
        self.log = _logger.log


def create(ctx):
    return _Logger()
