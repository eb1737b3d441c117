"""Namespace flags: custom namespaces, memory limit (OUT_OF_SPACE), nsup expiry."""

from __future__ import annotations

import time

import aerospike
import pytest
from aerospike import exception as ex

from servers import DevServer, info

pytestmark = pytest.mark.devserver_only


@pytest.fixture(scope="module")
def server():
    with DevServer(nodes=1, extra_args=["--namespace", "alpha", "--namespace", "beta", "--memory-limit", "300000"]) as s:
        yield s


@pytest.fixture
def client(server):
    c = aerospike.client({"hosts": server.hosts}).connect()
    yield c
    c.close()


def test_only_the_named_namespaces_exist(server, client, unique_set):
    host, port = server.hosts[0]
    assert info(host, port, "namespaces")["namespaces"] == "alpha;beta"
    client.put(("alpha", unique_set, 1), {"a": 1})
    assert client.get(("alpha", unique_set, 1))[2] == {"a": 1}
    with pytest.raises(ex.AerospikeError) as err:
        client.put(("test", unique_set, 1), {"a": 1})
    assert err.value.code == 20  # namespace not found (the client knows it from the partition map)


def test_memory_limit_answers_out_of_space_and_deletes_free_room(client, unique_set):
    blob = b"x" * 10_000
    written = []
    with pytest.raises(ex.AerospikeError) as err:
        for i in range(100):
            client.put(("beta", unique_set, i), {"b": blob})
            written.append(("beta", unique_set, i))
    assert err.value.code == 8
    assert 0 < len(written) < 100
    client.remove(written[0])
    client.put(("beta", unique_set, "again"), {"b": blob})


def test_records_with_a_ttl_expire(client, unique_set):
    key = ("alpha", unique_set, "ttl")
    client.put(key, {"a": 1}, meta={"ttl": 1})
    assert client.get(key)[1]["ttl"] in (1, 2)
    time.sleep(2.2)
    with pytest.raises(ex.RecordNotFound):
        client.get(key)
