"""Test servers: the dev server (started per session) or a real cluster named by AEROSPIKE_HOSTS.

Shared by every test package (compat, client, tracing, devserver). Nothing here knows the client.
"""

from __future__ import annotations

import base64
import os
import socket
import struct
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BIN = ROOT / "target" / "release" / "aerospike-devserver"


def parse_hosts(text: str) -> list[tuple[str, int]]:
    """"host:port[,host:port]" -> [(host, port), ...]."""
    hosts = []
    for part in text.split(","):
        host, _, port = part.strip().rpartition(":")
        hosts.append((host or "127.0.0.1", int(port or 3000)))
    return hosts


def real_cluster_hosts() -> list[tuple[str, int]] | None:
    """Hosts from AEROSPIKE_HOSTS=host:port[,host:port], or None when unset."""
    raw = os.environ.get("AEROSPIKE_HOSTS", "").strip()
    return parse_hosts(raw) if raw else None


def _free_port_run(count: int) -> int:
    """A base port such that base..base+count-1 are all free on loopback."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + count >= 65535:
            continue
        ok = True
        for p in range(base, base + count):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no run of free ports found")


def info(host: str, port: int, *commands: str, timeout: float = 5.0) -> dict[str, str]:
    """Send info commands over the raw info protocol; return {command: answer}."""
    body = "".join(c + "\n" for c in commands).encode()
    header = struct.pack(">Q", (2 << 56) | (1 << 48) | len(body))
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(header + body)
        (proto,) = struct.unpack(">Q", _recv_exact(s, 8))
        payload = _recv_exact(s, proto & 0xFFFFFFFFFFFF).decode()
    out = {}
    for line in payload.split("\n"):
        if not line:
            continue
        name, _, value = line.partition("\t")
        out[name] = value
    return out


def namespace_config(host: str, port: int, namespace: str = "test") -> dict[str, str]:
    """The `namespace/<ns>` info answer (statistics and configuration) as a dict."""
    text = info(host, port, f"namespace/{namespace}")[f"namespace/{namespace}"]
    return dict(kv.split("=", 1) for kv in text.split(";") if "=" in kv)


def ttl_writes_forbidden(host: str, port: int, namespace: str = "test") -> bool:
    """True when the namespace refuses writes with a positive ttl (FORBIDDEN, 22).

    Real server, as/include/transaction/rw_utils.h is_ttl_disallowed(): a ttl > 0 is refused while
    nsup-period is 0 unless allow-ttl-without-nsup is true. nsup-period defaults to 0 and the packaged
    as/etc/aerospike.conf sets neither, so a server started from it refuses every ttl write (the
    Docker image's template sets nsup-period 120 and default-ttl 30d, and allows them)."""
    cfg = namespace_config(host, port, namespace)
    return cfg.get("nsup-period", "0") == "0" and cfg.get("allow-ttl-without-nsup", "false") != "true"


# An ops.yaml example call that writes a positive ttl: ttl=N, 'ttl': N in meta, touch(KEY, N).
def case_writes_ttl(case: dict) -> bool:
    """Whether an ops.yaml example writes a ttl (`writes_ttl: true`), which a namespace without nsup refuses."""
    return bool(case.get("writes_ttl", False))


def partition_masters(hosts, namespace: str = "test", unique: bool = False) -> dict[int, tuple[str, int]]:
    """partition id -> (host, port) of its master, from each node's `replicas` answer.
    `unique` asserts that no two nodes claim the same partition."""
    owner: dict[int, tuple[str, int]] = {}
    for host, port in hosts:
        for entry in info(host, port, "replicas")["replicas"].split(";"):
            ns, _, rest = entry.partition(":")
            if ns != namespace:
                continue
            _regime, _n, master_b64, *_ = rest.split(",")
            bitmap = base64.b64decode(master_b64)
            for pid in range(4096):
                if bitmap[pid >> 3] & (0x80 >> (pid & 7)):
                    assert not (unique and pid in owner), f"partition {pid} has two masters"
                    owner[pid] = (host, port)
    return owner


def _recv_exact(s: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return bytes(buf)


class DevServer:
    """One dev server process with `nodes` nodes on consecutive loopback ports."""

    def __init__(self, nodes: int = 1, extra_args: list[str] | None = None):
        self.nodes = nodes
        self.extra_args = extra_args or []
        self.base_port = 0
        self.proc: subprocess.Popen | None = None

    @property
    def hosts(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", self.base_port + i) for i in range(self.nodes)]

    def start(self, timeout: float = 20.0) -> "DevServer":
        binary = Path(os.environ.get("AEROSPIKE_DEVSERVER_BIN", DEFAULT_BIN))
        if not binary.exists():
            raise RuntimeError(f"dev server binary not found at {binary}: run `make devserver`")
        self.base_port = _free_port_run(self.nodes)
        cmd = [str(binary), "--port", str(self.base_port), "--nodes", str(self.nodes), *self.extra_args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        pending = list(self.hosts)
        while pending:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"dev server exited with {self.proc.returncode}: {err}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("dev server did not start listening in time")
            try:
                info(*pending[0], "node", timeout=1.0)
                pending.pop(0)
            except OSError:
                time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> "DevServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
