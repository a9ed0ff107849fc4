"""python-loguru: loguru's logger.add(file) shared by every thread (enqueue=False: the sink is
written on the calling thread under loguru's handler lock, which is instrumented here)."""

import sys
import types

try:
    import loguru
    import loguru._handler as _loguru_handler

    unavailable = None
except ImportError:
    unavailable = "loguru is not installed for %s: apt-get install python3-loguru (then --python /usr/bin/python3), or pip install loguru" % sys.executable

name = "python-loguru"
description = "loguru: logger.add(file, enqueue=False) shared by all threads"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True}

LEVELS = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}


def versions():
    return {"loguru": loguru.__version__} if unavailable is None else {}


def setup(ctx):
    # loguru's handler lock is a plain threading.Lock made by create_handler_lock(): make it one
    # logjam sees (class loguru.handler), reported like the stdlib's handler locks.
    _loguru_handler.create_handler_lock = lambda: ctx.create_lock("loguru.handler", reentrant=False)
    loguru.logger.remove()
    sink = loguru.logger.add(ctx.file, format="{time} {level} {thread.name} {message}", level="DEBUG", enqueue=False, encoding="utf-8")
    return types.SimpleNamespace(close=lambda: loguru.logger.remove(sink))


def create(ctx):
    log = loguru.logger.log
    return types.SimpleNamespace(log=lambda level, message: log(LEVELS.get(level, "INFO"), message))
