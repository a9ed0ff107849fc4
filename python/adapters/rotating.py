"""python-rotating: RotatingFileHandler shared by every thread, rotating every 256 KiB and
keeping every file (backupCount high enough that the ledger reads every record back)."""

import logging
import logging.handlers
import types

name = "python-rotating"
description = "Python stdlib RotatingFileHandler (maxBytes 256 KiB, backupCount 999) shared by all threads"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True}

BACKUPS = 999
_logger = logging.getLogger("logjam.rotating")


def sink_files(file):
    # Oldest first: file.999 ... file.1, then file.
    return ["%s.%d" % (file, i) for i in range(BACKUPS, 0, -1)] + [file]


def setup(ctx):
    handler = logging.handlers.RotatingFileHandler(ctx.file, maxBytes=256 * 1024, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    _logger.propagate = False
    _logger.setLevel(ctx.logging_level)
    _logger.addHandler(handler)
    return types.SimpleNamespace(close=handler.close)


def create(ctx):
    return types.SimpleNamespace(log=_logger.log)
