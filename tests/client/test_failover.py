"""A node that dies while the partition map still lists it (issue 17 items 1 and 2), on a 3-node dev
server cluster (replication factor 2). `devserver-node-refuse` is the state a real cluster is in
between a node's crash and the survivors' heartbeat timeout: connections to it are refused, the map
still names it master of its partitions. Reads of those partitions move to the replica at once,
writes to it fail fast with a connection error, and the refusals count toward its circuit breaker.
How the same check runs on a real cluster: devserver/README.md, "Node failure on a real cluster"."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

import aerospike_py
from aerospike_py import exception
from servers import DevServer, info, partition_masters

pytestmark = pytest.mark.devserver_only

READ = {"replica": aerospike_py.POLICY_REPLICA_SEQUENCE, "socket_timeout": 1000, "total_timeout": 1000, "max_retries": 2}


@pytest.fixture
def cluster():
    with DevServer(nodes=3) as server:
        yield server


def control(cluster, command: str) -> str:
    return info(*cluster.hosts[0], command)[command]


def connect(cluster, **config):
    c = aerospike_py.client({"hosts": cluster.hosts[:1], **config}).connect()
    deadline = time.monotonic() + 10
    while len(c.info_all("node")) < len(cluster.hosts):
        assert time.monotonic() < deadline, "the client never saw every node"
        time.sleep(0.1)
    return c


def partition_id(key) -> int:
    return int.from_bytes(bytes(aerospike_py.calc_digest(*key)[:2]), "little") & 0x0FFF


def victim_keys(cluster, client, set_name: str, n: int = 300):
    """Writes n keys; returns (the id of node 1, the keys it masters)."""
    keys = [("test", set_name, i) for i in range(n)]
    for k in keys:
        client.put(k, {"v": k[2]})
    owner = partition_masters(cluster.hosts)
    mine = [k for k in keys if owner[partition_id(k)] == cluster.hosts[1]]
    assert mine
    return info(*cluster.hosts[1], "node")["node"], mine


def test_reads_of_a_refusing_node_come_from_the_replica(cluster, unique_set):
    client = connect(cluster)
    victim, keys = victim_keys(cluster, client, unique_set)
    assert control(cluster, f"devserver-node-refuse:id={victim}") == "ok"
    # Each read must succeed within its 1 s total timeout; before the fix every one of them waited
    # on an empty connection pool until that deadline and failed ("timed out after 0 tries").
    for k in keys:
        assert client.get(k, policy=READ)[2] == {"v": k[2]}
    assert [r.record[2] for r in client.batch_read(keys, policy=READ).batch_records] == [{"v": k[2]} for k in keys]

    async def read_all():
        async with aerospike_py.AsyncClient({"hosts": cluster.hosts}) as ac:
            return await asyncio.gather(*(ac.get(k, policy=READ) for k in keys))

    assert [r[2] for r in asyncio.run(read_all())] == [{"v": k[2]} for k in keys]


def test_writes_to_a_refusing_node_fail_fast_with_a_connection_error(cluster, unique_set):
    client = connect(cluster, max_error_rate=0)
    victim, keys = victim_keys(cluster, client, unique_set)
    assert control(cluster, f"devserver-node-refuse:id={victim}") == "ok"
    started = time.monotonic()
    with pytest.raises(exception.ConnectionError) as e:
        client.put(keys[0], {"v": -1}, policy={"max_retries": 0, "total_timeout": 10_000})
    assert e.value.in_doubt is False
    assert time.monotonic() - started < 10  # not the total timeout waited out
    assert control(cluster, f"devserver-node-start:id={victim}") == "ok"
    assert client.get(keys[0], policy=READ)[2] == {"v": keys[0][2]}  # nothing was written


def test_refusals_trip_the_nodes_circuit_breaker(cluster, unique_set):
    client = connect(cluster, max_error_rate=3, error_rate_window=1000)
    victim, keys = victim_keys(cluster, client, unique_set)
    assert control(cluster, f"devserver-node-refuse:id={victim}") == "ok"
    seen = []
    for k in keys[:10]:
        with pytest.raises(exception.ClientError) as e:
            client.put(k, {"v": -1}, policy={"max_retries": 0})
        seen.append(type(e.value))
    assert seen[0] is exception.ConnectionError
    assert exception.MaxErrorRateExceeded in seen  # more than 3 refusals: the breaker opened
    # Reads still reach the replica while the master's breaker is open.
    assert client.get(keys[0], policy=READ)[2] == {"v": keys[0][2]}


def test_node_death_under_writes_loses_no_acknowledged_write(cluster, unique_set):
    """Writers run while a node dies (refusing, then dropped from the map as the survivors notice)
    and comes back; every acknowledged write reads back, and no call outlives its total timeout by
    more than a small margin."""
    client = connect(cluster)
    victim = info(*cluster.hosts[2], "node")["node"]
    policy = {"total_timeout": 1000, "max_retries": 2}
    acknowledged: dict[int, int] = {}
    longest = [0.0]
    stop = threading.Event()

    def writer(first: int) -> None:
        i = first
        while not stop.is_set():
            started = time.monotonic()
            try:
                client.put(("test", unique_set, i), {"v": i}, policy=policy)
                acknowledged[i] = i
            except exception.AerospikeError:
                pass  # not acknowledged: it may or may not have landed
            longest[0] = max(longest[0], time.monotonic() - started)
            i += 4

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)
        assert control(cluster, f"devserver-node-refuse:id={victim}") == "ok"
        time.sleep(1.5)  # a real cluster's default heartbeat timeout
        assert control(cluster, f"devserver-node-stop:id={victim}") == "ok"
        time.sleep(0.5)
        assert control(cluster, f"devserver-node-start:id={victim}") == "ok"
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(acknowledged) > 100
    read = {"total_timeout": 5000, "max_retries": 5, "sleep_between_retries": 50}
    for i in acknowledged:
        assert client.get(("test", unique_set, i), policy=read)[2] == {"v": i}
    assert longest[0] < 1.0 + 1.0, f"a call took {longest[0]:.3f} s for a 1 s total timeout"
