"""Threads share one sync client; a forked child never hangs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import aerospike_py


def test_threads_share_one_client(client, namespace, unique_set):
    errors = []

    def worker(t):
        try:
            for i in range(100):
                k = (namespace, unique_set, f"t{t}-{i}")
                client.put(k, {"t": t, "i": i})
                assert client.get(k)[2] == {"t": t, "i": i}
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors
    assert not any(th.is_alive() for th in threads)


def test_gil_released_during_io(client, key):
    """Another Python thread keeps running while this one waits on the server."""
    client.put(key, {"a": 1})
    count = 0
    stop = threading.Event()

    def spin():
        nonlocal count
        while not stop.is_set():
            count += 1

    th = threading.Thread(target=spin)
    th.start()
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < 0.5:
        client.get(key)
        n += 1
    stop.set()
    th.join()
    assert n > 10 and count > 1000


FORK_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import aerospike_py
    from aerospike_py import exception
    hosts = [(h, int(p)) for h, p in (x.split(":") for x in sys.argv[1].split(","))]
    ns, set_name = sys.argv[2], sys.argv[3]
    parent = aerospike_py.client({"hosts": hosts}).connect()
    parent.put((ns, set_name, "before"), {"a": 1})
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            try:
                parent.get((ns, set_name, "before"))
                print("inherited client worked")
            except exception.ClientError as e:
                print("inherited client raised", type(e).__name__)
            child = aerospike_py.client({"hosts": hosts}).connect()
            child.put((ns, set_name, "child"), {"c": 2})
            assert child.get((ns, set_name, "before"))[2] == {"a": 1}
            child.close()
            print("child ok")
        except BaseException as e:
            print("child failed", repr(e))
            code = 1
        sys.stdout.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    assert parent.get((ns, set_name, "child"))[2] == {"c": 2}
    parent.close()
    print("parent ok")
    """
)


def test_fork_after_use_never_hangs(aerospike_hosts, namespace, unique_set, tmp_path: Path):
    script = tmp_path / "fork_check.py"
    script.write_text(FORK_SCRIPT)
    hosts = ",".join(f"{h}:{p}" for h, p in aerospike_hosts)
    proc = subprocess.run(
        [sys.executable, str(script), hosts, namespace, unique_set], capture_output=True, text=True, timeout=60
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "child ok" in out and "parent ok" in out
    assert "inherited client raised ClientError" in out or "inherited client worked" in out


def test_multiprocessing_fork_pool(aerospike_hosts, namespace, unique_set):
    import multiprocessing as mp

    with mp.get_context("fork").Pool(2) as pool:
        res = pool.starmap_async(_child_put_get, [(list(aerospike_hosts), namespace, unique_set, i) for i in range(4)])
        assert res.get(timeout=60) == [0, 1, 2, 3]


def _child_put_get(hosts, ns, set_name, i):
    with aerospike_py.client({"hosts": hosts}).connect() as c:
        k = (ns, set_name, f"mp{i}")
        c.put(k, {"i": i})
        return c.get(k)[2]["i"]


EXIT_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    import aerospike_py
    hosts = [(h, int(p)) for h, p in (x.split(":") for x in sys.argv[1].split(","))]
    k = (sys.argv[2], sys.argv[3], "exit")
    with aerospike_py.client({"hosts": hosts}).connect() as c:
        c.put(k, {"v": 1})
        c.batch_read([k])
    async def main():
        async with aerospike_py.AsyncClient({"hosts": hosts}) as ac:
            await ac.batch_read([k])
            await asyncio.gather(*(ac.get(k) for _ in range(20)))
    asyncio.run(main())
    leftover = aerospike_py.client({"hosts": hosts}).connect()  # never closed: exit must still be clean
    leftover.get(k)
    print("done")
    """
)


def test_interpreter_exit_is_clean(aerospike_hosts, namespace, unique_set, tmp_path: Path):
    """Runtime threads are stopped at exit; none may take the GIL while Python finalizes
    (that crashed the process now and then before the atexit shutdown)."""
    script = tmp_path / "exit_check.py"
    script.write_text(EXIT_SCRIPT)
    hosts = ",".join(f"{h}:{p}" for h, p in aerospike_hosts)
    for _ in range(10):
        proc = subprocess.run(
            [sys.executable, str(script), hosts, namespace, unique_set], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0 and "done" in proc.stdout, (proc.returncode, proc.stderr[-2000:])
