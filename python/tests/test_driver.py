"""The driver end to end, standalone (no Node side): a real subprocess, real threads, a real
sink file, events read back from the pipe."""

import json
import os
import re
import select
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from logjam_driver.record import record_hash

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = re.compile(r"lj:(\d+):(\d+):([0-9a-f]{8}):([^:;]*);")


def run_driver(adapter, scenario, params, timeout=60):
    with tempfile.TemporaryDirectory() as tmp:
        r, w = os.pipe()
        spec = {
            "adapter": adapter, "scenario": scenario, "seed": 7, "params": params,
            "file": os.path.join(tmp, "sink.log"), "eventsFd": w, "streamFd": None,
            "stacksFile": os.path.join(tmp, "stacks.txt"), "closeMs": 5000, "timeoutMs": 30000,
        }
        proc = subprocess.Popen([sys.executable, "-m", "logjam_driver", "run", json.dumps(spec)], cwd=ROOT, pass_fds=(w,),
                                env=dict(os.environ, PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1"), stderr=subprocess.PIPE)
        os.close(w)
        with os.fdopen(r, encoding="utf-8") as f:
            events = [json.loads(line) for line in f]
        _, err = proc.communicate(timeout=timeout)
        lines = open(spec["file"], encoding="utf-8").read().splitlines() if os.path.exists(spec["file"]) else []
        return proc.returncode, events, lines, err.decode("utf-8", "replace")


def edges_until(adapter, scenario, params, wanted, timeout=60):
    """Runs the driver and reads its lock-order edges until every wanted (from, to) is in, the
    driver ends, or the timeout; a driver still running then (deadlocked) is killed."""
    with tempfile.TemporaryDirectory() as tmp:
        r, w = os.pipe()
        spec = {
            "adapter": adapter, "scenario": scenario, "seed": 7, "params": params,
            "file": os.path.join(tmp, "sink.log"), "eventsFd": w, "streamFd": None,
            "stacksFile": os.path.join(tmp, "stacks.txt"), "closeMs": 5000, "timeoutMs": 30000,
        }
        proc = subprocess.Popen([sys.executable, "-m", "logjam_driver", "run", json.dumps(spec)], cwd=ROOT, pass_fds=(w,),
                                env=dict(os.environ, PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1"), stderr=subprocess.DEVNULL)
        os.close(w)
        edges = {}
        pending = b""
        deadline = time.monotonic() + timeout
        try:
            while not wanted <= set(edges) and time.monotonic() < deadline:
                ready, _, _ = select.select([r], [], [], 0.1)
                if not ready:
                    continue
                chunk = os.read(r, 65536)
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    event = json.loads(line)
                    if event["type"] == "py-edge":
                        edges.setdefault((event["from"], event["to"]), event["site"])
        finally:
            os.close(r)
            proc.kill()
            proc.wait(timeout)
        return edges


def whole_records(lines):
    out = []
    for line in lines:
        m = MARKER.search(line)
        if m and int(m.group(3), 16) == record_hash(int(m.group(1)), int(m.group(2)), m.group(4)):
            out.append((int(m.group(1)), int(m.group(2))))
    return out


class DriverTest(unittest.TestCase):
    def test_steady_through_the_queue_adapter_delivers_every_record_once_in_order(self):
        code, events, lines, err = run_driver(os.path.join(ROOT, "adapters", "queue_listener.py"), "steady",
                                              {"threads": 3, "records": 500, "batch": 50, "maxPayload": 64})
        self.assertEqual(code, 0, err)
        produced = [e for e in events if e["type"] == "produced"]
        self.assertEqual(produced[-1]["counts"], [500, 500, 500])
        records = whole_records(lines)
        self.assertEqual(len(records), 1500)
        for p in range(3):
            self.assertEqual([s for q, s in records if q == p], list(range(500)))
        types = [e["type"] for e in events]
        self.assertGreater(types.index("done"), types.index("produced"))
        self.assertFalse([e for e in events if e["type"] == "finding"], "no finding for the seeds' queue")

    def test_exit_after_logging_says_it_exits_then_exits_with_sys_exit(self):
        code, events, lines, err = run_driver(os.path.join(ROOT, "adapters", "queue_listener.py"), "exit-after-logging",
                                              {"records": 200, "maxPayload": 32})
        self.assertEqual(code, 0, err)
        self.assertEqual([e for e in events if e["type"] == "exiting"], [{"type": "exiting", "code": 0}])
        # The seed's atexit hook stops the listener: nothing is lost at sys.exit.
        self.assertEqual(len(whole_records(lines)), 200)

    def test_lock_inversion_shows_both_orders_of_the_seeded_abba_even_with_one_record_per_producer(self):
        # One record each: producer 0 logs it holding the interpreter lock, producers 1 and 2
        # without it, so the registry is taken under the interpreter and the interpreter under
        # the registry in the same run. The two may also deadlock: edges are sent at the
        # attempt, before blocking, so the events are read until both are in, then it is ended.
        edges = edges_until(os.path.join(ROOT, "adapters", "bugs", "abba.py"), "lock-inversion",
                            {"threads": 3, "records": 1, "holdEvery": 3, "failEvery": 17},
                            {("interpreter", "registry"), ("registry", "interpreter")})
        self.assertLessEqual({("interpreter", "registry"), ("registry", "interpreter")}, set(edges))
        for site in (edges[("interpreter", "registry")], edges[("registry", "interpreter")]):
            self.assertRegex(site, r"^at \S+\.py:\d+ in ")

    def test_an_asyncio_adapter_is_driven_by_tasks_on_one_event_loop_that_interleave_every_batch(self):
        with tempfile.TemporaryDirectory() as tmp:
            adapter = os.path.join(tmp, "tasks_adapter.py")
            with open(adapter, "w") as f:
                f.write(textwrap.dedent("""
                    import logging, threading, types
                    name = "tasks"
                    description = "a FileHandler used from asyncio tasks"
                    capabilities = {"format": "text", "gracefulShutdown": True, "asyncio": True}
                    seen = set()
                    def setup(ctx):
                        global logger
                        handler = logging.FileHandler(ctx.file, encoding="utf-8")
                        logger = logging.getLogger()  # the root, as the seed's recipe: asyncio's own records would reach it
                        logger.addHandler(handler)
                        logger.setLevel(logging.DEBUG)
                        return types.SimpleNamespace(close=handler.close)
                    def create(ctx):
                        def log(level, message):
                            seen.add(threading.current_thread().name)
                            if len(seen) > 1:
                                raise RuntimeError("logged from threads %s" % sorted(seen))
                            logger.log(level, message)
                        return types.SimpleNamespace(log=log)
                """))
            code, events, lines, err = run_driver(adapter, "steady", {"threads": 3, "records": 200, "batch": 50, "maxPayload": 32})
        self.assertEqual(code, 0, err)
        self.assertFalse([e for e in events if e["type"] in ("finding", "harness-error")], err)
        records = whole_records(lines)
        self.assertEqual(len(records), 600)
        self.assertEqual(len(lines), 600, "only the records: no line of the harness's event loop")
        # Round robin on the loop: each task logs a batch of 50, then yields to the next.
        self.assertEqual([q for q, _ in records[::50]], [0, 1, 2] * 4)
        for p in range(3):
            self.assertEqual([s for q, s in records if q == p], list(range(200)))

    def test_a_scenario_the_driver_does_not_implement_is_skipped_with_the_reason(self):
        code, events, _, err = run_driver(os.path.join(ROOT, "adapters", "queue_listener.py"), "slow-sink", {})
        self.assertEqual(code, 0, err)
        self.assertIn({"type": "skip", "reason": "the Python driver does not implement the slow-sink scenario"}, events)

    def test_describe_says_what_is_wrong_with_an_invalid_adapter(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "bad.py")
            with open(path, "w") as f:
                f.write(textwrap.dedent("""
                    name = "Not Kebab"
                    capabilities = {"format": "xml", "graceful_shutdown": True}
                """))
            r = subprocess.run([sys.executable, "-m", "logjam_driver", "describe", path], cwd=ROOT, capture_output=True, text=True,
                               env=dict(os.environ, PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1"), timeout=60)
        self.assertEqual(r.returncode, 0)
        first, last = [json.loads(line) for line in r.stdout.splitlines()]
        error = first["error"]
        # The last line names what the descriptions were made from (the Node side's describe cache).
        self.assertIn(os.path.join(ROOT, "logjam_driver", "__main__.py"), last["deps"]["files"])
        self.assertIn(tmp, last["deps"]["shadows"])
        for expected in ("`name` to be a kebab-case string, got `'Not Kebab'` (str)", "`description` to be a string, got `None`",
                         "`create` to be a function", "`capabilities['format']` to be 'ndjson' or 'text', got `'xml'` (str)",
                         "`capabilities['gracefulShutdown']` to be a bool",
                         "no `capabilities['graceful_shutdown']` (did you mean `gracefulShutdown`?)"):
            self.assertIn(expected, error)


if __name__ == "__main__":
    unittest.main()
