"""The short version of each part of the reliability campaign (`make reliability` runs the long one,
tests/reliability/campaign.py). Each part runs in processes of its own: a crash fails the test with
the process's output instead of taking pytest down."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def rows(script: str, *args: str, timeout: float = 300) -> list[dict]:
    proc = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def test_fault_scenarios_lose_no_acknowledged_write():
    """Node stop/restart, random connection drops, injected server errors, a hung node: both clients
    under load; nothing acknowledged is lost, no failed write reported not-in-doubt landed, no call
    outlives its 1 s total timeout by a second (the campaign reports the real overrun), no unexpected
    exception."""
    results = rows("faults.py", "--short", timeout=600)
    assert [r["scenario"] for r in results] == ["node_restart", "random_drops", "server_errors", "hung_node"]
    for r in results:
        assert "kinds" in r, r   # the dev server lived
        assert (r["lost"], r["wrong_in_doubt"], r["crashes"]) == (0, 0, []), r
        for k in r["kinds"]:
            assert k["acked_writes"] > 0, r
            assert k["worst_overrun_ms"] < 1000, r


def test_telemetry_faults_never_reach_the_database_calls():
    results = {r["mode"]: r for r in rows("telemetry.py", "--short", timeout=300)}
    for mode, r in results.items():
        assert r["returncode"] == 0 and r["ops"] > 0, r
        assert r["max_gap_s"] < 3.0, r            # no call waited on the exporter
        assert r["rss_growth_mb"] < 30, r         # the queue drops instead of growing
    assert results["healthy"]["warnings"] == 0 and results["healthy"]["spans_received"] > 0
    # Counted by the client: what a healthy collector received was exported; an absent one got
    # nothing, so every span was in a failed export (refused at once) or dropped.
    healthy = results["healthy"]["stats"]
    assert healthy["spans_exported"] == results["healthy"]["spans_received"] > 0, healthy
    absent = results["absent"]["stats"]
    assert absent["spans_exported"] == 0, absent
    assert absent["spans_export_failed"] + absent["spans_queued_or_dropped"] == absent["spans_ended"] > 0, absent
    for mode in ("absent", "errors"):
        assert results[mode]["warnings"] == 1, results[mode]["logs"]
    flap = results["flapping"]
    assert flap["warnings"] == 1 and flap["resumed"] >= 1 and flap["spans_after_return"] > 0, flap


def test_malformed_frames_never_stop_the_dev_server_serving_others():
    (r,) = rows("socket_fuzz.py", "--frames", "2000", "--seed", "7")
    assert r["server_alive"] and r["client_calls_failed"] == 0 and r["client_calls_ok"] > 0, r


@pytest.fixture(scope="module")
def leak_results():
    return {r["part"]: r for r in rows("leaks.py", "--short", timeout=600)}


def test_long_mixed_run_keeps_fds_and_threads_flat(leak_results):
    r = leak_results["long"]
    assert r["returncode"] == 0, r
    for kind in ("sync", "async"):
        k = r[kind]
        assert k["ops"] >= 99_000, r
        lo, hi = k["fds_range"]                    # other than sockets
        assert hi - lo <= 8, r
        assert k["sockets_over_pool"] <= 4, r      # pooled connections, not one per call
        lo, hi = k["threads_range"]
        assert hi - lo <= 4, r


def test_client_churn_leaks_nothing(leak_results):
    r = leak_results["churn"]
    assert r["returncode"] == 0, r
    for kind in ("sync", "async"):
        k = r[kind]
        assert k["fds_delta"] <= 2 and k["threads_delta"] <= 1, r
        assert k["rss_kb_delta"] < 20_000, r       # 300 clients; a leaked cluster is ~100 KB+ each


def test_forked_children_with_fresh_clients(leak_results):
    r = leak_results["fork"]
    assert r["returncode"] == 0 and (r["failed"], r["hung"]) == (0, 0), r


def test_cancelled_operations_leave_nothing_behind(leak_results):
    r = leak_results["cancel"]
    assert r["returncode"] == 0 and r["tasks_left"] == 0, r
    assert r["fds_delta"] <= 2 and r["sockets_over_pool"] <= 0 and r["threads_delta"] <= 1, r
