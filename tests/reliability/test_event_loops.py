"""Part 5: the AsyncClient on the default asyncio loop and on uvloop, the same tests on each; several
loops in several threads at once (a client each, and one client shared by all); asyncio.run called
repeatedly; a loop closed (or stopped and dropped) with operations in flight.

The whole async client suite also runs on uvloop: `AEROSPIKE_PY_LOOP=uvloop pytest tests/client -k async`
(tests/conftest.py installs uvloop's policy), which `make reliability` does."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading

import pytest

import aerospike_py
from aerospike_py import operations as ops

uvloop = pytest.importorskip("uvloop")

LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}


@pytest.fixture(params=sorted(LOOPS))
def new_loop(request):
    return LOOPS[request.param]


def run_on(new_loop, coro_fn):
    async def main():   # the awaitable is made with the loop running (connect() needs one)
        return await coro_fn()

    loop = new_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def test_every_kind_of_call(new_loop, aerospike_hosts, unique_set):
    async def main():
        async with aerospike_py.AsyncClient({"hosts": aerospike_hosts}) as ac:
            keys = [("test", unique_set, i) for i in range(20)]
            await asyncio.gather(*(ac.put(k, {"v": k[2]}) for k in keys))
            got = await asyncio.gather(*(ac.get(k) for k in keys))
            assert [r[2] for r in got] == [{"v": i} for i in range(20)]
            _, _, bins = await ac.operate(keys[0], [ops.increment("v", 5), ops.read("v")])
            assert bins == {"v": 5}
            batch = await ac.batch_read(keys)
            assert [r.record[2]["v"] for r in batch.batch_records] == [5] + list(range(1, 20))
            assert len(await ac.query("test", unique_set).results()) == 20
            n = 0
            async for _ in ac.query("test", unique_set):
                n += 1
            assert n == 20
            await ac.remove(keys[0])
            assert (await ac.exists(keys[0]))[1] is None
            return True

    assert run_on(new_loop, main)


def test_cancellation_leaves_the_client_usable(new_loop, aerospike_hosts, unique_set):
    async def main():
        async with aerospike_py.AsyncClient({"hosts": aerospike_hosts}) as ac:
            tasks = [asyncio.ensure_future(ac.put(("test", unique_set, i), {"v": i})) for i in range(500)]
            await asyncio.sleep(0)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await ac.put(("test", unique_set, "after"), {"v": 1})
            return (await ac.get(("test", unique_set, "after")))[2]

    assert run_on(new_loop, main) == {"v": 1}


@pytest.mark.parametrize("shared", [False, True], ids=["client-per-loop", "one-client"])
def test_several_loops_in_several_threads(aerospike_hosts, unique_set, shared):
    shared_client = aerospike_py.AsyncClient({"hosts": aerospike_hosts}) if shared else None
    if shared:
        run_on(asyncio.new_event_loop, shared_client.connect)
    results, errors = {}, []

    def thread(i, new_loop):
        async def main():
            ac = shared_client or aerospike_py.AsyncClient({"hosts": aerospike_hosts})
            if not shared:
                await ac.connect()
            try:
                keys = [("test", unique_set, f"{i}:{j}") for j in range(200)]
                await asyncio.gather(*(ac.put(k, {"t": i}) for k in keys))
                return sum(r[2]["t"] == i for r in await asyncio.gather(*(ac.get(k) for k in keys)))
            finally:
                if not shared:
                    await ac.close()

        try:
            results[i] = run_on(new_loop, main)
        except BaseException as e:   # reported below, in the test's thread
            errors.append(repr(e))

    ts = [threading.Thread(target=thread, args=(i, LOOPS[sorted(LOOPS)[i % 2]])) for i in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not any(t.is_alive() for t in ts), "a loop thread hung"
    assert not errors, errors
    assert results == {i: 200 for i in range(6)}
    if shared:
        run_on(asyncio.new_event_loop, shared_client.close)


def test_repeated_asyncio_run(new_loop, aerospike_hosts, unique_set):
    # One client reused across loops, and a fresh client per loop, 30 loops each.
    reused = aerospike_py.AsyncClient({"hosts": aerospike_hosts})
    run_on(new_loop, reused.connect)
    for i in range(30):
        async def main():
            await reused.put(("test", unique_set, i), {"v": i})
            async with aerospike_py.AsyncClient({"hosts": aerospike_hosts}) as fresh:
                return (await fresh.get(("test", unique_set, i)))[2]

        assert run_on(new_loop, main) == {"v": i}
    run_on(new_loop, reused.close)


CLOSED_LOOP = textwrap.dedent("""
    import asyncio, gc, json, sys, time
    import aerospike_py
    hosts = [tuple(h) for h in json.loads(sys.argv[1])]
    if sys.argv[2] == "uvloop":
        import uvloop; new_loop = uvloop.new_event_loop
    else:
        new_loop = asyncio.new_event_loop
    ac = aerospike_py.AsyncClient({"hosts": hosts})
    for how in ("stop", "close", "drop"):
        loop = new_loop()
        async def connect(): await ac.connect()
        loop.run_until_complete(connect())
        async def flood():
            futs = [asyncio.ensure_future(ac.put(("test", "relloop", i), {"v": i})) for i in range(2000)]
            await asyncio.sleep(0)
            if how == "stop":
                loop.stop()
            return futs
        try:
            futs = loop.run_until_complete(flood())
        except RuntimeError:
            pass   # stopped before completing
        if how != "drop":
            loop.close()        # with operations in flight
        del loop
        gc.collect()
        time.sleep(0.3)         # completions arrive for a loop that is gone
        ac = aerospike_py.AsyncClient({"hosts": hosts})
    # The process goes on: a new loop, a new client, and the sync client, all work.
    async def after():
        async with aerospike_py.AsyncClient({"hosts": hosts}) as c2:
            await c2.put(("test", "relloop", "ok"), {"v": 1})
            return (await c2.get(("test", "relloop", "ok")))[2]
    assert asyncio.run(after()) == {"v": 1}
    with aerospike_py.client({"hosts": hosts}).connect() as c:
        assert c.get(("test", "relloop", "ok"))[2] == {"v": 1}
    print("OK", flush=True)
""")


@pytest.mark.parametrize("loop_name", sorted(LOOPS))
def test_loop_closed_with_operations_in_flight(aerospike_hosts, loop_name):
    import json

    proc = subprocess.run([sys.executable, "-c", CLOSED_LOOP, json.dumps(aerospike_hosts), loop_name],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), proc.stderr[-3000:]
