"""Fixtures for the tracing tests: a real OTLP/gRPC receiver on loopback and a driver that runs a
scenario in a fresh Python process (init_tracing reads the environment once, and the tracer
provider is global per process, so every configuration gets its own process)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))

from otlp_receiver import OtlpReceiver  # noqa: E402
from tracing_support import DRIVER, DriverResult, skip_if_otel_api_needed  # noqa: E402


@pytest.fixture
def receiver():
    with OtlpReceiver() as r:
        yield r


class Blackhole:
    """A TCP listener that accepts connections and never answers: a collector that hangs."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self):
        self._stop = True
        self.sock.close()
        for c in self.conns:
            c.close()


@pytest.fixture
def blackhole():
    b = Blackhole()
    yield b
    b.close()


@pytest.fixture
def run_driver(aerospike_hosts, tmp_path):
    """run_driver(code, env={...}, timeout=60, extra_path=None) -> DriverResult (asserts exit 0)."""

    def run(code: str, env: dict | None = None, timeout: float = 90, check: bool = True,
            pythonpath: list[str] | None = None) -> DriverResult:
        script = tmp_path / f"scenario_{len(list(tmp_path.iterdir()))}.py"
        script.write_text(textwrap.dedent(code))
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        full_env["TRACING_TEST_HOSTS"] = json.dumps(aerospike_hosts)
        full_env["PYTHONUNBUFFERED"] = "1"
        if pythonpath:
            full_env["PYTHONPATH"] = os.pathsep.join(pythonpath + [full_env.get("PYTHONPATH", "")])
        full_env.update({k: str(v) for k, v in (env or {}).items()})
        proc = subprocess.run([sys.executable, str(DRIVER), str(script)], env=full_env, capture_output=True,
                              text=True, timeout=timeout)
        skip_if_otel_api_needed(proc.stderr)
        if check:
            assert proc.returncode == 0, f"driver failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        return DriverResult(proc)

    return run
