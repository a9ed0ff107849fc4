"""python-bug-abba: seeded defect. A native-style logger that holds its registry mutex while it
calls the handlers (LogXide's first emit_record, seeds: "The Deadlock War Story"). The sink of
lock-inversion takes the interpreter lock per write, so the registry is taken under the
interpreter on one path and the interpreter under the registry on the other.

Rule broken: never hold a lock while calling handler code; copy the handler list and release.
"""

import logging

name = "python-bug-abba"
description = "seeded defect: registry mutex held across handler calls that take the interpreter lock (LogXide's ABBA)"
capabilities = {"format": "text", "gracefulShutdown": True, "threads": True, "harnessSink": True}


class NativeLikeLogger:
    def __init__(self, ctx):
        # A Rust Mutex is not reentrant.
        self.registry = ctx.create_lock("registry", reentrant=False)
        handler = logging.StreamHandler(ctx.open_sink())
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        self.handlers = [handler]

    def log(self, level, message):
        record = logging.LogRecord("logjam.native", level, __file__, 0, message, None, None)
        with self.registry:  # the defect: held across handler code
            for handler in self.handlers:
                handler.handle(record)

    def close(self):
        for handler in self.handlers:
            handler.close()


_shared = None


def setup(ctx):
    global _shared
    _shared = NativeLikeLogger(ctx)
    return _shared


def create(ctx):
    return _shared
