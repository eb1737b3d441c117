"""network.peer.* on a 3-node dev server cluster: the node that actually served each command, on
success and on error, on both clients, checked key by key against the cluster's own partition map
(each node's `replicas` answer): the partition's master; after the master refuses connections
(the state between a crash and the heartbeat timeout), the replica a read retried on; after a node
is stopped, the node that took its partitions over. A batch carries the peer only when every key
lives on one node; a query, which every node serves, carries none. server.* stays the first seed
throughout."""

from __future__ import annotations

import base64
import json

import pytest

from servers import info
from tracing_support import otel_env

pytestmark = pytest.mark.devserver_only


def owners(hosts, replica: int = 0) -> dict[int, tuple[str, int]]:
    """partition id -> (host, port) of its master (replica 0) or its first replica (1)."""
    owner: dict[int, tuple[str, int]] = {}
    for host, port in hosts:
        for entry in info(host, port, "replicas")["replicas"].split(";"):
            ns, _, rest = entry.partition(":")
            if ns != "test":
                continue
            bitmaps = rest.split(",")[2:]
            if replica >= len(bitmaps):
                continue
            bitmap = base64.b64decode(bitmaps[replica])
            for pid in range(4096):
                if bitmap[pid >> 3] & (0x80 >> (pid & 7)):
                    owner[pid] = (host, port)
    return owner


SCENARIO = r"""
import asyncio, time
import aerospike_py
from aerospike_py import exception
from servers import info
aerospike_py.init_tracing()
tracer = pytracer()
calls = []
READ = {"replica": aerospike_py.POLICY_REPLICA_SEQUENCE, "total_timeout": 2000, "max_retries": 2,
        "socket_timeout": 1000}

def pid(key):
    return int.from_bytes(bytes(aerospike_py.calc_digest(*key)[:2]), "little") & 0x0FFF

async def call(phase, kind, c, op, *args, **kw):
    with tracer.start_as_current_span(f"{phase}-{kind}-{op}-{len(calls)}") as parent:
        err = None
        try:
            v = getattr(c, op)(*args, **kw)
            if kind == "async":
                await v
        except exception.AerospikeError as e:
            err = type(e).__name__
    keys = args[0] if isinstance(args[0], list) else [args[0]]
    calls.append({"phase": phase, "kind": kind, "op": op, "pids": [pid(k) for k in keys], "error": err,
                  "parent": hexid(parent.get_span_context().span_id)})

async def query(phase, kind, c):
    with tracer.start_as_current_span(f"{phase}-{kind}-query-{len(calls)}") as parent:
        v = c.query("test", SET).results()
        if kind == "async":
            await v
    calls.append({"phase": phase, "kind": kind, "op": "query", "pids": [], "error": None,
                  "parent": hexid(parent.get_span_context().span_id)})

async def round_(phase, clients, keys, policy=None):
    for kind, c in clients:
        for k in keys:
            if phase == "up":
                await call(phase, kind, c, "put", k, {"v": 1})
            await call(phase, kind, c, "get", k, policy=policy)
            await call(phase, kind, c, "get", ("test", SET, "missing-" + str(k[2])), policy=policy)

def wait_nodes(c, n):
    deadline = time.monotonic() + 15
    while len(c.info_all("node")) != n:
        assert time.monotonic() < deadline, "the client never saw the new cluster"
        time.sleep(0.1)

async def main():
    sync_c = client()
    async_c = await aclient()
    wait_nodes(sync_c, 3)
    clients = (("sync", sync_c), ("async", async_c))
    keys = [("test", SET, i) for i in range(40)]
    await round_("up", clients, keys)
    # A batch of keys that all live on one node, and one spread over the cluster.
    for kind, c in clients:
        await call("up", kind, c, "batch_read", [k for k in keys if pid(k) in ONE_NODE_PIDS][:4])
        await call("up", kind, c, "batch_read", keys)
        await query("up", kind, c)  # every node holds partitions of the set: no peer
    # The victim refuses connections while the map still names it: reads retry on the replica.
    victim_keys = [k for k in keys if pid(k) in ONE_NODE_PIDS]
    assert info(*HOSTS[0], f"devserver-node-refuse:id={VICTIM}")[f"devserver-node-refuse:id={VICTIM}"] == "ok"
    await round_("refused", clients, victim_keys[:8], policy=READ)
    # The survivors notice: the victim leaves the map, its partitions move.
    assert info(*HOSTS[0], f"devserver-node-stop:id={VICTIM}")[f"devserver-node-stop:id={VICTIM}"] == "ok"
    wait_nodes(sync_c, 2)
    time.sleep(2.5)  # two tend intervals: the async client's map is current too
    await round_("stopped", clients, keys)
    result(calls=calls)

asyncio.run(main())
aerospike_py.shutdown_tracing()
"""


def test_peer_is_the_node_that_served(aerospike_cluster, run_driver, receiver, unique_set):
    hosts = [tuple(h) for h in aerospike_cluster.hosts]
    master = owners(hosts)
    replica = owners(hosts, 1)
    victim_host = hosts[1]
    victim = info(*victim_host, "node")["node"]
    one_node = sorted(p for p, h in master.items() if h == victim_host)
    code = (f"SET = {unique_set!r}\nVICTIM = {victim!r}\nONE_NODE_PIDS = set({one_node!r})\n") + SCENARIO
    out = run_driver(code, env=otel_env(receiver.endpoint, TRACING_TEST_HOSTS=json.dumps(hosts)), timeout=180)
    survivors = [h for h in hosts if h != victim_host]
    after_stop = owners(survivors)
    by_parent: dict[str, list] = {}
    for s in receiver.wait_for_spans(len(out["calls"])):
        by_parent.setdefault(s.parent_span_id, []).append(s)
    seen = {"up": set(), "refused": set(), "stopped": set()}
    checked = 0
    for call in out["calls"]:
        got = by_parent.get(call["parent"], [])
        assert len(got) == 1, call
        span = got[0]
        a = span.attributes
        assert (a["server.address"], a["server.port"]) == hosts[0], a
        assert ("network.peer.address" in a) == ("network.peer.port" in a), a
        peer = (a.get("network.peer.address"), a.get("network.peer.port"))
        phase, pids = call["phase"], call["pids"]
        if call["op"] == "query":
            assert peer == (None, None), (call, a)
            checked += 1
            continue
        if call["op"] == "batch_read":
            nodes = {master[p] for p in pids}
            if len(nodes) == 1:
                assert peer == nodes.pop(), (call, a)
            else:
                assert peer == (None, None), (call, a)  # several nodes served it: no peer
            checked += 1
            continue
        if call["error"] is not None:
            assert call["error"] == "RecordNotFound", call  # the server answered
        pid = pids[0]
        if phase == "refused":  # reads of the victim's partitions retried on their replica
            expected = replica[pid] if master[pid] == victim_host else master[pid]
        else:
            expected = (after_stop if phase == "stopped" else master)[pid]
        assert peer == expected, (call, a, expected)
        seen[phase].add(peer)
        checked += 1
    assert checked == len(out["calls"])
    # The keys spread over the nodes, so the peer is not just the seed; a refusing victim and a
    # stopped one never appear.
    assert len(seen["up"]) == 3, seen
    assert victim_host not in seen["refused"] and seen["refused"], seen
    assert seen["stopped"] == set(survivors), seen
