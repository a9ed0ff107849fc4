"""One benchmark iteration of a Python adapter: the seeds' table (simple, structured, error)
through the adapter, end to end, as harness/child/benchmark-worker.ts does for a JS adapter.

The adapter's process-wide setup, then `threads` producer threads released together by a
barrier, each logging `records` pre-made records (markers made before the gate: only the log
call is timed), then every logger's close and the process-wide close. The Node side reads the
sink back through the ledger: only records in the sink count. Logging's locks are not
instrumented here: a benchmark measures the logger, not the harness.

A Python adapter's `log(level, message)` has no structured fields: the structured and error
shapes log the message alone (at INFO and ERROR), and the report marks them "(message only)".
"""

import json
import os
import resource
import threading
import time

from .contract import load_adapter, versions_of
from .driver import Driver, latency_summary
from .events import EventWriter
from .locks import Tracker
from .record import encode_record

# The Node benchmark's payload (harness/child/benchmark-worker.ts), so records weigh the same.
PAYLOAD = "Qx81abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
LEVELS = {"simple": 20, "structured": 20, "error": 40}
CLOSE_S = 10.0


def bench(spec):
    out = EventWriter(spec["resultFd"])
    try:
        out.send(dict(_iteration(spec), type="result"))
    except BaseException as error:  # the adapter may raise anything; the host must hear why
        out.send({"type": "error", "message": "%s: %s" % (type(error).__name__, error)})
        return 1
    return 0


def _iteration(spec):
    module = load_adapter(spec["adapter"])
    unavailable = getattr(module, "unavailable", None)
    if unavailable:
        return {"skip": unavailable}
    # No events in a benchmark: a closed writer drops what the driver would report.
    quiet = EventWriter(None)
    driver = Driver(dict(spec, closeMs=CLOSE_S * 1000, timeoutMs=spec.get("timeoutMs", 60000)), quiet, Tracker(quiet), module)
    threads, records = int(spec["threads"]), int(spec["records"])
    level = LEVELS[spec["shape"]]
    driver.ensure_setup()
    gate = threading.Barrier(threads + 1)
    samples = [None] * threads
    logged_at = [None] * threads
    errors = []

    def produce(p):
        try:
            logger = driver.create_logger(p)
            messages = [encode_record(p, seq, PAYLOAD) for seq in range(records)]
            log = logger.log
            clock = time.perf_counter_ns
            mine = []
            gate.wait()
            for message in messages:
                t0 = clock()
                log(level, message)
                mine.append(clock() - t0)
            # The logging phase ends here; the close below is shutdown.
            logged_at[p] = time.perf_counter()
            samples[p] = mine
            close = getattr(logger, "close", None)
            closed = driver.bounded(close) if callable(close) else {"ok": True}
            if not closed["ok"]:
                errors.append("producer-%d's logger close did not finish: %s" % (p, closed.get("error", "no progress for %d s" % CLOSE_S)))
        except threading.BrokenBarrierError:
            pass
        except BaseException as error:
            errors.append("producer-%d: %s: %s" % (p, type(error).__name__, error))
            gate.abort()

    workers = [threading.Thread(target=produce, args=(p,), name="producer-%d" % p) for p in range(threads)]
    for t in workers:
        t.start()
    try:
        gate.wait()
    except threading.BrokenBarrierError:
        pass
    started = time.perf_counter()
    cpu_started = time.process_time()
    for t in workers:
        t.join()
    closed = driver.close_process()
    ended = time.perf_counter()
    wall_ms = (ended - started) * 1000
    cpu_ms = (time.process_time() - cpu_started) * 1000
    logged_ms = (max([t for t in logged_at if t is not None] or [ended]) - started) * 1000
    if errors:
        raise RuntimeError("; ".join(errors))
    if not closed["ok"]:
        raise RuntimeError("the adapter's process-wide close did not finish: %s" % closed.get("error", "no progress for %d s" % CLOSE_S))
    files_fn = getattr(module, "sink_files", None)
    return {
        "produced": threads * records,
        "wallMs": round(wall_ms, 2),
        "loggingMs": round(logged_ms, 2),
        "cpuMs": round(cpu_ms, 2),
        "callLatencyUs": latency_summary([s for mine in samples if mine for s in mine]),
        # ru_maxrss is in KiB on Linux.
        "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "files": list(files_fn(spec["file"])) if callable(files_fn) else [spec["file"]],
        "format": module.capabilities["format"],
        "versions": versions_of(module),
    }


def main(spec_json):
    spec = json.loads(spec_json)
    code = bench(spec)
    # Whatever the logger leaves running (a listener never stopped), the iteration is over.
    os._exit(code)
