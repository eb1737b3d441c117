"""Part 2: telemetry faults. A traced client process runs a put/get loop while the OTLP collector is
absent, slow (sleeps in every export), answers errors, or goes away mid-run and comes back. Per mode:
the loop's ops/s beside a healthy collector and tracing off (the recording cost), the longest gap
between two completed calls, RSS growth after warm-up (the export queue drops spans, it does not
grow), warnings logged (one per outage), and whether export resumed.

    python tests/reliability/telemetry.py [--short] [--mode NAME ...]

The collector serves every signal in SIGNALS; a metrics signal is one more row there (its gRPC
service adder and response type) plus its exporter variable in `signal_env`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from concurrent import futures
from pathlib import Path

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from servers import DevServer, _free_port_run  # noqa: E402

# signal -> (add servicer to server, servicer base class, response type, items in a request)
SIGNALS = {
    "traces": (trace_service_pb2_grpc.add_TraceServiceServicer_to_server, trace_service_pb2_grpc.TraceServiceServicer,
               trace_service_pb2.ExportTraceServiceResponse,
               lambda req: sum(len(ss.spans) for rs in req.resource_spans for ss in rs.scope_spans)),
    # "metrics": (metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server, ...MetricsServiceServicer,
    #             metrics_service_pb2.ExportMetricsServiceResponse, lambda req: len(req.resource_metrics)),
}


def signal_env(endpoint: str) -> dict:
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_EXPORTER_OTLP_TIMEOUT": "2000"}


class Collector:
    """An OTLP/gRPC collector whose behaviour the campaign sets: ok, slow (sleeps `delay` s per
    export) or error (UNAVAILABLE). Counts what each signal received."""

    def __init__(self, port: int, behaviour: str = "ok", delay: float = 3.0):
        self.port, self.behaviour, self.delay = port, behaviour, delay
        self.received = {s: 0 for s in SIGNALS}
        self.requests = 0
        self._server = None

    def _servicer(self, signal: str):
        adder, base, response, count = SIGNALS[signal]
        collector = self

        class Servicer(base):
            def Export(self, request, context):
                collector.requests += 1
                if collector.behaviour == "slow":
                    time.sleep(collector.delay)
                elif collector.behaviour == "error":
                    context.abort(grpc.StatusCode.UNAVAILABLE, "collector overloaded (injected)")
                collector.received[signal] += count(request)
                return response()

        return adder, Servicer()

    def start(self) -> "Collector":
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        for s in SIGNALS:
            adder, servicer = self._servicer(s)
            adder(servicer, self._server)
        assert self._server.add_insecure_port(f"127.0.0.1:{self.port}") == self.port
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(0).wait()
            self._server = None


CHILD = textwrap.dedent("""
    import json, os, sys, time, resource, logging
    import aerospike_py
    LOGS = []
    class H(logging.Handler):
        def emit(self, r): LOGS.append((r.levelname, r.getMessage()))
    log = logging.getLogger("aerospike_py.tracing"); log.addHandler(H()); log.setLevel(logging.INFO)
    hosts = [tuple(h) for h in json.loads(os.environ["REL_HOSTS"])]
    if os.environ.get("REL_TRACED") == "1":
        aerospike_py.init_tracing()
    c = aerospike_py.client({"hosts": hosts}).connect()
    duration, warm = float(os.environ["REL_DURATION"]), float(os.environ["REL_WARM"])
    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    print("START", flush=True)
    t0 = last = time.monotonic(); n = 0; gap = 0.0; samples = []; next_sample = t0
    while True:
        now = time.monotonic()
        if now - t0 >= duration:
            break
        k = ("test", "reltel", n % 100)
        if n & 1:
            c.put(k, {"n": n})
        else:
            try:
                c.get(k)
            except aerospike_py.exception.RecordNotFound:
                pass
        n += 1
        end = time.monotonic(); gap = max(gap, end - last); last = end
        if end >= next_sample:
            samples.append((round(end - t0, 2), rss())); next_sample = end + 0.5
    elapsed = time.monotonic() - t0
    time.sleep(1.2)   # the tracing log pump runs every 0.5 s
    t1 = time.monotonic()
    aerospike_py.shutdown_tracing()
    after = [r for t, r in samples if t >= warm]
    print("RESULT " + json.dumps({"ops": n, "ops_s": n / elapsed, "max_gap_s": gap,
          "rss_growth_mb": (max(after) - after[0]) / 2**20 if after else 0.0,
          "rss_mb": samples[-1][1] / 2**20, "shutdown_s": time.monotonic() - t1,
          "stats": aerospike_py.tracing_stats(),
          "warnings": sum(1 for l, _ in LOGS if l == "WARNING"), "resumed": sum(1 for l, m in LOGS if l == "INFO" and "resumed" in m),
          "logs": LOGS[:6]}), flush=True)
""")

# mode -> (traced, collector behaviour or None when absent, goes away mid-run and returns)
MODES = {
    "off": (False, "ok", False),
    "healthy": (True, "ok", False),
    "absent": (True, None, False),
    "slow": (True, "slow", False),
    "errors": (True, "error", False),
    "flapping": (True, "ok", True),
}
SHORT = ["healthy", "absent", "errors", "flapping"]


def run_mode(mode: str, hosts, duration: float) -> dict:
    traced, behaviour, flapping = MODES[mode]
    port = _free_port_run(1)
    collector = Collector(port, behaviour).start() if behaviour else None
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(signal_env(f"http://127.0.0.1:{port}"))
    env.update(REL_HOSTS=json.dumps(hosts), REL_TRACED="1" if traced else "0", REL_DURATION=str(duration),
               REL_WARM=str(min(2.0, duration / 3)))
    proc = subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    received_after_return = None
    try:
        assert proc.stdout.readline().strip() == "START"
        if flapping:
            time.sleep(duration / 3)
            collector.stop()          # the collector goes away ...
            time.sleep(duration / 3)
            collector = Collector(port, behaviour).start()   # ... and comes back on the same port
        out, err = proc.communicate(timeout=duration + 60)
        if flapping:
            received_after_return = collector.received["traces"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if collector:
            collector.stop()
    res = {"mode": mode, "returncode": proc.returncode}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            res.update(json.loads(line[7:]))
    if proc.returncode != 0:
        res["stderr"] = err[-2000:]
    res["spans_received"] = collector.received["traces"] if collector else 0
    if flapping:
        res["spans_after_return"] = received_after_return
    return res


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--short", action="store_true")
    ap.add_argument("--mode", action="append")
    ap.add_argument("--duration", type=float)
    args = ap.parse_args(argv)
    modes = args.mode or (SHORT if args.short else list(MODES))
    duration = args.duration or (6.0 if args.short else 30.0)
    with DevServer(nodes=1) as server:
        for m in modes:
            print(json.dumps(run_mode(m, server.hosts, duration)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
