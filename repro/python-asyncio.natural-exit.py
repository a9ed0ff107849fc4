"""Reproduces, with Python's logging alone: records logged through the widely copied recipe
"Logging in asyncio applications" (Martijn Pieters, 2019: the root logger's handlers move behind
a QueueListener on a SimpleQueue, a QueueHandler takes their place) are lost when the
interpreter exits, whether the program returns from main or calls sys.exit(0).

The recipe starts the QueueListener and never calls its stop(), which the standard library
documents as needed: "If you don't call this before your application exits, there may be some
records still left on the queue, which won't be processed." The listener's thread is a daemon
(logging/handlers.py QueueListener.start), so Python does not wait for it at exit; atexit's
logging.shutdown() flushes and closes the file handler but never drains the queue, and whatever
the listener had not yet written when the interpreter ends is gone.

Not a bug in CPython (documented); the recipe's omission. Upstream: the recipe,
https://www.zopatista.com/python/2019/05/11/asyncio-logging/ ; the documented stop():
https://docs.python.org/3/library/logging.handlers.html#logging.handlers.QueueListener.stop
(not reported to the recipe's author as of 2026-12-01).
Found by: logjam run --adapter python-asyncio --scenario natural-exit (and steady, startup-burst,
exit-after-logging) --python python3.

The backlog is held without touching the recipe: the listener's one handler is a FileHandler on
a named pipe whose reader (this script's parent) does not read until the child has logged
everything and is ending, so at that moment all but what the pipe holds (64 KiB) is still
queued. How much the listener's thread still writes while the interpreter shuts down depends on
scheduling (here 800 to 1 100 of 10 000 records arrive); what it has not written when the
interpreter ends is lost. With QueueListener.stop() registered at exit, all 10 000 arrive. (On a
plain file the same program loses about a third of them.)
Run with Python 3.8 or newer, on Linux or macOS: python3 repro/python-asyncio.natural-exit.py
Exit code 1 and "SYMPTOM" when records are lost at exit; 0 when they all arrive.
"""

import asyncio
import logging
import logging.handlers
import os
import subprocess
import sys
import tempfile
import threading
from queue import SimpleQueue as Queue
from typing import List

TASKS = 4
RECORDS = 2500  # per task: 10 000 records of about 100 bytes, 1 MB, fifteen times what a pipe holds


# ---- the recipe, verbatim ----
class LocalQueueHandler(logging.handlers.QueueHandler):
    def emit(self, record: logging.LogRecord) -> None:
        # Removed the call to self.prepare()
        try:
            self.enqueue(record)
        except Exception:
            self.handleError(record)


def setup_logging_queue() -> None:
    """Move log handlers to a separate thread.

    Replace handlers on the root logger with a LocalQueueHandler,
    and start a logging.QueueListener holding the original
    handlers.

    """
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
# ---- end of the recipe ----


async def worker(task: int) -> None:
    log = logging.getLogger("app")
    for i in range(RECORDS):
        log.info("task %d record %d %s", task, i, "x" * 48)
        if i % 100 == 99:
            await asyncio.sleep(0)


async def main() -> None:
    await asyncio.gather(*(worker(t) for t in range(TASKS)))


def child(path: str, how: str) -> None:
    # The application's own configuration, which the recipe then moves behind the queue.
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    setup_logging_queue()
    asyncio.run(main())
    # Tell the parent that everything is logged and the program is ending now.
    print("logged", flush=True)
    if how == "sys.exit":
        sys.exit(0)
    # how == "return": the program simply ends.


def run(how: str) -> "tuple[int, int | None]":
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "app.pipe")
        os.mkfifo(fifo)
        proc = subprocess.Popen([sys.executable, __file__, "child", fifo, how], stdout=subprocess.PIPE)
        lines = 0
        ready = threading.Event()

        def read() -> None:
            nonlocal lines
            # Opening the pipe lets the child's FileHandler open it; then the reader stalls.
            with open(fifo, "rb") as pipe:
                ready.wait(30)
                for _ in pipe:
                    lines += 1

        reader = threading.Thread(target=read)
        reader.start()
        said = proc.stdout.readline() if proc.stdout else b""
        ready.set()
        try:
            code = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = None
        reader.join(30)
        if said.strip() != b"logged":
            print("the child did not finish logging (exit code %s)" % code)
        return lines, code


def parent() -> int:
    failed = False
    total = TASKS * RECORDS
    for how in ("return", "sys.exit"):
        lines, code = run(how)
        print(
            "Python %s, logging behind the asyncio recipe's QueueListener (never stopped): %d of %d records reached the file when the program ended by %s (exit code %s)"
            % (sys.version.split()[0], lines, total, "returning from main" if how == "return" else "sys.exit(0)", code)
        )
        if lines < total:
            failed = True
            print(
                "SYMPTOM: %d of %d records were lost at interpreter exit (%s): the recipe never calls QueueListener.stop(), and its daemon thread dies with the interpreter"
                % (total - lines, total, how)
            )
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3])
    else:
        sys.exit(parent())
