"""Smoke test of the benchmark tool (bench/): quick mode, one workload, two contenders.

Checks the harness works end to end against the suite's server (dev server or AEROSPIKE_HOSTS):
every contender connects, passes the pre-run check and yields positive figures. No timing target.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENDERS = ("ours-sync", "official")


def run_quick_bench(aerospike_hosts, tmp_path, workloads: str, contenders) -> tuple[subprocess.CompletedProcess, dict]:
    """`python -m bench --quick` on the suite's server at 100 B: (the process, its JSON results).
    Fails the test unless it exited 0 with no contender skipped."""
    out = tmp_path / "bench.json"
    hosts = ",".join(f"{h}:{p}" for h, p in aerospike_hosts)
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--workloads", workloads, "--sizes", "100",
         "--contenders", ",".join(contenders), "--hosts", hosts, "--no-chart", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    assert "- skipped" not in proc.stdout, proc.stdout
    return proc, json.loads(out.read_text())


def test_quick_bench_prints_rows_with_positive_figures(aerospike_hosts, tmp_path):
    proc, result = run_quick_bench(aerospike_hosts, tmp_path, "get", CONTENDERS)
    rows = {r["contender"]: r for r in result["rows"]}
    assert set(rows) == set(CONTENDERS), proc.stdout
    for name, row in rows.items():
        assert row["workload"] == "get" and row["size"] == 100
        assert row["ops_s"] > 0 and row["p50_us"] > 0 and row["p99_us"] >= row["p50_us"], row
        assert row["errors"] == 0, row
        assert row["rounds"] == 2, row
    # The official client is its own reference.
    assert rows["official"]["x_official"] == 1.0
    assert rows["ours-sync"]["x_official"] > 0

    # The printed table has one line per contender for the cell, with the same figures.
    table_lines = [line.split() for line in proc.stdout.splitlines()]
    printed = {cols[2]: cols for cols in table_lines if len(cols) > 4 and cols[:2] == ["get", "100B"]}
    assert set(printed) == set(CONTENDERS), proc.stdout
    for name, cols in printed.items():
        assert float(cols[3].replace(",", "")) > 0
    # The untimed fork check: a child with its own client works; one reusing the parent's does not hang.
    assert "fork: ours-sync: child with new client OK in" in proc.stdout, proc.stdout
    assert result["fork"]["ours-sync"]["reuse"]["outcome"] in ("ok", "raised"), result["fork"]


def test_thread_and_export_variants_run_and_every_span_reaches_the_collector(aerospike_hosts, tmp_path):
    """8 threads on one client yield figures; the traced contender's spans reach the collector
    process (bench/otlp_sink.py counts them), one per operation it did."""
    names = ("ours-sync", "ours-sync[8 threads]", "ours-sync[otlp+parent]")
    proc, result = run_quick_bench(aerospike_hosts, tmp_path, "get,put", names)
    rows = {(r["contender"], r["workload"]) for r in result["rows"] if r["ops_s"] > 0 and not r["errors"]}
    assert rows == {(n, w) for n in names for w in ("get", "put")}, proc.stdout
    export = result["export"]
    traced_ops = sum(s["ops"] for s in result["samples"] if s["contender"] == "ours-sync[otlp+parent]")
    assert export["operations"] > traced_ops > 0  # timed loops plus checks and warm-ups
    # One span per operation. The SDK drops spans when its export queue is full (a starved export
    # thread on a loaded machine): a few may be missing, never most, and none are invented.
    assert 0.95 * export["operations"] <= export["spans"] <= export["operations"], proc.stdout
    assert "Threads sharing one client" in proc.stdout
