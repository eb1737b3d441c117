"""Cluster mode: partition ownership, per-node statistics, node stop/start with the official client."""

from __future__ import annotations

import base64
import time

import aerospike
import pytest

from servers import info

pytestmark = pytest.mark.devserver_only


def ns_stats(host, port, ns="test") -> dict[str, str]:
    raw = info(host, port, f"namespace/{ns}")[f"namespace/{ns}"]
    return dict(kv.split("=", 1) for kv in raw.split(";") if "=" in kv)


def masters(cluster) -> dict[int, tuple[str, int]]:
    """partition id -> (host, port) of its master, from each node's `replicas` answer."""
    owner = {}
    for host, port in cluster.hosts:
        raw = info(host, port, "replicas")["replicas"]
        for entry in raw.split(";"):
            ns, _, rest = entry.partition(":")
            if ns != "test":
                continue
            _regime, _n, master_b64, *_ = rest.split(",")
            bitmap = base64.b64decode(master_b64)
            for pid in range(4096):
                if bitmap[pid >> 3] & (0x80 >> (pid & 7)):
                    assert pid not in owner, f"partition {pid} has two masters"
                    owner[pid] = (host, port)
    return owner


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


def masters_alive(cluster, skip):
    saved = cluster.hosts
    owner = {}
    for host, port in saved:
        if (host, port) == skip:
            continue
        raw = info(host, port, "replicas")["replicas"]
        for entry in raw.split(";"):
            ns, _, rest = entry.partition(":")
            if ns != "test":
                continue
            bitmap = base64.b64decode(rest.split(",")[2])
            for pid in range(4096):
                if bitmap[pid >> 3] & (0x80 >> (pid & 7)):
                    owner[pid] = (host, port)
    return owner


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
