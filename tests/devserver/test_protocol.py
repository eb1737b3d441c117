"""Raw-socket robustness: hostile frames get the server's treatment (reply or close), never a crash."""

from __future__ import annotations

import socket
import struct

import aerospike
import pytest

from servers import DevServer, info

pytestmark = pytest.mark.devserver_only


@pytest.fixture(scope="module")
def server():
    with DevServer(nodes=1, extra_args=["--nsup-off"]) as s:
        yield s


def closed_after(host, port, payload: bytes) -> bool:
    with socket.create_connection((host, port), timeout=5) as s:
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            return s.recv(1) == b""
        except OSError:  # reset, broken pipe or not connected: the server already closed it
            return True


@pytest.mark.parametrize(
    "payload",
    [
        struct.pack(">Q", (9 << 56) | (3 << 48) | 4) + b"abcd",  # bad version
        struct.pack(">Q", (2 << 56) | (77 << 48) | 4) + b"abcd",  # bad type
        struct.pack(">Q", (2 << 56) | (3 << 48) | (1 << 40)),  # oversized
        struct.pack(">Q", (2 << 56) | (3 << 48) | 30) + b"\x16" + b"\x00" * 10,  # truncated
        struct.pack(">Q", (2 << 56) | (3 << 48) | 22) + b"\x16" + b"\x00" * 19 + b"\xff\xff",  # fields missing
        struct.pack(">Q", (2 << 56) | (4 << 48) | 12) + b"\x00" * 8 + b"zzzz",  # bad compressed
    ],
)
def test_bad_frames_close_the_connection_and_server_survives(server, payload):
    host, port = server.hosts[0]
    assert closed_after(host, port, payload)
    assert info(host, port, "node")["node"]


def test_nsup_off_forbids_ttl_writes(server, unique_set):
    c = aerospike.client({"hosts": server.hosts}).connect()
    try:
        with pytest.raises(aerospike.exception.AerospikeError) as err:
            c.put(("test", unique_set, 1), {"a": 1}, meta={"ttl": 100})
        assert err.value.code == 22
        c.put(("test", unique_set, 1), {"a": 1}, meta={"ttl": aerospike.TTL_NEVER_EXPIRE})
    finally:
        c.close()


def test_unknown_info_command_answers_like_the_server(server):
    host, port = server.hosts[0]
    assert info(host, port, "no-such-thing")["no-such-thing"] == "ERROR:4:unrecognized command"
