"""Functional tests of the sync Client against the server fixture."""

from __future__ import annotations

import math
import time

import pytest

import aerospike_py
from aerospike_py import exception
from aerospike_py import operations as ops
from aerospike_py import predicates as p


def test_connect_returns_self_and_close(config):
    c = aerospike_py.client(config)
    assert not c.is_connected()
    assert c.connect() is c
    assert c.is_connected()
    c.close()
    assert not c.is_connected()
    with pytest.raises(exception.ClusterError):
        c.get(("test", "demo", "x"))
    c.close()  # closing twice is harmless


def test_context_manager_closes(config, key):
    with aerospike_py.client(config).connect() as c:
        c.put(key, {"a": 1})
        assert c.get(key)[2] == {"a": 1}
    assert not c.is_connected()


def test_put_get_every_bin_type(client, key):
    bins = {
        "i": -(2**63),
        "big": 2**63 - 1,
        "f": 3.25,
        "s": "héllo",
        "b": b"\x00\x01\xff",
        "t": True,
        "l": [1, "two", 3.0, [4], {"five": 5}, b"six", None],
        "m": {"k": "v", 1: [2, 3], "nested": {"x": b"y"}},
        "e": [],
        "em": {},
    }
    client.put(key, bins)
    k, meta, got = client.get(key)
    assert got == bins
    assert k == (key[0], key[1], None, aerospike_py.calc_digest(*key))  # user key not stored
    assert meta["gen"] == 1


def test_none_removes_bin_and_bytearray_is_blob(client, key):
    client.put(key, {"a": 1, "b": 2})
    client.put(key, {"a": None, "c": bytearray(b"xy")})
    assert client.get(key)[2] == {"b": 2, "c": b"xy"}


def test_user_key_types_and_digest_key(client, namespace, unique_set):
    for uk in ("str", 42, -7, b"\x01bytes"):
        k = (namespace, unique_set, uk)
        client.put(k, {"uk": repr(uk)})
        assert client.get(k)[2] == {"uk": repr(uk)}
        digest = aerospike_py.calc_digest(*k)
        by_digest = (namespace, unique_set, None, digest)
        rk, _, bins = client.get(by_digest)
        assert bins == {"uk": repr(uk)}
        assert rk[2] is None and rk[3] == digest


def test_ttl_meta_and_touch(client, key, ttl_writes):
    client.put(key, {"a": 1}, meta={"ttl": 1000})
    ttl = client.get(key)[1]["ttl"]
    assert 990 <= ttl <= 1000
    client.touch(key, 5000)
    _, meta = client.exists(key)
    assert 4990 <= meta["ttl"] <= 5000 and meta["gen"] == 2
    client.put(key, {"b": 2}, meta={"ttl": aerospike_py.TTL_DONT_UPDATE})
    assert 4980 <= client.get(key)[1]["ttl"] <= 5000


def test_generation_policy(client, key):
    client.put(key, {"a": 1})
    client.put(key, {"a": 2}, meta={"gen": 1}, policy={"gen": aerospike_py.POLICY_GEN_EQ})
    with pytest.raises(exception.RecordGenerationError) as info:
        client.put(key, {"a": 3}, meta={"gen": 1}, policy={"gen": aerospike_py.POLICY_GEN_EQ})
    assert info.value.code == 3
    assert client.get(key)[2] == {"a": 2}


def test_exists_policies_and_replace(client, key):
    with pytest.raises(exception.RecordNotFound):
        client.put(key, {"a": 1}, policy={"exists": aerospike_py.POLICY_EXISTS_REPLACE})
    client.put(key, {"a": 1, "b": 2}, policy={"exists": aerospike_py.POLICY_EXISTS_CREATE})
    client.put(key, {"c": 3}, policy={"exists": aerospike_py.POLICY_EXISTS_CREATE_OR_REPLACE})
    assert client.get(key)[2] == {"c": 3}


def test_select_exists_remove(client, key):
    client.put(key, {"a": 1, "b": 2})
    assert client.select(key, ["b"])[2] == {"b": 2}
    assert client.exists(key)[1]["gen"] == 1
    client.remove(key)
    assert client.exists(key)[1] is None
    with pytest.raises(exception.RecordNotFound):
        client.get(key)
    with pytest.raises(exception.RecordNotFound):
        client.remove(key)


def test_append_prepend_increment(client, key):
    client.append(key, "s", "b")  # creates the bin
    client.prepend(key, "s", "a")
    client.append(key, "s", "c")
    client.increment(key, "n", 5)
    client.increment(key, "n", -2)
    client.put(key, {"f": 1.5, "raw": b"ab"})
    client.increment(key, "f", 1.25)
    client.append(key, "raw", b"cd")
    assert client.get(key)[2] == {"s": "abc", "n": 3, "f": 2.75, "raw": b"abcd"}


def test_returned_keys_like_the_official_client(client, key):
    """get returns the key as the server sends it (no user key), select/operate/exists the key
    as passed; all with the digest."""
    client.put(key, {"a": 1}, policy={"key": aerospike_py.POLICY_KEY_SEND})
    digest = aerospike_py.calc_digest(*key)
    assert client.get(key)[0] == (key[0], key[1], None, digest)
    assert client.select(key, ["a"])[0] == key + (digest,)
    assert client.operate(key, [ops.read("a")])[0] == key + (digest,)
    assert client.exists(key)[0] == key + (digest,)


def test_ttl_constants_and_c_aliases(client, key, ttl_writes):
    client.put(key, {"a": 1}, meta={"ttl": aerospike_py.TTL_NEVER_EXPIRE})
    assert client.get(key)[1]["ttl"] == aerospike_py.TTL_NEVER_EXPIRE == 4294967295
    client.put(key, {"a": 2}, meta={"ttl": 300})
    client.put(key, {"a": 3}, meta={"ttl": -2})  # TTL_DONT_UPDATE, C spelling
    assert 290 <= client.get(key)[1]["ttl"] <= 300
    client.operate(key, [ops.touch(700)])
    assert 690 <= client.get(key)[1]["ttl"] <= 700


def test_operate_write_read_touch_delete(client, key):
    client.put(key, {"n": 1})
    k, meta, bins = client.operate(
        key, [ops.write("w", "x"), ops.increment("n", 1), ops.read("n"), ops.read("w"), ops.touch()]
    )
    assert bins == {"n": 2, "w": "x"}
    assert meta["gen"] == 2
    client.operate(key, [ops.prepend("w", ">"), ops.append("w", "<")])
    assert client.get(key)[2]["w"] == ">x<"
    client.operate(key, [ops.delete()])
    assert client.exists(key)[1] is None


def test_batch_read_bins_subset(client, keys):
    for i, k in enumerate(keys[:3]):
        client.put(k, {"i": i, "other": "x"})
    res = client.batch_read(keys, ["i"])
    assert len(res.batch_records) == len(keys)
    assert [r.result for r in res.batch_records] == [0, 0, 0, 2, 2]
    assert [r.record[2] if r.record else None for r in res.batch_records] == [{"i": 0}, {"i": 1}, {"i": 2}, None, None]
    assert [r.key[:3] for r in res.batch_records] == keys


def test_batch_operate_and_remove(client, keys):
    res = client.batch_operate(keys[:2], [ops.write("w", 7), ops.increment("n", 2)])
    assert [r.result for r in res.batch_records] == [0, 0]
    assert client.get(keys[1])[2] == {"w": 7, "n": 2}
    read = client.batch_operate(keys[:3], [ops.read("n")])
    assert [r.result for r in read.batch_records] == [0, 0, 2]
    assert read.batch_records[0].record[2] == {"n": 2}
    rem = client.batch_remove(keys[:3])
    assert [r.result for r in rem.batch_records] == [0, 0, 2]
    assert all(client.exists(k)[1] is None for k in keys[:3])


def test_query_scan_select_and_foreach(client, keys, namespace, unique_set):
    for i, k in enumerate(keys):
        client.put(k, {"i": i, "s": f"v{i}"}, policy={"key": aerospike_py.POLICY_KEY_SEND})
    recs = client.query(namespace, unique_set).results()
    assert sorted(r[2]["i"] for r in recs) == list(range(5))
    assert sorted(r[0][2] for r in recs) == sorted(k[2] for k in keys)  # stored user keys
    only_s = client.query(namespace, unique_set).select("s").results()
    assert all(set(r[2]) == {"s"} for r in only_s)
    seen = []
    client.query(namespace, unique_set).foreach(lambda r: seen.append(r[2]["i"]))
    assert sorted(seen) == list(range(5))
    stopped = []

    def stop_after_two(r):
        stopped.append(r)
        return len(stopped) < 2

    client.query(namespace, unique_set).foreach(stop_after_two)
    assert len(stopped) == 2


def test_query_with_secondary_index(client, keys, namespace, unique_set):
    idx_n, idx_s = unique_set + "_n", unique_set + "_s"
    client.index_integer_create(namespace, unique_set, "n", idx_n)
    client.index_string_create(namespace, unique_set, "s", idx_s)
    try:
        for i, k in enumerate(keys):
            client.put(k, {"n": i * 10, "s": "even" if i % 2 == 0 else "odd"})
        deadline = time.monotonic() + 10
        while True:  # a real server builds indexes asynchronously
            between = client.query(namespace, unique_set).where(p.between("n", 10, 30)).results()
            if len(between) == 3 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert sorted(r[2]["n"] for r in between) == [10, 20, 30]
        eq = client.query(namespace, unique_set).where(p.equals("s", "even")).results()
        assert sorted(r[2]["n"] for r in eq) == [0, 20, 40]
        eq_int = client.query(namespace, unique_set).where(p.equals("n", 40)).select("s").results()
        assert [r[2] for r in eq_int] == [{"s": "even"}]
    finally:
        client.index_remove(namespace, idx_n)
        client.index_remove(namespace, idx_s)


def test_info_commands(client, aerospike_hosts, namespace):
    every = client.info_all("namespaces")
    assert len(every) >= 1
    for err, resp in every.values():
        assert err is None and namespace in resp
    one = client.info_single_node("namespaces", tuple(aerospike_hosts[0]))
    assert one.endswith("\n") and namespace in one.strip().split(";")
    assert client.info_random_node("edition").strip().startswith("Aerospike")
    both = client.info_random_node("edition\nnamespaces")
    assert both.startswith("edition\t") and "\nnamespaces\t" in both


def test_truncate(client, keys, namespace, unique_set):
    for k in keys:
        client.put(k, {"a": 1})
    # A real server truncates records last updated strictly before "now" in milliseconds (truncate.c): a
    # record written in the truncate's own millisecond would survive it.
    time.sleep(0.05)
    client.truncate(namespace, unique_set, 0)
    deadline = time.monotonic() + 10
    while any(client.exists(k)[1] is not None for k in keys) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(client.exists(k)[1] is None for k in keys)


def test_default_policies_from_config(config, key):
    cfg = dict(config, policies={"write": {"key": aerospike_py.POLICY_KEY_SEND}, "read": {"total_timeout": 2000}})
    with aerospike_py.client(cfg).connect() as c:
        c.put(key, {"a": 1})
        recs = c.query(key[0], key[1]).results()
        assert [r[0][2] for r in recs] == [key[2]]


def test_float_edge_values_round_trip(client, key):
    client.put(key, {"inf": math.inf, "ninf": -math.inf, "z": -0.0})
    got = client.get(key)[2]
    assert got["inf"] == math.inf and got["ninf"] == -math.inf and math.copysign(1, got["z"]) == -1


def test_dropped_clients_release_their_connections(config, aerospike_hosts):
    """Clients garbage-collected without close() shut their cluster down (no leak per client)."""
    import gc

    from servers import info

    host, port = aerospike_hosts[0]

    def client_connections():
        stats = info(host, port, "statistics")["statistics"]
        return int(dict(kv.split("=", 1) for kv in stats.split(";") if "=" in kv)["client_connections"])

    # The count is the server's, for every client of it: other live clients may open or close a
    # few meanwhile (a real server run once saw +3), while 20 leaked clients hold 40 or more.
    before = client_connections()
    for _ in range(20):
        c = aerospike_py.client(config).connect()
        c.exists(("test", "demo", "nothing"))
        del c
        gc.collect()
    deadline = time.monotonic() + 10
    while client_connections() > before + 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client_connections() <= before + 5


def test_batch_operate_ttl(client, keys, ttl_writes):
    client.batch_operate(keys[:2], [ops.write("w", 1)], ttl=2000)
    for k in keys[:2]:
        assert 1990 <= client.get(k)[1]["ttl"] <= 2000
