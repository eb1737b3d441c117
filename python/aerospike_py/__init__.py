"""aerospike-py: Python client for Aerospike with a Rust core and built-in OpenTelemetry tracing and metrics.

    import aerospike_py
    client = aerospike_py.client({"hosts": [("127.0.0.1", 3000)]}).connect()
    client.put(("test", "demo", "k"), {"a": 1})
"""

from __future__ import annotations

import atexit as _atexit
import os as _os
from typing import Any

from aerospike_py import _aerospike
from aerospike_py._aerospike import *  # noqa: F403 - the constants of ops.yaml
from aerospike_py._aerospike import (
    AsyncClient,
    AsyncQuery,
    Client,
    Query,
    get_metrics,
    init_metrics,
    init_tracing,
    set_metrics_enabled,
    shutdown_metrics,
    shutdown_tracing,
    tracing_stats,
)
from aerospike_py._types import BatchRecord, BatchRecords
from aerospike_py._values import CDTInfinite, CDTWildcard, KeyOrderedDict, null
from aerospike_py._official_names import *  # noqa: F403 - names of the official module (see there)

# The official client's scan object: here a Query without a predicate (Client.scan returns one).
Scan = Query
from aerospike_py import cdt_ctx, exception, expressions, list_operations, map_operations, operations, predicates
from aerospike_py.geospatial import GeoJSON, geodata, geojson

__all__ = [
    "AsyncClient",
    "AsyncQuery",
    "BatchRecord",
    "BatchRecords",
    "CDTInfinite",
    "CDTWildcard",
    "KeyOrderedDict",
    "Client",
    "GeoJSON",
    "Query",
    "Scan",
    "calc_digest",
    "cdt_ctx",
    "client",
    "exception",
    "expressions",
    "geodata",
    "geojson",
    "get_metrics",
    "init_metrics",
    "init_tracing",
    "list_operations",
    "map_operations",
    "null",
    "operations",
    "predicates",
    "set_metrics_enabled",
    "shutdown_metrics",
    "shutdown_tracing",
    "tracing_stats",
]


_MISSING: Any = object()


def calc_digest(ns: str = _MISSING, set: str = _MISSING, key: Any = _MISSING) -> bytearray:  # noqa: A002
    """The 20-byte digest the server addresses the record (ns, set, key) by, as a bytearray.

    Errors as the official client's: TypeError naming a missing argument or the bad part."""
    for pos, (name, value) in enumerate((("ns", ns), ("set", set), ("key", key)), 1):
        if value is _MISSING:
            raise TypeError(f"calc_digest() missing required argument '{name}' (pos {pos})")
    if not isinstance(ns, str):
        raise TypeError("Namespace should be a string")
    if not isinstance(set, str):
        raise TypeError("Set should be a string or unicode")
    if isinstance(key, bool) or not isinstance(key, (str, int, bytes, bytearray)):
        raise TypeError("Key is invalid")
    return _aerospike.calc_digest(ns, set, key)


def client(config: dict[str, Any]) -> Client:
    """A new (not yet connected) sync client; call `.connect()`, which returns the client."""
    return Client(config)


# A forked child cannot use the parent's runtime threads: bump the fork epoch so new clients
# get a fresh runtime and inherited ones raise ClientError instead of hanging.
_os.register_at_fork(after_in_child=_aerospike._after_fork_in_child)
# Stop the runtime's threads before the interpreter finalizes: a thread taking the GIL during
# finalization would crash the process.
_atexit.register(_aerospike._shutdown)
