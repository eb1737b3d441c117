"""Plain helpers of the tracing tests, imported by name (`from tracing_support import ...`): a module
called `conftest` would be ambiguous when tests/client and tests/tracing are collected together."""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("driver.py")

# A wheel installed without the `otel` extra (tests/dist/test_wheel.py) has no OpenTelemetry Python
# API: a scenario that uses it (the Python SDK as the application's tracer, or FastAPI, which requires
# the API) cannot run there.
def _has_otel_api() -> bool:
    try:
        return importlib.util.find_spec("opentelemetry.trace") is not None
    except ModuleNotFoundError:  # not even the `opentelemetry` namespace
        return False


_NO_OTEL_API = not _has_otel_api()
_NEEDS_OTEL_API = re.compile(r"^(ModuleNotFoundError|ImportError): .*'(opentelemetry|fastapi)", re.M)


def skip_if_otel_api_needed(stderr: str) -> None:
    """Skips the test when its scenario (a driver process) failed importing the OpenTelemetry API that
    this environment does not have; with the API installed it never skips."""
    if _NO_OTEL_API and _NEEDS_OTEL_API.search(stderr):
        pytest.skip("the scenario uses the OpenTelemetry Python API, which is not installed "
                    "(aerospike-py without the otel extra)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DriverResult:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.proc = proc
        self.data = {}
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                self.data.update(json.loads(line[len("RESULT "):]))

    def __getitem__(self, k):
        return self.data[k]

    def get(self, k, default=None):
        return self.data.get(k, default)


def otel_env(endpoint: str, **extra) -> dict:
    """Environment for a scenario exporting to `endpoint` with a short batch delay."""
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "50"}
    env.update(extra)
    return env
