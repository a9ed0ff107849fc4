"""python-queue: the standard library's QueueHandler + QueueListener, as the seeds show it.

Every thread logs through one logger whose only handler is a QueueHandler on an unbounded
queue.Queue(-1); a QueueListener thread drains it into the real handler, a StreamHandler on
logjam's sink (a FileHandler's write path, with the scenario's pathologies). As the seed says,
``listener.stop()`` runs at teardown from an atexit hook, so records still queued at exit are
flushed (seeds: "Python Logging Handlers — Deep Dive", Non-blocking logging with QueueHandler).
"""

import atexit
import logging
import logging.handlers
import queue

name = "python-queue"
description = "Python stdlib QueueHandler + QueueListener (unbounded queue.Queue), listener stopped at exit"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True, "harnessSink": True}


class _Setup:
    def __init__(self, ctx):
        self.queue = queue.Queue(-1)
        self.target = logging.StreamHandler(ctx.open_sink())
        self.target.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
        self.listener = logging.handlers.QueueListener(self.queue, self.target, respect_handler_level=True)
        self.listener.start()
        self.logger = logging.getLogger("logjam.queue")
        self.logger.propagate = False
        self.logger.setLevel(ctx.logging_level)
        self.logger.addHandler(logging.handlers.QueueHandler(self.queue))
        self._stopped = False
        atexit.register(self.close)

    def close(self):
        if self._stopped:
            return
        self._stopped = True
        self.listener.stop()
        self.target.close()


_setup = None


def setup(ctx):
    global _setup
    _setup = _Setup(ctx)
    return _setup


class _Logger:
    def __init__(self, logger):
        self.log = logger.log

    def close(self):
        pass


def create(ctx):
    return _Logger(_setup.logger)
