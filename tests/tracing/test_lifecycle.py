"""init_tracing()/shutdown_tracing(): idempotent, thread-safe, harmless without init; without
init_tracing() nothing is traced and no exporter thread exists."""

from __future__ import annotations

import time

from conftest import otel_env


def thread_names_code() -> str:
    return ('sorted(open(f"/proc/self/task/{t}/comm").read().strip() '
            'for t in __import__("os").listdir("/proc/self/task"))')


def test_not_initialised_is_a_no_op(run_driver, receiver, unique_set):
    r = run_driver(f"""
        c = client()
        for i in range(20):
            c.put(("test", "{unique_set}", i), {{"i": i}})
        with pyparent("p"):
            c.get(("test", "{unique_set}", 1))
        result(threads={thread_names_code()})
    """, env=otel_env(receiver.endpoint))
    assert not any(t.startswith(("otel-export", "OpenTelemetry")) for t in r["threads"]), r["threads"]
    time.sleep(0.3)
    assert receiver.requests == []


def test_shutdown_without_init_and_twice(run_driver, receiver):
    r = run_driver("""
        aerospike_py.shutdown_tracing()
        aerospike_py.shutdown_tracing()
        result(ok=True)
    """, env=otel_env(receiver.endpoint))
    assert r["ok"]


def test_init_and_shutdown_from_many_threads(run_driver, receiver, unique_set):
    r = run_driver(f"""
        import threading
        barrier = threading.Barrier(8)
        outs = []
        def init():
            barrier.wait()
            outs.append(aerospike_py.init_tracing())
        ts = [threading.Thread(target=init) for _ in range(8)]
        [t.start() for t in ts]; [t.join() for t in ts]
        assert aerospike_py.init_tracing() is True
        threads = {thread_names_code()}
        c = client()
        c.put(("test", "{unique_set}", 1), {{"i": 1}})
        def stop():
            barrier.wait()
            aerospike_py.shutdown_tracing()
        ts = [threading.Thread(target=stop) for _ in range(8)]
        [t.start() for t in ts]; [t.join() for t in ts]
        c.put(("test", "{unique_set}", 2), {{"i": 2}})   # after shutdown: not traced
        result(outs=outs, exporters=sum(1 for t in threads if t == "otel-export"))
    """, env=otel_env(receiver.endpoint))
    assert r["outs"] == [True] * 8
    assert r["exporters"] == 1  # one runtime worker, however many init calls
    spans = receiver.wait_for_spans(1)
    time.sleep(0.3)
    assert len(receiver.spans) == 1 and spans[0].name.startswith("PUT")


def test_reinit_after_shutdown(run_driver, receiver, unique_set):
    run_driver(f"""
        c = client()
        aerospike_py.init_tracing()
        c.put(("test", "{unique_set}", 1), {{"i": 1}})
        aerospike_py.shutdown_tracing()
        aerospike_py.init_tracing()
        c.get(("test", "{unique_set}", 1))
        aerospike_py.shutdown_tracing()
    """, env=otel_env(receiver.endpoint))
    names = sorted(s.name.split()[0] for s in receiver.wait_for_spans(2))
    assert names == ["GET", "PUT"]


def test_python_exception_unchanged(run_driver, receiver, unique_set):
    r = run_driver(f"""
        def attempt():
            try:
                c.get(("test", "{unique_set}", "missing"))
            except Exception as e:
                return type(e).__module__, type(e).__name__, str(e), getattr(e, "code", None)
        c = client()
        before = attempt()
        aerospike_py.init_tracing()
        after = attempt()
        aerospike_py.shutdown_tracing()
        result(before=before, after=after)
    """, env=otel_env(receiver.endpoint))
    assert r["before"] == r["after"]
