"""fork() after init_tracing(): the child re-initialises its tracer (the parent's exporter
threads do not exist there), exports its spans and never hangs."""

from __future__ import annotations

from tracing_support import otel_env


def test_multiprocessing_fork_child_exports(run_driver, receiver, unique_set):
    r = run_driver(f"""
        import multiprocessing as mp
        aerospike_py.init_tracing()
        c = client()
        c.put(("test", "{unique_set}", "parent"), {{"a": 1}})

        def child(i):
            cc = client()   # clients connected before fork() refuse to run in the child
            with pyparent(f"child-{{i}}"):
                cc.put(("test", "{unique_set}", f"child-{{i}}"), {{"a": i}})
                cc.get(("test", "{unique_set}", f"child-{{i}}"))

        ctx = mp.get_context("fork")
        procs = [ctx.Process(target=child, args=(i,)) for i in range(3)]
        [p.start() for p in procs]
        [p.join(30) for p in procs]
        codes = [p.exitcode for p in procs]
        c.get(("test", "{unique_set}", "parent"))      # the parent still traces
        aerospike_py.shutdown_tracing()
        result(codes=codes)
    """, env=otel_env(receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="60000"), timeout=90)
    assert r["codes"] == [0, 0, 0]
    spans = receiver.wait_for_spans(8)
    names = sorted(s.name.split()[0] for s in spans)
    assert names == ["GET"] * 4 + ["PUT"] * 4
    child_spans = [s for s in spans if s.parent_span_id]
    assert len(child_spans) == 6 and len({s.trace_id for s in child_spans}) == 3


def test_os_fork_child_never_hangs(run_driver, receiver, unique_set):
    r = run_driver(f"""
        import os
        aerospike_py.init_tracing()
        client().put(("test", "{unique_set}", 1), {{"a": 1}})
        pid = os.fork()
        if pid == 0:
            try:
                client().get(("test", "{unique_set}", 1))
                aerospike_py.shutdown_tracing()
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        aerospike_py.shutdown_tracing()
        result(status=status)
    """, env=otel_env(receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="60000"), timeout=60)
    assert r["status"] == 0
    assert sorted(s.name.split()[0] for s in receiver.wait_for_spans(2)) == ["GET", "PUT"]
