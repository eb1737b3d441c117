"""init_tracing()/shutdown_tracing(): idempotent, thread-safe, harmless without init; without
init_tracing() nothing is traced and no exporter thread exists."""

from __future__ import annotations

import time

from tracing_support import otel_env


def test_not_initialised_is_a_no_op(run_driver, receiver, unique_set):
    r = run_driver(f"""
        c = client()
        for i in range(20):
            c.put(("test", "{unique_set}", i), {{"i": i}})
        with pyparent("p"):
            c.get(("test", "{unique_set}", 1))
        result(threads=thread_names())
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
        # The exporter runtime's worker and the SDK's batch thread (comm names are cut at 15 chars).
        threads = settled_thread_names("otel-export", "OpenTelemetry.T")
        c = client()
        c.put(("test", "{unique_set}", 1), {{"i": 1}})
        def stop():
            barrier.wait()
            aerospike_py.shutdown_tracing()
        ts = [threading.Thread(target=stop) for _ in range(8)]
        [t.start() for t in ts]; [t.join() for t in ts]
        c.put(("test", "{unique_set}", 2), {{"i": 2}})   # after shutdown: not traced
        result(outs=outs, exporters=sum(1 for t in threads if t == "otel-export"),
               processors=sum(1 for t in threads if t.startswith("OpenTelemetry.T")))
    """, env=otel_env(receiver.endpoint))
    assert r["outs"] == [True] * 8
    # One runtime worker and one batch processor, however many init calls.
    assert (r["exporters"], r["processors"]) == (1, 1), r.data
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


def test_shutdown_while_operations_are_in_flight(run_driver, receiver, unique_set):
    r = run_driver(f"""
        import asyncio, threading
        aerospike_py.init_tracing()
        sync_c = client()
        stop = threading.Event()
        done = []

        def sync_worker(i):
            n = 0
            while not stop.is_set():
                sync_c.put(("test", "{unique_set}", f"s{{i}}"), {{"n": n}})
                n += 1
            done.append(n)

        threads = [threading.Thread(target=sync_worker, args=(i,)) for i in range(4)]
        [t.start() for t in threads]

        async def main():
            c = await aclient()

            async def worker(i):
                for j in range(40):
                    await c.put(("test", "{unique_set}", f"a{{i}}"), {{"j": j}})
                return 40

            tasks = [asyncio.create_task(worker(i)) for i in range(20)]
            await asyncio.sleep(0.05)
            await asyncio.to_thread(aerospike_py.shutdown_tracing)   # while both clients are busy
            return sum(await asyncio.gather(*tasks))

        total = asyncio.run(main())
        stop.set()
        [t.join() for t in threads]
        aerospike_py.init_tracing()                                 # and it can start again
        sync_c.get(("test", "{unique_set}", "s0"))
        aerospike_py.shutdown_tracing()
        result(total=total, sync=len(done))
    """, env=otel_env(receiver.endpoint))
    assert r["total"] == 800 and r["sync"] == 4
    assert receiver.wait_for_spans(1, predicate=lambda s: s.name.startswith("GET"))
