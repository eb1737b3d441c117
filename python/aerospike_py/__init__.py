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
    calc_digest,
    get_metrics,
    init_metrics,
    init_tracing,
    set_metrics_enabled,
    shutdown_metrics,
    shutdown_tracing,
)
from aerospike_py._types import BatchRecord, BatchRecords
from aerospike_py import cdt_ctx, exception, expressions, list_operations, map_operations, operations, predicates
from aerospike_py.geospatial import GeoJSON, geodata, geojson

__all__ = [
    "AsyncClient",
    "AsyncQuery",
    "BatchRecord",
    "BatchRecords",
    "Client",
    "GeoJSON",
    "Query",
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
    "operations",
    "predicates",
    "set_metrics_enabled",
    "shutdown_metrics",
    "shutdown_tracing",
]


def client(config: dict[str, Any]) -> Client:
    """A new (not yet connected) sync client; call `.connect()`, which returns the client."""
    return Client(config)


# A forked child cannot use the parent's runtime threads: bump the fork epoch so new clients
# get a fresh runtime and inherited ones raise ClientError instead of hanging.
_os.register_at_fork(after_in_child=_aerospike._after_fork_in_child)
# Stop the runtime's threads before the interpreter finalizes: a thread taking the GIL during
# finalization would crash the process.
_atexit.register(_aerospike._shutdown)
