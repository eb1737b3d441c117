"""The benchmark's arithmetic (bench/report.py): medians, spread, ratios and target verdicts.

Pure functions fed with hand-made samples, so a wrong median or a ratio taken against the wrong
floor shows here, whatever the machine's speed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.compare import fork_line  # noqa: E402
from bench.report import aggregate, format_table, no_otel_api_lines, target_checks, thread_scaling  # noqa: E402


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


def test_no_otel_api_lines_compare_with_the_same_package_untraced():
    samples = [
        sample("ours-sync", 2000, cpu=0.1, p50=40), sample("ours-sync[no-otel-api]", 1000, cpu=0.1, p50=80),
        sample("legacy-sync", 1000, cpu=0.1), sample("legacy-sync[no-otel-api]", 250, cpu=0.1, p50=400),
        sample("ours-sync[otlp+parent]", 900),  # another variant: no line
    ]
    assert no_otel_api_lines(aggregate(samples, {})) == [
        "get 100B: legacy-sync[no-otel-api]: 250 ops/s (0.25x), p50 400.0 us (4.00x), CPU 400.0 us/op (4.00x)",
        "get 100B: ours-sync[no-otel-api]: 1,000 ops/s (0.50x), p50 80.0 us (2.00x), CPU 100.0 us/op (2.00x)",
    ]


def test_fork_line_reports_ok_raise_and_hang():
    ok = {"outcome": "ok", "ms": 21.6, "detail": "ok"}
    raised = {"outcome": "raised", "ms": 7.2, "detail": "ClientError: connected before os.fork()"}
    hang = {"outcome": "hang", "ms": 10000.0, "detail": "no exit within 10 s, killed"}
    assert fork_line("ours-sync", {"new_client": ok, "reuse": raised}) == (
        "fork: ours-sync: child with new client OK in 22 ms / child reusing parent client: "
        "ClientError: connected before os.fork() (7 ms)")
    assert fork_line("legacy-sync", {"new_client": hang, "reuse": hang}) == (
        "! fork: legacy-sync: child with new client: hang: no exit within 10 s, killed (10000 ms) / "
        "child reusing parent client: hang: no exit within 10 s, killed")
