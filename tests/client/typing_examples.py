"""Type-checked (not run) usage of the public API: test_docs_and_types.py runs mypy on it
against the generated stubs."""

from __future__ import annotations

import aerospike_py
from aerospike_py import operations as ops
from aerospike_py import predicates


def sync_usage() -> int:
    client: aerospike_py.Client = aerospike_py.client({"hosts": [("127.0.0.1", 3000)]}).connect()
    key = ("test", "demo", "k1")
    client.put(key, {"a": 1}, meta={"ttl": aerospike_py.TTL_NEVER_EXPIRE}, policy={"key": aerospike_py.POLICY_KEY_SEND})
    _, meta, bins = client.get(key)
    gen: int = meta["gen"]
    _, m = client.exists(key)
    if m is not None:
        gen += m["gen"]
    client.operate(key, [ops.increment("a", 1), ops.read("a")])
    batch: aerospike_py.BatchRecords = client.batch_read([key], ["a"])
    for br in batch.batch_records:
        print(br.key, br.result, br.record)
    rows = client.query("test", "demo").select("a").where(predicates.between("a", 1, 9)).results()
    client.info_all("namespaces")
    raw: str = client.info_random_node("build")
    with client:
        client.remove(key)
    return gen + len(rows) + len(bins) + len(raw)


async def async_usage() -> int:
    async with aerospike_py.AsyncClient({"hosts": [("127.0.0.1", 3000)]}) as ac:
        key = ("test", "demo", 7)
        await ac.put(key, {"a": 1})
        _, meta, _ = await ac.get(key)
        recs = await ac.query("test", "demo").results()
        n = 0
        async for _rec in ac.query("test", "demo"):
            n += 1
        await ac.batch_remove([key])
        return meta["gen"] + len(recs) + n
