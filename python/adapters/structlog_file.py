"""python-structlog: structlog with JSONRenderer into a WriteLogger on one shared file (one
JSON object per line; structlog's write lock per file serialises the threads)."""

import json
import sys
import types

try:
    import structlog

    unavailable = None
except ImportError:
    unavailable = "structlog is not installed for %s: apt-get install python3-structlog (then --python /usr/bin/python3), or pip install structlog" % sys.executable

name = "python-structlog"
description = "structlog: JSONRenderer into WriteLoggerFactory on one shared file"
capabilities = {"format": "ndjson", "gracefulShutdown": True, "threads": True}

NAMES = {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "critical"}
_file = None


def versions():
    if unavailable is not None:
        return {}
    from importlib.metadata import version

    return {"structlog": version("structlog")}


def setup(ctx):
    global _file
    _file = open(ctx.file, "a", encoding="utf-8")
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso"), structlog.processors.JSONRenderer(serializer=json.dumps, ensure_ascii=False)],
        logger_factory=structlog.WriteLoggerFactory(file=_file),
        cache_logger_on_first_use=True,
    )
    return types.SimpleNamespace(close=_file.close)


def create(ctx):
    logger = structlog.get_logger()
    return types.SimpleNamespace(log=lambda level, message: getattr(logger, NAMES.get(level, "info"))(message), flush=_file.flush)
