"""The lock instrumentation: edges with Python sites, recursive locks, deadlocks as they form.

Threads are put into known states with threading.Event handshakes, never sleeps; waits are
bounded so a broken instrumentation fails the test instead of hanging it.
"""

import threading
import unittest

from logjam_driver.events import ListWriter
from logjam_driver.locks import InstrumentedLock, Tracker

BOUND = 10.0


def of_type(events, kind):
    return [e for e in events.events if e["type"] == kind]


class LockTest(unittest.TestCase):
    def setUp(self):
        self.events = ListWriter()
        self.tracker = Tracker(self.events)

    def lock(self, name, reentrant=False):
        return InstrumentedLock(self.tracker, name, reentrant)

    def test_reports_a_lock_order_edge_once_per_thread_with_the_python_site(self):
        a, b = self.lock("A"), self.lock("B")
        for _ in range(3):
            with a:
                with b:
                    pass
        edges = of_type(self.events, "py-edge")
        self.assertEqual([(e["from"], e["to"]) for e in edges], [("A", "B")])
        self.assertIn("test_locks.py", edges[0]["site"].split("\n")[0])
        self.assertEqual(edges[0]["guards"], [])

    def test_reports_an_edge_again_when_it_escapes_its_guard(self):
        g, a, b = self.lock("G"), self.lock("A"), self.lock("B")
        with g:
            with a:
                with b:
                    pass
        with a:
            with b:
                pass
        ab = [e for e in of_type(self.events, "py-edge") if (e["from"], e["to"]) == ("A", "B")]
        self.assertEqual([e["guards"] for e in ab], [[g.id], []])

    def test_a_reentrant_lock_may_be_taken_again_and_needs_as_many_releases(self):
        r = self.lock("R", reentrant=True)
        with r:
            with r:
                self.assertTrue(r._is_owned())
            self.assertTrue(r._is_owned())
        self.assertFalse(r.locked())
        self.assertEqual(of_type(self.events, "finding"), [])

    def test_flags_a_non_reentrant_lock_taken_by_its_holder(self):
        m = self.lock("M")
        m.acquire()
        # Non-blocking, so the test does not wedge itself: the report comes before any block.
        self.assertFalse(m.acquire(False))
        self.assertEqual(of_type(self.events, "finding"), [])
        got = []

        def again():
            got.append(m.acquire(True, 0.01))

        # Same thread, blocking with a timeout: the report is made before it waits.
        again()
        m.release()
        findings = of_type(self.events, "finding")
        self.assertEqual(got, [False])
        self.assertEqual([f["finding"]["kind"] for f in findings], ["recursive-lock"])
        self.assertIn("test_locks.py", findings[0]["finding"]["evidence"]["site"])

    def test_finds_an_abba_deadlock_on_the_second_look_with_both_threads_waits(self):
        a, b = self.lock("A"), self.lock("B")
        have_a, have_b = threading.Event(), threading.Event()

        def one():
            a.acquire()
            try:
                have_a.set()
                have_b.wait(BOUND)
                if b.acquire(True, BOUND):
                    b.release()
            finally:
                # The test breaks the cycle by releasing a's raw lock from outside (below):
                # a is then no longer this thread's to release.
                if a._is_owned():
                    a.release()

        def two():
            with b:
                have_b.set()
                have_a.wait(BOUND)
                if a.acquire(True, BOUND):
                    a.release()

        t1 = threading.Thread(target=one, name="one")
        t2 = threading.Thread(target=two, name="two")
        t1.start()
        t2.start()
        try:
            # Wait until both threads are parked in their second acquire.
            for _ in range(1000):
                if len(self.tracker.waits) == 2:
                    break
                threading.Event().wait(0.005)
            self.assertEqual(len(self.tracker.waits), 2)
            self.tracker.check_deadlocks()
            self.assertEqual(of_type(self.events, "finding"), [], "one look is not enough")
            self.tracker.check_deadlocks()
            findings = [f["finding"] for f in of_type(self.events, "finding")]
            self.assertEqual([f["kind"] for f in findings], ["deadlock"])
            evidence = findings[0]["evidence"]
            self.assertEqual(sorted(t["thread"] for t in evidence["threads"]), ["one", "two"])
            self.assertEqual(evidence["signature"], "deadlock:A|B")
            self.assertLessEqual(evidence["formedAtMs"], evidence["detectedAtMs"])
            self.assertEqual(evidence["formedAtMs"], max(t["waitingSinceMs"] for t in evidence["threads"]))
            self.assertTrue(all("test_locks.py" in t["waitSite"] for t in evidence["threads"]))
            edges = {(e["from"], e["to"]) for e in of_type(self.events, "py-edge")}
            self.assertEqual(edges, {("A", "B"), ("B", "A")})
        finally:
            if len(self.tracker.waits) == 2:
                a.owner = None
                a._raw.release()
            t1.join(2 * BOUND)
            t2.join(2 * BOUND)

    def test_conditions_built_on_an_instrumented_lock_wait_and_notify(self):
        m = self.lock("queue.mutex")
        cond = threading.Condition(m)
        ready = []

        def waiter():
            with cond:
                cond.wait_for(lambda: ready, BOUND)

        t = threading.Thread(target=waiter)
        t.start()
        with cond:
            ready.append(1)
            cond.notify_all()
        t.join(BOUND)
        self.assertFalse(t.is_alive())
        self.assertFalse(m.locked())


if __name__ == "__main__":
    unittest.main()
