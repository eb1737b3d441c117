"""Batch commands: batch_read, batch_operate, batch_write (mixed), batch_remove, with per-record results."""

from __future__ import annotations

import aerospike
import pytest
from aerospike_helpers.batch import records as br
from aerospike_helpers.operations import operations as op

OK, NOT_FOUND, GENERATION, EXISTS = 0, 2, 3, 5


def _partition(k) -> int:
    """A key's partition id (partition.h as_partition_getid: the digest's first two bytes, little-endian, 12 bits)."""
    d = aerospike.calc_digest(*k)
    return (d[0] | d[1] << 8) & 0x0FFF
BATCH_FAILED = -16


@pytest.fixture
def stored(client, key):
    """Ten records pk 0..9 with bins {'i': pk, 's': 's<pk>'}; returns their keys."""
    keys = [key(i) for i in range(10)]
    for i, k in enumerate(keys):
        client.put(k, {"i": i, "s": f"s{i}"})
    return keys


def test_batch_read_all_bins_existing_and_missing(client, key, stored):
    keys = stored[:3] + [key("missing-a")] + stored[3:5] + [key("missing-b")]
    res = client.batch_read(keys)
    assert res.result == OK  # client.rst: not-found rows do not fail the batch
    assert len(res.batch_records) == len(keys)
    for k, rec in zip(keys, res.batch_records):
        assert rec.key[:3] == k
        if k[2] in ("missing-a", "missing-b"):
            assert rec.result == NOT_FOUND
        else:
            assert rec.result == OK
            assert rec.record[2] == {"i": k[2], "s": f"s{k[2]}"}
            assert rec.record[1]["gen"] == 1


def test_batch_read_selected_bins(client, stored):
    res = client.batch_read(stored, ["s"])
    assert [r.result for r in res.batch_records] == [OK] * len(stored)
    assert [r.record[2] for r in res.batch_records] == [{"s": f"s{i}"} for i in range(len(stored))]


def test_batch_read_no_bins_is_exists_check(client, key, stored):
    keys = [stored[0], key("nope"), stored[1]]
    res = client.batch_read(keys, [])
    assert [r.result for r in res.batch_records] == [OK, NOT_FOUND, OK]
    # client.rst batch_read: with an empty bin list each record is only a 2-tuple (key, meta)
    assert len(res.batch_records[0].record) == 2
    assert res.batch_records[0].record[1]["gen"] == 1


def test_batch_read_keeps_order_and_duplicates(client, stored):
    keys = [stored[3], stored[1], stored[3]]
    res = client.batch_read(keys)
    assert [r.record[2]["i"] for r in res.batch_records] == [3, 1, 3]


def test_batch_read_many_keys(client, key):
    keys = [key(f"many-{i}") for i in range(300)]
    for i, k in enumerate(keys[::2]):
        client.put(k, {"n": i})
    res = client.batch_read(keys)
    results = [r.result for r in res.batch_records]
    assert results == [OK if i % 2 == 0 else NOT_FOUND for i in range(300)]
    assert [r.record[2]["n"] for r in res.batch_records[::2]] == list(range(150))


def test_batch_operate_per_record_results(client, key, stored):
    keys = stored[:2] + [key("op-missing")]
    res = client.batch_operate(keys, [op.increment("i", 100), op.read("i")])
    assert [r.result for r in res.batch_records] == [OK, OK, OK]
    assert [r.record[2]["i"] for r in res.batch_records] == [100, 101, 100]
    assert client.get(key("op-missing"))[2] == {"i": 100}


def test_batch_operate_read_only_reports_not_found(client, key, stored):
    res = client.batch_operate([stored[0], key("ro-missing")], [op.read("s")])
    assert [r.result for r in res.batch_records] == [OK, NOT_FOUND]
    assert res.batch_records[0].record[2] == {"s": "s0"}


def test_batch_operate_with_ttl(client, stored, ttl_writes):
    client.batch_operate(stored[:2], [op.write("t", 1)], ttl=5000)
    for k in stored[:2]:
        assert 4990 <= client.exists(k)[1]["ttl"] <= 5000


def test_batch_operate_type_error_is_per_record(client, key, stored):
    client.put(key("str-i"), {"i": "text"})
    res = client.batch_operate([stored[0], key("str-i")], [op.increment("i", 1)])
    assert [r.result for r in res.batch_records] == [OK, 12]
    assert res.result == BATCH_FAILED
    assert client.get(stored[0])[2]["i"] == 1


def test_batch_write_mixed_write_read_remove(client, key, stored):
    batch = br.BatchRecords(
        [
            br.Write(key("bw-new"), [op.write("a", 1), op.read("a")]),
            br.Read(stored[0], [op.read("s")]),
            br.Remove(stored[1]),
            br.Write(stored[2], [op.increment("i", 10), op.read("i")]),
            br.Read(key("bw-missing"), [op.read("s")]),
        ]
    )
    res = client.batch_write(batch)
    recs = res.batch_records
    assert [r.result for r in recs] == [OK, OK, OK, OK, NOT_FOUND]
    assert res.result == OK
    assert recs[0].record[2] == {"a": 1}
    assert recs[1].record[2] == {"s": "s0"}
    assert recs[3].record[2] == {"i": 12}
    assert client.get(key("bw-new"))[2] == {"a": 1}
    assert client.exists(stored[1])[1] is None
    assert client.get(stored[2])[2]["i"] == 12


def test_batch_write_create_only_on_existing_record_fails_that_record(client, key, stored):
    batch = br.BatchRecords(
        [
            br.Write(stored[0], [op.write("a", 1)], policy={"exists": aerospike.POLICY_EXISTS_CREATE}),
            br.Write(key("bw-create"), [op.write("a", 1)], policy={"exists": aerospike.POLICY_EXISTS_CREATE}),
        ]
    )
    res = client.batch_write(batch)
    assert [r.result for r in res.batch_records] == [EXISTS, OK]
    assert res.result == BATCH_FAILED
    assert "a" not in client.get(stored[0])[2]
    assert client.get(key("bw-create"))[2] == {"a": 1}


def test_batch_write_generation_mismatch_fails_that_record(client, stored):
    batch = br.BatchRecords(
        [
            br.Write(stored[0], [op.write("a", 1)], meta={"gen": 9}, policy={"gen": aerospike.POLICY_GEN_EQ}),
            br.Write(stored[1], [op.write("a", 1)], meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_EQ}),
            br.Remove(stored[2], policy={"gen": aerospike.POLICY_GEN_EQ, "generation": 7}),
        ]
    )
    res = client.batch_write(batch)
    assert [r.result for r in res.batch_records] == [GENERATION, OK, GENERATION]
    assert res.result == BATCH_FAILED
    assert client.exists(stored[2])[1] is not None


def test_batch_write_ttl_via_meta(client, key, ttl_writes):
    batch = br.BatchRecords([br.Write(key("bw-ttl"), [op.write("a", 1)], meta={"ttl": 2000})])
    assert client.batch_write(batch).batch_records[0].result == OK
    assert 1990 <= client.exists(key("bw-ttl"))[1]["ttl"] <= 2000


def test_batch_remove_existing_and_missing(client, key, stored):
    keys = [stored[0], key("rm-missing"), stored[1]]
    res = client.batch_remove(keys)
    assert [r.result for r in res.batch_records] == [OK, NOT_FOUND, OK]
    assert res.result == OK
    assert client.exists(stored[0])[1] is None
    assert client.exists(stored[1])[1] is None
    assert client.exists(stored[2])[1] is not None


def test_batch_remove_durable_delete_is_enterprise_only(client, stored):
    res = client.batch_remove(stored[:2], policy_batch_remove={"durable_delete": True})
    assert [r.result for r in res.batch_records] == [25, 25]
    assert res.result == BATCH_FAILED
    assert client.exists(stored[0])[1] is not None



def test_batch_ttl_dont_update_turns_into_default_for_rows_after_a_create(client, key, ttl_writes):
    # write.c write_master rewrites the message's ttl -2 (don't update) to 0 (namespace default) when the write
    # creates its record; batch.c as_batch_queue_task hands later rows repeating the same ops that same message.
    # So here the second row resets the existing record's ttl to the default (0 = never expire). The rows share
    # the message only within one node's batch: both keys are taken in one partition.
    fresh = key("fresh")
    old = next(key(f"old-{i}") for i in range(100_000) if _partition(key(f"old-{i}")) == _partition(fresh))
    client.put(old, {"x": 1}, meta={"ttl": 1000})
    res = client.batch_operate([fresh, old], [op.write("y", 1)], ttl=aerospike.TTL_DONT_UPDATE)
    assert [r.result for r in res.batch_records] == [OK, OK]
    assert client.get(fresh)[1]["ttl"] == aerospike.TTL_NEVER_EXPIRE
    assert client.get(old)[1]["ttl"] == aerospike.TTL_NEVER_EXPIRE
    # Without a create before it, -2 keeps the ttl.
    client.put(old, {"x": 1}, meta={"ttl": 1000})
    client.batch_operate([old], [op.write("y", 2)], ttl=aerospike.TTL_DONT_UPDATE)
    assert 990 <= client.get(old)[1]["ttl"] <= 1000
