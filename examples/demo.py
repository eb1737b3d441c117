"""aerospike-py demo: both clients, traced, against the dev server (`make demo`).

What it does:
  1. starts the dev server (or uses AEROSPIKE_HOSTS=host:port),
  2. starts a real OpenTelemetry collector, rotel-agent (from the `rotel` package), printing every
     span it receives, and forwarding them to a small OTLP receiver in this process; without
     rotel (or with DEMO_COLLECTOR=builtin), that receiver prints the spans itself,
  3. turns on aerospike-py's built-in tracing (init_tracing(), configured by OTEL_* variables),
  4. runs the main operations of the sync Client and of the AsyncClient, each group under a demo
     span of the application's own OpenTelemetry SDK,
  5. prints the trace as a tree: `PUT test.users` and friends nested under the demo's spans,
  6. prints the metrics the collector received (operation durations, returned rows, pools).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from otlp_receiver import OtlpReceiver, format_span  # noqa: E402
from servers import DevServer, real_cluster_hosts  # noqa: E402

NS, SET = "test", "users"
_out = threading.Lock()


def say(text: str = "") -> None:
    """print() for two threads (ours and the collector's echo): whole lines, never interleaved."""
    with _out:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Collector:
    """rotel-agent in the foreground, printing spans, forwarding to `receiver`; or the receiver."""

    def __init__(self, receiver: OtlpReceiver):
        self.receiver = receiver
        self.proc = None
        self.tmp = None
        self.endpoint = receiver.endpoint
        self.name = "built-in OTLP receiver (tests/otlp_receiver.py)"
        self.stopping = False

    def start(self) -> "Collector":
        agent = self._rotel_binary()
        if agent is not None:
            self.tmp = tempfile.mkdtemp(prefix="rotel-")
            port, http_port = free_port(), free_port()
            cmd = [str(agent), "start", "--otlp-grpc-endpoint", f"127.0.0.1:{port}",
                   "--otlp-http-endpoint", f"127.0.0.1:{http_port}",
                   "--exporter", "otlp", "--otlp-exporter-endpoint", self.receiver.endpoint,
                   "--otlp-exporter-protocol", "grpc",
                   "--debug-log", "traces", "--debug-log-verbosity", "detailed",
                   "--pid-file", f"{self.tmp}/rotel.pid", "--log-file", f"{self.tmp}/rotel.log"]
            env = {k: v for k, v in os.environ.items() if not k.startswith(("ROTEL_", "OTEL_"))}
            env["NO_COLOR"] = "1"
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
            if wait_port(port, self.proc):
                threading.Thread(target=self._echo, daemon=True).start()
                self.endpoint = f"http://127.0.0.1:{port}"
                self.name = f"rotel-agent (pid {self.proc.pid}) -> built-in OTLP receiver"
                return self
            say("rotel-agent did not start; falling back to the built-in receiver")
            self.stop()
        self.receiver.on_spans = lambda spans: [say("[collector] " + format_span(s).replace("\n", "\n[collector] "))
                                                for s in spans]
        return self

    @staticmethod
    def _rotel_binary():
        if os.environ.get("DEMO_COLLECTOR") == "builtin":  # skip rotel-agent
            return None
        try:
            import rotel
        except Exception:
            return None
        path = Path(rotel.__file__).parent / "rotel-agent"
        return path if path.exists() and os.access(path, os.X_OK) else None

    def _echo(self):
        for line in self.proc.stdout:
            if not self.stopping:
                say("[rotel] " + line.rstrip())

    def stop(self):
        self.stopping = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


def step(what: str, value) -> None:
    say(f"  {what:58} -> {value!r}")


def run_sync(aerospike_py, hosts) -> None:
    from aerospike_py import operations as ops

    client = aerospike_py.Client({"hosts": hosts})
    client.connect()
    alice, bob = (NS, SET, "alice"), (NS, SET, "bob")
    step("put(alice, {'name': 'Alice', 'visits': 1})", client.put(alice, {"name": "Alice", "visits": 1}))
    step("put(bob, {'name': 'Bob', 'visits': 5})", client.put(bob, {"name": "Bob", "visits": 5}))
    step("get(alice)", client.get(alice)[2])
    step("select(bob, ['name'])", client.select(bob, ["name"])[2])
    step("exists(alice)", client.exists(alice)[1])
    step("increment(alice, 'visits', 1)", client.increment(alice, "visits", 1))
    step("append(alice, 'name', ' Smith')", client.append(alice, "name", " Smith"))
    step("prepend(bob, 'name', 'Mr ')", client.prepend(bob, "name", "Mr "))
    step("touch(bob, 3600)", client.touch(bob, 3600))
    step("operate(alice, [increment visits, read visits])",
         client.operate(alice, [ops.increment("visits", 10), ops.read("visits")])[2])
    step("batch_read([alice, bob])", [r.record[2] if r.record else None for r in client.batch_read([alice, bob]).batch_records])
    step("batch_operate([alice, bob], [read name])",
         [r.record[2] for r in client.batch_operate([alice, bob], [ops.read("name")]).batch_records])
    step("query('test', 'users').results()", sorted(b["name"] for _, _, b in client.query(NS, SET).results()))
    try:
        client.get((NS, SET, "nobody"))
    except aerospike_py.exception.AerospikeError as e:
        step("get(nobody)  (an error span)", f"{type(e).__name__}: {e}")
    step("remove(bob)", client.remove(bob))
    step("batch_remove([alice])", len(client.batch_remove([alice]).batch_records))
    client.close()


async def run_async(aerospike_py, hosts) -> None:
    client = aerospike_py.AsyncClient({"hosts": hosts})
    await client.connect()
    carol = (NS, SET, "carol")
    step("await put(carol, {'name': 'Carol'})", await client.put(carol, {"name": "Carol"}))
    step("await get(carol)", (await client.get(carol))[2])
    keys = [(NS, SET, f"user-{i}") for i in range(3)]
    await asyncio.gather(*(client.put(k, {"n": i}) for i, k in enumerate(keys)))
    step("await gather(put x3)", "ok")
    step("await batch_read(3 keys)", len((await client.batch_read(keys)).batch_records))
    step("await query('test', 'users').results()", len(await client.query(NS, SET).results()))
    step("await batch_remove(3 keys + carol)", len((await client.batch_remove(keys + [carol])).batch_records))
    await client.close()


def print_tree(spans) -> None:
    by_parent: dict[str, list] = {}
    ids = {s.span_id for s in spans}
    for s in spans:
        by_parent.setdefault(s.parent_span_id if s.parent_span_id in ids else "", []).append(s)

    def show(s, depth):
        service = s.resource.get("service.name", "?")
        say(format_span(s, depth).replace("  [", f"  [{service}, ", 1))
        for child in sorted(by_parent.get(s.span_id, []), key=lambda c: c.start_ns):
            show(child, depth + 1)

    for root in sorted(by_parent.get("", []), key=lambda c: c.start_ns):
        show(root, 0)


def print_metrics(receiver, aerospike_py) -> int:
    """The metrics the collector received (shutdown_tracing() exported them): a summary table."""
    points = [p for p in receiver.wait_for_points(lambda p: p.metric == "db.client.operation.duration", timeout=10)
              if p.metric == "db.client.operation.duration"]
    say(f"\nMetrics, as the collector received them ({len(receiver.points)} data points):\n")
    say(f"  {'db.client.operation.duration':<44} {'calls':>5} {'mean ms':>8} {'<=1 ms':>7}  error.type")
    for p in sorted(points, key=lambda p: (p.attributes["db.operation.name"], p.attributes.get("error.type", ""))):
        a = p.attributes
        target = ".".join(x for x in (a.get("db.namespace"), a.get("db.collection.name")) if x)
        say(f"  {a['db.operation.name'] + ' ' + target:<44} {p.count:>5} {p.sum / p.count * 1e3:>8.3f} "
            f"{p.bucket_counts[0]:>7}  {a.get('error.type', '')}")
    for p in receiver.points:
        if p.metric == "db.client.response.returned_rows":
            say(f"  db.client.response.returned_rows {p.attributes['db.operation.name']}: {p.count} calls, "
                f"{p.sum:.0f} rows")
    for p in receiver.points:
        if p.metric.startswith("db.client.connection."):
            state = p.attributes.get("db.client.connection.state")
            say(f"  {p.metric}{'[' + state + ']' if state else ''} {p.attributes['db.client.connection.pool.name']}: "
                f"{p.value:.0f}")
    say("\nThe same, pulled in the Prometheus text format (aerospike_py.get_metrics(), first lines):")
    for line in aerospike_py.get_metrics().splitlines()[:6]:
        say("  " + line)
    return len(points)


def main() -> int:
    server = None
    hosts = real_cluster_hosts()
    if hosts is None:
        server = DevServer(nodes=1).start()
        hosts = server.hosts
    say(f"Aerospike: {'dev server' if server else 'AEROSPIKE_HOSTS'} at {hosts}")
    receiver = OtlpReceiver().start()
    collector = Collector(receiver).start()
    say(f"Collector: {collector.name}, OTLP/gRPC at {collector.endpoint}\n")

    os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.endpoint
    os.environ.setdefault("OTEL_BSP_SCHEDULE_DELAY", "200")
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        import aerospike_py

        # The application's own tracing (Python SDK), exporting to the same collector.
        provider = TracerProvider(resource=Resource.create({"service.name": "aerospike-py-demo"}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=collector.endpoint, insecure=True)))
        trace.set_tracer_provider(provider)
        tracer = trace.get_tracer("demo")

        aerospike_py.init_tracing()  # aerospike-py's built-in tracing: one span per data operation

        with tracer.start_as_current_span("demo: sync Client"):
            say("Sync Client:")
            run_sync(aerospike_py, hosts)
        with tracer.start_as_current_span("demo: AsyncClient"):
            say("\nAsyncClient:")
            asyncio.run(run_async(aerospike_py, hosts))

        aerospike_py.shutdown_tracing()  # flushes our spans
        provider.shutdown()              # flushes the demo's spans
        spans = receiver.wait_for_spans(28, timeout=10)
        time.sleep(0.5)
        spans = receiver.spans
        say(f"\nThe trace, as the collector received it ({len(spans)} spans):\n")
        print_tree(spans)
        ours = [s for s in spans if s.scope == "aerospike-py"]
        nested = [s for s in ours if s.parent_span_id]
        say(f"\n{len(ours)} aerospike-py spans, {len(nested)} nested under the demo's spans.")
        points = print_metrics(receiver, aerospike_py)
        return 0 if ours and len(nested) == len(ours) and points else 1
    finally:
        collector.stop()
        receiver.stop()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
