"""network.peer.* on query and scan spans: a query reads from every node that owns partitions, so its
span names the node only when exactly one served it. On one node: every way of running a query or a
scan, on both clients, names that node. (On the 3-node cluster, test_peer.py checks that a query
spread over the nodes carries none.)"""

from __future__ import annotations

from tracing_support import otel_env

SCENARIO = r"""
import asyncio
import aerospike_py
aerospike_py.init_tracing()
c = client()
for i in range(5):
    c.put(("test", SET, i), {"v": i})
c.query("test", SET).results()
c.query("test", SET).foreach(lambda r: None)
c.scan("test", SET).results()

async def main():
    ac = await aclient()
    await ac.query("test", SET).results()
    await ac.query("test", SET).foreach(lambda r: None)
    async for _ in ac.scan("test", SET):
        pass
    await ac.close()

asyncio.run(main())
aerospike_py.shutdown_tracing()
result(nodes=len(c.info_all("node")))
"""


def test_query_served_by_one_node_names_it(run_driver, receiver, unique_set, aerospike_hosts):
    out = run_driver(f"SET = {unique_set!r}\n" + SCENARIO, env=otel_env(receiver.endpoint))
    spans = [s for s in receiver.wait_for_spans(11) if s.attributes.get("db.operation.name") in ("QUERY", "SCAN")]
    assert sorted(s.attributes["db.operation.name"] for s in spans) == ["QUERY"] * 4 + ["SCAN"] * 2
    # One node (the dev server): that node. A cluster (AEROSPIKE_HOSTS): the set spreads over every node.
    expected = tuple(aerospike_hosts[0]) if out["nodes"] == 1 else (None, None)
    for s in spans:
        a = s.attributes
        assert (a.get("network.peer.address"), a.get("network.peer.port")) == expected, a
