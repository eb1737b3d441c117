"""The async client's runtime (src/loop_runtime.rs): event loops with operations in flight drive
it themselves ("pump"), a helper thread drives it otherwise. These tests pin what that design must
not break: a slow server does not keep the loop spinning, loops on several threads share the
runtime, and a loop closed with operations in flight does not stall the others. The dev server's
fault injection makes replies slow."""

from __future__ import annotations

import asyncio
import threading
import time

import aerospike_py
from servers import info


def test_slow_replies_do_not_keep_the_loop_spinning(devserver_hosts, namespace, unique_set):
    host, port = devserver_hosts[0]
    keys = [(namespace, unique_set, f"s{i}") for i in range(12)]

    async def main():
        async with aerospike_py.AsyncClient({"hosts": list(devserver_hosts)}) as ac:
            for i, k in enumerate(keys):
                await ac.put(k, {"i": i})
            assert info(host, port, f"devserver-fault-delay:ms=40;op=read;count={len(keys)}")
            try:
                wall, cpu = time.monotonic(), time.thread_time()
                got = [await ac.get(k) for k in keys]   # one at a time, each 40 ms late
                wall, cpu = time.monotonic() - wall, time.thread_time() - cpu
            finally:
                info(host, port, "devserver-fault-clear")
            assert [r[2] for r in got] == [{"i": i} for i in range(len(keys))]
            return wall, cpu

    wall, cpu = asyncio.run(main())
    assert wall >= 0.4
    # A loop spinning on the runtime while each reply is late would use about `wall` of CPU; it
    # waits in its selector instead (the helper thread sleeps in epoll_wait meanwhile).
    assert cpu < wall / 4, (wall, cpu)


def test_event_loops_on_several_threads_share_the_runtime(config, namespace, unique_set):
    keys = [(namespace, unique_set, f"t{i}") for i in range(50)]
    results: dict[int, list] = {}

    async def lane(n):
        async with aerospike_py.AsyncClient(config) as ac:
            sem = asyncio.Semaphore(16)

            async def one(i, k):
                async with sem:
                    await ac.put(k, {"t": n, "i": i})
                    return (await ac.select(k, ["i"]))[2]

            return await asyncio.gather(*(one(i, k) for i, k in enumerate(keys) for _ in range(4)))

    def worker(n):
        results[n] = asyncio.run(lane(n))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    for n in range(4):
        assert results[n] == [{"i": i} for i in range(len(keys)) for _ in range(4)]


def test_a_loop_closed_while_it_drives_the_runtime_does_not_stall_others(devserver_hosts, namespace, unique_set):
    host, port = devserver_hosts[0]
    config = {"hosts": list(devserver_hosts)}
    keys = [(namespace, unique_set, f"c{i}") for i in range(8)]
    closed, done = threading.Event(), threading.Event()

    def abandon():
        # A loop stopped and closed right after it started many operations: it was driving the
        # runtime for them and never runs again.
        async def start():
            ac = await aerospike_py.AsyncClient(config).connect()
            return ac, [asyncio.ensure_future(ac.get(k)) for k in keys * 25]

        loop = asyncio.new_event_loop()
        ac, pending = loop.run_until_complete(start())
        for t in pending:
            t.cancel()
        loop.close()
        closed.set()
        done.wait(30)   # the thread (and what it holds) stays alive while the others run

    async def use():
        async with aerospike_py.AsyncClient(config) as ac:
            for i, k in enumerate(keys):
                await ac.put(k, {"i": i})
            # Slow replies: this loop soon stops spinning and relies on the runtime being driven.
            assert info(host, port, "devserver-fault-delay:ms=20;op=read;count=8")
            got = await asyncio.gather(*(ac.get(k) for k in keys))
            return [r[2] for r in got]

    async def others():
        return await asyncio.wait_for(use(), 10)

    t = threading.Thread(target=abandon)
    t.start()
    try:
        assert closed.wait(10)
        assert asyncio.run(others()) == [{"i": i} for i in range(len(keys))]
    finally:
        info(host, port, "devserver-fault-clear")
        done.set()
        t.join(30)
