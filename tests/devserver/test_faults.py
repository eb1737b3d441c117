"""Fault injection control commands, driven through the official client."""

from __future__ import annotations

import time

import aerospike
import pytest
from aerospike import exception as ex

from servers import DevServer, info

pytestmark = pytest.mark.devserver_only


@pytest.fixture(scope="module")
def server():
    with DevServer(nodes=1) as s:
        yield s


@pytest.fixture
def ctl(server):
    host, port = server.hosts[0]

    def send(cmd: str) -> str:
        return info(host, port, cmd)[cmd]

    yield send
    send("devserver-fault-clear")


@pytest.fixture
def client(server):
    c = aerospike.client({"hosts": server.hosts}).connect()
    yield c
    c.close()


def test_error_fault_answers_the_chosen_code_then_expires(ctl, client, unique_set):
    key = ("test", unique_set, "e")
    assert ctl("devserver-fault-error:op=write;code=22;count=1") == "ok"
    with pytest.raises(ex.AerospikeError) as err:
        client.put(key, {"a": 1}, policy={"max_retries": 0})
    assert err.value.code == 22
    client.put(key, {"a": 1})  # count=1: the next write goes through
    assert client.get(key)[2] == {"a": 1}


def test_error_fault_only_hits_its_operation(ctl, client, unique_set):
    key = ("test", unique_set, "r")
    client.put(key, {"a": 1})
    assert ctl("devserver-fault-error:op=read;code=14") == "ok"
    client.put(key, {"a": 2})
    for _ in range(3):
        with pytest.raises(ex.AerospikeError) as err:
            client.get(key, policy={"max_retries": 0})
        assert err.value.code == 14
    assert ctl("devserver-fault-clear") == "ok"
    assert client.get(key)[2] == {"a": 2}


def test_delay_fault_makes_the_client_time_out(ctl, client, unique_set):
    key = ("test", unique_set, "d")
    client.put(key, {"a": 1})
    assert ctl("devserver-fault-delay:op=read;ms=400") == "ok"
    with pytest.raises(ex.TimeoutError):
        client.get(key, policy={"total_timeout": 100, "socket_timeout": 100, "max_retries": 0})
    assert ctl("devserver-fault-clear") == "ok"
    assert client.get(key)[2] == {"a": 1}


def test_drop_fault_closes_the_connection(ctl, client, unique_set):
    key = ("test", unique_set, "x")
    client.put(key, {"a": 1})
    assert ctl("devserver-fault-drop:op=read;count=1") == "ok"
    with pytest.raises(ex.AerospikeError):
        client.get(key, policy={"max_retries": 0})
    # The client reconnects by itself afterwards.
    assert client.get(key)[2] == {"a": 1}


def test_fault_commands_validate_parameters(ctl):
    assert ctl("devserver-fault-error:op=read").startswith("ERROR:4:")
    assert ctl("devserver-fault-error:op=bogus;code=4").startswith("ERROR:4:")
    assert ctl("devserver-fault-delay:ms=abc").startswith("ERROR:4:")
    assert ctl("devserver-fault-list") == ""


def test_pct_fault_hits_only_a_share_of_requests(ctl, client, unique_set):
    key = ("test", unique_set, "p")
    client.put(key, {"a": 1})
    assert ctl("devserver-fault-error:op=read;code=14;pct=20") == "ok"
    failed = 0
    for _ in range(300):
        try:
            client.get(key, policy={"max_retries": 0})
        except ex.AerospikeError as e:
            assert e.code == 14
            failed += 1
    assert 0 < failed < 300
    assert ctl("devserver-fault-error:code=14;pct=0").startswith("ERROR:4:")
    assert ctl("devserver-fault-drop:pct=101").startswith("ERROR:4:")


def test_delayed_request_past_its_timeout_is_not_executed(ctl, client, unique_set):
    """As a server drops a transaction that outlived its timeout (thr_tsvc.c), a write the client
    gave up on never lands later (after the client's next writes)."""
    key = ("test", unique_set, "late")
    client.put(key, {"v": 1})
    assert ctl("devserver-fault-delay:op=write;ms=600;count=1") == "ok"
    with pytest.raises(ex.TimeoutError):
        client.put(key, {"v": 2}, policy={"total_timeout": 300, "socket_timeout": 300, "max_retries": 0})
    time.sleep(0.6)
    assert client.get(key)[2] == {"v": 1}


def test_hung_node_answers_nothing_until_started_but_keeps_its_sockets():
    import socket
    import struct

    with DevServer(nodes=3) as s:
        c = aerospike.client({"hosts": s.hosts[:1]}).connect()
        node1 = info(*s.hosts[1], "node")["node"]
        assert info(*s.hosts[0], f"devserver-node-hang:id={node1}")[f"devserver-node-hang:id={node1}"] == "ok"
        assert f":{s.hosts[1][1]}:hung" in info(*s.hosts[0], "devserver-nodes")["devserver-nodes"]
        # It accepts the connection and the request, and answers nothing (info included) ...
        sock = socket.create_connection(s.hosts[1], timeout=0.5)
        sock.sendall(struct.pack(">Q", (2 << 56) | (1 << 48) | 5) + b"node\n")
        with pytest.raises(socket.timeout):
            sock.recv(8)
        # ... except control commands, and answers what it held once started.
        assert info(*s.hosts[1], f"devserver-node-start:id={node1}")[f"devserver-node-start:id={node1}"] == "ok"
        sock.settimeout(5)
        assert sock.recv(8)
        sock.close()
        c.put(("test", "hang", 1), {"a": 1})
        c.close()
