"""What is written is what is read back (issue 15, part 3: "never a write of something else than what
was given"): random values of every storable type, nested, through put/get and operate of both
clients; and values of 10 MB, which the server refuses (RECORD_TOO_BIG) without harm to the client.

Storable here: None inside a container (None as a bin value deletes the bin), bool, 64-bit ints,
floats (nan compared as nan), str without lone surrogates, bytes/bytearray (read back as bytes),
lists and tuples (read back as lists), dicts with str/int/bytes keys."""

from __future__ import annotations

import asyncio
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import aerospike_py
from aerospike_py import exception
from aerospike_py import operations as ops

pytestmark = pytest.mark.devserver_only

NS, SET = "test", "fuzzrt"

scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, -1, 2**63 - 1, -(2**63), 2**31, -(2**31) - 1]),
    st.floats(allow_nan=True),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30),
    st.binary(max_size=30),
    st.binary(max_size=30).map(bytearray),
)
keys = st.one_of(st.text(max_size=8, alphabet=st.characters(blacklist_categories=["Cs"])),
                 st.integers(-(2**63), 2**63 - 1), st.binary(max_size=8))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(st.one_of(inner, st.none()), max_size=5),
                            st.lists(inner, max_size=4).map(tuple),
                            st.dictionaries(keys, st.one_of(inner, st.none()), max_size=5)),
    max_leaves=20,
)
bins = st.dictionaries(st.text(alphabet="abcdefghij_", min_size=0, max_size=14), values, min_size=1, max_size=5)


def expected(v):
    """What the server hands back for v."""
    if isinstance(v, (list, tuple)):
        return [expected(x) for x in v]
    if isinstance(v, dict):
        return {k: expected(x) for k, x in v.items()}
    if isinstance(v, bytearray):
        return bytes(v)
    return v


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


@pytest.fixture(scope="module")
def rt_clients(fuzz_server):
    sync = aerospike_py.client({"hosts": fuzz_server.hosts}).connect()
    loop = asyncio.new_event_loop()

    async def connect():
        return await aerospike_py.AsyncClient({"hosts": fuzz_server.hosts}).connect()

    ac = loop.run_until_complete(connect())
    yield sync, ac, loop
    sync.close()

    async def close():
        await ac.close()

    loop.run_until_complete(close())
    loop.close()


@given(record=bins, n=st.integers(0, 10**6), how=st.sampled_from(["sync-put", "async-put", "sync-operate"]))
def test_written_values_read_back_unchanged(rt_clients, record, n, how):
    sync, ac, loop = rt_clients
    key = (NS, SET, n)
    try:
        if how == "sync-put":
            sync.put(key, record, policy={"key": aerospike_py.POLICY_KEY_SEND})
        elif how == "async-put":
            async def put():
                await ac.put(key, record)
            loop.run_until_complete(put())
        else:
            sync.remove(key) if sync.exists(key)[1] else None
            sync.operate(key, [ops.write(b, v) for b, v in record.items()])
    except exception.RecordTooBig:
        return
    _, _, got = sync.get(key)
    want = {b: expected(v) for b, v in record.items()}
    assert same(got, want), (how, record, got)
    sync.remove(key)


@pytest.mark.parametrize("value", [b"\x00" * 10_000_000, "x" * 10_000_000, [b"y" * 1000] * 10_000],
                         ids=["bytes", "str", "list"])
def test_ten_megabyte_values_are_refused_cleanly(rt_clients, value):
    sync, ac, loop = rt_clients
    key = (NS, SET, "big")
    with pytest.raises(exception.RecordTooBig):
        sync.put(key, {"big": value})

    async def put():
        await ac.put(key, {"big": value})

    with pytest.raises(exception.RecordTooBig):
        loop.run_until_complete(put())
    with pytest.raises(exception.RecordTooBig):
        sync.operate(key, [ops.write("big", value)])
    # The connection that carried it serves the next call.
    sync.put(key, {"small": 1})
    assert sync.get(key)[2] == {"small": 1}
