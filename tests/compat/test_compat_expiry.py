"""Expired records are gone for every command, and writing to one starts a fresh record."""

from __future__ import annotations

import time

import aerospike
import pytest
from aerospike import exception as ex
from aerospike import predicates as p
from aerospike_helpers.operations import operations as op

from compat_util import index_ready, wait_until


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


def _sleep_until(t: float) -> None:
    time.sleep(max(0.0, t - time.time()))


def test_record_lives_through_its_void_time_second(client, key, ttl_writes):
    # record.c as_record_is_expired: void_time != 0 && void_time < now. A record written at second s with ttl 1
    # has void time s + 1 and is still read during that second; it is gone from second s + 2. (The server runs on
    # this machine's clock; the write starts early in a second so it cannot straddle one.)
    _sleep_until(int(time.time()) + 1.05)
    start = int(time.time())
    k = key("boundary")
    client.put(k, {"a": 1}, meta={"ttl": 1})
    _sleep_until(start + 1.5)
    _, meta, bins = client.get(k)
    assert bins == {"a": 1}
    assert meta["ttl"] == 1  # cf_server_void_time_to_ttl floors at 1 while the record lives
    _sleep_until(start + 2.6)
    with pytest.raises(ex.RecordNotFound):
        client.get(k)


def test_read_touch_resets_the_ttl_after_a_read_past_the_threshold(client, key, ttl_writes):
    # read_touch.c as_read_touch_check: with read_touch_ttl_percent p, a read once the record is within p% of its
    # last write's ttl from its end of life queues a touch that resets the ttl to that write's ttl (the read
    # itself answers the old ttl; the touch follows asynchronously and leaves the generation alone).
    k = key("read-touch")
    client.put(k, {"a": 1}, meta={"ttl": 100})
    time.sleep(2.2)
    assert client.get(k, policy={"read_touch_ttl_percent": 50})[1]["ttl"] <= 98  # not past 50%: no touch
    assert client.get(k, policy={"read_touch_ttl_percent": -1})[1]["ttl"] <= 98
    meta = client.get(k, policy={"read_touch_ttl_percent": 99})[1]  # 98 <= 99: touch
    assert meta["ttl"] <= 98 and meta["gen"] == 1
    assert wait_until(lambda: client.get(k)[1]["ttl"] >= 99, timeout=5)
    assert client.get(k)[1]["gen"] == 1


@pytest.mark.parametrize("pct", [101, 255, 1000])
def test_read_touch_ttl_percent_above_100_is_refused_for_expiring_records(client, key, ttl_writes, pct):
    # read_touch.c: above 100 is a bad read-touch-ttl-pct (PARAMETER), checked only for a record that expires.
    client.put(key("expiring"), {"a": 1}, meta={"ttl": 100})
    with pytest.raises(ex.InvalidRequest):
        client.get(key("expiring"), policy={"read_touch_ttl_percent": pct})
    client.put(key("forever"), {"a": 1}, meta={"ttl": -1})
    assert client.get(key("forever"), policy={"read_touch_ttl_percent": pct})[2] == {"a": 1}
