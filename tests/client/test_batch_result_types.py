"""BatchRecord / BatchRecords (native classes) keep the Python API they had as Python classes,
and query results converted chunk by chunk while the stream is read are complete and in shape."""

from __future__ import annotations

import copy
import pickle

import pytest

import aerospike_py
from aerospike_py import BatchRecord, BatchRecords, _types
from aerospike_py import exception as ex


class Anything:
    def __eq__(self, other: object) -> bool:
        return True


def test_same_classes_from_every_import_path():
    assert _types.BatchRecord is BatchRecord is aerospike_py._aerospike.BatchRecord
    assert _types.BatchRecords is BatchRecords is aerospike_py._aerospike.BatchRecords


def test_batch_record_defaults_attributes_and_equality():
    k = ("test", "s", 1, bytearray(20))
    r = BatchRecord(k)
    assert (r.key, r.result, r.record, r.in_doubt) == (k, 0, None, False)
    assert r == BatchRecord(k, 0, None, True)  # in_doubt is not compared
    assert r != BatchRecord(k, 2)
    assert r == BatchRecord(Anything(), 0, None)  # == of the fields, either side
    assert (r == "x") is False and (r != "x") is True
    r.result, r.record, r.in_doubt = 5, (k, {}, {}), True
    assert (r.result, r.record, r.in_doubt) == (5, (k, {}, {}), True)
    with pytest.raises(AttributeError):
        r.other = 1  # fixed attributes, like the __slots__ class
    with pytest.raises(TypeError):
        hash(r)  # defines __eq__: unhashable, like the Python class
    assert repr(BatchRecord("k", 2)) == "BatchRecord(key='k', result=2, record=None)"
    assert BatchRecord(key="k", result=2, record=None, in_doubt=False) == BatchRecord("k", 2)


def test_batch_records_container():
    empty = BatchRecords()
    assert (empty.batch_records, empty.result, len(empty)) == ([], 0, 0)
    assert BatchRecords(None, 4).batch_records == []
    rows = [BatchRecord("a"), BatchRecord("b", 2)]
    b = BatchRecords(rows, 0)
    assert b.batch_records is rows
    assert len(b) == 2 and list(b) == rows
    assert b == BatchRecords([BatchRecord("a"), BatchRecord("b", 2)])
    assert b != BatchRecords(rows, 1)
    assert (b == rows) is False
    assert repr(b) == f"BatchRecords({rows!r}, result=0)"


def test_pickle_and_copy_round_trip(client, keys):
    client.put(keys[0], {"a": 1, "b": b"xy"})
    res = client.batch_read(keys[:2])
    for clone in (pickle.loads(pickle.dumps(res)), copy.deepcopy(res), copy.copy(res)):
        assert type(clone) is BatchRecords
        assert clone == res
        assert [type(r) for r in clone] == [BatchRecord, BatchRecord]


def test_batch_rows_share_nothing_mutable(client, keys):
    for k in keys[:3]:
        client.put(k, {"a": 1})
    res = client.batch_read(keys[:3])
    assert res.result == 0
    row = res.batch_records[0]
    assert row.key == row.record[0] and row.key[3] is not row.record[0][3]  # own digest bytearrays
    assert [r.record[2] for r in res] == [{"a": 1}] * 3
    assert [r.key[2] for r in res] == [k[2] for k in keys[:3]]
    assert res.batch_records[0].record[1] is not res.batch_records[1].record[1]


def test_batch_ttl_is_remaining_seconds(client, keys, ttl_writes):
    client.put(keys[0], {"a": 1}, meta={"ttl": 1000})
    client.put(keys[1], {"a": 1}, meta={"ttl": aerospike_py.TTL_NEVER_EXPIRE})
    res = client.batch_read(keys[:2])
    ttl0, ttl1 = (r.record[1]["ttl"] for r in res)
    assert 990 <= ttl0 <= 1000
    assert ttl1 in (0xFFFFFFFF, -1)  # never expires (the dev server and CE report 0xFFFFFFFF)


def test_batch_key_errors_name_the_position(client, namespace, unique_set):
    good = (namespace, unique_set, 1)
    with pytest.raises(ex.ParamError, match=r"keys\[2\]\[0\] \(namespace\)"):
        client.batch_read([good, good, (1, unique_set, 1)])
    with pytest.raises(ex.ParamError, match=r"keys\[1\]\[1\] \(set\)"):
        client.batch_read((good, (namespace, 5, 1)))
    with pytest.raises(ex.ParamError, match=r"keys\[0\]: user key must be"):
        client.batch_read([(namespace, unique_set, 1.5)])
    with pytest.raises(ex.ParamError, match=r"key\[0\] \(namespace\)"):
        client.get((3, unique_set, 1))


def test_query_results_across_many_chunks(client, namespace, unique_set, ttl_writes):
    n = 1300  # several conversion chunks (256) and stream batches (64)
    for i in range(n):
        client.put((namespace, unique_set, i), {"i": i, "s": "x" * (i % 7)}, meta={"ttl": 5000})
    recs = client.query(namespace, unique_set).results()
    assert sorted(r[2]["i"] for r in recs) == list(range(n))
    for key, meta, bins in recs:
        assert key[0] == namespace and key[1] == unique_set and len(key[3]) == 20
        assert meta["gen"] == 1 and 4990 <= meta["ttl"] <= 5000
        assert bins["s"] == "x" * (bins["i"] % 7)
    assert len(client.query(namespace, unique_set).results({"max_records": 100})) <= 100


def test_query_results_async_same_as_sync(client, run_async, namespace, unique_set):
    for i in range(300):
        client.put((namespace, unique_set, i), {"i": i})
    sync = sorted(r[2]["i"] for r in client.query(namespace, unique_set).results())

    async def go(ac):
        return sorted(r[2]["i"] for r in await ac.query(namespace, unique_set).results())

    assert run_async(go) == sync == list(range(300))


def test_conversions_leave_the_gc_setting_as_it_was(client, keys, namespace, unique_set):
    import gc

    client.put(keys[0], {"a": 1})
    was = gc.isenabled()
    try:
        for setting in (False, True):
            (gc.enable if setting else gc.disable)()
            client.batch_read(keys[:2])
            client.query(namespace, unique_set).results()
            assert gc.isenabled() is setting
    finally:
        (gc.enable if was else gc.disable)()
