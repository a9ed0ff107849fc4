"""``python -m logjam_driver describe ADAPTER.py...`` | ``run SPEC_JSON`` | ``bench SPEC_JSON``.

describe ADAPTER.py...: prints, per module, one JSON line with its name, description,
capabilities, versions and the scenarios the driver implements, or {"path", "error"} saying why
the module is not an adapter; then one {"deps": {"files", "shadows"}} line naming what they were made from.

bench: one benchmark iteration (bench.py); its result is one JSON line on ``spec['resultFd']``.

run: drives one run. Events go to the file descriptor ``spec['eventsFd']``; faulthandler dumps
every thread's stack to ``spec['stacksFile']`` on SIGUSR1, from C, so the Node side can ask a
wedged interpreter what each thread is doing.
"""

import faulthandler
import json
import os
import signal
import sys
import traceback


def describe(paths):
    """One JSON line per adapter: its description, or {"path", "error"} saying what is wrong."""
    from .contract import AdapterError, load_adapter, versions_of
    from .scenarios import SCENARIOS

    for path in paths:
        try:
            module = load_adapter(path)
            out = {
                "path": path,
                "name": module.name,
                "description": module.description,
                "capabilities": module.capabilities,
                "versions": versions_of(module),
                "scenarios": sorted(SCENARIOS),
            }
            if getattr(module, "unavailable", None):
                out["unavailable"] = module.unavailable
        except AdapterError as error:
            out = {"path": path, "error": str(error)}
        except Exception as error:
            out = {"path": path, "error": "Could not describe the adapter %s: %s: %s" % (path, type(error).__name__, error)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    sys.stdout.write(json.dumps({"deps": describe_deps(paths)}) + "\n")
    sys.stdout.flush()
    return 0


def describe_deps(paths):
    """The files the descriptions above were made from, for the Node side's describe cache: the
    interpreter, every imported module's file (the adapters, their loggers, the driver, the
    standard library) and every folder on sys.path (installing or removing a package changes
    its folder). If any of them changes, the cache describes again.

    The working folder (first on sys.path under -m) and each adapter's folder (appended by
    load_adapter) are a user's project folders, whose time changes whenever any file in them
    does: for those, ``shadows`` names the entries that would shadow an imported module, and
    the cache checks that their listing still holds the same of them."""
    deps = set()
    for exe in (sys.executable, os.path.realpath(sys.executable)):
        if exe:
            deps.add(exe)
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path:
            deps.add(os.path.abspath(path))
    cwd = os.getcwd()
    volatile = {cwd} | {os.path.dirname(os.path.abspath(p)) for p in paths}
    shadows = {}
    for entry in sys.path:
        folder = os.path.abspath(entry or cwd)
        if folder in volatile:
            shadows[folder] = _shadowing()
        else:
            deps.add(folder)
    return {"files": sorted(deps), "shadows": shadows}


def _shadowing():
    """The entry names that would shadow an imported top-level module from a sys.path folder."""
    import importlib.machinery

    suffixes = importlib.machinery.all_suffixes()
    names = {name.partition(".")[0] for name in sys.modules}
    names.difference_update(sys.builtin_module_names)
    out = []
    for name in sorted(names):
        if name.isidentifier():
            out.append(name)
            out.extend(name + suffix for suffix in suffixes)
    return out


def run(spec):
    from .events import EventWriter, Requests
    from .locks import Tracker, instrument_logging

    events = EventWriter(spec["eventsFd"])
    stacks = open(spec["stacksFile"], "w")
    # From C, without the interpreter: answers even when every Python thread is stuck.
    faulthandler.register(signal.SIGUSR1, file=stacks, all_threads=True)
    faulthandler.enable(file=stacks, all_threads=True)
    tracker = Tracker(events)
    # Before the adapter imports anything that makes a handler or a queue.
    instrument_logging(tracker)

    from .contract import AdapterError, load_adapter, versions_of
    from .driver import Driver
    from .scenarios import SCENARIOS, skip_reason

    try:
        module = load_adapter(spec["adapter"])
    except AdapterError as error:
        events.send({"type": "harness-error", "message": str(error)})
        return 2
    requests = Requests(events) if spec.get("requests") else None
    driver = Driver(spec, events, tracker, module, requests)
    reason = getattr(module, "unavailable", None) or skip_reason(spec["scenario"], spec.get("params") or {})
    if requests is not None:
        # The Node side applies the scenario's own skip rules to these capabilities: one
        # interpreter start per run, not a second one just to describe the adapter.
        answer = requests.ask({
            "type": "py-hello", "pid": os.getpid(), "name": module.name, "description": module.description,
            "capabilities": module.capabilities, "versions": versions_of(module), "scenarios": sorted(SCENARIOS),
            **({"unavailable": module.unavailable} if getattr(module, "unavailable", None) else {}),
            **({"skip": reason} if reason is not None else {}),
        })
        if "skip" in answer:
            return 0
    elif reason is not None:
        events.send({"type": "skip", "reason": reason})
        return 0
    else:
        driver.hello()
    fmt = module.capabilities["format"]
    files_fn = getattr(module, "sink_files", None)
    files = list(files_fn(spec["file"])) if callable(files_fn) else [spec["file"]]
    events.send({"type": "sink", "path": spec["file"], "format": fmt, "files": files})
    driver.watcher.start()
    driver.set_thread("main", "running", "idle")
    try:
        SCENARIOS[spec["scenario"]](driver, spec.get("params") or {})
    except SystemExit:
        raise
    except Exception as error:
        if type(error).__name__ == "InjectedCrash":
            raise
        events.send({"type": "harness-error", "message": "the Python scenario failed: %s: %s" % (type(error).__name__, error), "stack": traceback.format_exc()})
        driver.busy = False
        return 0
    # LEAVES_OPEN scenarios return with the logger open; the process must then end by itself.
    driver.done()
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "describe":
        return describe(argv[1:])
    if len(argv) >= 2 and argv[0] == "run":
        return run(json.loads(argv[1]))
    if len(argv) >= 2 and argv[0] == "bench":
        from .bench import main as bench

        return bench(argv[1])
    sys.stderr.write("Usage: python -m logjam_driver describe ADAPTER.py... | run SPEC_JSON | bench SPEC_JSON\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
