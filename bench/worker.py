"""One benchmark contender in its own process, driven over a line protocol by bench/compare.py.

    python bench/worker.py --impl ours|official|legacy --mode sync|async [--parent-span] [--init-tracing]
                           [--no-otel-api]

Requests and replies are one JSON object per line (stdin -> stdout); the Rust floor
(bench/rust-floor) speaks the same protocol, so every contender is measured the same way:
  {"cmd": "connect", "hosts": "h:p,..."}                          -> {"ok", "version"}
  {"cmd": "seed", "namespace", "set", "count", "size"}            -> {"ok"}
  {"cmd": "check", <run fields>}                                  -> {"ok", "checked"} (+ "no_otel_api")
  {"cmd": "run", "workload", "namespace", "set", "query_set", "size", "keys",
   "concurrency", "seconds", "warmup", "min_ops"}
      -> {"ok", "ops", "errors", "first_error", "elapsed", "cpu", "p50_us", "p99_us", "warmup_ops"}
A sync contender with "concurrency" N > 1 runs N threads sharing its one client object.
  {"cmd": "fork_check", "namespace", "set", "child_timeout"}  (sync only, never timed)
      -> {"ok", "new_client": outcome, "reuse": outcome}, outcome {"outcome": ok|raised|hang|died,
         "ms", "detail"}: a forked child connecting its own client, then one reusing the parent's
  {"cmd": "quit"}
Stdlib only (besides the client under test): it also runs in the legacy package's venv.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import signal
import sys
import threading
import time
import traceback

from worker_clients import ADAPTERS, BATCH_SIZE, Spec, record_bins

perf_ns = time.perf_counter_ns


def cpu_seconds() -> float:
    """User + system CPU of this whole process, all threads (the client's Rust threads too)."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def percentile_us(sorted_ns: list[int], p: float) -> float:
    if not sorted_ns:
        return 0.0
    return sorted_ns[round((len(sorted_ns) - 1) * p)] / 1000.0


class ParentSpan:
    """Wraps each operation in a Python OpenTelemetry span, as an instrumented app would.

    The app's SDK records its spans (so they are valid parents) but exports nothing: what is
    measured on top of this is the client's own tracing.
    """

    def __init__(self):
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider

        self.tracer = TracerProvider().get_tracer("aerospike-py-bench")
        self._trace = trace

    def wrap_sync(self, op):
        tracer = self.tracer

        def traced(i):
            with tracer.start_as_current_span("bench.op"):
                return op(i)
        return traced

    def wrap_async(self, op):
        tracer = self.tracer

        async def traced(i):
            with tracer.start_as_current_span("bench.op"):
                return await op(i)
        return traced


def otel_api_absence() -> str:
    """Evidence that `opentelemetry` cannot be imported in this process; raises if it can."""
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("opentelemetry")
    try:
        import opentelemetry.propagate  # noqa: F401 - the module the legacy package imports per operation
        imported = "imported"
    except ImportError as e:
        imported = f"{type(e).__name__}: {e}"
    if spec is not None or imported == "imported":
        raise AssertionError(f"opentelemetry is importable here (find_spec -> {spec}, import -> {imported})")
    try:
        dist = f"opentelemetry-api {importlib.metadata.version('opentelemetry-api')} installed but hidden"
    except importlib.metadata.PackageNotFoundError:
        dist = "opentelemetry-api not installed in this environment at all"
    blocker = getattr(sys.modules.get("sitecustomize"), "__file__", None)
    return (f"find_spec('opentelemetry') -> None; import opentelemetry.propagate -> {imported}; {dist}; "
            f"sitecustomize: {blocker}")


def in_child(fn, timeout: float) -> dict:
    """Run `fn()` in a forked child; its outcome, or "hang" when it has not exited within `timeout`
    seconds (then it is killed: a hang is reported, never waited for)."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, never touch the protocol, never return
        code = 0
        try:
            os.close(r)
            fn()
            msg = "ok"
        except BaseException as e:  # noqa: BLE001 - the outcome is what we report
            msg = f"{type(e).__name__}: {e}"
            code = 1
        finally:
            os.write(w, msg.encode(errors="replace")[:4000])
            os._exit(code)
    os.close(w)
    status = None
    while status is None:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
        elif time.perf_counter() - t0 > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(r)
            return {"outcome": "hang", "ms": timeout * 1000, "detail": f"no exit within {timeout:.0f} s, killed"}
        else:
            time.sleep(0.005)
    ms = (time.perf_counter() - t0) * 1000
    with os.fdopen(r, "rb") as f:
        msg = f.read().decode(errors="replace")
    if not msg:
        return {"outcome": "died", "ms": ms, "detail": f"exited without an answer ({os.waitstatus_to_exitcode(status)})"}
    return {"outcome": "ok" if msg == "ok" else "raised", "ms": ms, "detail": msg}


class Worker:
    def __init__(self, impl: str, mode: str, parent_span: bool, init_tracing: bool, no_otel_api: bool):
        self.adapter = ADAPTERS[impl](is_async=(mode == "async"))
        self.impl = impl
        self.init_tracing = init_tracing
        self.no_otel_api = no_otel_api
        self.hosts = []
        self.is_async = mode == "async"
        self.loop = asyncio.new_event_loop() if self.is_async else None
        self.parent = ParentSpan() if parent_span else None

    def call(self, fn):
        """Result of `fn()`, a client call; for async clients it runs inside the worker's event loop
        (some clients need a running loop to create their awaitables) and is awaited there."""
        if not self.is_async:
            return fn()

        async def inside_loop():
            value = fn()
            return await value if hasattr(value, "__await__") else value
        return self.loop.run_until_complete(inside_loop())

    def op_for(self, spec: Spec):
        op = self.adapter.make_op(spec)
        if self.parent:
            op = self.parent.wrap_async(op) if self.is_async else self.parent.wrap_sync(op)
        return op

    # -- commands -------------------------------------------------------------------------------
    def connect(self, req):
        hosts = []
        for part in req["hosts"].split(","):
            host, _, port = part.strip().rpartition(":")
            hosts.append((host, int(port)))
        self.hosts = hosts
        self.call(lambda: self.adapter.connect(hosts))
        version = self.adapter.version()
        if self.impl == "ours" and os.environ.get("BENCH_METRICS") == "off":
            import aerospike_py

            aerospike_py.set_metrics_enabled(False)
            version += ", metrics off"
        if self.impl == "ours" and os.environ.get("BENCH_INIT_METRICS") == "1":
            import aerospike_py

            version += f", init_metrics() -> {aerospike_py.init_metrics()}"
        if self.init_tracing:
            # Reads the OTEL_* environment the orchestrator set for this contender.
            on = self.adapter.init_tracing()
            version += f", init_tracing() -> {on}"
        return {"version": version}

    def seed(self, req):
        spec = Spec({**req, "workload": "put", "keys": req["count"]})
        spec.keys = int(req["count"])  # seed exactly `count` records, however few
        op = self.adapter.make_op(spec)
        for i in range(spec.keys):
            self.call(lambda: op(i))
        # put writes n=i; reset to 0 is not needed: operate only increments it.
        return {}

    def check(self, req):
        """Run the workload once and verify the answer is real (record found, sizes right)."""
        spec = Spec(req)
        op = self.adapter.make_op(spec)
        answer = self.call(lambda: op(0))
        w = spec.workload
        if w == "get":
            v = record_bins(answer)["v"]
            if len(v) != spec.size:
                raise AssertionError(f"get: bin v has {len(v)} bytes, expected {spec.size}")
        elif w == "select":
            bins = record_bins(answer)
            if "n" not in bins or "v" in bins:
                raise AssertionError(f"select ['n'] answered bins {sorted(bins)}")
        elif w == "exists":
            if answer[1] is None:
                raise AssertionError("exists: record reported missing")
        elif w == "batch_read":
            found = sum(1 for row in answer if self.adapter.row_found(row))
            if found != BATCH_SIZE:
                raise AssertionError(f"batch_read: {found} of {BATCH_SIZE} records found")
        elif w == "batch_dict":
            if len(answer) != BATCH_SIZE:
                raise AssertionError(f"batch_dict: {len(answer)} of {BATCH_SIZE} records found")
        elif w == "query":
            expected = int(req.get("query_count", 0))
            if expected and len(answer) != expected:
                raise AssertionError(f"query: {len(answer)} records, expected {expected}")
        if self.no_otel_api:
            return {"checked": w, "no_otel_api": otel_api_absence()}
        return {"checked": w}

    def fork_check(self, req):
        """After the parent used its client: a forked child with a client of its own, then one
        reusing the parent's client, each doing one get (not timed; a hang is killed and reported)."""
        if self.is_async:
            raise ValueError("fork_check is for sync contenders")
        key = (req["namespace"], req["set"], 0)
        timeout = float(req.get("child_timeout", 10))
        self.adapter.client.get(key)
        impl = type(self.adapter)

        def new_client():
            fresh = impl(is_async=False)
            fresh.connect(self.hosts)
            fresh.client.get(key)
            fresh.close()
        new = in_child(new_client, timeout)
        reuse = in_child(lambda: self.adapter.client.get(key), timeout)
        self.adapter.client.get(key)  # the parent's client still works after both
        return {"new_client": new, "reuse": reuse}

    def run(self, req):
        spec = Spec(req)
        op = self.op_for(spec)
        conc = max(1, int(req.get("concurrency", 1)))
        warmup, seconds = float(req.get("warmup", 0)), float(req.get("seconds", 1))
        min_ops = int(req.get("min_ops", 1))
        measure = self._measure_async if self.is_async else self._measure_sync
        warm = measure(op, conc, warmup, 1) if warmup > 0 else ([], 0, None)
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        lat, errors, first_error = measure(op, conc, seconds, min_ops)
        elapsed, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        lat.sort()
        # warmup_ops: operations done (and, when traced, spans made) outside the timed loop.
        return {"ops": len(lat), "errors": errors, "first_error": first_error, "elapsed": elapsed,
                "cpu": cpu, "p50_us": percentile_us(lat, 0.50), "p99_us": percentile_us(lat, 0.99),
                "warmup_ops": len(warm[0]) + warm[1]}

    def _measure_sync(self, op, conc, seconds, min_ops):
        if conc == 1:
            return self._one_thread(op, itertools.count(), perf_ns() + int(seconds * 1e9), min_ops)
        return self._threads(op, conc, seconds, min_ops)

    def _threads(self, op, conc, seconds, min_ops):
        """`conc` threads sharing the one client, each doing one operation at a time."""
        deadline = perf_ns() + int(seconds * 1e9)
        counter = itertools.count()  # next() is atomic under the GIL: each thread takes its own keys
        results = [None] * conc
        start = threading.Barrier(conc)

        def body(k):
            start.wait()
            results[k] = self._one_thread(op, counter, deadline, min_ops)
        threads = [threading.Thread(target=body, args=(k,)) for k in range(conc)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        lat = [x for r in results for x in r[0]]
        return (lat, sum(r[1] for r in results), next((r[2] for r in results if r[2]), None))

    @staticmethod
    def _one_thread(op, counter, deadline, min_ops):
        lat, errors, first_error = [], 0, None
        append = lat.append
        done = 0
        while True:
            t = perf_ns()
            if done >= min_ops and t >= deadline:
                break
            try:
                op(next(counter))
                append(perf_ns() - t)
            except Exception as e:  # counted and reported, never hidden
                errors += 1
                first_error = first_error or f"{type(e).__name__}: {e}"
            done += 1
        return lat, errors, first_error

    def _measure_async(self, op, conc, seconds, min_ops):
        lat, state = [], {"i": 0, "errors": 0, "first_error": None}
        deadline = perf_ns() + int(seconds * 1e9)

        async def lane():
            append = lat.append
            while True:
                i = state["i"]
                state["i"] = i + 1
                t = perf_ns()
                if i >= min_ops and t >= deadline:
                    return
                try:
                    await op(i)
                    append(perf_ns() - t)
                except Exception as e:
                    state["errors"] += 1
                    state["first_error"] = state["first_error"] or f"{type(e).__name__}: {e}"

        async def all_lanes():
            await asyncio.gather(*(lane() for _ in range(conc)))

        self.loop.run_until_complete(all_lanes())
        return lat, state["errors"], state["first_error"]

    def close(self):
        try:
            self.call(self.adapter.close)
        except Exception:
            pass
        if self.init_tracing:
            self.adapter.shutdown_tracing()  # exports the spans still queued (the sink counts them)
        if self.impl == "ours" and os.environ.get("BENCH_INIT_METRICS") == "1":
            import aerospike_py

            aerospike_py.shutdown_metrics()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--impl", required=True, choices=sorted(ADAPTERS))
    ap.add_argument("--mode", default="sync", choices=["sync", "async"])
    ap.add_argument("--parent-span", action="store_true", help="each op inside a Python OTel span")
    ap.add_argument("--init-tracing", action="store_true", help="call the client's init_tracing()")
    ap.add_argument("--no-otel-api", action="store_true",
                    help="check (on each `check`) that opentelemetry cannot be imported here")
    args = ap.parse_args()

    # Protocol on a private copy of stdout; anything a client library prints goes to stderr.
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    worker = None
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            if cmd == "quit":
                break
            if worker is None:
                worker = Worker(args.impl, args.mode, args.parent_span, args.init_tracing, args.no_otel_api)
            handler = {"connect": worker.connect, "seed": worker.seed, "check": worker.check,
                       "run": worker.run, "fork_check": worker.fork_check}.get(cmd)
            if handler is None:
                raise ValueError(f"unknown cmd {cmd!r}")
            reply = {"ok": True, **handler(req)}
        except Exception as e:
            traceback.print_exc()
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        proto.write(json.dumps(reply) + "\n")
    if worker is not None:
        worker.close()


if __name__ == "__main__":
    main()
