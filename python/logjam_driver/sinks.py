"""The sink the harness gives a Python adapter (capability ``harnessSink``): a file-like
object appending to the run's sink file, with the scenario's pathologies applied at each write,
as harness/sinks/sinks.ts does for JS loggers.

- ``lock``: an instrumented lock taken around each write, as a sink that needs an interpreter
  lock does (lock-inversion);
- ``failEvery`` / ``failWhen``: every k-th write raises SinkError, before or after writing;
- ``delayMs``: every write first sleeps this long on the writing thread.

Each ``write`` is one ``os.write`` on an O_APPEND descriptor: a record written whole is never
interleaved with another thread's at the file level.
"""

import itertools
import os
import time


class SinkError(OSError):
    pass


class HarnessSink:
    def __init__(self, path, options, lock=None, counter=None):
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._lock = lock
        self._fail_every = int(options.get("failEvery") or 0)
        self._fail_after = options.get("failWhen") == "after"
        self._delay = float(options.get("delayMs") or 0) / 1000.0
        # Shared by every sink of the run, so "every k-th write" counts the run's writes.
        self._counter = counter if counter is not None else itertools.count(1)
        self.writes = 0
        self.closed = False

    def write(self, text):
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        if self._lock is not None:
            with self._lock:
                self._write(data)
        else:
            self._write(data)
        return len(text)

    def _write(self, data):
        if self._delay > 0:
            time.sleep(self._delay)
        n = next(self._counter)
        fail = self._fail_every > 0 and n % self._fail_every == 0
        if fail and not self._fail_after:
            raise SinkError("logjam: injected sink failure before write %d" % n)
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]
        self.writes += 1
        if fail:
            raise SinkError("logjam: injected sink failure after write %d" % n)

    def flush(self):
        pass

    def close(self):
        if not self.closed:
            self.closed = True
            os.close(self._fd)
