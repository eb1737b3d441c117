"""get, select, batch_read and query decode bins straight from the reply's bytes
(src/wire_bins.rs, vendor patch `raw_ops`); operate still goes through aerospike-core's parser and
is the reference. Every value type must read back the same on both paths, on both clients."""

from __future__ import annotations

import pytest

import aerospike_py
from aerospike_py import operations as ops
from aerospike_py import predicates

# One bin per wire particle type the decoder meets, plus names that are not plain ASCII.
BINS = {
    "i": 7,
    "neg": -(2**63),
    "big": 2**63 - 1,
    "f": 2.5,
    "nan_free": -0.0,
    "s": "héllo wörld ✓",
    "empty_s": "",
    "b": b"\x00\x01\xffbytes",
    "empty_b": b"",
    "ba": bytearray(b"arr"),
    "t": True,
    "fls": False,
    "l": [1, "two", 3.0, b"4", [5, {"six": 6}], None, True],
    "m": {"a": 1, 2: "b", "nested": {"x": [1, 2]}, b"k": 1.5},
    "empty_l": [],
    "empty_m": {},
    "ünï": "name not ascii",
}


NAMES = [*BINS, "n", "only", "p", "l"]


def _expected(client, key, names=NAMES):
    """The record's bins as aerospike-core's own parser reads them: operate answers its read
    operations through it (a bin the record lacks is left out)."""
    _, _, bins = client.operate(key, [ops.read(n) for n in names])
    return bins


@pytest.fixture
def stored(client, namespace, unique_set):
    keys = [(namespace, unique_set, i) for i in range(3)]
    for i, k in enumerate(keys):
        client.put(k, {**BINS, "n": i}, policy={"key": aerospike_py.POLICY_KEY_SEND})
    client.put((namespace, unique_set, "few"), {"only": 1, "n": 99})
    return keys + [(namespace, unique_set, "few")]


def test_batch_read_bins_equal_parsed_bins(client, stored, namespace, unique_set):
    missing = (namespace, unique_set, "missing")
    rows = client.batch_read(stored + [missing]).batch_records
    assert [r.result for r in rows] == [0, 0, 0, 0, 2]
    for k, row in zip(stored, rows):
        assert row.record[2] == _expected(client, k)
        assert row.record[1]["gen"] >= 1
    assert rows[-1].record is None


def test_batch_read_selected_bins(client, stored):
    rows = client.batch_read(stored, ["s", "l", "nope"]).batch_records
    for row in rows[:3]:
        assert row.record[2] == {"s": BINS["s"], "l": BINS["l"]}
    assert rows[3].record[2] == {}


def test_query_bins_equal_parsed_bins(client, stored, namespace, unique_set):
    got = {rec[0][2] if rec[0][2] is not None else rec[2]["n"]: rec[2]
           for rec in client.query(namespace, unique_set).results()}
    assert len(got) == len(stored)
    for i, k in enumerate(stored[:3]):
        assert got[i] == _expected(client, k)
    assert got[99] == {"only": 1, "n": 99}
    sel = client.query(namespace, unique_set).select("n", "m").results()
    assert sorted(r[2]["n"] for r in sel) == [0, 1, 2, 99]
    assert all(set(r[2]) <= {"n", "m"} for r in sel)


def test_query_filtered_and_foreach(client, stored, namespace, unique_set):
    seen = []
    client.query(namespace, unique_set).foreach(lambda rec: seen.append(rec[2]))
    assert len(seen) == len(stored)
    try:
        client.index_integer_create(namespace, unique_set, "n", f"{unique_set}_n")
    except aerospike_py.exception.AerospikeError:
        pytest.skip("no secondary index on this server")
    try:
        recs = client.query(namespace, unique_set).where(predicates.between("n", 1, 2)).results()
        assert sorted(r[2]["n"] for r in recs) == [1, 2]
        assert all(r[2] == _expected(client, r[0][:3]) for r in recs)
    finally:
        client.index_remove(namespace, f"{unique_set}_n")


def test_async_batch_and_query_equal_parsed(client, stored, namespace, unique_set, run_async):
    async def go(ac):
        rows = (await ac.batch_read(stored)).batch_records
        recs = await ac.query(namespace, unique_set).results()
        return rows, recs

    rows, recs = run_async(go)
    for k, row in zip(stored, rows):
        assert row.record[2] == _expected(client, k)
    assert sorted(r[2]["n"] for r in recs) == [0, 1, 2, 99]
    for r in recs:
        if r[2]["n"] != 99:
            assert r[2] == _expected(client, stored[r[2]["n"]])


def test_get_and_select_equal_operate(client, stored, run_async):
    for k in stored:
        assert client.get(k)[2] == _expected(client, k)
        assert client.select(k, ["s", "l", "nope"])[2] == _expected(client, k, ["s", "l", "nope"])

    async def go(ac):
        return [(await ac.get(k))[2] for k in stored], [(await ac.select(k, ["m", "n"]))[2] for k in stored]

    gets, sels = run_async(go)
    for k, got, sel in zip(stored, gets, sels):
        assert got == _expected(client, k)
        assert sel == _expected(client, k, ["m", "n"])


def test_get_reply_sizes_on_one_connection(config, namespace, unique_set):
    """aerospike-core hands a large get reply's buffer over whole instead of copying it (vendor
    patch `take_rest`) and the connection grows a new one; a buffer leased from its pool (over
    64 KiB) is copied instead. On one connection, replies of every size in turn read back whole,
    and every command after a large one still works."""
    c = aerospike_py.client({**config, "max_conns_per_node": 1}).connect()
    try:
        sizes = [0, 1, 4000, 4096, 5000, 70000, 3, 300000, 65536, 10]
        for i, n in enumerate(sizes):
            k = (namespace, unique_set, f"sz{i}")
            want = {"n": i, "p": b"z" * n, "s": "é" * (n % 7)}
            c.put(k, want)
            for _ in range(2):
                _, meta, bins = c.get(k)
                assert bins == want == _expected(c, k) and meta["gen"] == 1
            assert c.select(k, ["p"])[2] == {"p": want["p"]}
            assert c.exists(k)[1]["gen"] == 1
        got = [c.get((namespace, unique_set, f"sz{i}"))[2]["n"] for i in range(len(sizes))]
        assert got == list(range(len(sizes)))
    finally:
        c.close()


def test_bin_named_empty_string_reads_back(client, namespace, unique_set):
    k = (namespace, unique_set, "empty-name")
    try:
        client.put(k, {"": 1, "x": 2})
    except aerospike_py.exception.AerospikeError:
        pytest.skip("server refuses a bin named ''")
    assert client.get(k)[2] == {"": 1, "x": 2}
    assert client.batch_read([k]).batch_records[0].record[2] == {"": 1, "x": 2}
    assert [r[2] for r in client.query(namespace, unique_set).results()] == [{"": 1, "x": 2}]


def test_query_records_split_across_socket_reads(client, namespace, unique_set):
    """aerospike-core parses a query record in place when the connection has read all of it,
    else field by field (vendor patch): records of 1 B to 90 KiB, with and without their user
    key, straddle and exceed its 64 KiB read buffer, and every one reads back as get has it."""
    sizes = [1, 7000, 30000, 65000, 90000, 3, 40000, 12, 64000, 5]
    for i, n in enumerate(sizes * 3):
        policy = {"key": aerospike_py.POLICY_KEY_SEND} if i % 2 else None
        client.put((namespace, unique_set, i), {"n": i, "p": b"x" * n, "s": "é" * (i % 5)}, policy=policy)
    recs = client.query(namespace, unique_set).results()
    assert sorted(r[2]["n"] for r in recs) == list(range(len(sizes) * 3))
    for key, meta, bins in recs:
        i = bins["n"]
        assert key[:2] == (namespace, unique_set) and len(key[3]) == 20
        assert key[2] == (i if i % 2 else None)
        assert bins == _expected(client, (namespace, unique_set, i))
        assert meta["gen"] == 1


def test_batch_rows_split_across_socket_reads(client, namespace, unique_set):
    """As above for batch rows (parsed in place when whole, else op by op), with missing keys
    between found ones."""
    sizes = [1, 7000, 30000, 65000, 90000, 3, 40000, 12, 64000, 5]
    keys = [(namespace, unique_set, f"b{i}") for i in range(len(sizes) * 3)]
    for i, k in enumerate(keys):
        if i % 4 != 3:
            client.put(k, {"n": i, "p": b"y" * sizes[i % len(sizes)], "l": [i, "x"]})
    rows = client.batch_read(keys).batch_records
    assert [r.result for r in rows] == [2 if i % 4 == 3 else 0 for i in range(len(keys))]
    for i, (k, row) in enumerate(zip(keys, rows)):
        if i % 4 == 3:
            assert row.record is None
        else:
            assert row.record[2] == _expected(client, k) and row.record[2]["n"] == i
