"""Part 3 (server side): the dev server binary over real sockets, hit by malformed frames from several
threads (wrong versions, types and lengths, truncated and oversized bodies, AS_MSG headers whose
field and op counts lie, msgpack junk, half-sent frames left open) while a client keeps being served
on its own connections. Every one of the client's calls must succeed and the server must live.

    python tests/reliability/socket_fuzz.py [--frames N] [--seed S]
"""

from __future__ import annotations

import json
import random
import socket
import struct
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from servers import DevServer  # noqa: E402


def header(version: int, kind: int, length: int) -> bytes:
    return struct.pack(">Q", (version << 56) | (kind << 48) | (length & 0xFFFF_FFFF_FFFF))


def as_msg(rng: random.Random) -> bytes:
    """An AS_MSG body: a plausible 22-byte header, then fields and ops whose sizes may lie."""
    fields, ops = [], []
    for _ in range(rng.randint(0, 4)):
        data = rng.choice([b"test", b"set", rng.randbytes(20), rng.randbytes(rng.randint(0, 40))])
        size = len(data) + 1 if rng.random() < 0.8 else rng.choice([0, 1, 2**31, rng.randint(0, 100)])
        fields.append(struct.pack(">IB", size & 0xFFFFFFFF, rng.choice([0, 1, 2, 4, 21, 22, 43, rng.randint(0, 255)])) + data)
    for _ in range(rng.randint(0, 4)):
        name = rng.choice([b"a", b"", rng.randbytes(rng.randint(0, 20))])
        value = rng.choice([rng.randbytes(rng.randint(0, 30)), b"\x93\x01\x02\x03", b"\xdd\xff\xff\xff\xff",
                            b"\x91" * rng.randint(1, 2000), b"\xc1"])
        size = 4 + len(name) + len(value)
        if rng.random() < 0.2:
            size = rng.randint(0, 2**32 - 1)
        ops.append(struct.pack(">IBBBB", size, rng.randint(0, 20), rng.randint(0, 25), 0, len(name) & 0xFF) + name + value)
    n_fields = len(fields) if rng.random() < 0.8 else rng.randint(0, 65535)
    n_ops = len(ops) if rng.random() < 0.8 else rng.randint(0, 65535)
    hdr = struct.pack(">BBBBBBIIIHH", rng.choice([22, 22, 22, 0, 255]), rng.randint(0, 255), rng.randint(0, 255),
                      rng.randint(0, 255), 0, rng.choice([0, 0, 2, 14]), rng.randint(0, 5), 0, rng.randint(0, 1000),
                      n_fields, n_ops)
    return hdr + b"".join(fields) + b"".join(ops)


def hostile(rng: random.Random) -> tuple[bytes, bool]:
    """(bytes to send, whether to keep the connection open without finishing)."""
    body = rng.choice([as_msg(rng), rng.randbytes(rng.randint(0, 200)), b"node\nstatistics\n", b""])
    r = rng.random()
    if r < 0.5:
        frame = header(2, 3, len(body)) + body
    elif r < 0.6:
        frame = header(rng.choice([0, 1, 3, 255]), 3, len(body)) + body
    elif r < 0.7:
        frame = header(2, rng.choice([0, 1, 2, 4, 5, 6, 7, 255]), len(body)) + body
    elif r < 0.8:
        frame = header(2, 3, rng.choice([len(body) + rng.randint(1, 100), 2**47, 128 * 2**20 + 1])) + body
    elif r < 0.9:
        frame = (header(2, 3, len(body)) + body)[: rng.randint(1, 8 + len(body))]
    else:
        frame = rng.randbytes(rng.randint(1, 64))
    frames = frame * rng.choice([1, 1, 1, 3])
    return frames, rng.random() < 0.05


def run(frames: int = 3000, seed: int = 1, threads: int = 3) -> dict:
    import aerospike_py

    with DevServer(nodes=1) as server:
        host, port = server.hosts[0]
        stop = threading.Event()
        served = {"ok": 0, "failed": 0, "worst_s": 0.0, "errors": []}
        held: list[socket.socket] = []

        def client():
            with aerospike_py.client({"hosts": server.hosts}).connect() as c:
                i = 0
                while not stop.is_set():
                    t = time.monotonic()
                    try:
                        c.put(("test", "relfuzz", i % 50), {"i": i})
                        assert c.get(("test", "relfuzz", i % 50))[2] == {"i": i}
                        served["ok"] += 1
                    except Exception as e:   # any failure while the others fuzz is a finding
                        served["failed"] += 1
                        served["errors"].append(repr(e)[:200])
                    served["worst_s"] = max(served["worst_s"], time.monotonic() - t)
                    i += 1

        def fuzzer(k: int):
            rng = random.Random(seed * 1000 + k)
            for _ in range(frames // threads):
                data, hold = hostile(rng)
                try:
                    s = socket.create_connection((host, port), timeout=2)
                    s.sendall(data)
                    if hold:
                        held.append(s)   # half-sent frame left open (slow loris)
                        continue
                    s.shutdown(socket.SHUT_WR)
                    try:
                        while s.recv(65536):
                            pass
                    except OSError:
                        pass
                    s.close()
                except OSError:
                    pass

        t0 = time.monotonic()
        ct = threading.Thread(target=client, daemon=True)
        ct.start()
        fs = [threading.Thread(target=fuzzer, args=(k,)) for k in range(threads)]
        for f in fs:
            f.start()
        for f in fs:
            f.join()
        time.sleep(0.5)
        stop.set()
        ct.join(30)
        alive = server.proc.poll() is None
        for s in held:
            s.close()
        return {"frames": frames, "seconds": round(time.monotonic() - t0, 1), "server_alive": alive,
                "client_calls_ok": served["ok"], "client_calls_failed": served["failed"],
                "client_worst_ms": round(served["worst_s"] * 1000, 1), "held_open": len(held),
                "errors": served["errors"][:5]}


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=30_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    print(json.dumps(run(args.frames, args.seed)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
