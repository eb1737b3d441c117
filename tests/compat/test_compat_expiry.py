"""Expired records are gone for every command, and writing to one starts a fresh record."""

from __future__ import annotations

import time

import aerospike
import pytest
from aerospike import exception as ex
from aerospike import predicates as p
from aerospike_helpers.operations import operations as op

from compat_util import index_ready


@pytest.fixture
def expired(client, key, ttl_writes):
    """Keys 'exp-0..4' written with ttl 1 and 'live-0..4' with ttl 3600; returns after the short ones expired."""
    for i in range(5):
        client.put(key(f"exp-{i}"), {"i": i, "kind": "exp"}, meta={"ttl": 1})
        client.put(key(f"live-{i}"), {"i": i, "kind": "live"}, meta={"ttl": 3600})
    time.sleep(2.5)
    return [key(f"exp-{i}") for i in range(5)], [key(f"live-{i}") for i in range(5)]


def test_scan_skips_expired_records(client, namespace, unique_set, expired):
    kinds = [b["kind"] for _, _, b in client.query(namespace, unique_set).results()]
    assert sorted(kinds) == ["live"] * 5


def test_batch_read_reports_expired_records_not_found(client, expired):
    dead, live = expired
    res = client.batch_read(dead[:2] + live[:2])
    assert [r.result for r in res.batch_records] == [2, 2, 0, 0]


def test_touch_of_expired_record_raises_record_not_found(client, expired):
    with pytest.raises(ex.RecordNotFound):
        client.touch(expired[0][0], 100)


def test_update_only_on_expired_record_raises_record_not_found(client, expired):
    with pytest.raises(ex.RecordNotFound):
        client.put(expired[0][1], {"x": 1}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})


def test_write_to_expired_record_starts_fresh_record(client, expired):
    # write.c write_master: "If it's an expired or truncated record, pretend it's a fresh create."
    k = expired[0][2]
    client.operate(k, [op.append("s", "new")])
    _, meta, bins = client.get(k)
    assert bins == {"s": "new"}
    assert meta["gen"] == 1


def test_remove_of_expired_record_leaves_it_gone(client, expired):
    # CE delete.c delete_master/drop_master do not check expiry: until nsup reaps the record the delete succeeds,
    # afterwards it is AS_ERR_NOT_FOUND. Either way the record stays gone and can be created again.
    k = expired[0][3]
    try:
        client.remove(k)
    except ex.RecordNotFound:
        pass
    assert client.exists(k)[1] is None
    client.put(k, {"new": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    assert client.get(k)[2] == {"new": 1}


def test_sindex_query_skips_expired_records(client, namespace, unique_set, expired):
    name = f"ix_{unique_set}"
    client.index_single_value_create(namespace, unique_set, "i", aerospike.INDEX_NUMERIC, name)
    try:
        assert index_ready(client, namespace, name)
        q = client.query(namespace, unique_set)
        q.where(p.between("i", 0, 10))
        assert sorted(b["kind"] for _, _, b in q.results()) == ["live"] * 5
    finally:
        client.index_remove(namespace, name)
