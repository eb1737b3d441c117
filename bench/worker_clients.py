"""How each Python contender performs the benchmark operations.

Imported only inside a worker process (bench/worker.py), which may run in a virtual environment
where `aerospike_py` is the legacy 0.14.4 package: nothing here imports a client at module level.
Each adapter turns a workload name into a callable `op(i)` (sync) or coroutine function (async),
and knows how to read its client's results for the pre-run sanity check.
"""

from __future__ import annotations

BATCH_SIZE = 100


class Spec:
    """The fields of a `run`/`check` request that choose what an operation touches."""

    def __init__(self, req: dict):
        self.workload = req["workload"]
        self.namespace = req["namespace"]
        self.set = req["set"]
        self.query_set = req.get("query_set", "")
        self.size = int(req.get("size", 100))
        self.keys = max(int(req.get("keys", 1000)), BATCH_SIZE + 1)


class Adapter:
    """Common shape of the three Python clients (all modelled on the official API)."""

    name = "?"

    def __init__(self, is_async: bool):
        self.is_async = is_async
        self.client = None

    # -- per-client hooks --------------------------------------------------------------------
    def version(self) -> str:
        raise NotImplementedError

    def connect(self, hosts):  # returns None, or an awaitable for async clients
        raise NotImplementedError

    def close(self):
        raise NotImplementedError

    def increment_ops(self):
        raise NotImplementedError

    def init_tracing(self) -> bool:
        raise ValueError(f"{self.name} has no built-in tracing")

    def shutdown_tracing(self) -> None:
        pass

    def batch_rows(self, result) -> list:
        """Per-key rows of a batch_read answer, materialised as Python objects."""
        return result.batch_records

    def batch_dict(self, result) -> dict:
        """{user key: bins} of a batch_read answer's found rows."""
        return {row.key[2]: row.record[2] for row in result.batch_records if row.record is not None}

    def row_found(self, row) -> bool:
        return row.record is not None

    def query_results(self, ns, set_):
        return self.client.query(ns, set_).results()

    # -- operations --------------------------------------------------------------------------
    def make_op(self, spec: Spec):
        """`op(i)` doing one operation of `spec.workload` on key i; returns the client's answer."""
        c = self.client
        keys = [(spec.namespace, spec.set, i) for i in range(spec.keys)]
        nkeys = spec.keys
        payload = b"x" * spec.size
        w = spec.workload
        if w == "put":
            return lambda i: c.put(keys[i % nkeys], {"v": payload, "n": i})
        if w == "get":
            return lambda i: c.get(keys[i % nkeys])
        if w == "select":
            bins = ["n"]
            return lambda i: c.select(keys[i % nkeys], bins)
        if w == "exists":
            return lambda i: c.exists(keys[i % nkeys])
        if w == "operate":
            ops = self.increment_ops()
            return lambda i: c.operate(keys[i % nkeys], ops)
        if w in ("batch_read", "batch_dict"):
            span = nkeys - BATCH_SIZE + 1
            # batch_read: the rows as the client answers them, (key, meta, bins) tuples;
            # batch_dict: what a caller then writes, {user key: bins} of the rows found.
            shape = self.batch_dict if w == "batch_dict" else self.batch_rows
            if self.is_async:
                async def batch(i):
                    start = (i * BATCH_SIZE) % span
                    return shape(await c.batch_read(keys[start:start + BATCH_SIZE]))
                return batch

            def batch_sync(i):
                start = (i * BATCH_SIZE) % span
                return shape(c.batch_read(keys[start:start + BATCH_SIZE]))
            return batch_sync
        if w == "query":
            return lambda i: self.query_results(spec.namespace, spec.query_set)
        raise ValueError(f"unknown workload {w!r}")


class Official(Adapter):
    """The official `aerospike` package (C client underneath), sync only."""

    name = "official"

    def version(self):
        from importlib.metadata import version
        return f"aerospike {version('aerospike')} (PyPI)"

    def connect(self, hosts):
        import aerospike
        self.client = aerospike.client({"hosts": hosts}).connect()

    def close(self):
        self.client.close()

    def increment_ops(self):
        from aerospike_helpers.operations import operations
        return [operations.increment("n", 1)]


class AerospikePyConnect:
    """connect/close shared by the two `aerospike_py` packages (ours and the PyPI one): same entry points."""

    def connect(self, hosts):
        import aerospike_py
        if self.is_async:
            self.client = aerospike_py.AsyncClient({"hosts": hosts})
            return self.client.connect()
        self.client = aerospike_py.client({"hosts": hosts}).connect()

    def close(self):
        return self.client.close()


class Ours(AerospikePyConnect, Adapter):
    """This repository's aerospike_py (Rust core): sync `client(...)` or `AsyncClient`."""

    name = "ours"

    def version(self):
        from importlib.metadata import version
        return f"aerospike-py {version('aerospike-py')} (this repo)"

    def increment_ops(self):
        from aerospike_py import operations
        return [operations.increment("n", 1)]

    def init_tracing(self) -> bool:
        import aerospike_py
        fn = getattr(aerospike_py, "init_tracing", None) or aerospike_py._aerospike.init_tracing
        return bool(fn())

    def shutdown_tracing(self) -> None:
        import aerospike_py
        (getattr(aerospike_py, "shutdown_tracing", None) or aerospike_py._aerospike.shutdown_tracing)()


class Legacy(AerospikePyConnect, Adapter):
    """The `aerospike-py` 0.14.4 package from PyPI (PyO3 over aerospike-core 2); own venv."""

    name = "legacy"

    def version(self):
        from importlib.metadata import version
        return f"aerospike-py {version('aerospike-py')} (PyPI)"

    def increment_ops(self):
        import aerospike_py
        return [{"op": aerospike_py.OPERATOR_INCR, "bin": "n", "val": 1}]

    def init_tracing(self) -> bool:
        # Its documented switch: init_tracing() reads OTEL_* (OTEL_EXPORTER_OTLP_ENDPOINT, ...)
        # and returns None; it logs (never raises) when it could not start an exporter.
        import aerospike_py
        return aerospike_py.init_tracing()

    def shutdown_tracing(self) -> None:
        import aerospike_py
        aerospike_py.shutdown_tracing()

    def batch_rows(self, result):
        # batch_read answers a lazy handle; .batch_records builds the Python rows the others build.
        return result.batch_records


class Native(Adapter):
    """`aerospike-native` from PyPI (Aerospike's own PyO3 client over aerospike-core 3); own venv.

    Its API is not the official client's: `Key` objects (made per operation, as a caller makes
    them; ours parses the key tuple per call), `*_blocking` methods for sync, awaitables for async.
    Its records convert their bins lazily on first access, so every answer's bins are touched:
    the same work the other clients do before they answer. It installs uvloop as the event loop
    policy on import unless AEROSPIKE_NO_UVLOOP=1, so it is imported before the worker makes its
    loop (`__init__`)."""

    name = "native"

    def __init__(self, is_async: bool):
        super().__init__(is_async)
        import aerospike_native  # noqa: F401 - installs uvloop (unless AEROSPIKE_NO_UVLOOP=1) before the loop exists

    def version(self):
        import asyncio
        from importlib.metadata import version
        loop = type(asyncio.get_event_loop_policy()).__module__.split(".")[0] if self.is_async else ""
        return f"aerospike-native {version('aerospike-native')} (PyPI)" + (f", loop: {loop}" if loop else "")

    def connect(self, hosts):
        import aerospike_native as an
        seeds = ",".join(f"{h}:{p}" for h, p in hosts)
        if self.is_async:
            async def go():
                self.client = await an.new_client(an.ClientPolicy(), seeds)
            return go()
        self.client = an.new_client_blocking(an.ClientPolicy(), seeds)

    def close(self):
        if self.is_async:
            return self.client.close()
        self.client.close_blocking()

    def row_found(self, row) -> bool:
        return row[0] is not None

    def make_op(self, spec: Spec):
        import aerospike_native as an
        c, Key = self.client, an.Key
        ns, set_, nkeys = spec.namespace, spec.set, spec.keys
        payload = b"x" * spec.size
        w = spec.workload
        a = self.is_async

        def bins_of(rec):
            return rec.bins  # converts them (lazy until first access)

        def rows_of(rows):
            # (bins or None, result code) per key, like the other clients' materialised rows.
            out = []
            for r in rows:
                rec = r.record
                out.append((rec.bins if rec is not None else None, r.result_code))
            return out

        if w == "put":
            if a:
                return lambda i: c.put(Key(ns, set_, i % nkeys), {"v": payload, "n": i})
            return lambda i: c.put_blocking(Key(ns, set_, i % nkeys), {"v": payload, "n": i})
        if w in ("get", "select"):
            sel = ["n"] if w == "select" else None
            if a:
                async def get(i):
                    rec = await c.get(Key(ns, set_, i % nkeys), sel)
                    return (None, None, bins_of(rec))
                return get
            return lambda i: (None, None, bins_of(c.get_blocking(Key(ns, set_, i % nkeys), sel)))
        if w == "exists":
            if a:
                async def exists(i):
                    return (None, True if await c.exists(Key(ns, set_, i % nkeys)) else None)
                return exists
            return lambda i: (None, True if c.exists_blocking(Key(ns, set_, i % nkeys)) else None)
        if w == "operate":
            ops = [an.Operation.add("n", 1)]
            if a:
                return lambda i: c.operate(Key(ns, set_, i % nkeys), ops)
            return lambda i: c.operate_blocking(Key(ns, set_, i % nkeys), ops)
        if w in ("batch_read", "batch_dict"):
            span = nkeys - BATCH_SIZE + 1
            to_dict = w == "batch_dict"

            def shape(rows):
                if to_dict:
                    return {r.key.value: r.record.bins for r in rows if r.record is not None}
                return rows_of(rows)
            if a:
                async def batch(i):
                    start = (i * BATCH_SIZE) % span
                    return shape(await c.batch_read([Key(ns, set_, k) for k in range(start, start + BATCH_SIZE)]))
                return batch

            def batch_sync(i):
                start = (i * BATCH_SIZE) % span
                return shape(c.batch_read_blocking([Key(ns, set_, k) for k in range(start, start + BATCH_SIZE)]))
            return batch_sync
        if w == "query":
            if a:
                async def query(i):
                    rs = await c.query(an.Statement(ns, spec.query_set), an.PartitionFilter.all())
                    return [rec.bins async for rec in rs]
                return query
            return lambda i: [rec.bins for rec in c.query_blocking(an.Statement(ns, spec.query_set),
                                                                    an.PartitionFilter.all())]
        raise ValueError(f"unknown workload {w!r}")


ADAPTERS = {"official": Official, "ours": Ours, "legacy": Legacy, "native": Native}


def record_bins(answer):
    """Bins of a get/select answer: every client answers (key, meta, bins) or a named tuple of it."""
    return answer[2]
