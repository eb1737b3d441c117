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
