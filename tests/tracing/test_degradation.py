"""The collector misbehaving never hurts the database operations: one warning per outage through
Python logging, bounded memory (spans beyond the queue are dropped), export resumes when the
collector returns, shutdown is bounded."""

from __future__ import annotations

import time

from tracing_support import free_port, otel_env
from otlp_receiver import OtlpReceiver


def test_refusing_endpoint_one_warning_ops_unaffected(run_driver, unique_set):
    port = free_port()  # nothing listens: connections are refused
    r = run_driver(f"""
        import time
        aerospike_py.init_tracing()
        c = client()
        t0 = time.monotonic()
        for i in range(300):
            c.put(("test", "{unique_set}", i % 10), {{"i": i}})
            if i % 50 == 0:
                time.sleep(0.3)   # let several export rounds fail
        elapsed = time.monotonic() - t0
        time.sleep(1.2)           # the log pump runs every 0.5 s
        aerospike_py.shutdown_tracing()
        result(logs=LOGS, elapsed=elapsed)
    """, env=otel_env(f"http://127.0.0.1:{port}"))
    warnings = [m for level, m in r["logs"] if level == "WARNING"]
    assert len(warnings) == 1, r["logs"]
    assert f"127.0.0.1:{port}" in warnings[0]


def test_hanging_collector_does_not_block_operations(run_driver, blackhole, unique_set):
    # The collector accepts and never answers; exports time out after 5 s. 2000 operations must
    # not wait for any of that (they would take > 5 s if a single one did).
    r = run_driver(f"""
        import time
        aerospike_py.init_tracing()
        c = client()
        t0 = time.monotonic()
        for i in range(2000):
            c.put(("test", "{unique_set}", i % 10), {{"i": i}})
        elapsed = time.monotonic() - t0
        t0 = time.monotonic()
        aerospike_py.shutdown_tracing()
        result(elapsed=elapsed, shutdown=time.monotonic() - t0)
    """, env=otel_env(blackhole.endpoint, OTEL_EXPORTER_OTLP_TIMEOUT="5000"))
    assert r["elapsed"] < 5.0, r.data
    assert r["shutdown"] < 5.0 + 2.0, r.data


def test_queue_bounded_then_export_resumes(aerospike_hosts, tmp_path, unique_set):
    port = free_port()
    script = f"""
        import os, sys, time
        aerospike_py.init_tracing()
        c = client()
        for i in range(3000):                       # collector down: at most 50 are kept
            c.put(("test", "{unique_set}", i % 10), {{"i": i}})
        deadline = time.monotonic() + 15            # an export has failed (after its retries)
        while time.monotonic() < deadline and not LOGS:
            time.sleep(0.1)
        print("READY", flush=True)
        sys.stdin.readline()                        # the test starts the collector
        deadline = time.monotonic() + 10
        gets = 0
        while time.monotonic() < deadline and not any(l == "INFO" for l, _ in LOGS):
            c.get(("test", "{unique_set}", 1))
            gets += 1
            time.sleep(0.2)
        with pyparent("after-recovery"):
            c.exists(("test", "{unique_set}", 1))
        aerospike_py.shutdown_tracing()
        result(logs=LOGS, gets=gets, stats=aerospike_py.tracing_stats())
    """
    import json
    import os
    import subprocess
    import sys
    import textwrap

    from tracing_support import DRIVER, DriverResult, skip_if_otel_api_needed

    path = tmp_path / "scenario.py"
    path.write_text(textwrap.dedent(script))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(otel_env(f"http://127.0.0.1:{port}", OTEL_BSP_MAX_QUEUE_SIZE="50", OTEL_BSP_MAX_EXPORT_BATCH_SIZE="50"))
    env["TRACING_TEST_HOSTS"] = json.dumps(aerospike_hosts)
    proc = subprocess.Popen([sys.executable, str(DRIVER), str(path)], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "READY"
        with OtlpReceiver(port=port) as rcv:
            proc.stdin.write("go\n")
            proc.stdin.flush()
            out, err = proc.communicate(timeout=60)
            skip_if_otel_api_needed(err)
            assert proc.returncode == 0, out + err
            r = DriverResult(subprocess.CompletedProcess([], 0, out, err))
            spans = rcv.wait_for_spans(1, predicate=lambda s: s.name.startswith("EXISTS"))
            assert spans and spans[0].parent_span_id, "export did not resume"
            puts = [s for s in rcv.spans if s.name.startswith("PUT")]
            # At most the queue plus the one batch the exporter was retrying: the rest were dropped.
            assert len(puts) <= 50 + 50, len(puts)
            levels = [level for level, _ in r["logs"]]
            assert levels.count("WARNING") == 1 and "INFO" in levels, r["logs"]
            # The drops are counted: every span ended is exported, in a failed export, or dropped.
            stats = r["stats"]
            assert stats["spans_ended"] == 3000 + r["gets"] + 1, stats
            assert stats["spans_exported"] == len(rcv.spans), stats
            assert stats["spans_export_failed"] > 0, stats
            assert stats["spans_queued_or_dropped"] >= 3000 - 100 - stats["spans_export_failed"], stats
            assert sum(stats[k] for k in ("spans_exported", "spans_export_failed", "spans_queued_or_dropped")) \
                == stats["spans_ended"], stats
    finally:
        if proc.poll() is None:
            proc.kill()


def test_shutdown_flushes_pending_spans(run_driver, receiver, unique_set):
    r = run_driver(f"""
        aerospike_py.init_tracing()
        c = client()
        for i in range(7):
            c.put(("test", "{unique_set}", i), {{"i": i}})
        before = aerospike_py.tracing_stats()
        aerospike_py.shutdown_tracing()
        result(before=before, after=aerospike_py.tracing_stats())
        import os; os._exit(0)
    """, env=otel_env(receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="60000"))
    assert len(receiver.wait_for_spans(7, timeout=2)) == 7
    # Queued until the flush, exported by it: nothing dropped.
    assert r["before"] == {"spans_ended": 7, "spans_exported": 0, "spans_export_failed": 0, "spans_queued_or_dropped": 7}
    assert r["after"] == {"spans_ended": 7, "spans_exported": 7, "spans_export_failed": 0, "spans_queued_or_dropped": 0}


def test_flush_at_interpreter_exit(run_driver, receiver, unique_set):
    run_driver(f"""
        aerospike_py.init_tracing()
        c = client()
        for i in range(4):
            c.put(("test", "{unique_set}", i), {{"i": i}})
        # no shutdown_tracing(): the atexit hook flushes
    """, env=otel_env(receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="60000"))
    assert len(receiver.wait_for_spans(4, timeout=2)) == 4


def test_without_shutdown_or_atexit_pending_spans_are_lost(run_driver, receiver, unique_set):
    run_driver(f"""
        aerospike_py.init_tracing()
        c = client()
        c.put(("test", "{unique_set}", 1), {{"i": 1}})
        import os; os._exit(0)   # what a hard exit (or kill) does: the batch in memory is lost
    """, env=otel_env(receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="60000"))
    time.sleep(0.5)
    assert receiver.spans == []
