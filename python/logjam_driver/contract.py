"""The adapter contract in Python, checked as harness/contract/adapter.ts checks a JS adapter.

An adapter is one module (loaded by path) with module-level names:

- ``name`` (kebab-case str), ``description`` (str), ``capabilities`` (dict, below);
- ``create(ctx)`` returning a logger object with ``log(level, message)`` and, where the logger
  has them, ``close()``, ``flush()``, ``dropped()`` and ``buffered()``;
- optionally ``setup(ctx)`` (once per process, before producer threads start) returning an
  object with ``close()``, ``dropped()``; ``versions()`` (dict of package versions);
  ``sink_files(file)`` (the files a rotating logger wrote, oldest first); ``unavailable``
  (a str saying why the adapter cannot run here, e.g. its package is not installed: every run
  of it is skipped with that reason).

Capabilities use the JS names: ``format`` ('ndjson' | 'text'), ``gracefulShutdown`` (bool),
``threads``, ``reportsDrops``, ``harnessSink``, ``tcp`` (bool), ``overflow`` (str),
``callBoundMs``, ``memoryBoundMb`` (number), plus ``pipe`` (bool): the logger writes to
``ctx.stream_fd``, a pipe whose reader (the Node side) appends what it reads to the sink file,
and ``asyncio`` (bool): the logger is used from asyncio tasks, so the scenarios' producers are
tasks on one event loop, yielding to it every batch of records, instead of threads.
"""

import importlib.util
import os
import re
import sys

LEVELS = ("debug", "info", "warn", "error", "fatal")

_BOOL_CAPS = ("asyncio", "threads", "reportsDrops", "harnessSink", "tcp", "pipe", "gracefulShutdown", "pathSink", "secondSink", "fields", "reconfigure", "reentrantSink", "stream")
_NUMBER_CAPS = ("callBoundMs", "memoryBoundMb")
_OVERFLOW = ("drop-lowest-first", "drop-newest", "drop-oldest", "block", "grow")
_KNOWN_CAPS = ("format", "context", "overflow") + _BOOL_CAPS + _NUMBER_CAPS


class AdapterError(Exception):
    """The adapter module is not a valid adapter; the message says what was expected."""


def describe(value):
    if value is None:
        return "`None`"
    if callable(value):
        return "a function"
    if isinstance(value, (bool, int, float, str)):
        return "`%r` (%s)" % (value, type(value).__name__)
    return "a %s" % type(value).__name__


def load_adapter(path):
    """Imports the adapter module at `path` and checks it; raises AdapterError saying what is wrong."""
    if not os.path.isfile(path):
        raise AdapterError("Expected %s to be a Python adapter module, but it does not exist" % path)
    module_name = "logjam_adapter_" + re.sub(r"\W", "_", os.path.splitext(os.path.basename(path))[0])
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise AdapterError("Could not load %s as a Python module" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    # The adapter's folder, so it can import its own helpers next to it.
    # Appended, not prepended: a helper named like a standard module must not shadow it.
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in sys.path:
        sys.path.append(folder)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise AdapterError("Could not load the adapter module %s: %s: %s" % (path, type(error).__name__, error)) from error
    check_adapter(module, path)
    return module


def check_adapter(module, where):
    problems = []
    name = getattr(module, "name", None)
    if not isinstance(name, str) or not re.match(r"^[a-z0-9][a-z0-9._-]*$", name):
        problems.append("`name` to be a kebab-case string, got %s" % describe(name))
    if not isinstance(getattr(module, "description", None), str):
        problems.append("`description` to be a string, got %s" % describe(getattr(module, "description", None)))
    if not callable(getattr(module, "create", None)):
        problems.append("`create` to be a function, got %s" % describe(getattr(module, "create", None)))
    setup = getattr(module, "setup", None)
    if setup is not None and not callable(setup):
        problems.append("`setup` to be a function when given, got %s" % describe(setup))
    unavailable = getattr(module, "unavailable", None)
    if unavailable is not None and not isinstance(unavailable, str):
        problems.append("`unavailable` to be None or a string saying why, got %s" % describe(unavailable))
    caps = getattr(module, "capabilities", None)
    if not isinstance(caps, dict):
        problems.append("`capabilities` to be a dict, got %s" % describe(caps))
    else:
        if caps.get("format") not in ("ndjson", "text"):
            problems.append("`capabilities['format']` to be 'ndjson' or 'text', got %s" % describe(caps.get("format")))
        if not isinstance(caps.get("gracefulShutdown"), bool):
            problems.append("`capabilities['gracefulShutdown']` to be a bool, got %s" % describe(caps.get("gracefulShutdown")))
        for key in _BOOL_CAPS:
            if key in caps and not isinstance(caps[key], bool):
                problems.append("`capabilities['%s']` to be a bool, got %s" % (key, describe(caps[key])))
        for key in _NUMBER_CAPS:
            if key in caps and (isinstance(caps[key], bool) or not isinstance(caps[key], (int, float)) or caps[key] < 0):
                problems.append("`capabilities['%s']` to be a non-negative number, got %s" % (key, describe(caps[key])))
        for key in caps:
            if key not in _KNOWN_CAPS:
                near = [k for k in _KNOWN_CAPS if k.lower() == str(key).lower().replace("_", "")]
                problems.append("no `capabilities['%s']`%s: the valid keys are %s" % (key, " (did you mean `%s`?)" % near[0] if near else "", ", ".join(sorted(_KNOWN_CAPS))))
        if "overflow" in caps and caps["overflow"] not in _OVERFLOW:
            problems.append("`capabilities['overflow']` to be one of %s, got %s" % (", ".join(_OVERFLOW), describe(caps["overflow"])))
    if problems:
        raise AdapterError("The adapter in %s is not valid. Expected %s." % (where, "; ".join(problems)))


def versions_of(module):
    import platform

    out = {"python": platform.python_version()}
    fn = getattr(module, "versions", None)
    if callable(fn):
        got = fn()
        if isinstance(got, dict):
            out.update({str(k): str(v) for k, v in got.items()})
    return out
