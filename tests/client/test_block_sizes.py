"""Values on both sides of the allocator's line (src/allocator.rs: mimalloc below 8 KiB, glibc from
8 KiB), read back byte for byte: they and the request and reply buffers that carry them are made
on either side, and a buffer that grows across the line moves from one allocator to the other."""

from __future__ import annotations

import os

import pytest

import aerospike_py

# The largest record (three bins) stays under the 1 MiB write block.
SIZES = [8 * 1024 - 64, 8 * 1024 - 1, 8 * 1024, 8 * 1024 + 1, 16 * 1024, 100 * 1024, 300 * 1024]


@pytest.fixture
def stored(client, namespace, unique_set):
    """{key: bins} written with the sync client: a random payload per size, and a list of them."""
    records = {}
    for size in SIZES:
        key = (namespace, unique_set, size)
        bins = {"v": os.urandom(size), "l": [os.urandom(size // 4) for _ in range(4)], "s": "x" * size}
        client.put(key, bins)
        records[key] = bins
    return records


def test_sync_reads_back_every_size(client, stored):
    for key, bins in stored.items():
        assert client.get(key)[2] == bins, key[2]
    rows = client.batch_read(list(stored)).batch_records
    assert [row.record[2] for row in rows] == list(stored.values())


def test_async_reads_back_every_size(stored, namespace, unique_set, run_async):
    async def read(ac: aerospike_py.AsyncClient):
        gets = [(await ac.get(key))[2] for key in stored]
        rows = (await ac.batch_read(list(stored))).batch_records
        records = await ac.query(namespace, unique_set).results()
        # Query records carry no user key (not stored): the size names them.
        return gets, [row.record[2] for row in rows], {len(r[2]["s"]): r[2] for r in records}

    gets, batch, query = run_async(read)
    assert gets == list(stored.values())
    assert batch == list(stored.values())
    assert query == {len(bins["s"]): bins for bins in stored.values()}
