"""The catalogue's scenarios, implemented once more in Python where a Python logger needs them.

Parameters, seed and verdict rules come from logjam's TypeScript scenario of the same name
(scenarios/*.ts): the Node side draws the parameters, decides which findings fail the run and
reads the sink back; these functions only drive the same load and end the process the same
way. A scenario missing here is skipped for Python adapters, with that reason.
"""


class InjectedCrash(Exception):
    pass


def _metrics(driver, outcome=None, latency=None, wall_ms=None):
    m = {}
    if outcome is not None:
        m["loadMs"] = round(outcome["wallMs"])
        m["callLatencyUs"] = outcome["latency"]
    if latency is not None:
        m["callLatencyUs"] = latency
    if wall_ms is not None:
        m["loadMs"] = round(wall_ms)
    driver.send({"type": "metrics", "metrics": m})


def steady(d, p):
    d.phase("producing")
    out = d.run_producers(p["threads"], p["records"], p["batch"], 16, p["maxPayload"])
    d.produced_report(out["produced"], out["dropped"])
    _metrics(d, out)
    d.phase("done")


def lock_inversion(d, p):
    # The interpreter lock of the seeds' story: producers hold it around every k-th log call
    # (producer p on the calls whose seq + p is a multiple of k, so that even one record per
    # producer makes calls with and without it), the sink takes it around each write (and
    # fails every k-th write, after writing).
    interpreter = d.create_lock("interpreter", reentrant=True)
    d.phase("producing")
    out = d.run_producers(
        p["threads"], p["records"], 64, 16, 120,
        sink={"lock": interpreter, "failEvery": p["failEvery"], "failWhen": "after"},
        hold_lock=interpreter, hold_every=p["holdEvery"],
    )
    d.produced_report(out["produced"], out["dropped"])
    _metrics(d, out)
    d.phase("done")


def startup_burst(d, p):
    d.phase("producing")
    if d.capabilities.get("threads") is False:
        logger, n, latency, wall = d.log_from_main(p["records"], 1, p["maxPayload"], text="utf8")
        d.phase("closing")
        d.report_shutdown("the documented shutdown", d.close_logger(logger))
        d.produced_report([n], d.logger_dropped(logger))
        _metrics(d, latency=latency, wall_ms=wall)
    else:
        out = d.run_producers(p["threads"], p["records"], p["records"], 1, p["maxPayload"], text="utf8")
        d.produced_report(out["produced"], out["dropped"])
        _metrics(d, out)
    d.phase("done")


def exit_after_logging(d, p):
    d.phase("producing")
    logger, n, latency, _ = d.log_from_main(p["records"], 16, p["maxPayload"])
    d.produced_report([n], d.logger_dropped(logger))
    _metrics(d, latency=latency)
    d.phase("exiting")
    d.exit(0)


def graceful_exit(d, p):
    d.phase("producing")
    logger, n, latency, _ = d.log_from_main(p["records"], 16, p["maxPayload"])
    d.phase("closing")
    d.report_shutdown("the documented shutdown", d.close_logger(logger))
    d.produced_report([n], d.logger_dropped(logger))
    _metrics(d, latency=latency)
    d.phase("exiting")
    d.exit(0)


def natural_exit(d, p):
    d.phase("producing")
    logger, n, latency, _ = d.log_from_main(p["records"], 1, p["maxPayload"], text="utf8")
    d.produced_report([n], d.logger_dropped(logger))
    _metrics(d, latency=latency)
    d.phase("returned: waiting for the process to end by itself")


def natural_exit_graceful(d, p):
    d.phase("producing")
    logger, n, latency, _ = d.log_from_main(p["records"], 1, p["maxPayload"], text="utf8")
    d.phase("closing")
    d.report_shutdown("the documented shutdown", d.close_logger(logger))
    d.produced_report([n], d.logger_dropped(logger))
    _metrics(d, latency=latency)
    d.phase("returned: waiting for the process to end by itself")


def crash_mid_write(d, p):
    d.phase("producing")
    logger, n, latency, _ = d.log_from_main(p["records"], 16, p["maxPayload"])
    _metrics(d, latency=latency)
    d.produced_report([n], d.logger_dropped(logger))
    how = p["how"]
    d.phase("injecting " + how)
    if how == "sigterm":
        d.crash("sigterm")
    # An exception escaping the main thread: Python prints it, runs atexit, exits 1.
    d.busy = False
    d.send({"type": "exiting", "code": 1, "injected": "uncaught-exception"})
    raise InjectedCrash("logjam: the crash crash-mid-write injects, raised in the main thread while records are in flight")


SCENARIOS = {
    "steady": steady,
    "lock-inversion": lock_inversion,
    "startup-burst": startup_burst,
    "exit-after-logging": exit_after_logging,
    "graceful-exit": graceful_exit,
    "natural-exit": natural_exit,
    "natural-exit-graceful": natural_exit_graceful,
    "crash-mid-write": crash_mid_write,
}



def skip_reason(name, params):
    if name not in SCENARIOS:
        return "the Python driver does not implement the %s scenario" % name
    if name == "crash-mid-write" and params.get("how") == "worker-death":
        return "worker-death ends a logger's Node worker threads; a Python logger's threads cannot be ended from outside"
    return None
