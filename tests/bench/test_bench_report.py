"""The benchmark's arithmetic (bench/report.py): medians, spread, ratios and target verdicts.

Pure functions fed with hand-made samples, so a wrong median or a ratio taken against the wrong
floor shows here, whatever the machine's speed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.report import aggregate, format_table, target_checks, thread_scaling  # noqa: E402


def sample(contender, ops, elapsed=1.0, cpu=0.5, p50=100.0, p99=300.0, workload="get", size=100, errors=0):
    return {"contender": contender, "workload": workload, "size": size, "ops": ops, "elapsed": elapsed,
            "cpu": cpu, "p50_us": p50, "p99_us": p99, "errors": errors, "first_error": "boom" if errors else None}


def test_median_spread_cpu_and_ratios_per_cell():
    samples = [
        sample("ours-sync", 1000, p50=50), sample("ours-sync", 3000, p50=70), sample("ours-sync", 2000, p50=60),
        sample("official", 1000), sample("official", 1000), sample("official", 1000),
        sample("rust-seq", 4000, p50=40), sample("rust-seq", 4000, p50=40), sample("rust-seq", 4000, p50=40),
        sample("ours-async", 8000, cpu=0.4), sample("rust-async", 16000, cpu=0.16),
    ]
    rows = {r.contender: r for r in aggregate(samples, {"ours-async": True, "rust-async": True})}
    ours = rows["ours-sync"]
    assert ours.rounds == 3
    assert ours.ops_s == 2000  # median of 1000, 3000, 2000 ops/s
    assert round(ours.spread_pct) == 100  # (3000 - 1000) / 2000
    assert ours.p50_us == 60
    assert ours.cpu_us_op == 250  # 0.5 s / 2000 ops (median round)
    assert ours.x_official == 2.0 and ours.x_floor == 0.5  # sync rows compare with rust-seq
    # Concurrent contenders compare with the concurrent floor, not the sequential one.
    assert rows["ours-async"].x_floor == 0.5
    assert rows["ours-async"].x_official == 8.0
    assert rows["rust-seq"].x_floor == 1.0


def test_errors_are_counted_and_shown():
    rows = aggregate([sample("ours-sync", 10, errors=3), sample("ours-sync", 10)], {})
    assert rows[0].errors == 3 and rows[0].first_error == "boom"
    table = format_table(rows, ["ours-sync"], ["get"])
    line = next(line for line in table.splitlines() if line.startswith("get"))
    assert line.split()[-1] == "3"


def test_target_verdicts_follow_the_ratios():
    samples = [
        sample("ours-sync", 1000, p50=45), sample("rust-seq", 1000, p50=40), sample("official", 1000, p50=50),
        sample("ours-sync", 100, workload="batch_read"), sample("official", 100, workload="batch_read"),
    ]
    checks = {text: verdict for text, _, verdict in target_checks(aggregate(samples, {}))}
    assert checks["sync get 100B: p50 <= 1.15x rust-seq"] == "PASS"  # 45 / 40 = 1.125
    assert checks["sync get 100B: p50 below official"] == "PASS"
    assert checks["batch_read 100B: ops/s >= 1.5x official"] == "FAIL"  # 1.0x
    assert not any("async" in text for text in checks)  # no async contender ran: no async target


def test_thread_scaling_compares_with_one_thread_and_with_official_at_the_same_threads():
    samples = [
        sample("ours-sync", 1000), sample("ours-sync[8 threads]", 3000),
        sample("official", 1000), sample("official[8 threads]", 2000),
        sample("ours-sync[otlp+parent]", 900),  # a variant, not a thread count: no line
    ]
    concurrent = {"ours-sync[8 threads]": True, "official[8 threads]": True}
    lines = thread_scaling(aggregate(samples, concurrent))
    assert lines == [
        "get 100B: official[8 threads] 2,000 ops/s = 2.00x official (1 thread)",
        "get 100B: ours-sync[8 threads] 3,000 ops/s = 3.00x ours-sync (1 thread), 1.50x official[8 threads]",
    ]
