"""Suite-level fixtures: a server for every test (dev server, or AEROSPIKE_HOSTS), unique set names."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import DevServer, real_cluster_hosts, ttl_writes_forbidden  # noqa: E402

# AEROSPIKE_PY_LOOP=uvloop runs every asyncio.run / new_event_loop of the suite on uvloop (make reliability
# runs the async client tests that way; tests/reliability/test_event_loops.py runs both loops side by side).
if os.environ.get("AEROSPIKE_PY_LOOP") == "uvloop":
    import asyncio

    import uvloop

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())

# tests/dist checks what `make wheel` and `make docs` build: `make check-dist` builds them and runs it
# (`pytest tests/dist`); `pytest tests` leaves it out.
collect_ignore = ["dist"]


def pytest_collection_modifyitems(config, items):
    if real_cluster_hosts() is None:
        return
    skip = pytest.mark.skip(reason="needs the dev server's control commands; AEROSPIKE_HOSTS is set")
    for item in items:
        # Only a test that sends dev server commands to the server under test needs that to be a dev
        # server; the others start the dev servers they test, with AEROSPIKE_HOSTS set or not.
        if "devserver_only" in item.keywords and "aerospike_hosts" in item.fixturenames:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def aerospike_hosts():
    """[(host, port), ...] of the server every test talks to."""
    hosts = real_cluster_hosts()
    if hosts is not None:
        yield hosts
        return
    with DevServer(nodes=1) as server:
        yield server.hosts


@pytest.fixture(scope="session")
def devserver_hosts(request):
    """A dev server for tests that drive it with its control commands (faults): the suite's own, or,
    when AEROSPIKE_HOSTS names another server, one started for them."""
    if real_cluster_hosts() is None:
        yield request.getfixturevalue("aerospike_hosts")
        return
    with DevServer(nodes=1) as server:
        yield server.hosts


@pytest.fixture(scope="session")
def aerospike_cluster():
    """A 3-node dev server cluster (started whether or not AEROSPIKE_HOSTS names another server)."""
    with DevServer(nodes=3) as server:
        yield server


@pytest.fixture
def namespace() -> str:
    return "test"


@pytest.fixture
def unique_set() -> str:
    """A set name no other test uses, so tests never see each other's records.

    A real server never forgets a set name until it restarts and holds at most 4095 per namespace
    (datamodel.h AS_SET_MAX_COUNT; namespace.c: "at sets limit" -> writes to a new set fail with
    PARAMETER). One suite run makes several hundred, so give a long-lived server a restart (or a fresh
    container) every few runs."""
    return "t_" + uuid.uuid4().hex[:12]


@pytest.fixture(scope="session")
def ttl_forbidden(aerospike_hosts) -> bool:
    """Whether the server's `test` namespace refuses writes with a ttl (see servers.ttl_writes_forbidden)."""
    return ttl_writes_forbidden(*aerospike_hosts[0], "test")


@pytest.fixture
def ttl_writes(ttl_forbidden):
    """For tests that write a positive ttl: skipped when the namespace runs without nsup (a real server
    started from the packaged aerospike.conf answers such writes with FORBIDDEN 22; the tests named
    *ttl_write_forbidden* check that answer instead)."""
    if ttl_forbidden:
        pytest.skip("namespace has nsup-period 0 and not allow-ttl-without-nsup: ttl writes are FORBIDDEN")
