"""Small helpers shared by the compatibility tests (no server knowledge here)."""

from __future__ import annotations

import time

import aerospike


def wait_until(predicate, timeout=10.0, interval=0.05):
    """Poll predicate() until it returns something truthy or timeout passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def parse_kv(text: str, sep: str = ";") -> dict[str, str]:
    """'a=1;b=2' -> {'a': '1', 'b': '2'} (info answers)."""
    out = {}
    for part in text.strip().split(sep):
        name, eq, value = part.partition("=")
        if eq:
            out[name.strip()] = value.strip()
    return out


def info_value(answer: str) -> str:
    """Strip the echoed 'command<TAB>' that info_single_node / info_random_node keep."""
    return answer.split("\t", 1)[1] if "\t" in answer else answer


def connect(hosts) -> aerospike.Client:
    """An official client connected through the given seed hosts."""
    config = {"hosts": [tuple(h) for h in hosts], "connect_timeout": 5000}
    c = aerospike.client(config)
    if not c.is_connected():
        c.connect()
    return c
