"""The sync client's own runtime (src/caller_runtime.rs): driven by its callers, tended while idle,
stopped with the client, shared safely by overlapping calls of every kind."""

from __future__ import annotations

import gc
import os
import threading
import time

import pytest
from servers import DevServer, info

import aerospike_py

RUNTIME_THREAD = "aerospike-sync"


def runtime_threads() -> set[int]:
    """Thread ids of the clients' runtime threads in this process."""
    tids = set()
    for t in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{t}/comm") as f:
                if f.read().strip() == RUNTIME_THREAD:
                    tids.add(int(t))
        except OSError:  # the thread exited while listed
            pass
    return tids


def alive_after(tids: set[int], expected: int, timeout: float = 5.0) -> int:
    """How many of `tids` are still running once `expected` are left (or at timeout)."""
    deadline = time.monotonic() + timeout
    while len(left := tids & runtime_threads()) != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return len(left)


def test_each_client_runs_one_runtime_thread_until_closed_or_dropped(config):
    # Compared by thread id: runtime threads of other tests' dropped clients may still be exiting.
    before = runtime_threads()
    closed = aerospike_py.client(config).connect()
    dropped = aerospike_py.client(config).connect()
    mine = runtime_threads() - before
    assert len(mine) == 2
    closed.close()
    assert alive_after(mine, 1) == 1
    dropped.exists(("test", "demo", "nothing"))
    del dropped
    gc.collect()
    assert alive_after(mine, 0) == 0


def test_a_failed_connect_leaves_no_runtime_thread():
    before = runtime_threads()
    c = aerospike_py.client({"hosts": [("127.0.0.1", 1)], "connect_timeout": 300})
    with pytest.raises(aerospike_py.exception.AerospikeError):
        c.connect()
    assert alive_after(runtime_threads() - before, 0) == 0


@pytest.mark.devserver_only
def test_an_idle_client_keeps_tending_its_cluster():
    """No call is running, yet the cluster is still tended (the runtime thread drives it)."""
    with DevServer(nodes=1) as server:
        host, port = server.hosts[0]

        def info_requests() -> int:
            stats = info(host, port, "statistics")["statistics"]
            return int(dict(kv.split("=", 1) for kv in stats.split(";") if "=" in kv)["info_complete"])

        c = aerospike_py.client({"hosts": [(host, port)], "tend_interval": 250}).connect()
        try:
            before = info_requests()
            time.sleep(1.5)
            after = info_requests()
        finally:
            c.close()
        # ~6 tend rounds of at least one info request each; our own statistics read adds one.
        assert after - before >= 4, (before, after)


def test_overlapping_calls_of_every_kind_from_many_threads(client, namespace, unique_set):
    """Single-record calls, batches and queries overlap on one client and all answer correctly."""
    keys = [(namespace, unique_set, i) for i in range(200)]
    for i, k in enumerate(keys):
        client.put(k, {"i": i})
    errors: list[BaseException] = []
    stop = time.monotonic() + 2.0

    def single(t: int) -> None:
        n = 0
        while time.monotonic() < stop:
            k = (namespace, unique_set, f"t{t}-{n}")
            client.put(k, {"t": t, "n": n})
            assert client.get(k)[2] == {"t": t, "n": n}
            n += 1

    def batch() -> None:
        while time.monotonic() < stop:
            got = client.batch_read(keys[:100])
            assert [r.record[2]["i"] for r in got.batch_records] == list(range(100))

    def query() -> None:
        while time.monotonic() < stop:
            rows = client.query(namespace, unique_set).results()
            assert set(range(200)) <= {bins["i"] for _, _, bins in rows if "i" in bins}

    def guarded(fn, *args):
        try:
            fn(*args)
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(single, t)) for t in range(6)]
    threads += [threading.Thread(target=guarded, args=(batch,)), threading.Thread(target=guarded, args=(query,))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not any(th.is_alive() for th in threads)
    assert not errors, errors[:3]
