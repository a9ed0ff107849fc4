"""What an adapter's ``setup(ctx)`` and ``create(ctx)`` get."""

import logging

PY_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR, "fatal": logging.CRITICAL}


class ProcessContext:
    """The process-wide view of the run, for ``setup``.

    Attributes: ``file`` (the sink file every logger of the run appends to), ``level``,
    ``sink`` (the scenario's pathologies, a dict), ``collector`` ((host, port) of logjam's TCP
    collector, for ``capabilities['tcp']``), ``stream_fd`` (a pipe the Node side drains into the
    sink file, for ``capabilities['pipe']``), ``buffer_records`` (a bound the scenario asks a
    queue to keep, where it has one).
    """

    def __init__(self, driver, file, level="debug", sink=None):
        self._driver = driver
        self.file = file
        self.level = level
        self.sink = dict(sink or {})
        self.collector = driver.collector
        self.stream_fd = driver.stream_fd
        self.buffer_records = driver.buffer_records

    @property
    def logging_level(self):
        return PY_LEVELS[self.level]

    def open_sink(self):
        """A file-like object appending to the sink file with the scenario's pathologies."""
        return self._driver.open_sink(self.file, self.sink)

    def create_lock(self, name, reentrant=False):
        """An instrumented lock of class `name`, reported to logjam's lock graph."""
        return self._driver.create_lock(name, reentrant)


class AdapterContext(ProcessContext):
    """For ``create``: also the producer this logger serves (0 for the main thread)."""

    def __init__(self, driver, file, producer, level="debug", sink=None):
        super().__init__(driver, file, level, sink)
        self.producer = producer
