"""Raw-socket robustness: hostile frames get the server's treatment (reply or close), never a crash."""

from __future__ import annotations

import socket
import struct

import aerospike
import pytest

from servers import DevServer, info, ttl_writes_forbidden

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
        struct.pack(">Q", (2 << 56) | (3 << 48) | 30) + b"\x16" + b"\x00" * 10,  # truncated frame
    ],
)
def test_bad_frames_close_the_connection_and_server_survives(server, payload):
    host, port = server.hosts[0]
    assert closed_after(host, port, payload)
    assert info(host, port, "node")["node"]


def reply_code(sock) -> int:
    header = _recv(sock, 8)
    size = struct.unpack(">Q", header)[0] & 0xFFFFFFFFFFFF
    body = _recv(sock, size)
    return body[5]


def _recv(sock, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        assert chunk, "connection closed"
        buf += chunk
    return buf


@pytest.mark.parametrize(
    "payload, code",
    [
        # as_transaction_prepare fails: ops announced but missing -> PARAMETER, connection kept.
        (struct.pack(">Q", (2 << 56) | (3 << 48) | 22) + b"\x16" + b"\x00" * 19 + b"\xff\xff", 4),
        # Community Edition cannot uncompress requests -> ENTERPRISE_ONLY.
        (struct.pack(">Q", (2 << 56) | (4 << 48) | 12) + b"\x00" * 8 + b"zzzz", 25),
    ],
)
def test_malformed_messages_get_the_servers_error_reply(server, payload, code):
    host, port = server.hosts[0]
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(payload)
        assert reply_code(s) == code
        # The connection is still usable.
        body = b"node\n"
        s.sendall(struct.pack(">Q", (2 << 56) | (1 << 48) | len(body)) + body)
        header = _recv(s, 8)
        answer = _recv(s, struct.unpack(">Q", header)[0] & 0xFFFFFFFFFFFF)
        assert answer.startswith(b"node\t")


def test_random_messages_never_break_the_server(server):
    """Valid frame headers around random AS_MSG bodies: every one is answered or the connection is
    closed; afterwards the server still serves data commands."""
    import random

    rng = random.Random(1234)
    host, port = server.hosts[0]
    for _ in range(300):
        n_fields, n_ops = rng.randrange(4), rng.randrange(4)
        body = bytes([22, rng.randrange(256), rng.randrange(256), rng.randrange(256), 0, 0])
        body += bytes(rng.randrange(256) for _ in range(12)) + struct.pack(">HH", n_fields, n_ops)
        body += bytes(rng.randrange(256) for _ in range(rng.randrange(60)))
        kind = rng.choice([1, 3, 3, 3, 4])
        frame = struct.pack(">Q", (2 << 56) | (kind << 48) | len(body)) + body
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(frame)
            try:
                s.recv(65536)
            except OSError:
                pass
    c = aerospike.client({"hosts": server.hosts}).connect()
    try:
        c.put(("test", "after_fuzz", 1), {"a": 1})
        assert c.get(("test", "after_fuzz", 1))[2] == {"a": 1}
    finally:
        c.close()


def test_nsup_off_forbids_ttl_writes(server, unique_set):
    assert ttl_writes_forbidden(*server.hosts[0])  # what the suite's `ttl_writes` fixture checks
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
