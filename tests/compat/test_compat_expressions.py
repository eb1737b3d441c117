"""Filter expressions (policy "expressions") on single-record, batch and scan commands."""

from __future__ import annotations

import pytest
from aerospike import exception as ex
from aerospike_helpers import expressions as exp
from aerospike_helpers.operations import operations as op



def _a_equals(value):
    return {"expressions": exp.Eq(exp.IntBin("a"), value).compile()}


def test_get_with_passing_filter_returns_record(client, key):
    k = key("f-pass")
    client.put(k, {"a": 1})
    assert client.get(k, policy=_a_equals(1))[2] == {"a": 1}


def test_get_with_failing_filter_raises_filtered_out_code_27(client, key):
    k = key("f-fail")
    client.put(k, {"a": 1})
    with pytest.raises(ex.FilteredOut) as info:
        client.get(k, policy=_a_equals(2))
    assert info.value.code == 27


def test_filter_on_missing_record_is_record_not_found(client, key):
    with pytest.raises(ex.RecordNotFound):
        client.get(key("f-missing"), policy=_a_equals(1))


def test_put_with_failing_filter_leaves_record_unchanged(client, key):
    k = key("f-put")
    client.put(k, {"a": 1})
    with pytest.raises(ex.FilteredOut):
        client.put(k, {"a": 5}, policy=_a_equals(2))
    _, meta, bins = client.get(k)
    assert bins == {"a": 1} and meta["gen"] == 1


def test_remove_with_failing_filter_keeps_record(client, key):
    k = key("f-remove")
    client.put(k, {"a": 1})
    with pytest.raises(ex.FilteredOut):
        client.remove(k, policy=_a_equals(2))
    client.remove(k, policy=_a_equals(1))
    assert client.exists(k)[1] is None


def test_operate_with_failing_filter_is_filtered_out(client, key):
    k = key("f-operate")
    client.put(k, {"a": 1})
    with pytest.raises(ex.FilteredOut):
        client.operate(k, [op.increment("a", 1)], policy=_a_equals(3))
    assert client.get(k)[2] == {"a": 1}


def test_filter_on_string_bin_and_logic(client, key):
    k = key("f-and")
    client.put(k, {"a": 3, "s": "x"})
    both = exp.And(exp.GT(exp.IntBin("a"), 2), exp.Eq(exp.StrBin("s"), "x")).compile()
    assert client.get(k, policy={"expressions": both})[2] == {"a": 3, "s": "x"}
    neither = exp.Or(exp.LT(exp.IntBin("a"), 2), exp.Eq(exp.StrBin("s"), "y")).compile()
    with pytest.raises(ex.FilteredOut):
        client.get(k, policy={"expressions": neither})


def test_batch_read_filter_marks_rows_filtered_out(client, key):
    keys = [key(f"fb-{i}") for i in range(4)]
    for i, k in enumerate(keys):
        client.put(k, {"a": i % 2})
    res = client.batch_read(keys, policy=_a_equals(1))
    assert [r.result for r in res.batch_records] == [27, 0, 27, 0]
    assert res.result == 0
    assert [r.record[2] for r in res.batch_records if r.result == 0] == [{"a": 1}, {"a": 1}]


def test_scan_with_filter_returns_matching_records_only(client, namespace, unique_set):
    for i in range(30):
        client.put((namespace, unique_set, i), {"a": i % 3, "i": i})
    got = client.query(namespace, unique_set).results(policy=_a_equals(0))
    assert sorted(b["i"] for _, _, b in got) == list(range(0, 30, 3))
