"""Policy keys that change what the client does: retries, replica choice, read modes, validation."""

from __future__ import annotations

import time

import pytest

import aerospike_py
from aerospike_py import exception
from servers import info


@pytest.mark.parametrize(
    "policy",
    [
        {"replica": 9},
        {"read_mode_ap": 2},
        {"read_mode_sc": 4},
        {"read_touch_ttl_percent": "50"},
        {"sleep_between_retries": -1},
        {"compress": "yes"},
    ],
)
def test_bad_policy_values_raise_param_error(client, key, policy):
    name = next(iter(policy))
    with pytest.raises(exception.ParamError, match=name):
        client.get(key, policy=policy)


def test_valid_read_policy_keys_are_accepted(client, key):
    client.put(key, {"a": 1})
    policy = {
        "replica": aerospike_py.POLICY_REPLICA_SEQUENCE,
        "read_mode_ap": aerospike_py.POLICY_READ_MODE_AP_ALL,
        "read_mode_sc": aerospike_py.POLICY_READ_MODE_SC_SESSION,
        "read_touch_ttl_percent": 0,
        "sleep_between_retries": 5,
        "deserialize": True,
    }
    assert client.get(key, policy=policy)[2] == {"a": 1}


@pytest.mark.parametrize("pct", [101, 300, -2])
def test_read_touch_ttl_percent_out_of_range_is_the_servers_error_4(client, key, ttl_writes, pct):
    """Sent to the server as the official client does: it refuses it (InvalidRequest) for a record that
    expires and ignores it for one that never does (read_touch.c as_read_touch_check)."""
    client.put(key, {"a": 1}, meta={"ttl": 100})
    with pytest.raises(exception.InvalidRequest):
        client.get(key, policy={"read_touch_ttl_percent": pct})
    client.put(key, {"a": 1}, meta={"ttl": -1})
    assert client.get(key, policy={"read_touch_ttl_percent": pct})[2] == {"a": 1}


def test_malformed_filter_expression_is_refused_not_ignored(client, key):
    """An ignored filter would delete a record the caller meant to keep."""
    client.put(key, {"a": 1})
    with pytest.raises(exception.ParamError, match="expressions"):
        client.remove(key, policy={"expressions": [object()]})
    assert client.get(key)[2] == {"a": 1}


def test_sleep_between_retries_waits_between_attempts(devserver_client, key, devserver_hosts):
    client = devserver_client
    host, port = devserver_hosts[0]
    client.put(key, {"a": 1})
    info(host, port, "devserver-fault-drop:op=read;count=2")
    try:
        start = time.monotonic()
        record = client.get(key, policy={"max_retries": 2, "sleep_between_retries": 300, "total_timeout": 5000})
        elapsed = time.monotonic() - start
    finally:
        info(host, port, "devserver-fault-clear")
    assert record[2] == {"a": 1}
    assert elapsed >= 0.55, elapsed  # two dropped attempts, each followed by a 300 ms sleep


def node_reads(hosts) -> dict[tuple[str, int], int]:
    out = {}
    for host, port in hosts:
        raw = info(host, port, "namespace/test")["namespace/test"]
        stats = dict(kv.split("=", 1) for kv in raw.split(";") if "=" in kv)
        out[(host, port)] = int(stats["client_read_success"])
    return out


@pytest.mark.devserver_only
@pytest.mark.parametrize("replica,spread", [(aerospike_py.POLICY_REPLICA_MASTER, False), (aerospike_py.POLICY_REPLICA_ANY, True)])
def test_replica_policy_chooses_the_node_that_serves_reads(aerospike_cluster, unique_set, replica, spread):
    hosts = aerospike_cluster.hosts
    with aerospike_py.client({"hosts": hosts}).connect() as c:
        key = ("test", unique_set, "r")
        c.put(key, {"a": 1})
        time.sleep(0.5)  # let the client learn every node's partitions
        before = node_reads(hosts)
        for _ in range(40):
            assert c.get(key, policy={"replica": replica})[2] == {"a": 1}
        after = node_reads(hosts)
    served = {hp: after[hp] - before[hp] for hp in hosts if after[hp] != before[hp]}
    assert sum(served.values()) == 40
    if spread:
        assert len(served) == 2, served  # the master and its one replica (RF 2)
    else:
        assert len(served) == 1, served
