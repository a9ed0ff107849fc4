"""python-logbook: logbook's FileHandler pushed application-wide, shared by every thread (its
handler lock is instrumented here)."""

import sys
import types

try:
    import logbook

    unavailable = None
except ImportError:
    unavailable = "logbook is not installed for %s: apt-get install python3-logbook (then --python /usr/bin/python3), or pip install logbook" % sys.executable

name = "python-logbook"
description = "logbook: FileHandler pushed application-wide, shared by all threads"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True}

_logger = None


def versions():
    return {"logbook": logbook.__version__} if unavailable is None else {}


def setup(ctx):
    global _logger
    handler = logbook.FileHandler(ctx.file, format_string="{record.time} {record.level_name} {record.thread_name} {record.message}", encoding="utf-8", level="DEBUG")
    handler.lock = ctx.create_lock("logbook.handler", reentrant=True)
    handler.push_application()
    _logger = logbook.Logger("logjam")

    def close():
        handler.pop_application()
        handler.close()

    return types.SimpleNamespace(close=close)


def create(ctx):
    levels = {10: logbook.DEBUG, 20: logbook.INFO, 30: logbook.WARNING, 40: logbook.ERROR, 50: logbook.CRITICAL}
    return types.SimpleNamespace(log=lambda level, message: _logger.log(levels.get(level, logbook.INFO), message))
