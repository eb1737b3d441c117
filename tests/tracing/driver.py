"""Runs one tracing scenario (a Python file) in this fresh process.

The scenario's globals include: aerospike_py, HOSTS, client() / aclient() (connected clients),
LOGS / MLOGS (records of the `aerospike_py.tracing` / `aerospike_py.metrics` loggers as (level, message)), result(**values)
(reported to the test as JSON), thread_names() / settled_thread_names(*prefixes), and pyparent(name) (a Python OTel SDK span context manager,
installed on first use).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aerospike_py  # noqa: E402

HOSTS = [tuple(h) for h in json.loads(os.environ["TRACING_TEST_HOSTS"])]
LOGS: list[tuple[str, str]] = []


class _Capture(logging.Handler):
    def emit(self, record):
        LOGS.append((record.levelname, record.getMessage()))


MLOGS: list[tuple[str, str]] = []


class _CaptureMetrics(logging.Handler):
    def emit(self, record):
        MLOGS.append((record.levelname, record.getMessage()))


_log = logging.getLogger("aerospike_py.tracing")
_log.addHandler(_Capture())
_log.setLevel(logging.INFO)
_mlog = logging.getLogger("aerospike_py.metrics")
_mlog.addHandler(_CaptureMetrics())
_mlog.setLevel(logging.INFO)


def client():
    c = aerospike_py.Client({"hosts": HOSTS})
    c.connect()
    return c


async def aclient():
    c = aerospike_py.AsyncClient({"hosts": HOSTS})
    await c.connect()
    return c


def result(**values):
    print("RESULT " + json.dumps(values), flush=True)


_sdk_tracer = None


def pytracer():
    """The Python OTel SDK tracer (spans kept in memory: PYSPANS.get_finished_spans())."""
    global _sdk_tracer, PYSPANS
    if _sdk_tracer is None:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        PYSPANS = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(PYSPANS))
        trace.set_tracer_provider(provider)
        _sdk_tracer = trace.get_tracer("tests")
    return _sdk_tracer


def pyparent(name: str, **kw):
    return pytracer().start_as_current_span(name, **kw)


def thread_names() -> list[str]:
    """OS names of this process's threads. A thread can exit between listing and reading its
    name (e.g. a thread just joined: the kernel reaps it after the joiner wakes): skip it."""
    names = []
    for t in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{t}/comm") as f:
                names.append(f.read().strip())
        except (FileNotFoundError, ProcessLookupError):
            pass
    return sorted(names)


def settled_thread_names(*prefixes: str, timeout: float = 15.0) -> list[str]:
    """thread_names() once a thread with each prefix is visible (or at timeout), then settled.
    A Rust thread names itself when it first runs, so right after it is spawned (on a loaded
    machine, for a while) it still shows its parent's name."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(any(n.startswith(p) for n in thread_names()) for p in prefixes):
            break
        time.sleep(0.02)
    time.sleep(0.3)  # threads spawned alongside get the chance to name themselves too
    return thread_names()


def hexid(n: int, width: int = 16) -> str:
    return format(n, f"0{width}x")


script = sys.argv[1]
exec(compile(Path(script).read_text(), script, "exec"), globals())
