"""Batch spans: named after the Python method (`BATCH_READ`, the reference's names, whatever the
number of keys) with the conventions' batch size (absent for one key, 0 for an empty batch), no set
(or namespace) claimed when the keys do not share it, and records returned only where ops.yaml asks."""

from __future__ import annotations

import pytest

from tracing_support import otel_env

SCENARIO = """
import aerospike_py
from aerospike_py import operations as ops
aerospike_py.init_tracing()
c = client()
S, T = {s!r}, {s!r} + "_b"
c.put(("test", S, 1), {{"n": 1}})
c.put(("test", T, 2), {{"n": 2}})
done = []
def traced(tag, fn):
    with pyparent(tag) as p:
        try:
            fn()
            err = None
        except Exception as e:
            err = type(e).__name__
    done.append({{"tag": tag, "parent": hexid(p.get_span_context().span_id), "error": err}})
traced("one_key", lambda: c.batch_read([("test", S, 1)]))
traced("two_sets", lambda: c.batch_read([("test", S, 1), ("test", T, 2), ("test", T, 3)]))
traced("empty", lambda: c.batch_read([]))
traced("operate_one", lambda: c.batch_operate([("test", S, 1)], [ops.read("n")]))
traced("remove_two", lambda: c.batch_remove([("test", S, 1), ("test", T, 2)]))
result(calls=done)
aerospike_py.shutdown_tracing()
"""


@pytest.fixture
def batch_spans(run_driver, receiver, unique_set):
    out = run_driver(SCENARIO.format(s=unique_set), env=otel_env(receiver.endpoint))
    by_parent = {}
    for s in receiver.spans:
        by_parent.setdefault(s.parent_span_id, []).append(s)
    spans = {}
    for call in out["calls"]:
        got = by_parent.get(call["parent"], [])
        assert len(got) == 1, (call, [s.name for s in got])
        spans[call["tag"]] = (call, got[0])
    return spans


def test_batch_span_shapes(batch_spans, unique_set):
    call, one = batch_spans["one_key"]
    assert call["error"] is None
    assert one.name == f"BATCH_READ test.{unique_set}"
    assert one.attributes["db.operation.name"] == "BATCH_READ"
    assert "db.operation.batch.size" not in one.attributes
    assert one.attributes["db.response.returned_rows"] == 1

    _, mixed = batch_spans["two_sets"]
    assert mixed.name == "BATCH_READ test"
    a = mixed.attributes
    assert a["db.operation.name"] == "BATCH_READ"
    assert a["db.namespace"] == "test" and "db.collection.name" not in a
    assert a["db.operation.batch.size"] == 3
    assert a["db.response.returned_rows"] == 2  # key 3 does not exist

    _, op1 = batch_spans["operate_one"]
    assert op1.name == f"BATCH_OPERATE test.{unique_set}"
    assert op1.attributes["db.operation.name"] == "BATCH_OPERATE"
    assert "db.operation.batch.size" not in op1.attributes
    assert op1.attributes["db.response.returned_rows"] == 1

    _, rm = batch_spans["remove_two"]
    assert rm.name == "BATCH_REMOVE test"
    assert rm.attributes["db.operation.name"] == "BATCH_REMOVE"
    assert rm.attributes["db.operation.batch.size"] == 2
    # A delete returns no records: ops.yaml does not mark batch_remove `returned_rows`.
    assert "db.response.returned_rows" not in rm.attributes


def test_empty_batch(batch_spans):
    call, empty = batch_spans["empty"]
    assert call["error"] is None
    # An empty batch is still a batch (conventions): size 0, nothing returned, no namespace.
    assert empty.name == "BATCH_READ"
    assert empty.attributes["db.operation.name"] == "BATCH_READ"
    assert empty.attributes["db.operation.batch.size"] == 0
    assert empty.attributes["db.response.returned_rows"] == 0
    assert "db.namespace" not in empty.attributes
