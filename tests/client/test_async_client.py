"""Functional tests of the AsyncClient: every operation natively async, the loop never blocked."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from pathlib import Path

import pytest

import aerospike_py
from aerospike_py import exception
from aerospike_py import operations as ops


def test_connect_async_with_and_close(config, key):
    async def main():
        ac = aerospike_py.AsyncClient(config)
        assert not ac.is_connected()
        assert await ac.connect() is ac
        assert ac.is_connected()
        await ac.put(key, {"a": 1})
        await ac.close()
        assert not ac.is_connected()
        with pytest.raises(exception.ClusterError):
            await ac.get(key)
        async with aerospike_py.AsyncClient(config) as ac2:
            assert (await ac2.get(key))[2] == {"a": 1}
        assert not ac2.is_connected()

    asyncio.run(main())


def test_all_single_record_operations(run_async, key, ttl_forbidden):
    # A namespace without nsup refuses ttl > 0 (FORBIDDEN) but accepts "never expire" (rw_utils.h is_ttl_disallowed).
    ttl, lo = (aerospike_py.TTL_NEVER_EXPIRE, aerospike_py.TTL_NEVER_EXPIRE) if ttl_forbidden else (500, 490)

    async def body(ac):
        aw = ac.put(key, {"n": 1, "s": "b"})
        assert inspect.isawaitable(aw)
        assert await aw == 0  # writes answer 0, as the official client's do
        await ac.increment(key, "n", 2)
        await ac.append(key, "s", "c")
        await ac.prepend(key, "s", "a")
        await ac.touch(key, ttl)
        _, meta, bins = await ac.get(key)
        assert bins == {"n": 3, "s": "abc"} and lo <= meta["ttl"] <= ttl
        assert (await ac.select(key, ["s"]))[2] == {"s": "abc"}
        assert (await ac.exists(key))[1]["gen"] == meta["gen"]
        _, _, got = await ac.operate(key, [ops.increment("n", 1), ops.read("n")])
        assert got == {"n": 4}
        await ac.remove(key)
        assert (await ac.exists(key))[1] is None
        with pytest.raises(exception.RecordNotFound):
            await ac.get(key)

    run_async(body)


def test_batches_and_query(run_async, keys, namespace, unique_set):
    async def body(ac):
        await asyncio.gather(*(ac.put(k, {"i": i}) for i, k in enumerate(keys[:3])))
        res = await ac.batch_read(keys)
        assert [r.result for r in res.batch_records] == [0, 0, 0, 2, 2]
        res = await ac.batch_operate(keys[:3], [ops.increment("i", 10), ops.read("i")])
        assert [r.record[2]["i"] for r in res.batch_records] == [10, 11, 12]
        recs = await ac.query(namespace, unique_set).results()
        assert sorted(r[2]["i"] for r in recs) == [10, 11, 12]
        seen = []
        await ac.query(namespace, unique_set).foreach(lambda r: seen.append(r[2]["i"]))
        assert sorted(seen) == [10, 11, 12]
        it = []
        async for r in ac.query(namespace, unique_set).select("i"):
            it.append(r[2]["i"])
        assert sorted(it) == [10, 11, 12]
        rem = await ac.batch_remove(keys[:4])
        assert [r.result for r in rem.batch_records] == [0, 0, 0, 2]

    run_async(body)


def test_query_results_longer_than_one_chunk(run_async, namespace, unique_set):
    """Records reach the list in chunks converted on the loop while the rest is read: every record
    of a result set spanning several chunks arrives once, with its key and bins, and concurrent
    queries of the same set do not mix their lists."""

    async def body(ac):
        n = 1000
        await asyncio.gather(*(ac.put((namespace, unique_set, i), {"i": i, "s": str(i)}) for i in range(n)))
        first, second = await asyncio.gather(
            ac.query(namespace, unique_set).results(), ac.query(namespace, unique_set).select("i").results()
        )
        assert sorted(r[2]["i"] for r in first) == list(range(n))
        assert all(r[2]["s"] == str(r[2]["i"]) and r[0][2] in (None, r[2]["i"]) for r in first)
        assert sorted(r[2]["i"] for r in second) == list(range(n))
        assert all(set(r[2]) == {"i"} for r in second)

    run_async(body)


def test_event_loop_keeps_running_during_io(run_async, keys):
    """A ticker task must keep ticking while hundreds of operations are in flight."""

    async def body(ac):
        ticks = 0
        stop = False

        async def ticker():
            nonlocal ticks
            while not stop:
                ticks += 1
                await asyncio.sleep(0)

        t = asyncio.create_task(ticker())
        await asyncio.gather(*(ac.put((k[0], k[1], f"c{i}"), {"i": i}) for i in range(300) for k in keys[:1]))
        got = await asyncio.gather(*(ac.get((keys[0][0], keys[0][1], f"c{i}")) for i in range(300)))
        stop = True
        await t
        assert [g[2]["i"] for g in got] == list(range(300))
        assert ticks > 10

    run_async(body)


def test_errors_on_await_and_bad_input_at_call(run_async, key):
    async def body(ac):
        with pytest.raises(exception.ParamError):
            ac.put(("ns-only",), {"a": 1})  # bad input raises at call time, nothing is sent
        with pytest.raises(exception.RecordExistsError):
            await ac.put(key, {"a": 1})
            await ac.put(key, {"a": 1}, policy={"exists": aerospike_py.POLICY_EXISTS_CREATE})

    run_async(body)


def test_no_thread_offloading_in_python_package():
    pkg = Path(aerospike_py.__file__).parent
    for f in pkg.glob("*.py"):
        text = f.read_text()
        assert "to_thread" not in text and "run_in_executor" not in text, f


def test_awaitables_behave_like_asyncio_futures(run_async, key):
    """Resolution runs the awaiting task and any done callbacks in their own contexts; a callback's
    exception goes to the loop's exception handler and the other operations still complete."""
    var = contextvars.ContextVar("var", default="unset")

    async def body(ac):
        await ac.put(key, {"a": 1})
        loop = asyncio.get_running_loop()
        reported = []
        loop.set_exception_handler(lambda _loop, ctx: reported.append(ctx))

        async def lane(i):
            var.set(i)
            task = asyncio.current_task()
            for _ in range(5):
                assert (await ac.get(key))[2] == {"a": 1}
                assert var.get() == i and asyncio.current_task() is task
            return i

        assert await asyncio.gather(*(lane(i) for i in range(50))) == list(range(50))
        assert var.get() == "unset"

        seen = []
        fut = ac.exists(key)
        var.set("callback")
        fut.add_done_callback(lambda f: seen.append((f.result()[1]["gen"], var.get())))
        var.set("after")

        def boom(_f):
            raise ValueError("boom")

        bad = ac.exists(key)
        bad.add_done_callback(boom)
        others = [ac.get(key) for _ in range(20)]
        await asyncio.gather(fut, bad, *others)
        await asyncio.sleep(0)
        assert seen == [(1, "callback")]
        assert [type(c["exception"]) for c in reported] == [ValueError]
        assert all(o.result()[2] == {"a": 1} for o in others)
        assert (await asyncio.wait_for(ac.get(key), timeout=5))[2] == {"a": 1}

    run_async(body)


def test_system_exit_in_a_callback_stops_the_loop_and_leaves_nothing_unresolved(config, key):
    loop = asyncio.new_event_loop()
    try:
        ac = aerospike_py.AsyncClient(config)

        async def connect():
            await ac.connect()

        loop.run_until_complete(connect())
        futs = []

        async def start():
            futs.extend(ac.exists(key) for _ in range(30))

            def stop(_f):
                raise SystemExit(3)

            futs[0].add_done_callback(stop)
            await asyncio.gather(*futs)

        with pytest.raises(SystemExit):
            loop.run_until_complete(start())
        done, pending = loop.run_until_complete(asyncio.wait(futs, timeout=10))
        assert not pending and len(done) == 30

        async def close():
            await ac.close()

        loop.run_until_complete(close())
    finally:
        loop.close()
