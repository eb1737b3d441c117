"""Plain helpers of the tracing tests, imported by name (`from tracing_support import ...`): a module
called `conftest` would be ambiguous when tests/client and tests/tracing are collected together."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

DRIVER = Path(__file__).with_name("driver.py")


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
