"""Context propagation: the active Python OTel span is the parent of our spans (trace id, parent
span id, sampled flag, trace state), on the sync and the async client; root spans otherwise."""

from __future__ import annotations

from tracing_support import otel_env


def test_sync_parent_child(run_driver, receiver, unique_set):
    r = run_driver(f"""
        from opentelemetry.trace import TraceState
        from opentelemetry import trace
        aerospike_py.init_tracing()
        c = client()
        key = ("test", "{unique_set}", "p1")
        ctx_in = trace.SpanContext(0x1234_5678_9abc_def0_1122_3344_5566_7788, 0x0102_0304_0506_0708, is_remote=True,
                                   trace_flags=trace.TraceFlags(1), trace_state=TraceState([("vendor", "v1"), ("k", "x")]))
        with trace.use_span(trace.NonRecordingSpan(ctx_in)):
            c.put(key, {{"a": 1}})
        with pyparent("handler") as p:
            c.get(key)
            sc = p.get_span_context()
        c.exists(key)   # no active span: root
        aerospike_py.shutdown_tracing()
        result(trace=hexid(sc.trace_id, 32), span=hexid(sc.span_id))
    """, env=otel_env(receiver.endpoint))
    spans = {s.name.split()[0]: s for s in receiver.wait_for_spans(3)}
    put, get, exists = spans["PUT"], spans["GET"], spans["EXISTS"]
    assert put.trace_id == "123456789abcdef01122334455667788"
    assert put.parent_span_id == "0102030405060708"
    assert put.trace_state == "vendor=v1,k=x"
    assert get.trace_id == r["trace"] and get.parent_span_id == r["span"]
    assert exists.parent_span_id == "" and exists.trace_id not in (put.trace_id, get.trace_id)


def test_parents_alternating_and_repeated(run_driver, receiver, unique_set):
    """The last parent's conversion is reused only for that very parent: A, A, B, A, then none."""
    r = run_driver(f"""
        aerospike_py.init_tracing()
        c = client()
        key = ("test", "{unique_set}", "alt")
        c.put(key, {{"a": 1}})
        ids = []
        with pyparent("A") as a:
            for _ in range(2):
                c.get(key)
                ids.append(hexid(a.get_span_context().span_id))
            with pyparent("B") as b:
                c.exists(key)
                ids.append(hexid(b.get_span_context().span_id))
            c.touch(key)
            ids.append(hexid(a.get_span_context().span_id))
        c.select(key, ["a"])   # no active span: a root span, not the last parent's child
        ids.append("")
        aerospike_py.shutdown_tracing()
        result(ids=ids)
    """, env=otel_env(receiver.endpoint))
    spans = sorted(receiver.wait_for_spans(6), key=lambda s: s.start_ns)[1:]  # skip the setup put
    assert [s.name.split()[0] for s in spans] == ["GET", "GET", "EXISTS", "TOUCH", "SELECT"]
    assert [s.parent_span_id for s in spans] == r["ids"]


def test_async_tasks_each_under_own_parent(run_driver, receiver, unique_set):
    r = run_driver(f"""
        import asyncio
        aerospike_py.init_tracing()
        tracer = pytracer()

        async def task(c, i):
            with tracer.start_as_current_span(f"task-{{i}}") as p:
                await asyncio.sleep(0.001 * (i % 5))
                await c.put(("test", "{unique_set}", i), {{"i": i}})
                await c.get(("test", "{unique_set}", i))
                return i, hexid(p.get_span_context().trace_id, 32), hexid(p.get_span_context().span_id)

        async def main():
            c = await aclient()
            return await asyncio.gather(*(task(c, i) for i in range(50)))

        out = asyncio.run(main())
        aerospike_py.shutdown_tracing()
        result(parents=out)
    """, env=otel_env(receiver.endpoint))
    spans = receiver.wait_for_spans(100)
    assert len(spans) == 100
    by_parent = {}
    for s in spans:
        by_parent.setdefault((s.trace_id, s.parent_span_id), []).append(s.name.split()[0])
    for _i, trace_id, span_id in r["parents"]:
        assert sorted(by_parent[(trace_id, span_id)]) == ["GET", "PUT"]


def test_unsampled_python_parent_is_followed(run_driver, receiver, unique_set):
    run_driver(f"""
        from opentelemetry import trace
        aerospike_py.init_tracing()
        c = client()
        ctx = trace.SpanContext(0xabc, 0xdef, is_remote=True, trace_flags=trace.TraceFlags(0))
        with trace.use_span(trace.NonRecordingSpan(ctx)):
            c.put(("test", "{unique_set}", 1), {{"a": 1}})   # parent not sampled: not recorded
        c.get(("test", "{unique_set}", 1))
        aerospike_py.shutdown_tracing()
    """, env=otel_env(receiver.endpoint))
    names = [s.name.split()[0] for s in receiver.wait_for_spans(1)]
    assert names == ["GET"]


SITECUSTOMIZE = '''
import builtins
_real_import = builtins.__import__
def _blocked(name, *a, **kw):
    if name == "opentelemetry" or name.startswith("opentelemetry."):
        raise ImportError("opentelemetry is blocked in this test")
    return _real_import(name, *a, **kw)
builtins.__import__ = _blocked
'''


def test_root_span_without_opentelemetry_api(run_driver, receiver, unique_set, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    r = run_driver(f"""
        try:
            import opentelemetry
            blocked = False
        except ImportError:
            blocked = True
        aerospike_py.init_tracing()
        c = client()
        for i in range(3):
            c.put(("test", "{unique_set}", i), {{"a": i}})
        aerospike_py.shutdown_tracing()
        result(blocked=blocked)
    """, env=otel_env(receiver.endpoint), pythonpath=[str(site)])
    assert r["blocked"]
    spans = receiver.wait_for_spans(3)
    assert len(spans) == 3
    assert all(s.parent_span_id == "" for s in spans)
    assert len({s.trace_id for s in spans}) == 3


def test_async_parent_is_captured_at_call_time(run_driver, receiver, unique_set):
    r = run_driver(f"""
        import asyncio
        aerospike_py.init_tracing()
        tracer = pytracer()

        async def main():
            c = await aclient()
            with tracer.start_as_current_span("caller") as a:
                pending = c.put(("test", "{unique_set}", 1), {{"a": 1}})   # called here...
            with tracer.start_as_current_span("awaiter"):
                await pending                                             # ...awaited here
            return hexid(a.get_span_context().span_id)

        caller = asyncio.run(main())
        aerospike_py.shutdown_tracing()
        result(caller=caller)
    """, env=otel_env(receiver.endpoint))
    (span,) = receiver.wait_for_spans(1)
    assert span.parent_span_id == r["caller"]
