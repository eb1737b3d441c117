"""Tracing overhead micro-benchmark: prints a table (not a test; numbers depend on the machine).

    .venv/bin/python bench/tracing_overhead.py [--n 200000] [--ops 5000]

Rows:
  hooks, tracing off       begin+target+finish with init_tracing() never called (target < 50 ns)
  hooks, tracing on        building, ending and queueing one span for export (target < 2 us)
  hooks + Python parent    the same with an active Python OTel span as parent
  context capture          reading the active Python span context alone (target < 3 us): a
                           parent seen for the first time, and the same parent again (the last
                           parent's conversion is cached, as for a request's several DB calls)
  put(), off / on          a real round trip to the dev server, for scale (needs `make devserver`)
Spans are exported to a collector in another process (bench/otlp_sink.py: rotel-agent with its
blackhole exporter when the `rotel` package is installed, else tests/otlp_receiver.py --quiet), so
the export work this process pays (encoding, gRPC) is included and the collector's is not.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from otlp_sink import OtlpSink  # noqa: E402  (bench/ is this script's directory)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000, help="iterations of each micro-benchmark")
    ap.add_argument("--ops", type=int, default=3000, help="put() calls per end-to-end row (0 to skip)")
    args = ap.parse_args()

    sink = OtlpSink()
    os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.endpoint
    os.environ.setdefault("OTEL_BSP_MAX_QUEUE_SIZE", str(max(2048, args.n)))

    import aerospike_py
    from aerospike_py import _aerospike
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    trace.set_tracer_provider(TracerProvider())
    tracer = trace.get_tracer("bench")
    rows = []

    def best(what: str, reps: int = 5) -> float:
        return min(_aerospike._tracing_bench(what, args.n) for _ in range(reps))

    rows.append(("hooks, tracing off", best("hooks"), "< 50 ns"))

    server = client = None
    if args.ops:
        from servers import DevServer, real_cluster_hosts

        hosts = real_cluster_hosts()
        if hosts is None:
            server = DevServer().start()
            hosts = server.hosts
        client = aerospike_py.Client({"hosts": hosts})
        client.connect()

        def put_ns() -> float:
            for i in range(200):
                client.put(("test", "bench", i % 100), {"i": i})
            t0 = time.perf_counter_ns()
            for i in range(args.ops):
                client.put(("test", "bench", i % 100), {"i": i})
            return (time.perf_counter_ns() - t0) / args.ops

        put_off = min(put_ns() for _ in range(3))

    aerospike_py.init_tracing()
    rows.append(("hooks, tracing on", best("hooks"), "< 2 us"))
    with tracer.start_as_current_span("parent"):
        rows.append(("hooks + Python parent", best("hooks"), "< 2 us + capture"))
        rows.append(("context capture, new parent", best("capture-first"), "< 3 us"))
        rows.append(("context capture, same parent", best("capture"), "(cached)"))
    rows.append(("context capture, no active span", best("capture"), ""))
    if client is not None:
        put_on = min(put_ns() for _ in range(3))
        rows.append(("put(), tracing off", put_off, "(round trip, for scale)"))
        rows.append(("put(), tracing on", put_on, f"delta {put_on - put_off:+.0f} ns"))
    aerospike_py.shutdown_tracing()

    print(f"{'what':34} {'ns/op':>12}  target")
    print("-" * 64)
    for name, ns, target in rows:
        print(f"{name:34} {ns:12.1f}  {target}")
    if server is not None:
        server.stop()
    sink.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
