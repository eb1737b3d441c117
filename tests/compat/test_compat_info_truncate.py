"""Info commands through the official client, and truncate."""

from __future__ import annotations

import re
import time

import pytest
from aerospike import exception as ex

from compat_util import info_value, parse_kv, wait_until


def test_info_all_namespaces_lists_namespace_on_every_node(client, namespace):
    answers = client.info_all("namespaces")
    assert len(answers) == len(client.get_nodes())
    for node_name, (err, text) in answers.items():
        assert err is None
        assert namespace in text.strip().split(";")


def test_info_all_keys_are_the_node_names(client):
    names = {n["node_name"] for n in client.get_node_names()}
    assert set(client.info_all("node")) == names


def test_info_single_node_build_is_a_version(client):
    node = client.get_node_names()[0]["node_name"]
    build = info_value(client.info_single_node("build", node)).strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.\d+)?.*", build), build


def test_info_single_node_node_returns_that_node_name(client):
    for node in client.get_node_names():
        assert info_value(client.info_single_node("node", node["node_name"])).strip() == node["node_name"]


def test_info_single_node_unknown_node_name_raises(client):
    with pytest.raises(ex.AerospikeError):
        client.info_single_node("build", "NO_SUCH_NODE")


def test_info_random_node_statistics_has_cluster_size(client):
    stats = parse_kv(info_value(client.info_random_node("statistics")))
    assert int(stats["cluster_size"]) == len(client.get_nodes())


def test_info_random_node_namespace_stats_and_config(client, namespace):
    stats = parse_kv(info_value(client.info_random_node(f"namespace/{namespace}")))
    assert int(stats["objects"]) >= 0
    assert int(stats["replication-factor"]) >= 1
    assert int(stats["default-ttl"]) >= 0


def test_info_set_objects_count_every_copy_of_new_records(client, key, namespace, unique_set):
    # sets/<ns>/<set> answers "objects=N:tombstones=...:" per node; a node counts the master and replica copies it
    # holds, so over a stable cluster the sum is records x effective_replication_factor.
    def total_objects():
        answers = client.info_all(f"sets/{namespace}/{unique_set}").values()
        return sum(int(parse_kv(text, ":").get("objects", 0)) for _, text in answers)

    rf = int(parse_kv(info_value(client.info_random_node(f"namespace/{namespace}")))["effective_replication_factor"])
    assert total_objects() == 0
    for i in range(5):
        client.put(key(f"obj-{i}"), {"a": i})
    assert total_objects() == 5 * rf
    client.remove(key("obj-0"))
    assert total_objects() == 4 * rf


def test_info_multiple_commands_in_one_request(client, namespace):
    text = client.info_random_node("build\nnamespaces\n")
    lines = dict(line.split("\t", 1) for line in text.strip().split("\n"))
    assert namespace in lines["namespaces"].split(";")
    assert lines["build"]


# _LUT_MS: a real server truncates "to now" in milliseconds and drops only records whose last-update-time is
# strictly earlier (truncate.c as_truncate_cmd lut = cf_clepoch_milliseconds(), as_truncate_record_is_truncated
# r->last_update_time < truncate_lut), so a record written in the truncate's own millisecond survives it.
# The tests leave a few milliseconds between their last write and the truncate.


def test_truncate_set_removes_its_records_only(client, namespace, unique_set):
    other = unique_set + "_keep"
    for i in range(20):
        client.put((namespace, unique_set, i), {"i": i})
    client.put((namespace, other, 1), {"i": 1})
    time.sleep(0.05)  # see _LUT_MS
    assert client.truncate(namespace, unique_set, 0) == 0
    assert wait_until(lambda: client.query(namespace, unique_set).results() == [], timeout=10)
    for i in range(20):
        assert client.exists((namespace, unique_set, i))[1] is None
    assert client.get((namespace, other, 1))[2] == {"i": 1}


def test_truncate_then_write_again_is_visible(client, namespace, unique_set):
    client.put((namespace, unique_set, 1), {"i": 1})
    time.sleep(0.05)  # see _LUT_MS
    client.truncate(namespace, unique_set, 0)
    assert wait_until(lambda: client.exists((namespace, unique_set, 1))[1] is None)
    time.sleep(0.05)  # a write in the truncate's own millisecond would be refused (truncate.c as_truncate_now_is_truncated)
    client.put((namespace, unique_set, 1), {"i": 2})
    assert client.get((namespace, unique_set, 1))[2] == {"i": 2}


def test_truncate_with_cutoff_keeps_newer_records(client, namespace, unique_set):
    client.put((namespace, unique_set, "old"), {"v": 1})
    time.sleep(1.5)
    cutoff = time.time_ns() - 750_000_000
    client.put((namespace, unique_set, "new"), {"v": 2})
    client.truncate(namespace, unique_set, cutoff)
    assert wait_until(lambda: client.exists((namespace, unique_set, "old"))[1] is None)
    assert client.get((namespace, unique_set, "new"))[2] == {"v": 2}


def test_truncate_future_cutoff_is_rejected_with_code_4(client, namespace, unique_set):
    # truncate.c: "would truncate in the future" -> AS_ERR_PARAMETER
    with pytest.raises(ex.InvalidRequest) as info:
        client.truncate(namespace, unique_set, time.time_ns() + 3600 * 10**9)
    assert info.value.code == 4


def _info(client, command):
    return info_value(client.info_random_node(command)).strip()


def test_info_partitions_answers_the_partition_count(client):
    assert _info(client, "partitions") == "4096"  # thr_info.c cmd_partitions (deprecated in 8.1, still answered)


def test_info_build_is_the_version_answered(client):
    build = _info(client, "build")
    assert _info(client, "version") == f"Aerospike Community Edition build {build}"
    assert tuple(int(x) for x in build.split(".")[:2]) >= (8, 1)


def _set_answers(client, namespace, set_name):
    """The non-empty `sets/<ns>/<set>` answers of every node (a node that never held the set answers nothing)."""
    answers = [info_value(text).strip() for _, text in client.info_all(f"sets/{namespace}/{set_name}").values()]
    return [a for a in answers if a]


def test_info_sets_of_one_set_has_no_prefix_and_keeps_truncate_lut(client, key, namespace, unique_set):
    # namespace.c as_namespace_get_set_info: ns=/set= prefixes only when listing sets; append_set_props order.
    client.put(key("one"), {"a": 1})
    answers = _set_answers(client, namespace, unique_set)
    assert answers
    for text in answers:
        assert [kv.split("=")[0] for kv in text.rstrip(";").split(":")] == [
            "objects", "tombstones", "data_used_bytes", "truncate_lut", "sindexes", "index_populating", "truncating",
            "default-read-touch-ttl-pct", "default-ttl", "disable-eviction", "enable-index", "stop-writes-count",
            "stop-writes-size",
        ]
    listings = [info_value(text) for _, text in client.info_all(f"sets/{namespace}").values()]
    assert any(f"ns={namespace}:set={unique_set}:objects=" in text for text in listings)
    assert _set_answers(client, namespace, f"{unique_set}_never_written") == []
    time.sleep(0.05)  # see _LUT_MS
    before_ms = (time.time_ns() // 1_000_000) - 1_262_304_000_000  # ms since the citrusleaf epoch (2010)
    client.truncate(namespace, unique_set, 0)

    def props():
        return [parse_kv(text, ":") for text in _set_answers(client, namespace, unique_set)]

    # truncate.c truncate_action_do keeps the set's threshold; the set stays listed, empty.
    assert wait_until(lambda: all(p["objects"] == "0" and p["truncating"] == "false" for p in props()))
    for p in props():
        assert abs(int(p["truncate_lut"]) - before_ms) < 5_000


def test_info_namespace_reports_statistics_and_configuration(client, namespace):
    stats = parse_kv(_info(client, f"namespace/{namespace}"))
    for name in ["ns_cluster_size", "effective_replication_factor", "objects", "master_objects", "prole_objects",
                 "non_expirable_objects", "current_time", "truncate_lut", "data_used_bytes", "data_total_bytes",
                 "client_read_success", "client_write_success", "batch_sub_read_success", "nsup-period",
                 "replication-factor", "default-ttl", "max-record-size", "storage-engine", "storage-engine.data-size"]:
        assert name in stats, name
    # A namespace's replication-factor is its configuration; a single node serves one copy.
    if int(stats["ns_cluster_size"]) == 1:
        assert stats["effective_replication_factor"] == "1"
    assert stats["max-record-size"] == "1048576"
    config = parse_kv(_info(client, f"get-config:context=namespace;id={namespace}"))
    assert {k: stats[k] for k in config} == config  # namespace/<ns> ends with the namespace's configuration


def test_info_statistics_and_get_config(client):
    stats = parse_kv(_info(client, "statistics"))
    for name in ["cluster_size", "cluster_key", "cluster_principal", "uptime", "objects", "client_connections",
                 "info_complete", "batch_index_initiate"]:
        assert name in stats, name
    service = parse_kv(_info(client, "get-config:context=service"))
    assert "node-id" in service and "proto-fd-max" in service
    network = parse_kv(_info(client, "get-config:context=network"))
    assert "service.port" in network
    assert parse_kv(_info(client, "get-config")) == {**service, **network}
    # The official client raises the ERROR:<code>: answers (cfg_info.c: invalid context 4, unknown namespace 20).
    with pytest.raises(ex.InvalidRequest):
        client.info_random_node("get-config:context=bogus")
    with pytest.raises(ex.AerospikeError) as err:
        client.info_random_node("get-config:context=namespace;id=no_such_ns")
    assert err.value.code == 20
