"""python-asyncio: the seed's recipe for asyncio applications, verbatim (seeds: "Logging in
asyncio applications", 2019): the root logger's handlers move behind a QueueListener on a
SimpleQueue, a LocalQueueHandler that skips prepare() takes their place. The recipe starts the
listener and never stops it; this adapter adds nothing the recipe does not have. The
application logs from asyncio tasks (capability ``asyncio``): the scenarios' producers are tasks
on one event loop.
"""

import logging
import logging.handlers
import types
from queue import SimpleQueue as Queue
from typing import List

name = "python-asyncio"
description = "the seed's asyncio recipe: root handlers moved behind a QueueListener (SimpleQueue), never stopped"
capabilities = {"format": "text", "gracefulShutdown": False, "threads": True, "asyncio": True}


class LocalQueueHandler(logging.handlers.QueueHandler):
    def emit(self, record: logging.LogRecord) -> None:
        # Removed the call to self.prepare()
        try:
            self.enqueue(record)
        except Exception:
            self.handleError(record)


def setup_logging_queue() -> None:
    queue = Queue()
    root = logging.getLogger()

    handlers: List[logging.Handler] = []

    handler = LocalQueueHandler(queue)
    root.addHandler(handler)
    for h in root.handlers[:]:
        if h is not handler:
            root.removeHandler(h)
            handlers.append(h)

    listener = logging.handlers.QueueListener(
        queue, *handlers, respect_handler_level=True
    )
    listener.start()


def setup(ctx):
    # The application's configuration, which the recipe then moves behind the queue.
    file = logging.FileHandler(ctx.file, encoding="utf-8")
    file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.setLevel(ctx.logging_level)
    root.addHandler(file)
    setup_logging_queue()


def create(ctx):
    return types.SimpleNamespace(log=logging.getLogger("app").log)
