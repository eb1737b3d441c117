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


def index_ready(client, namespace: str, name: str, timeout: float = 15.0) -> bool:
    """Wait until every node lists index `name` as readable.

    A real server fills a new secondary index in the background (sindex/sindex.c as_sindex_populate_add) and
    lists it as state=WO until done, state=RW once readable (as_sindex_list_str); a query on an index that is
    not yet readable fails or misses records."""

    def ready():
        for _, text in client.info_all(f"sindex-list:ns={namespace}").values():
            entries = [e for e in (text or "").strip().split(";") if f"indexname={name}:" in e + ":"]
            if not entries or ("state=" in entries[0] and "state=RW" not in entries[0]):
                return False
        return True

    return wait_until(ready, timeout=timeout)
