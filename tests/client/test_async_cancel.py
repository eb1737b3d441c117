"""Cancelling an awaited AsyncClient operation: the await ends at once, the Rust operation is
aborted (its connection is dropped instead of waiting for the reply), and the client stays usable.
The dev server's fault injection delays the operations so that they are surely in flight."""

from __future__ import annotations

import asyncio

import pytest

import aerospike_py
from aerospike_py import exception
from servers import info

DELAY_MS = 1200


def closed_connections(host: str, port: int) -> int:
    stats = info(host, port, "statistics")["statistics"]
    fields = dict(kv.split("=", 1) for kv in stats.split(";") if "=" in kv)
    return int(fields["client_connections_closed"])


def test_cancelled_puts_are_aborted_and_client_stays_usable(devserver_hosts, namespace, unique_set):
    host, port = devserver_hosts[0]
    config = {"hosts": list(devserver_hosts)}
    n = 10
    keys = [(namespace, unique_set, f"c{i}") for i in range(n)]

    async def main():
        async with aerospike_py.AsyncClient(config) as ac:
            await ac.put((namespace, unique_set, "warm"), {"a": 0})
            before = closed_connections(host, port)
            assert info(host, port, f"devserver-fault-delay:ms={DELAY_MS};op=write;count={n}")
            try:
                async def put(k, bins):
                    # Timeouts beyond the delay: only the abort can end these operations early.
                    await ac.put(k, bins, policy={"total_timeout": 10_000, "socket_timeout": 10_000})

                tasks = [asyncio.create_task(put(k, {"a": i})) for i, k in enumerate(keys)]
                await asyncio.sleep(0.2)  # sent, and waiting for the delayed replies
                assert not any(t.done() for t in tasks)
                for t in tasks:
                    t.cancel()
                loop = asyncio.get_running_loop()
                t0 = loop.time()
                results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 1.0)
                assert all(isinstance(r, asyncio.CancelledError) for r in results), results
                assert loop.time() - t0 < 0.5  # the awaits end without waiting for the server
                # Meanwhile the client serves other calls on fresh connections.
                await asyncio.wait_for(ac.get((namespace, unique_set, "warm")), 1.0)
                # After the server's delay: each aborted operation's connection was closed (an
                # operation left running would have read its reply and kept its connection).
                await asyncio.sleep(DELAY_MS / 1000)
                deadline = loop.time() + 5
                while closed_connections(host, port) - before < n and loop.time() < deadline:
                    await asyncio.sleep(0.1)
            finally:
                info(host, port, "devserver-fault-clear")
            assert closed_connections(host, port) - before >= n
            # Each cancelled put either landed or not; the client reads and writes them all.
            for i, k in enumerate(keys):
                try:
                    _, _, bins = await asyncio.wait_for(ac.get(k), 2.0)
                    assert bins == {"a": i}
                except exception.RecordNotFound:
                    pass
            await asyncio.wait_for(asyncio.gather(*(ac.put(k, {"a": -1}) for k in keys)), 2.0)
            got = await asyncio.wait_for(asyncio.gather(*(ac.get(k) for k in keys)), 2.0)
            assert [g[2] for g in got] == [{"a": -1}] * n

    asyncio.run(main())


def test_future_cancelled_before_it_is_sent_never_hangs(config, namespace, unique_set):
    key = (namespace, unique_set, "early")

    async def main():
        async with aerospike_py.AsyncClient(config) as ac:
            fut = ac.put(key, {"a": 1})
            assert fut.cancel()  # before the loop ran again: not sent yet
            with pytest.raises(asyncio.CancelledError):
                await fut
            await asyncio.sleep(0.3)  # the sweep has looked at it by now
            try:  # it was sent with the next batch, or aborted: landed or not, nothing between
                assert (await asyncio.wait_for(ac.get(key), 2.0))[2] == {"a": 1}
            except exception.RecordNotFound:
                pass
            await asyncio.wait_for(ac.put(key, {"a": 2}), 2.0)
            assert (await ac.get(key))[2] == {"a": 2}

    asyncio.run(main())


def test_many_cancellations_leave_no_operation_behind(config, namespace, unique_set):
    """Operations cancelled at every stage: none hangs, later calls all complete."""

    async def main():
        async with aerospike_py.AsyncClient(config) as ac:
            for round_ in range(5):
                futs = [ac.put((namespace, unique_set, f"m{i}"), {"r": round_}) for i in range(200)]
                for f in futs[::3]:
                    f.cancel()
                await asyncio.sleep(0)
                for f in futs[1::3]:
                    f.cancel()
                done = await asyncio.wait_for(asyncio.gather(*futs, return_exceptions=True), 5.0)
                assert all(r == 0 or isinstance(r, asyncio.CancelledError) for r in done)
            got = await asyncio.wait_for(
                asyncio.gather(*(ac.get((namespace, unique_set, f"m{i}")) for i in range(2, 200, 3))), 5.0
            )
            assert all(g[2] == {"r": 4} for g in got)

    asyncio.run(main())
