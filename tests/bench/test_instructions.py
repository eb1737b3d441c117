"""The instruction-count benchmark (bench/instructions.py) runs its workers under callgrind and
prints one row per contender with a per-operation count that reflects the work done."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_counts_instructions_per_operation(aerospike_hosts, tmp_path):
    out = tmp_path / "instr.json"
    hosts = ",".join(f"{h}:{p}" for h, p in aerospike_hosts)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.instructions", "--workloads", "get,batch_read", "--contenders",
         "ours-sync,official", "--small", "20", "--large", "120", "--hosts", hosts, "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    assert "- skipped" not in proc.stdout, proc.stdout
    rows = {(r["workload"], r["contender"]): r["instructions"] for r in json.loads(out.read_text())["rows"]}
    assert set(rows) == {(w, c) for w in ("get", "batch_read") for c in ("ours-sync", "official")}
    for (workload, name), n in rows.items():
        # A get is thousands of instructions (a RIPEMD-160 digest alone is ~2k), not millions.
        assert 3_000 < n < 300_000 if workload == "get" else 100 * 3_000 < n < 100 * 300_000, (workload, name, n)
    # A batch of 100 records costs far more than one get: the runs really did the work they count.
    assert rows[("batch_read", "ours-sync")] > 20 * rows[("get", "ours-sync")]
    assert rows[("batch_read", "official")] > 20 * rows[("get", "official")]
    printed = {tuple(line.split()[:3]) for line in proc.stdout.splitlines()}
    assert ("get", "100B", "ours-sync") in printed and ("batch_read", "100B", "official") in printed, proc.stdout
