"""The `[no-otel-api]` contenders' simulation (bench/no_otel_api/sitecustomize.py): in such a worker
`opentelemetry` really cannot be imported, although it is installed in this environment, and
everything else still imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.contenders import NO_OTEL_API_DIR, Worker, all_contenders  # noqa: E402

PROBE = """
import importlib.util, sys
print("spec", importlib.util.find_spec("opentelemetry"))
for name in ("opentelemetry", "opentelemetry.propagate", "opentelemetry.trace"):
    try:
        __import__(name)
        print("imported", name)
    except ModuleNotFoundError as e:
        print("missing", name, e.name)
import aerospike_py, json, grpc  # everything else is untouched
print("others ok")
"""


def probe(extra_path: str | None) -> str:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if extra_path:
        env["PYTHONPATH"] = extra_path
    proc = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_blocker_hides_opentelemetry_and_nothing_else():
    # Control: the package is installed here, so the test would fail if the blocker did nothing.
    assert "imported opentelemetry.propagate" in probe(None)
    out = probe(str(NO_OTEL_API_DIR))
    assert "spec None" in out, out
    for name in ("opentelemetry", "opentelemetry.propagate", "opentelemetry.trace"):
        assert f"missing {name} opentelemetry" in out, out  # the top-level package is what is missing
    assert "others ok" in out, out


def test_the_no_otel_api_worker_cannot_import_it_and_still_traces(aerospike_hosts, namespace, unique_set):
    contender = next(c for c in all_contenders() if c.name == "ours-sync[no-otel-api]")
    assert contender.no_otel_api and contender.init_tracing
    # No collector here: tracing is on but exports nowhere (the bench's runs give it one).
    w = Worker(contender, {"OTEL_TRACES_EXPORTER": "none"})
    try:
        hosts = ",".join(f"{h}:{p}" for h, p in aerospike_hosts)
        assert "init_tracing()" in w.request(cmd="connect", hosts=hosts)["version"]
        w.request(cmd="seed", namespace=namespace, set=unique_set, count=1, size=100)
        reply = w.request(cmd="check", workload="get", namespace=namespace, set=unique_set, size=100, keys=1)
    finally:
        w.close()
    evidence = reply["no_otel_api"]
    assert evidence.startswith("find_spec('opentelemetry') -> None; import opentelemetry.propagate -> "
                               "ModuleNotFoundError"), evidence
    assert "installed but hidden" in evidence and str(NO_OTEL_API_DIR) in evidence, evidence
