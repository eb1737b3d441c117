"""Smoke test of bench/devserver_bench.py (the dev server's own throughput table): it runs end to end
with several client processes and prints one row per (op, processes) with positive figures. No timing target."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_devserver_bench_prints_a_row_per_op_and_process_count():
    proc = subprocess.run(
        [sys.executable, "bench/devserver_bench.py", "--processes", "1,2", "--ops", "put,get",
         "--rounds", "1", "--seconds", "0.3", "--warmup", "0.05", "--keys", "200"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    rows = [line.split() for line in proc.stdout.splitlines() if line.split()[:1] in (["put"], ["get"])]
    assert [(r[0], r[1]) for r in rows] == [("put", "1"), ("put", "2"), ("get", "1"), ("get", "2")], proc.stdout
    for r in rows:
        ops_s, p50, p99 = float(r[2].replace(",", "")), float(r[4]), float(r[5])
        assert ops_s > 0 and 0 < p50 <= p99, r
