"""Cluster mode: partition ownership, per-node statistics, node stop/start with the official client."""

from __future__ import annotations

import socket
import threading
import time

import aerospike
import pytest

from servers import info, partition_masters

pytestmark = pytest.mark.devserver_only


def ns_stats(host, port, ns="test") -> dict[str, str]:
    raw = info(host, port, f"namespace/{ns}")[f"namespace/{ns}"]
    return dict(kv.split("=", 1) for kv in raw.split(";") if "=" in kv)


def masters(cluster) -> dict[int, tuple[str, int]]:
    return partition_masters(cluster.hosts, unique=True)


def partition_of(client, key) -> int:
    digest = aerospike.calc_digest(key[0], key[1], key[2])
    return int.from_bytes(bytes(digest[:2]), "little") & 0x0FFF


def wait_for_nodes(client, n, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(client.get_nodes()) == n:
            return
        time.sleep(0.1)
    raise AssertionError(f"client sees {client.get_nodes()}, expected {n} nodes")


@pytest.fixture
def client(aerospike_cluster):
    c = aerospike.client({"hosts": aerospike_cluster.hosts}).connect()
    wait_for_nodes(c, aerospike_cluster.nodes)
    yield c
    c.close()


def test_every_partition_has_exactly_one_master(aerospike_cluster):
    owner = masters(aerospike_cluster)
    assert len(owner) == 4096
    assert set(owner.values()) == set(aerospike_cluster.hosts)


def test_each_node_receives_the_keys_it_masters(aerospike_cluster, client, unique_set):
    owner = masters(aerospike_cluster)
    before = {hp: int(ns_stats(*hp)["client_write_success"]) for hp in aerospike_cluster.hosts}
    expected = {hp: 0 for hp in aerospike_cluster.hosts}
    for i in range(300):
        key = ("test", unique_set, i)
        client.put(key, {"i": i})
        expected[owner[partition_of(client, key)]] += 1
    after = {hp: int(ns_stats(*hp)["client_write_success"]) for hp in aerospike_cluster.hosts}
    served = {hp: after[hp] - before[hp] for hp in aerospike_cluster.hosts}
    assert served == expected
    assert all(n > 0 for n in served.values())


def test_stopping_a_node_keeps_records_readable_and_restart_restores_the_map(aerospike_cluster, client, unique_set):
    host, port = aerospike_cluster.hosts[0]
    keys = [("test", unique_set, i) for i in range(200)]
    for k in keys:
        client.put(k, {"v": k[2]})
    gen_before = int(info(host, port, "partition-generation")["partition-generation"])
    victim = info(*aerospike_cluster.hosts[1], "node")["node"]
    assert info(host, port, f"devserver-node-stop:id={victim}")["devserver-node-stop:id=" + victim] == "ok"
    try:
        assert int(info(host, port, "partition-generation")["partition-generation"]) > gen_before
        owner = masters_alive(aerospike_cluster, skip=aerospike_cluster.hosts[1])
        assert len(owner) == 4096 and aerospike_cluster.hosts[1] not in owner.values()
        # The client recovers on its own: every committed record stays readable.
        policy = {"max_retries": 5, "sleep_between_retries": 50, "total_timeout": 5000}
        for k in keys:
            _, _, bins = client.get(k, policy=policy)
            assert bins == {"v": k[2]}
        wait_for_nodes(client, aerospike_cluster.nodes - 1)
        for k in keys[:50]:
            client.put(k, {"v": -k[2]})
    finally:
        assert info(host, port, f"devserver-node-start:id={victim}")["devserver-node-start:id=" + victim] == "ok"
    wait_for_nodes(client, aerospike_cluster.nodes)
    assert len(masters(aerospike_cluster)) == 4096
    for k in keys:
        assert client.get(k)[2] == {"v": -k[2] if k[2] < 50 else k[2]}


def test_node_stop_under_load_loses_no_committed_write(aerospike_cluster, client, unique_set):
    """Writers keep going while a node stops and restarts; every acknowledged write stays readable."""
    host, port = aerospike_cluster.hosts[0]
    victim = info(*aerospike_cluster.hosts[2], "node")["node"]
    committed: dict[int, int] = {}
    stop = threading.Event()
    policy = {"max_retries": 5, "sleep_between_retries": 20, "total_timeout": 5000}

    def writer(offset: int) -> None:
        i = offset
        while not stop.is_set():
            try:
                client.put(("test", unique_set, i), {"v": i}, policy=policy)
                committed[i] = i
            except aerospike.exception.AerospikeError:
                pass  # not acknowledged: may or may not have landed
            i += 2

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.3)
        assert info(host, port, f"devserver-node-stop:id={victim}")[f"devserver-node-stop:id={victim}"] == "ok"
        time.sleep(0.5)
        assert info(host, port, f"devserver-node-start:id={victim}")[f"devserver-node-start:id={victim}"] == "ok"
        time.sleep(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert len(committed) > 50
    wait_for_nodes(client, aerospike_cluster.nodes)
    for i in committed:
        assert client.get(("test", unique_set, i), policy=policy)[2] == {"v": i}


def test_fault_on_one_node_hits_only_the_keys_it_masters(aerospike_cluster, client, unique_set):
    owner = masters(aerospike_cluster)
    target = aerospike_cluster.hosts[1]
    target_id = info(*target, "node")["node"]
    keys = [("test", unique_set, i) for i in range(60)]
    for k in keys:
        client.put(k, {"v": 1})
    host, port = aerospike_cluster.hosts[0]
    cmd = f"devserver-fault-error:op=read;code=14;node={target_id}"
    assert info(host, port, cmd)[cmd] == "ok"
    try:
        for k in keys:
            on_target = owner[partition_of(client, k)] == target
            if on_target:
                with pytest.raises(aerospike.exception.AerospikeError) as err:
                    client.get(k, policy={"max_retries": 0})
                assert err.value.code == 14
            else:
                assert client.get(k, policy={"max_retries": 0})[2] == {"v": 1}
    finally:
        assert info(host, port, "devserver-fault-clear")["devserver-fault-clear"] == "ok"
    assert any(owner[partition_of(client, k)] == target for k in keys)


def masters_alive(cluster, skip):
    return partition_masters([h for h in cluster.hosts if h != skip])


def test_peers_and_services_list_the_other_nodes(aerospike_cluster):
    host, port = aerospike_cluster.hosts[0]
    ans = info(host, port, "peers-clear-std", "services", "node")
    for h, p in aerospike_cluster.hosts[1:]:
        assert f"{h}:{p}" in ans["peers-clear-std"]
        assert f"{h}:{p}" in ans["services"]
    assert f"{host}:{port}" not in ans["services"]


def test_control_commands_reject_bad_input(aerospike_cluster):
    host, port = aerospike_cluster.hosts[0]
    assert info(host, port, "devserver-node-stop:id=nope")["devserver-node-stop:id=nope"].startswith("ERROR:4:")
    assert info(host, port, "devserver-node-start:id=0")["devserver-node-start:id=0"].startswith("ERROR:4:")


def test_refusing_node_drops_connections_and_stays_in_the_map(aerospike_cluster, client, unique_set):
    """devserver-node-refuse: a crashed node before the survivors notice. It refuses new connections
    and drops its open ones; every node's partition map and peers list still name it."""
    host, port = aerospike_cluster.hosts[0]
    victim_host = aerospike_cluster.hosts[1]
    victim = info(*victim_host, "node")["node"]
    before = masters(aerospike_cluster)
    gen = info(host, port, "partition-generation")["partition-generation"]
    open_conn = socket.create_connection(victim_host, timeout=5)
    assert info(host, port, f"devserver-node-refuse:id={victim}")[f"devserver-node-refuse:id={victim}"] == "ok"
    try:
        assert open_conn.recv(1) == b""  # the open connection was closed
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(victim_host, timeout=5)
        assert f"1:{victim}:{victim_host[1]}:refusing" in info(host, port, "devserver-nodes")["devserver-nodes"]
        assert info(host, port, "partition-generation")["partition-generation"] == gen
        assert partition_masters([h for h in aerospike_cluster.hosts if h != victim_host]) == {
            pid: hp for pid, hp in before.items() if hp != victim_host
        }
        assert f"{victim_host[0]}:{victim_host[1]}" in info(host, port, "peers-clear-std")["peers-clear-std"]
        assert info(host, port, f"devserver-node-refuse:id={victim}")[f"devserver-node-refuse:id={victim}"].startswith("ERROR:4:")
    finally:
        open_conn.close()
        assert info(host, port, f"devserver-node-start:id={victim}")[f"devserver-node-start:id={victim}"] == "ok"
    assert info(*victim_host, "node")["node"] == victim
    assert masters(aerospike_cluster) == before
