"""Fixtures for the client tests: a connected sync client, an async runner, fresh keys."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

import pytest

import aerospike_py


@pytest.fixture(scope="session")
def config(aerospike_hosts) -> dict[str, Any]:
    return {"hosts": list(aerospike_hosts)}


@pytest.fixture(scope="session")
def client(config):
    c = aerospike_py.client(config).connect()
    yield c
    c.close()


@pytest.fixture(scope="session")
def devserver_client(devserver_hosts):
    """A client of the dev server that fault-injection tests drive (see devserver_hosts)."""
    c = aerospike_py.client({"hosts": list(devserver_hosts)}).connect()
    yield c
    c.close()


@pytest.fixture
def key(namespace, unique_set):
    return (namespace, unique_set, "k1")


@pytest.fixture
def keys(namespace, unique_set):
    return [(namespace, unique_set, f"k{i}") for i in range(5)]


@pytest.fixture
def run_async(config) -> Callable[[Callable[[aerospike_py.AsyncClient], Awaitable[Any]]], Any]:
    """run_async(fn): runs `await fn(client)` with a fresh connected AsyncClient in a new loop."""

    def runner(fn):
        async def main():
            async with aerospike_py.AsyncClient(config) as ac:
                return await fn(ac)

        return asyncio.run(main())

    return runner
