"""Multi-node behaviour seen by the official client: node discovery, partition ownership, routing."""

from __future__ import annotations

import base64

import aerospike
import pytest

from compat_util import connect, info_value


def _master_partitions(client, node_name, namespace) -> set[int]:
    """Partitions `node_name` is master of, from its 'replicas' info (ns:regime,n_repl,b64map,...)."""
    text = info_value(client.info_single_node("replicas", node_name)).strip()
    for entry in text.split(";"):
        ns, _, rest = entry.partition(":")
        if ns != namespace:
            continue
        fields = rest.split(",")
        bitmap = base64.b64decode(fields[2])
        return {p for p in range(4096) if bitmap[p >> 3] & (0x80 >> (p & 7))}
    raise AssertionError(f"namespace {namespace} missing from replicas: {text!r}")


def test_every_partition_has_exactly_one_master(client, namespace):
    owners = [_master_partitions(client, n["node_name"], namespace) for n in client.get_node_names()]
    assert sum(len(o) for o in owners) == 4096
    assert set().union(*owners) == set(range(4096))


def test_per_node_scan_returns_records_of_that_nodes_master_partitions(client, namespace, unique_set):
    pks = list(range(120))
    for pk in pks:
        client.put((namespace, unique_set, pk), {"pk": pk})
    seen = []
    for node in client.get_node_names():
        masters = _master_partitions(client, node["node_name"], namespace)
        got = [b["pk"] for _, _, b in client.scan(namespace, unique_set).results(nodename=node["node_name"])]
        for pk in got:
            assert client.get_key_partition_id(namespace, unique_set, pk) in masters
        seen += got
    assert sorted(seen) == pks


def test_reads_from_any_replica_see_the_latest_write(client, namespace, unique_set):
    # With replication-factor 2 a write is applied on master and prole before it is acknowledged
    # (commit-level all), so a read served by either replica returns it.
    any_replica = {"replica": aerospike.POLICY_REPLICA_ANY}
    keys = [(namespace, unique_set, pk) for pk in range(40)]
    for k in keys:
        client.put(k, {"v": 1})
        client.put(k, {"v": 2})
    for k in keys:
        for _ in range(4):
            _, meta, bins = client.get(k, policy=any_replica)
            assert bins == {"v": 2} and meta["gen"] == 2
    res = client.batch_read(keys, policy=any_replica)
    assert [r.record[2]["v"] for r in res.batch_records] == [2] * len(keys)


def test_removed_record_is_gone_from_every_replica(client, namespace, unique_set):
    any_replica = {"replica": aerospike.POLICY_REPLICA_ANY}
    keys = [(namespace, unique_set, pk) for pk in range(20)]
    for k in keys:
        client.put(k, {"v": 1})
        client.remove(k)
    for k in keys:
        for _ in range(4):
            assert client.exists(k, policy=any_replica)[1] is None


@pytest.mark.devserver_only
def test_cluster_of_three_nodes_is_discovered_from_one_seed(client_cluster):
    names = client_cluster.get_node_names()
    assert len(names) == 3
    assert len({n["node_name"] for n in names}) == 3
    assert len({(n["address"], n["port"]) for n in names}) == 3


@pytest.mark.devserver_only
def test_cluster_nodes_agree_on_cluster_size(client_cluster):
    for _, text in client_cluster.info_all("statistics").values():
        assert "cluster_size=3" in text.split(";")


@pytest.mark.devserver_only
def test_cluster_records_written_through_one_client_read_through_another(client_cluster, aerospike_cluster, namespace, unique_set):
    other = connect(aerospike_cluster.hosts[2:3])
    try:
        for pk in range(50):
            client_cluster.put((namespace, unique_set, pk), {"pk": pk})
        res = other.batch_read([(namespace, unique_set, pk) for pk in range(50)])
        assert [r.record[2]["pk"] for r in res.batch_records] == list(range(50))
    finally:
        other.close()
