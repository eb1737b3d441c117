"""The contenders: what process each one is, and how to start it and talk to it.

Every contender is a separate worker process speaking the JSON line protocol described in
bench/worker.py (the Rust floor speaks it too), so all are started, timed and measured alike.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LEGACY_VENV = BENCH / ".venv-legacy"
LEGACY_PACKAGE = "aerospike-py==0.14.4"
NATIVE_VENV = BENCH / ".venv-native"
NATIVE_PACKAGE = "aerospike-native==1.0.0"  # Aerospike's PyO3 client; pulls in uvloop
NO_OTEL_API_DIR = BENCH / "no_otel_api"  # its sitecustomize.py hides the opentelemetry package


@dataclass
class Contender:
    name: str
    kind: str  # "python" or "rust"
    impl: str = ""  # python: ours | official | legacy
    mode: str = "sync"  # python: sync | async; rust: current | multi
    concurrent: bool = False  # runs N operations in flight (compared with the async floor)
    env: dict = field(default_factory=dict)
    parent_span: bool = False  # each operation inside a Python OpenTelemetry span
    init_tracing: bool = False  # calls the client's init_tracing() (which reads the OTEL_* env)
    no_otel_api: bool = False  # the worker runs as if the opentelemetry package were not installed
    group: str = "main"  # "main", "threads" or "tracing" (the last two run get/put at the first size only)
    threads: int = 0  # sync only: this many threads share one client, one operation each at a time
    description: str = ""

    @property
    def needs_receiver(self) -> bool:
        return (self.init_tracing and self.env.get("OTEL_TRACES_EXPORTER") == "otlp") or \
            self.env.get("BENCH_INIT_METRICS") == "1"

    def command(self, profile_to: Path | None = None) -> list[str]:
        """The worker's argv; `profile_to` wraps a Python worker in py-spy (flamegraph SVG there)."""
        if self.kind == "rust":
            return [str(floor_binary()), "--runtime", self.mode]
        if profile_to is not None:
            spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
            prefix = [spy, "record", "--native", "-o", str(profile_to), "--"]
            return prefix + self.command()
        python = {"legacy": str(LEGACY_VENV / "bin" / "python"),
                  "native": str(NATIVE_VENV / "bin" / "python")}.get(self.impl, sys.executable)
        cmd = [python, str(BENCH / "worker.py"), "--impl", self.impl, "--mode", self.mode]
        return (cmd + (["--parent-span"] if self.parent_span else [])
                + (["--init-tracing"] if self.init_tracing else [])
                + (["--no-otel-api"] if self.no_otel_api else []))


def all_contenders() -> list[Contender]:
    """Every contender the tool knows, in table order."""
    return [
        Contender("ours-sync", "python", "ours", "sync", description="this repo's sync Client"),
        Contender("ours-async", "python", "ours", "async", concurrent=True,
                  description="this repo's AsyncClient, N operations in flight on one event loop"),
        Contender("official", "python", "official", "sync",
                  description="official `aerospike` 19.3.0 (C client), sync, one thread"),
        Contender("legacy-sync", "python", "legacy", "sync",
                  description=f"PyPI {LEGACY_PACKAGE} sync client (own venv)"),
        Contender("legacy-async", "python", "legacy", "async", concurrent=True,
                  description=f"PyPI {LEGACY_PACKAGE} AsyncClient, N in flight (own venv)"),
        Contender("native-sync", "python", "native", "sync",
                  description=f"PyPI {NATIVE_PACKAGE} `*_blocking` calls, bins touched (own venv)"),
        Contender("native-async", "python", "native", "async", concurrent=True,
                  description=f"PyPI {NATIVE_PACKAGE} async, N in flight on uvloop (which it installs "
                              "on import), bins touched (own venv)"),
        Contender("native-async[no-uvloop]", "python", "native", "async", concurrent=True,
                  env={"AEROSPIKE_NO_UVLOOP": "1"},
                  description=f"native-async with AEROSPIKE_NO_UVLOOP=1: asyncio's own loop"),
        Contender("rust-seq", "rust", mode="current",
                  description="Rust floor: aerospike-core 3, current-thread runtime, 1 in flight"),
        Contender("rust-async", "rust", mode="multi", concurrent=True,
                  description="Rust floor: aerospike-core 3, multi-thread runtime, N in flight"),
        # N threads sharing one sync client object: does the sync client scale with threads?
        Contender("ours-sync[8 threads]", "python", "ours", "sync", concurrent=True, threads=8, group="threads",
                  description="this repo's sync Client, 8 Python threads sharing it, 1 operation each"),
        Contender("official[8 threads]", "python", "official", "sync", concurrent=True, threads=8,
                  group="threads", description="official `aerospike` 19.3.0, 8 Python threads sharing one "
                                               "client, 1 operation each"),
        # Tracing variants of our sync client (run on the tracing workloads only). ours-sync itself
        # is "tracing off": init_tracing() never called, no OTEL_* in its environment.
        Contender("ours-sync[otel-disabled]", "python", "ours", "sync", group="tracing", init_tracing=True,
                  env={"OTEL_SDK_DISABLED": "true"},
                  description="ours-sync, init_tracing() with OTEL_SDK_DISABLED=true"),
        Contender("ours-sync[exporter-none]", "python", "ours", "sync", group="tracing", init_tracing=True,
                  env={"OTEL_TRACES_EXPORTER": "none"},
                  description="ours-sync, init_tracing() with OTEL_TRACES_EXPORTER=none"),
        Contender("ours-sync[parent-only]", "python", "ours", "sync", group="tracing", parent_span=True,
                  description="ours-sync, tracing off, each operation under a Python parent span"),
        Contender("ours-sync[otlp+parent]", "python", "ours", "sync", group="tracing", parent_span=True,
                  init_tracing=True, env={"OTEL_TRACES_EXPORTER": "otlp"},
                  description="ours-sync, init_tracing() exporting every span to a local OTLP "
                              "collector (another process), each operation under a Python parent span"),
        # Metrics (docs/metrics.md): recorded by default, so ours-sync is "metrics on, tracing off".
        # BENCH_METRICS=off makes the worker call set_metrics_enabled(False); BENCH_INIT_METRICS=1
        # makes it call init_metrics() (OTLP push to the collector, every 100 ms here).
        Contender("ours-sync[telemetry-off]", "python", "ours", "sync", group="tracing",
                  env={"BENCH_METRICS": "off"},
                  description="ours-sync, metrics recording off, tracing off"),
        Contender("ours-sync[metrics-otlp]", "python", "ours", "sync", group="tracing",
                  env={"BENCH_INIT_METRICS": "1", "OTEL_METRIC_EXPORT_INTERVAL": "100"},
                  description="ours-sync, init_metrics() exporting to a local OTLP collector every 100 ms, "
                              "tracing off"),
        Contender("ours-sync[otlp+parent+no-metrics]", "python", "ours", "sync", group="tracing",
                  parent_span=True, init_tracing=True,
                  env={"OTEL_TRACES_EXPORTER": "otlp", "OTEL_METRICS_EXPORTER": "none", "BENCH_METRICS": "off"},
                  description="ours-sync[otlp+parent] with metrics recording off"),
        # Tracing on, exporting to the collector, in a worker where `import opentelemetry` fails as
        # if the API package were not installed (bench/no_otel_api/sitecustomize.py): the cost of
        # each package's tracing path without it. Compared with the same package untraced.
        Contender("ours-sync[no-otel-api]", "python", "ours", "sync", group="tracing", init_tracing=True,
                  no_otel_api=True, env={"OTEL_TRACES_EXPORTER": "otlp"},
                  description="ours-sync, init_tracing() exporting to the collector, opentelemetry "
                              "not importable"),
        Contender("legacy-sync[no-otel-api]", "python", "legacy", "sync", group="tracing", init_tracing=True,
                  no_otel_api=True, env={"OTEL_TRACES_EXPORTER": "otlp"},
                  description=f"{LEGACY_PACKAGE} sync, its init_tracing() exporting to the collector "
                              "(OTEL_EXPORTER_OTLP_ENDPOINT), opentelemetry not importable"),
    ]


def floor_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "bench-rust-floor"


def ensure_venv(venv: Path, package: str, log) -> str | None:
    """Create `venv` with the PyPI `package` once; return a reason if impossible."""
    marker = venv / ".installed"
    if marker.exists():
        return None
    log(f"creating {venv.relative_to(ROOT)} with {package} (once)...")
    base = getattr(sys, "_base_executable", sys.executable)
    try:
        subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        package], check=True, capture_output=True)
    except subprocess.CalledProcessError as e:
        return f"could not install {package}: {e.stderr.decode(errors='replace')[-300:]}"
    marker.touch()
    return None


def ensure_legacy_venv(log) -> str | None:
    return ensure_venv(LEGACY_VENV, LEGACY_PACKAGE, log)


def ensure_native_venv(log) -> str | None:
    return ensure_venv(NATIVE_VENV, NATIVE_PACKAGE, log)


class WorkerError(RuntimeError):
    pass


class Worker:
    """A running contender process; `request` sends one command and returns its reply."""

    def __init__(self, contender: Contender, extra_env: dict | None = None, profile_to: Path | None = None,
                 wrap: list[str] | None = None):
        """`wrap`: argv put in front of the worker's (bench/instructions.py runs it under valgrind)."""
        self.contender = contender
        # No OTEL_* from the caller's shell: a contender's tracing is exactly what it declares.
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        env.update(contender.env)
        env.update(extra_env or {})
        if contender.impl in ("legacy", "native"):
            env.pop("PYTHONPATH", None)  # the other venvs must not see this repo's aerospike_py
            env.pop("VIRTUAL_ENV", None)
        if contender.no_otel_api:  # first on the path: its sitecustomize.py runs at start-up
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NO_OTEL_API_DIR), env.get("PYTHONPATH")]))
        self.stderr = tempfile.TemporaryFile()
        # A worker under valgrind writes its profile at exit, which takes a while on a busy machine.
        self.exit_timeout = 120 if wrap else 10
        self.proc = subprocess.Popen([*(wrap or []), *contender.command(profile_to)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, env=env, cwd=str(ROOT), text=True, bufsize=1)

    def request(self, timeout: float = 300.0, **req) -> dict:
        """Send one request; a worker silent for `timeout` seconds is killed (never a hang)."""
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
            while True:
                ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
                if not ready:
                    self.proc.kill()
                    raise WorkerError(f"no answer to {req.get('cmd')} within {timeout:.0f}s; worker killed")
                line = self.proc.stdout.readline()
                # Replies are JSON objects; anything else (a profiler's banner) is not for us.
                if not line or line.startswith("{"):
                    break
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            raise WorkerError(f"{self.contender.name} exited ({self.proc.poll()}): {self.stderr_tail()}")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise WorkerError(str(reply.get("error")))
        return reply

    def stderr_tail(self, limit: int = 600) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")[-limit:].strip()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write('{"cmd": "quit"}\n')
                self.proc.stdin.flush()
                self.proc.wait(timeout=self.exit_timeout)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
