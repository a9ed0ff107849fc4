"""Instrumented locks for the logging system under test, reported to logjam's lock graph.

Every lock the logging system takes is replaced by an ``InstrumentedLock`` of a named class:
logging's module lock (``logging._lock``), each handler's lock (``Handler.createLock``),
``queue.Queue``'s mutex (its three conditions are rebuilt on it), and the locks an adapter or a
scenario asks for (``ctx.create_lock``). Each one tells the ``Tracker``:

- lock-order edges, lockdep-style: class B taken while holding class A, the first time a
  thread takes it (with the Python stack), and again when the guard set it was taken under
  shrinks. The Node side feeds them to harness's pure LockOrderGraph;
- waits: a thread that must block records what it waits for; the tracker's watcher thread
  walks the wait-for graph and reports a ``deadlock`` once the same cycle holds on two looks;
- ``recursive-lock``: a thread taking a non-reentrant lock it already holds, reported before
  it blocks on itself.

The raw lock underneath is ``_thread.allocate_lock``: reentrancy is counted here, so a
condition's wait can save and restore it (``_release_save``/``_acquire_restore``).
"""

import _thread
import itertools
import os
import sys
import threading
import time

_get_ident = _thread.get_ident
_THREADING = os.path.abspath(threading.__file__)
_ids = itertools.count(1)


_LOCKS = os.path.abspath(__file__)


def _harness_frame(filename):
    # Only the instrumentation itself and threading's plumbing: the driver's and the sink's
    # frames say where a scenario took a lock, which a report must show.
    return filename == _LOCKS or filename == _THREADING


def _wrapper(code):
    # logging's one-line lock wrappers (Handler.acquire, _acquireLock): their caller is the site.
    return code.co_name in ("acquire", "_acquireLock", "__enter__") and code.co_filename == _LOGGING


_LOGGING = os.path.abspath(__import__("logging").__file__)


def caller_site(depth=2):
    """``file:line in func`` of the first frame outside the harness and threading."""
    f = sys._getframe(depth)
    while f is not None and (_harness_frame(f.f_code.co_filename) or _wrapper(f.f_code)):
        f = f.f_back
    if f is None:
        return "?"
    return "%s:%d in %s" % (f.f_code.co_filename, f.f_lineno, f.f_code.co_name)


def stack_site(depth=2, limit=12):
    """The Python stack, most recent call first, one ``at file:line in func`` per line."""
    f = sys._getframe(depth)
    while f is not None and _harness_frame(f.f_code.co_filename):
        f = f.f_back
    lines = []
    while f is not None and len(lines) < limit:
        lines.append("at %s:%d in %s" % (f.f_code.co_filename, f.f_lineno, f.f_code.co_name))
        f = f.f_back
    return "\n".join(lines)


def thread_name(ident):
    t = threading._active.get(ident)
    return t.name if t is not None else "thread-%d" % ident


class Tracker:
    """What every instrumented lock reports to; one per Python process of a run."""

    def __init__(self, events):
        self.events = events
        # thread ident -> [lock, site] entries, outermost first; each list is written only by its thread.
        self.held = {}
        # thread ident -> (lock, wait seq, site, since ms): what the thread is blocked on.
        self.waits = {}
        self._edges = {}
        self._seq = itertools.count(1)
        self._reported = set()
        self._last_cycles = {}
        self.locks = {}

    # ---- called by locks, on the thread that takes them ----

    def created(self, lock):
        self.locks[lock.id] = lock
        self.events.send({"type": "py-lock", "id": lock.id, "name": lock.name})

    def order(self, me, lock, held):
        """Edges from every class held to `lock`'s, recorded at the attempt, before it can block:
        a thread that deadlocks on its second lock has still shown the order."""
        for i, entry in enumerate(held):
            outer = entry[0]
            if outer.cls == lock.cls:
                continue
            key = (outer.cls, lock.cls, me)
            guards = frozenset(e[0].id for e in held[:i])
            known = self._edges.get(key)
            if known is None or not known <= guards:
                now = guards if known is None else known & guards
                self._edges[key] = now
                self.events.send({
                    "type": "py-edge",
                    "from": outer.cls,
                    "to": lock.cls,
                    "thread": thread_name(me),
                    "site": stack_site(2),
                    "guards": sorted(now),
                })

    def acquired(self, me, lock):
        held = self.held.get(me)
        if held is None:
            held = self.held[me] = []
        held.append([lock, caller_site(2)])

    def released(self, me, lock):
        held = self.held.get(me)
        if not held:
            return
        for i in range(len(held) - 1, -1, -1):
            if held[i][0] is lock:
                del held[i]
                return

    def wait_start(self, me, lock):
        self.waits[me] = (lock, next(self._seq), stack_site(3), self.events.elapsed_ms())

    def wait_end(self, me):
        self.waits.pop(me, None)

    def recursive(self, me, lock):
        key = ("recursive", lock.cls)
        if key in self._reported:
            return
        self._reported.add(key)
        held_at = next((e[1] for e in self.held.get(me, []) if e[0] is lock), "?")
        site = stack_site(3)
        self.events.send({"type": "finding", "finding": {
            "kind": "recursive-lock",
            "severity": "error",
            "message": "Recursive lock: %s takes %s, which it already holds and which is not reentrant, at %s (first taken at %s)"
            % (thread_name(me), lock.name, site.split("\n")[0][3:], held_at),
            "evidence": {"signature": "recursive:" + lock.cls, "lock": lock.name, "thread": thread_name(me), "site": site, "heldSite": held_at},
        }})

    # ---- called by the watcher thread ----

    def wait_cycles(self):
        """Cycles in the wait-for graph now: lists of (thread ident, lock waited on, wait seq)."""
        cycles = []
        seen = set()
        waits = dict(self.waits)
        for start in waits:
            if start in seen:
                continue
            path = []
            at = start
            while at in waits and len(path) <= len(waits):
                lock, seq = waits[at][0], waits[at][1]
                path.append((at, lock, seq))
                owner = lock.owner
                if owner is None or owner == at:
                    break
                if owner == start:
                    cycles.append(path)
                    break
                looped = next((i for i, p in enumerate(path) if p[0] == owner), None)
                if looped is not None:
                    # A cycle the start thread only waits into: the cycle is the path's tail.
                    cycles.append(path[looped:])
                    break
                at = owner
            seen.update(p[0] for p in path)
        return cycles

    def check_deadlocks(self):
        """Reports a wait-for cycle seen with the same waits on two looks in a row."""
        current = {}
        for cycle in self.wait_cycles():
            key = frozenset((t, s) for t, _, s in cycle)
            current[key] = cycle
            signature = "deadlock:" + "|".join(sorted(l.cls for _, l, _ in cycle))
            if key in self._last_cycles and signature not in self._reported:
                self._reported.add(signature)
                self.events.send({"type": "finding", "finding": self._deadlock_finding(cycle, signature)})
        self._last_cycles = current

    def _deadlock_finding(self, cycle, signature):
        threads = []
        for ident, lock, _ in cycle:
            wait = self.waits.get(ident)
            threads.append({
                "thread": thread_name(ident),
                "holds": [{"lock": e[0].name, "site": e[1]} for e in list(self.held.get(ident, []))],
                "waitsFor": lock.name,
                "waitSite": wait[2] if wait is not None else "?",
                "waitingSinceMs": wait[3] if wait is not None else 0,
            })
        chain = "; ".join(
            "%s holds %s and waits for %s at %s" % (t["thread"], ", ".join(h["lock"] for h in t["holds"]), t["waitsFor"], t["waitSite"].split("\n")[0][3:])
            for t in threads
        )
        return {
            "kind": "deadlock",
            "severity": "error",
            "message": "Deadlock: " + chain,
            # Formed when the last thread of the cycle began to wait.
            "evidence": {"signature": signature, "formedAtMs": max(t["waitingSinceMs"] for t in threads), "detectedAtMs": self.events.elapsed_ms(), "threads": threads, "language": "python"},
        }

    def snapshot(self):
        """Per thread: locks held (with sites) and the lock waited on, for progress and hang reports."""
        out = {}
        for ident, held in list(self.held.items()):
            if held:
                out.setdefault(ident, {})["held"] = [{"lock": e[0].name, "site": e[1]} for e in list(held)]
        for ident, wait in list(self.waits.items()):
            lock = wait[0]
            owner = lock.owner
            out.setdefault(ident, {})["waiting"] = {
                "kind": "lock",
                "on": lock.name,
                "holders": [thread_name(owner)] if owner is not None else [],
                "site": wait[2],
                "forMs": max(0, self.events.elapsed_ms() - wait[3]),
            }
        return out


class InstrumentedLock:
    """A lock (reentrant or not) of a named class that reports to the tracker."""

    def __init__(self, tracker, cls, reentrant):
        self._raw = _thread.allocate_lock()
        self._tracker = tracker
        self.cls = cls
        self.reentrant = reentrant
        self.id = next(_ids)
        self.name = "%s#%d" % (cls, self.id)
        self.owner = None
        self._count = 0
        tracker.created(self)

    def acquire(self, blocking=True, timeout=-1):
        me = _get_ident()
        if self.owner == me:
            if self.reentrant:
                self._count += 1
                return True
            if blocking:
                self._tracker.recursive(me, self)
        held = self._tracker.held.get(me)
        if held:
            self._tracker.order(me, self, held)
        if not self._raw.acquire(False):
            if not blocking:
                return False
            self._tracker.wait_start(me, self)
            try:
                if not self._raw.acquire(True, timeout):
                    return False
            finally:
                self._tracker.wait_end(me)
        self.owner = me
        self._count = 1
        self._tracker.acquired(me, self)
        return True

    def release(self):
        me = _get_ident()
        if self.owner != me:
            raise RuntimeError("cannot release un-acquired lock")
        if self._count > 1:
            self._count -= 1
            return
        self._tracker.released(me, self)
        self.owner = None
        self._count = 0
        self._raw.release()

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()

    def locked(self):
        return self._raw.locked()

    # threading.Condition's protocol, so conditions can be built on this lock.
    def _is_owned(self):
        return self.owner == _get_ident()

    def _release_save(self):
        state = (self._count, self.owner)
        self._tracker.released(self.owner, self)
        self.owner = None
        self._count = 0
        self._raw.release()
        return state

    def _acquire_restore(self, state):
        self.acquire()
        self._count, self.owner = state

    def _at_fork_reinit(self):
        self._raw = _thread.allocate_lock()
        self.owner = None
        self._count = 0

    def __repr__(self):
        return "<InstrumentedLock %s owner=%r count=%d>" % (self.name, self.owner, self._count)


def instrument_logging(tracker):
    """Puts instrumented locks into logging and queue before the adapter creates anything.

    Safe because nothing holds these locks yet: the driver runs this before it imports the
    adapter, on the only thread there is.
    """
    import logging
    import queue

    logging._lock = InstrumentedLock(tracker, "logging._lock", reentrant=True)

    def create_lock(handler):
        handler.lock = InstrumentedLock(tracker, "handler:" + type(handler).__name__, reentrant=True)
        register = getattr(logging, "_register_at_fork_reinit_lock", None)
        if register is not None:
            register(handler)

    logging.Handler.createLock = create_lock

    original_init = queue.Queue.__init__

    def queue_init(self, maxsize=0):
        original_init(self, maxsize)
        self.mutex = InstrumentedLock(tracker, "queue.%s.mutex" % type(self).__name__, reentrant=False)
        self.not_empty = threading.Condition(self.mutex)
        self.not_full = threading.Condition(self.mutex)
        self.all_tasks_done = threading.Condition(self.mutex)

    queue.Queue.__init__ = queue_init


class Watcher:
    """A daemon thread: heartbeats with progress, and the second look for deadlocks."""

    def __init__(self, tracker, progress, interval=0.05, every=2):
        self._tracker = tracker
        self._progress = progress
        self._interval = interval
        self._every = every
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="logjam-watcher", daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self._stop.set()

    def _run(self):
        n = 0
        while not self._stop.wait(self._interval):
            n += 1
            self._tracker.check_deadlocks()
            if n % self._every == 0:
                self._progress()
        self._progress()


def now_ms():
    return int(time.monotonic() * 1000)
