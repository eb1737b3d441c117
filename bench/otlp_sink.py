"""An OTLP/gRPC collector in its own process, for the benchmarks that export spans.

The collector runs outside the measuring processes, so the CPU it spends receiving spans is
nobody's "client cost" and it never shares a Python interpreter with the orchestrator. It is
rotel-agent (the `rotel` PyPI package, a Rust collector) with its blackhole exporter, else
tests/otlp_receiver.py in a subprocess.

With `count=True` the sink also proves the spans arrived: rotel logs one line per export request
it receives (`--debug-log traces`, basic verbosity: the span count only, no span printed), and the
fallback receiver prints every span (much more work than rotel: that is why it is only the
fallback); `received()` adds them up from the sink's output file.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rotel_agent() -> Path | None:
    try:
        import rotel
    except ImportError:
        return None
    agent = Path(rotel.__file__).parent / "rotel-agent"
    return agent if agent.exists() else None


class OtlpSink:
    """A running collector; `endpoint` is what OTEL_EXPORTER_OTLP_ENDPOINT takes."""

    def __init__(self, count: bool = False):
        port = _free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        self.count = count
        agent = _rotel_agent()
        if agent is not None:
            self.kind = "rotel-agent (blackhole exporter)"
            cmd = [str(agent), "start", "--otlp-grpc-endpoint", f"127.0.0.1:{port}",
                   "--otlp-http-endpoint", f"127.0.0.1:{_free_port()}", "--exporter", "blackhole",
                   "--log-format", "json"] + (["--debug-log", "traces"] if count else [])
        else:
            self.kind = "tests/otlp_receiver.py (subprocess)"
            cmd = [sys.executable, str(ROOT / "tests" / "otlp_receiver.py"), "--port", str(port)]
            cmd += [] if count else ["--quiet"]
        self.out = tempfile.NamedTemporaryFile(prefix="otlp-sink-", suffix=".log")
        self.proc = subprocess.Popen(cmd, stdout=self.out if count else subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError(f"OTLP sink {cmd[0]} did not listen on port {port}")
                time.sleep(0.05)

    def received(self) -> tuple[int, int | None]:
        """(spans received so far, how many had a parent or None when the sink cannot tell)."""
        if not self.count:
            raise ValueError("sink started without count=True")
        text = Path(self.out.name).read_text(errors="replace")
        if self.kind.startswith("rotel"):
            spans = 0
            for line in text.splitlines():
                if line.startswith("{"):
                    rec = json.loads(line)
                    if rec.get("msg") == "Received traces.":
                        spans += int(rec.get("spans", 0))
            return spans, None
        # tests/otlp_receiver.py prints one unindented header line per span, "parent=.." or "(root)".
        heads = [ln for ln in text.splitlines() if ln and not ln[0].isspace() and " trace=" in ln]
        return len(heads), sum(1 for ln in heads if " parent=" in ln)

    def wait_for(self, spans: int, timeout: float = 10.0) -> tuple[int, int | None]:
        """received() once it reaches `spans`, or whatever arrived by `timeout`."""
        deadline = time.monotonic() + timeout
        got = self.received()
        while got[0] < spans and time.monotonic() < deadline:
            time.sleep(0.1)
            got = self.received()
        return got

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()

    def __enter__(self) -> "OtlpSink":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
