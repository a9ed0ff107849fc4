"""python-queue-bounded: QueueHandler on a bounded queue.Queue(maxsize) that drops the newest
record when full and counts every drop, the seed's DroppingQueueHandler with a counter (seeds:
"Python Logging Handlers — Deep Dive", Bounded queues and backpressure); a QueueListener drains
it into logjam's sink.
"""

import atexit
import itertools
import logging
import logging.handlers
import queue
import types

name = "python-queue-bounded"
description = "Python stdlib QueueHandler on queue.Queue(maxsize=1000), drop-newest with a counted drop, QueueListener"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True, "harnessSink": True, "reportsDrops": True, "overflow": "drop-newest"}

_logger = logging.getLogger("logjam.bounded")


class CountingDroppingQueueHandler(logging.handlers.QueueHandler):
    def __init__(self, q):
        super().__init__(q)
        self._drops = itertools.count()
        self.dropped = 0

    def enqueue(self, record):
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            # Under the GIL next() on a count is atomic: no drop is counted twice or missed.
            self.dropped = next(self._drops) + 1


class BlockingSentinelListener(logging.handlers.QueueListener):
    """stop() puts its sentinel with put_nowait(), which raises queue.Full on a full bounded
    queue and leaves the listener running and its queue undrained. The documentation says to
    override enqueue_sentinel for such queues; the listener drains, so a blocking put ends."""

    def enqueue_sentinel(self):
        self.queue.put(self._sentinel)


def setup(ctx):
    q = queue.Queue(maxsize=ctx.buffer_records or 1000)
    target = logging.StreamHandler(ctx.open_sink())
    target.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    listener = BlockingSentinelListener(q, target, respect_handler_level=True)
    listener.start()
    handler = CountingDroppingQueueHandler(q)
    _logger.propagate = False
    _logger.setLevel(ctx.logging_level)
    _logger.addHandler(handler)
    stopped = []

    def close():
        if not stopped:
            stopped.append(True)
            listener.stop()
            target.close()

    atexit.register(close)
    return types.SimpleNamespace(close=close, dropped=lambda: handler.dropped)


def create(ctx):
    return types.SimpleNamespace(log=_logger.log)
