"""client.operate / operate_ordered with the basic operations of aerospike_helpers.operations."""

from __future__ import annotations

import pytest
from aerospike import exception as ex
from aerospike_helpers.operations import operations as op


def test_operate_write_then_read_in_one_call(client, key):
    k = key("write-read")
    _, meta, bins = client.operate(k, [op.write("a", 1), op.write("b", "x"), op.read("a")])
    assert bins == {"a": 1}
    assert meta["gen"] == 1
    assert client.get(k)[2] == {"a": 1, "b": "x"}


def test_operate_increment_returns_new_value_when_read(client, key):
    k = key("incr-read")
    client.put(k, {"n": 5})
    _, meta, bins = client.operate(k, [op.increment("n", 3), op.read("n")])
    assert bins == {"n": 8}
    assert meta["gen"] == 2


def test_operate_float_increment(client, key):
    k = key("incr-float")
    client.put(k, {"f": 0.5})
    assert client.operate(k, [op.increment("f", 0.25), op.read("f")])[2] == {"f": 0.75}


def test_operate_append_prepend(client, key):
    k = key("append")
    client.put(k, {"s": "b"})
    _, _, bins = client.operate(k, [op.append("s", "c"), op.prepend("s", "a"), op.read("s")])
    assert bins == {"s": "abc"}


def test_operate_read_sees_value_before_later_write(client, key):
    k = key("order")
    client.put(k, {"n": 1})
    res = client.operate_ordered(k, [op.read("n"), op.write("n", 2), op.read("n")])
    _, _, ordered = res
    assert ordered == [("n", 1), ("n", 2)]


def test_operate_touch_sets_ttl_and_bumps_generation(client, key, ttl_writes):
    k = key("touch")
    client.put(k, {"a": 1}, meta={"ttl": 100})
    client.operate(k, [op.touch(4000)])
    meta = client.exists(k)[1]
    assert meta["gen"] == 2
    assert 3990 <= meta["ttl"] <= 4000


def test_operate_touch_on_missing_record_raises_record_not_found(client, key):
    with pytest.raises(ex.RecordNotFound):
        client.operate(key("touch-missing"), [op.touch(100)])


def test_operate_delete_removes_record(client, key):
    k = key("delete")
    client.put(k, {"a": 1})
    client.operate(k, [op.delete()])
    assert client.exists(k)[1] is None


def test_operate_read_then_delete_returns_old_bins(client, key):
    k = key("read-delete")
    client.put(k, {"a": 1, "b": 2})
    _, _, bins = client.operate(k, [op.read("a"), op.delete()])
    assert bins == {"a": 1}
    assert client.exists(k)[1] is None


def test_operate_delete_then_write_recreates_record(client, key):
    k = key("delete-write")
    client.put(k, {"a": 1, "b": 2})
    client.operate(k, [op.delete(), op.write("c", 3)])
    assert client.get(k)[2] == {"c": 3}


def test_operate_read_on_missing_record_raises_record_not_found(client, key):
    with pytest.raises(ex.RecordNotFound):
        client.operate(key("read-missing"), [op.read("a")])


def test_operate_on_missing_record_with_write_creates_it(client, key):
    k = key("create")
    client.operate(k, [op.increment("n", 2), op.append("s", "x")])
    _, meta, bins = client.get(k)
    assert bins == {"n": 2, "s": "x"}
    assert meta["gen"] == 1


def test_operate_write_none_deletes_bin(client, key):
    k = key("bin-delete")
    client.put(k, {"a": 1, "b": 2})
    client.operate(k, [op.write("a", None)])
    assert client.get(k)[2] == {"b": 2}


def test_operate_deleting_last_bin_deletes_record(client, key):
    k = key("last-bin")
    client.put(k, {"a": 1})
    client.operate(k, [op.write("a", None)])
    assert client.exists(k)[1] is None


def test_operate_with_ttl_meta(client, key, ttl_writes):
    k = key("meta-ttl")
    client.operate(k, [op.write("a", 1)], meta={"ttl": 1234})
    assert 1224 <= client.exists(k)[1]["ttl"] <= 1234



def test_operate_write_with_read_of_missing_bin_leaves_it_out(client, key):
    # rw_utils.c process_bin_read_op: a read of a bin the record lacks answers nothing unless the request sets
    # respond-all-ops (write.c write_master then adds no response bin for it).
    k = key("write-read-missing")
    client.put(k, {"a": 1})
    assert client.operate(k, [op.write("b", 2), op.read("zz")])[2] == {}
    assert client.operate(k, [op.touch(), op.read("zz"), op.read("a")])[2] == {"a": 1}
    assert client.get(k)[2] == {"a": 1, "b": 2}
