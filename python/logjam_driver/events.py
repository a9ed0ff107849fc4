"""Events to the run's Node child, one JSON object per line on an inherited pipe.

Any thread may send. The lock around the write is the harness's own raw lock, never
instrumented and never held while logger code runs, so it cannot join a cycle of the
logger's. A write to a closed pipe (the Node side is gone) is dropped: the run is over.
"""

import _thread
import json
import os
import time


class EventWriter:
    def __init__(self, fd):
        self._fd = fd
        self._lock = _thread.allocate_lock()
        self._started = time.monotonic()
        self.closed = fd is None

    def elapsed_ms(self):
        return int((time.monotonic() - self._started) * 1000)

    def send(self, event):
        if self.closed:
            return
        data = (json.dumps(event, separators=(",", ":"), default=str) + "\n").encode("utf-8")
        with self._lock:
            try:
                view = memoryview(data)
                while view:
                    n = os.write(self._fd, view)
                    view = view[n:]
            except OSError:
                self.closed = True


class ListWriter:
    """Collects events in memory: the driver's own tests read them back."""

    def __init__(self):
        self.events = []
        self._lock = _thread.allocate_lock()
        self.closed = False
        self._started = time.monotonic()

    def elapsed_ms(self):
        return int((time.monotonic() - self._started) * 1000)

    def send(self, event):
        with self._lock:
            self.events.append(json.loads(json.dumps(event, default=str)))


class Requests:
    """Questions to the Node side, answered one JSON line each on the driver's stdin.

    One question at a time (the raw lock): the answers come back in the order asked.
    """

    def __init__(self, events, fd=0):
        self._events = events
        self._in = os.fdopen(fd, "r", encoding="utf-8", closefd=False)
        self._lock = _thread.allocate_lock()

    def ask(self, question):
        with self._lock:
            self._events.send(question)
            line = self._in.readline()
        if not line:
            raise RuntimeError("the Node side did not answer %s: this is a harness bug" % question.get("type"))
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer
