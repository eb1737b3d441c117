"""pytest plugin for running the official client's tests against aerospike_py (run.py loads it).

- aliases `aerospike` / `aerospike_helpers.*` to our package (aliases.py), unless
  COMPAT_OFFICIAL_NO_ALIAS is set (run.py's counting pass, with the official client itself);
- deselects the tests listed in not_run.yaml and marks the known failures of known_failures.yaml
  (each with its reason), so nothing is skipped without a written reason;
- writes per-file outcomes as JSON to $COMPAT_OFFICIAL_REPORT for run.py's table;
- bounds each test by $COMPAT_OFFICIAL_TIMEOUT seconds (SIGALRM), so one hang does not stop the run.
"""

from __future__ import annotations

import json
import os
import signal
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent

if not os.environ.get("COMPAT_OFFICIAL_NO_ALIAS"):
    import aliases

    aliases.install()


def _load(name: str) -> list[tuple[str, str]]:
    data = yaml.safe_load((HERE / name).read_text()) or []
    return [(e["test"], e["reason"]) for e in data]


NOT_RUN = _load("not_run.yaml")
KNOWN = _load("known_failures.yaml")


def _match(nodeid: str, entries: list[tuple[str, str]]) -> str | None:
    # "file.py::Class::test" entries match that test and its parametrizations; "file.py" a whole file.
    short = nodeid.split("new_tests/", 1)[-1]
    for pattern, reason in entries:
        if short == pattern or short.startswith(pattern + "[") or short.startswith(pattern + "::"):
            return reason
    return None


_outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
_failed: list[tuple[str, str]] = []
_collect_errors: dict[str, str] = {}
_ours: set[str] = set()  # tests known_failures.yaml marks (the official tests' own xfails are theirs)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("COMPAT_OFFICIAL_NO_ALIAS"):
        return  # the counting pass (run.py): every selected test counts
    keep, dropped = [], []
    for item in items:
        (dropped if _match(item.nodeid, NOT_RUN) else keep).append(item)
    for item in dropped:
        _outcomes[_file(item.nodeid)]["not_run"] += 1
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    for item in items:
        reason = _match(item.nodeid, KNOWN)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
            _ours.add(item.nodeid)


def _file(nodeid: str) -> str:
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1]


def pytest_collectreport(report):
    if report.failed:
        _collect_errors[_file(report.nodeid)] = str(report.longrepr).strip().splitlines()[-1][:300]


def pytest_runtest_logreport(report):
    f = _file(report.nodeid)
    if report.when == "call" or (report.when == "setup" and not report.passed):
        xfail = hasattr(report, "wasxfail")
        if report.passed:  # an expected failure that now passes counts as passed
            _outcomes[f]["passed"] += 1
        elif report.skipped and (not xfail or report.nodeid not in _ours):
            # skipped, or expected to fail by the official test itself (its own xfail marker)
            _outcomes[f]["skipped"] += 1
        else:
            _outcomes[f]["failed"] += 1
            msg = getattr(report, "wasxfail", "") or _last_line(report)
            _failed.append((report.nodeid.split("new_tests/", 1)[-1], msg))


def _last_line(report) -> str:
    text = str(report.longrepr or "").strip().splitlines()
    for line in reversed(text):
        if line.startswith("E "):
            return line[1:].strip()[:200]
    return (text[-1] if text else "")[:200]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    limit = float(os.environ.get("COMPAT_OFFICIAL_TIMEOUT", "60"))

    def expired(signum, frame):
        raise TimeoutError(f"test exceeded {limit:.0f}s (COMPAT_OFFICIAL_TIMEOUT)")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def pytest_sessionfinish(session):
    out = os.environ.get("COMPAT_OFFICIAL_REPORT")
    if not out:
        return
    Path(out).write_text(
        json.dumps({"outcomes": _outcomes, "failed": _failed, "collect_errors": _collect_errors}, indent=1)
    )
