"""The scenario load in Python: producer threads released together by a start gate, the main
thread's logger, the documented shutdowns under a deadline, and the exit modes. Everything the
Node side needs to judge the run goes out as events (see events.py): phases, per-thread
progress, lock-order edges, findings, produced counts, and what the process is about to do.
"""

import logging
import os
import signal
import sys
import threading
import time
import traceback

from .context import AdapterContext, ProcessContext, PY_LEVELS
from .contract import versions_of
from .locks import InstrumentedLock, Watcher
from .record import PayloadSource, encode_record
from .sinks import HarnessSink

MAX_PRODUCERS = 16
# Records asked for at a time: bounded memory, and a producer never waits long for the next ones.
CHUNK = 1024


def derive_seed(seed, producer):
    # Deterministic and distinct per producer; the Node side never regenerates payloads.
    return (seed * 1000003 + producer * 7919 + 17) & 0xFFFFFFFF


def latency_summary(samples_ns):
    if not samples_ns:
        return {"count": 0, "p50": 0, "p90": 0, "p99": 0, "p999": 0, "max": 0, "mean": 0}
    s = sorted(samples_ns)
    n = len(s)

    def at(p):
        return round(s[min(n - 1, max(0, int(-(-p * n // 100)) - 1))] / 1000, 2)

    return {"count": n, "p50": at(50), "p90": at(90), "p99": at(99), "p999": at(99.9), "max": round(s[-1] / 1000, 2), "mean": round(sum(s) / n / 1000, 2)}


def call_with_deadline(fn, seconds, progress=None, hard_seconds=None):
    """Runs fn on a daemon thread: a close that never returns is a finding, not a hang of the driver.

    With `progress` (a function whose value changes while the logger still delivers, e.g. the
    sink's size), the bound is on standing still, not on the total: a listener draining a long
    backlog on a loaded machine is slow, not hung. `hard_seconds` caps the whole wait.
    """
    outcome = {}

    def run():
        try:
            fn()
            outcome["ok"] = True
        except BaseException as error:  # the logger's close may raise anything
            outcome["error"] = "%s: %s" % (type(error).__name__, error)

    started = time.monotonic()
    t = threading.Thread(target=run, name="logjam-close", daemon=True)
    t.start()
    last = progress() if progress is not None else None
    moved = started
    while True:
        t.join(0.05)
        if not t.is_alive():
            break
        now = time.monotonic()
        if progress is not None:
            value = progress()
            if value != last:
                last, moved = value, now
        if now - moved > seconds or (hard_seconds is not None and now - started > hard_seconds):
            break
    ms = int((time.monotonic() - started) * 1000)
    if "ok" in outcome:
        return {"ok": True, "ms": ms}
    if "error" in outcome:
        return {"ok": False, "ms": ms, "error": outcome["error"]}
    return {"ok": False, "ms": ms}


class Driver:
    def __init__(self, spec, events, tracker, module, requests=None):
        self.requests = requests
        self.spec = spec
        self.events = events
        self.tracker = tracker
        self.module = module
        self.capabilities = module.capabilities
        self.file = spec["file"]
        self.seed = int(spec.get("seed", 0))
        self.close_s = float(spec.get("closeMs", 5000)) / 1000.0
        # Within the run's deadline, which the supervisor enforces anyway.
        self.hard_s = float(spec.get("timeoutMs", 60000)) / 1000.0 * 0.8
        self.collector = tuple(spec["collector"]) if spec.get("collector") else None
        self.stream_fd = spec.get("streamFd")
        self.buffer_records = spec.get("bufferRecords")
        self.produced = [0] * MAX_PRODUCERS
        self.targets = [0] * MAX_PRODUCERS
        self.producers = 0
        # Chunks of records prepared: progress too, before the first record is logged.
        self.prepared = 0
        # thread ident -> {"name", "state", "op", "producer"}: threads the driver started.
        self.threads = {}
        self.busy = True
        self.process_setup = None
        self._setup_done = False
        self._process_closed = False
        self._sink_writes = __import__("itertools").count(1)
        self._sinks = []
        self.watcher = Watcher(tracker, self.send_progress)

    # ---- events ----

    def send(self, event):
        self.events.send(event)

    def phase(self, name):
        self.send({"type": "phase", "phase": name, "elapsedMs": self.events.elapsed_ms()})

    def finding(self, kind, message, evidence, severity="error"):
        self.send({"type": "finding", "finding": {"kind": kind, "severity": severity, "message": message, "evidence": evidence}})

    def send_progress(self):
        snapshot = self.tracker.snapshot()
        threads = []
        for t in threading.enumerate():
            ident = t.ident
            if ident is None:
                continue
            mine = self.threads.get(ident, {})
            entry = {
                "ident": ident,
                "name": mine.get("name", t.name),
                "state": mine.get("state", "running"),
                "op": mine.get("op", "logger's own" if t is not threading.main_thread() else "idle"),
                "daemon": t.daemon,
            }
            if "producer" in mine:
                p = mine["producer"]
                entry["produced"] = self.produced[p]
                entry["target"] = self.targets[p]
            entry.update(snapshot.get(ident, {}))
            threads.append(entry)
        writes = sum(s.writes for s in list(self._sinks)) + self.prepared
        self.send({
            "type": "py-progress",
            "elapsedMs": self.events.elapsed_ms(),
            "busy": self.busy,
            "produced": self.produced[: max(1, self.producers)],
            "targets": self.targets[: max(1, self.producers)],
            "progress": writes,
            "threads": threads,
        })

    def set_thread(self, name, state, op, producer=None):
        entry = {"name": name, "state": state, "op": op}
        if producer is not None:
            entry["producer"] = producer
        self.threads[threading.get_ident()] = entry

    # ---- resources for adapters ----

    def open_sink(self, path, options):
        lock = options.get("lock")
        sink = HarnessSink(path, options, lock=lock if isinstance(lock, InstrumentedLock) else None, counter=self._sink_writes)
        self._sinks.append(sink)
        return sink

    def create_lock(self, name, reentrant=False):
        return InstrumentedLock(self.tracker, name, reentrant)

    # ---- the adapter's life cycle ----

    def ensure_setup(self, sink=None):
        if self._setup_done:
            return
        self._setup_done = True
        setup = getattr(self.module, "setup", None)
        if setup is not None:
            self.process_setup = setup(ProcessContext(self, self.file, "debug", sink))

    def setup_dropped(self):
        fn = getattr(self.process_setup, "dropped", None)
        return int(fn()) if callable(fn) else 0

    def create_logger(self, producer, sink=None):
        return self.module.create(AdapterContext(self, self.file, producer, "debug", sink))

    def sink_progress(self):
        """Changes while the logger still delivers: harness sink writes, the sink file's size."""
        try:
            size = os.stat(self.file).st_size
        except OSError:
            size = -1
        return (sum(s.writes for s in list(self._sinks)), size)

    def bounded(self, fn):
        """A documented flush or shutdown, bounded by closeMs without progress (see call_with_deadline)."""
        return call_with_deadline(fn, self.close_s, self.sink_progress, self.hard_s)

    def close_process(self):
        if self._process_closed or self.process_setup is None:
            return {"ok": True, "ms": 0}
        self._process_closed = True
        close = getattr(self.process_setup, "close", None)
        if not callable(close):
            return {"ok": True, "ms": 0}
        return self.bounded(close)

    def close_logger(self, logger):
        close = getattr(logger, "close", None)
        closed = self.bounded(close) if callable(close) else {"ok": True, "ms": 0}
        return self.close_process() if closed["ok"] else closed

    def report_shutdown(self, what, closed, evidence=None):
        if closed["ok"]:
            return
        error = closed.get("error")
        self.finding(
            "exit-hang",
            "%s failed: %s" % (what, error) if error else "%s did not finish: nothing was delivered for %d ms" % (what, self.close_s * 1000),
            dict(evidence or {}, closeMs=closed["ms"], boundMs=int(self.close_s * 1000), **({"error": error} if error else {})),
        )

    def produced_report(self, counts, dropped):
        self.send({"type": "produced", "counts": list(counts), "droppedReported": int(dropped) + self.setup_dropped()})

    # ---- loads ----

    def messages(self, producer, start, count, min_payload, max_payload, text):
        """Records start .. start+count-1 of producer `producer`, marker included.

        Asked of the Node side when there is one: its record encoder is the ledger's own and
        runs at native speed (an FNV checksum over kilobytes of payload per record is seconds
        of pure Python per thread). Without one (the driver's own tests), encoded here.
        """
        if self.requests is not None:
            path = self.requests.ask({"type": "py-messages", "producer": producer, "start": start, "records": count, "minPayload": min_payload, "maxPayload": max_payload, "text": text})["path"]
            with open(path, encoding="utf-8", newline="\n") as f:
                lines = f.read().split("\n")
            os.unlink(path)
            self.prepared += 1
            return lines[:count]
        payloads = PayloadSource(derive_seed(self.seed, producer), min_payload, max_payload, text)
        self.prepared += 1
        return [encode_record(producer, seq, payloads.payload(seq)) for seq in range(start, start + count)]

    def chunks(self, producer, records, min_payload, max_payload, text):
        """The records in chunks, each asked for when the one before is logged, as JS producers make theirs in batches."""
        for start in range(0, records, CHUNK):
            yield start, self.messages(producer, start, min(CHUNK, records - start), min_payload, max_payload, text)

    def run_producers(self, threads, records, batch, min_payload, max_payload, level="info", text="ascii", sink=None, hold_lock=None, hold_every=1, close_process=True):
        if self.capabilities.get("threads") is False and threads > 1:
            raise RuntimeError("the adapter declares threads: False, so the scenario must not start %d producer threads: this is a harness bug" % threads)
        # An interpreter lock held around log calls is a thread's: tasks on one loop thread
        # would all hold it at once (it is reentrant), so lock-inversion keeps threads.
        if self.capabilities.get("asyncio") is True and hold_lock is None:
            return self.run_tasks(threads, records, batch, min_payload, max_payload, level, text, sink, close_process)
        self.ensure_setup(sink)
        self.producers = threads
        gate = threading.Barrier(threads + 1)
        gate_s = max(1.0, float(self.spec.get("timeoutMs", 60000)) / 1000.0)
        results = [None] * threads
        py_level = PY_LEVELS[level]

        def produce(p):
            name = "producer-%d" % p
            self.set_thread(name, "starting", "create-logger", p)
            result = {"produced": 0, "latency": [], "threw": 0, "firstThrow": None, "dropped": 0, "closed": None}
            results[p] = result
            try:
                logger = self.create_logger(p, sink)
            except BaseException as error:
                self.send({"type": "harness-error", "message": "%s failed during create: %s: %s" % (name, type(error).__name__, error), "stack": traceback.format_exc()})
                gate.abort()
                return
            chunks = self.chunks(p, records, min_payload, max_payload, text)
            first = next(chunks, None)
            self.targets[p] = records
            self.set_thread(name, "waiting", "wait-start", p)
            try:
                gate.wait(gate_s)
            except threading.BrokenBarrierError:
                return
            self.set_thread(name, "running", "log", p)
            samples = result["latency"]
            log = logger.log
            every = max(1, hold_every)
            clock = time.perf_counter_ns
            chunk = first
            while chunk is not None:
                base, messages = chunk
                for i, message in enumerate(messages):
                    seq = base + i
                    t0 = clock()
                    try:
                        # Offset by the producer: threads are not in step, so a run with
                        # fewer records than `every` still has calls made with the lock and
                        # calls made without it (both orders of lock-inversion's cycle).
                        if hold_lock is not None and (seq + p) % every == 0:
                            with hold_lock:
                                log(py_level, message)
                        else:
                            log(py_level, message)
                    except Exception as error:
                        result["threw"] += 1
                        if result["firstThrow"] is None:
                            result["firstThrow"] = {"seq": seq, "message": "%s: %s" % (type(error).__name__, error), "stack": traceback.format_exc()}
                    samples.append(clock() - t0)
                    self.produced[p] = seq + 1
                    if batch and (seq + 1) % batch == 0:
                        time.sleep(0)
                chunk = next(chunks, None)
            result["produced"] = records
            self.set_thread(name, "closing", "close", p)
            dropped = getattr(logger, "dropped", None)
            close = getattr(logger, "close", None)
            result["closed"] = self.bounded(close) if callable(close) else {"ok": True, "ms": 0}
            result["dropped"] = int(dropped()) if callable(dropped) else 0
            self.set_thread(name, "done", "idle", p)

        workers = [threading.Thread(target=produce, args=(p,), name="producer-%d" % p) for p in range(threads)]
        for t in workers:
            t.start()
        self.set_thread("main", "waiting", "await-producers")
        try:
            gate.wait(gate_s)
        except threading.BrokenBarrierError:
            pass
        started = time.monotonic()
        for t in workers:
            t.join()
        if close_process:
            self.set_thread("main", "closing", "close")
            self.report_shutdown("the logger's process-wide shutdown", self.close_process())
        wall_ms = (time.monotonic() - started) * 1000
        self.set_thread("main", "running", "idle")
        samples = []
        for p, r in enumerate(results):
            if r is None:
                continue
            samples.extend(r["latency"])
            if r["closed"] is not None:
                self.report_shutdown("producer-%d's logger shutdown" % p, r["closed"], {"producer": p})
            if r["threw"]:
                first = r["firstThrow"]
                self.finding("unhandled-error", "%d log call(s) on producer-%d raised into the caller; the first, on record %d: %s" % (r["threw"], p, first["seq"], first["message"]),
                             {"thread": "producer-%d" % p, "threw": r["threw"], "seq": first["seq"], "message": first["message"], "stack": first["stack"]})
        return {
            "produced": [r["produced"] if r else self.produced[p] for p, r in enumerate(results)],
            "dropped": sum(r["dropped"] for r in results if r),
            "latency": latency_summary(samples),
            "wallMs": wall_ms,
        }

    def run_tasks(self, tasks, records, batch, min_payload, max_payload, level="info", text="ascii", sink=None, close_process=True):
        """The producers as asyncio tasks on one event loop in the main thread (capability
        ``asyncio``), as an asyncio application logs: each task yields to the loop every
        `batch` records (``await asyncio.sleep(0)``), so the tasks' calls interleave. The start
        gate is the loop itself: every task has made its logger and its first records and waits
        on one Event before any logs."""
        import asyncio

        self.ensure_setup(sink)
        self.producers = tasks
        results = [None] * tasks
        py_level = PY_LEVELS[level]
        every = max(1, batch or 1)
        outcome = {}

        async def produce(p, gate):
            result = {"produced": 0, "latency": [], "threw": 0, "firstThrow": None, "dropped": 0, "closed": None}
            results[p] = result
            try:
                logger = self.create_logger(p, sink)
            except BaseException as error:
                self.send({"type": "harness-error", "message": "task-%d failed during create: %s: %s" % (p, type(error).__name__, error), "stack": traceback.format_exc()})
                results[p] = None
                return
            chunks = self.chunks(p, records, min_payload, max_payload, text)
            chunk = next(chunks, None)
            self.targets[p] = records
            await gate.wait()
            samples = result["latency"]
            log = logger.log
            clock = time.perf_counter_ns
            while chunk is not None:
                base, messages = chunk
                for i, message in enumerate(messages):
                    seq = base + i
                    t0 = clock()
                    try:
                        log(py_level, message)
                    except Exception as error:
                        result["threw"] += 1
                        if result["firstThrow"] is None:
                            result["firstThrow"] = {"seq": seq, "message": "%s: %s" % (type(error).__name__, error), "stack": traceback.format_exc()}
                    samples.append(clock() - t0)
                    self.produced[p] = seq + 1
                    if (seq + 1) % every == 0:
                        await asyncio.sleep(0)
                chunk = next(chunks, None)
            result["produced"] = records
            dropped = getattr(logger, "dropped", None)
            close = getattr(logger, "close", None)
            # Off the loop, so the other tasks go on logging while this one's logger closes.
            result["closed"] = await asyncio.get_running_loop().run_in_executor(None, self.bounded, close) if callable(close) else {"ok": True, "ms": 0}
            result["dropped"] = int(dropped()) if callable(dropped) else 0

        async def main():
            gate = asyncio.Event()
            running = [asyncio.ensure_future(produce(p, gate)) for p in range(tasks)]
            # One turn of the loop: every task runs up to its wait on the gate.
            await asyncio.sleep(0)
            outcome["started"] = time.monotonic()
            gate.set()
            await asyncio.gather(*running)

        self.set_thread("main", "running", "asyncio tasks (%d)" % tasks, 0)
        # The loop is the harness's: asyncio's own records about it ("Using selector: ...", at
        # DEBUG) would reach the application's root handlers and the sink as lines that are not
        # records. The logger's own records are what the sink must hold.
        aio = logging.getLogger("asyncio")
        was_disabled = aio.disabled
        aio.disabled = True
        try:
            asyncio.run(main())
        finally:
            aio.disabled = was_disabled
        started = outcome.get("started", time.monotonic())
        if close_process:
            self.set_thread("main", "closing", "close")
            self.report_shutdown("the logger's process-wide shutdown", self.close_process())
        wall_ms = (time.monotonic() - started) * 1000
        self.set_thread("main", "running", "idle")
        samples = []
        for p, r in enumerate(results):
            if r is None:
                continue
            samples.extend(r["latency"])
            if r["closed"] is not None:
                self.report_shutdown("task-%d's logger shutdown" % p, r["closed"], {"producer": p})
            if r["threw"]:
                first = r["firstThrow"]
                self.finding("unhandled-error", "%d log call(s) on task-%d raised into the caller; the first, on record %d: %s" % (r["threw"], p, first["seq"], first["message"]),
                             {"thread": "task-%d" % p, "threw": r["threw"], "seq": first["seq"], "message": first["message"], "stack": first["stack"]})
        return {
            "produced": [r["produced"] if r else self.produced[p] for p, r in enumerate(results)],
            "dropped": sum(r["dropped"] for r in results if r),
            "latency": latency_summary(samples),
            "wallMs": wall_ms,
        }

    def log_from_main(self, records, min_payload, max_payload, level="info", text="ascii", sink=None):
        self.ensure_setup(sink)
        self.producers = 1
        self.set_thread("main", "starting", "create-logger", 0)
        logger = self.create_logger(0, sink)
        chunks = self.chunks(0, records, min_payload, max_payload, text)
        chunk = next(chunks, None)
        self.targets[0] = records
        self.set_thread("main", "running", "log", 0)
        py_level = PY_LEVELS[level]
        samples = []
        clock = time.perf_counter_ns
        threw = 0
        first = None
        started = time.monotonic()
        while chunk is not None:
            base, messages = chunk
            for i, message in enumerate(messages):
                seq = base + i
                t0 = clock()
                try:
                    logger.log(py_level, message)
                except Exception as error:
                    threw += 1
                    if first is None:
                        first = {"seq": seq, "message": "%s: %s" % (type(error).__name__, error), "stack": traceback.format_exc()}
                samples.append(clock() - t0)
                self.produced[0] = seq + 1
            chunk = next(chunks, None)
        wall_ms = (time.monotonic() - started) * 1000
        self.set_thread("main", "running", "idle", 0)
        if threw:
            self.finding("unhandled-error", "%d log call(s) on main raised into the caller; the first, on record %d: %s" % (threw, first["seq"], first["message"]),
                         {"thread": "main", "threw": threw, "seq": first["seq"], "message": first["message"], "stack": first["stack"]})
        return logger, records, latency_summary(samples), wall_ms

    def logger_dropped(self, logger):
        fn = getattr(logger, "dropped", None)
        return int(fn()) if callable(fn) else 0

    # ---- how the process ends ----

    def done(self):
        self.busy = False
        self.send_progress()
        self.send({"type": "done"})

    def exit(self, code):
        """sys.exit(code) with no shutdown call: Python's atexit (logging.shutdown) still runs."""
        self.busy = False
        self.send_progress()
        self.send({"type": "exiting", "code": code})
        sys.exit(code)

    def crash(self, how):
        self.busy = False
        self.send_progress()
        if how == "sigterm":
            self.send({"type": "exiting", "code": 143, "injected": "sigterm"})
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(60)
        elif how == "os-exit":
            self.send({"type": "exiting", "code": 0, "injected": "os-exit"})
            os._exit(0)
        raise RuntimeError("unknown crash %r: this is a harness bug" % how)

    def hello(self):
        self.send({"type": "hello", "pid": os.getpid(), "versions": versions_of(self.module)})
