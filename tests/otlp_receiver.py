"""A real OTLP/gRPC trace and metrics receiver (grpcio + opentelemetry-proto) that keeps spans and
metric data points in memory.

Used by the tracing tests (as a fixture: `OtlpReceiver().start()`) and by the demo; run as a script
it prints spans as they arrive:

    python tests/otlp_receiver.py --port 4317
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import sys
import threading
import time
from concurrent import futures
from dataclasses import dataclass, field

import grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
STATUS = {0: "UNSET", 1: "OK", 2: "ERROR"}


def _value(v):
    """AnyValue -> Python value."""
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in v.kvlist_value.values}
    return getattr(v, kind) if kind else None


def _attrs(kvs) -> dict:
    return {kv.key: _value(kv.value) for kv in kvs}


@dataclass
class ReceivedSpan:
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_span_id: str  # "" for a root span
    flags: int
    trace_state: str
    start_ns: int
    end_ns: int
    attributes: dict
    status: str
    status_message: str
    resource: dict
    scope: str
    events: list = field(default_factory=list)

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6


@dataclass
class ReceivedRequest:
    metadata: dict
    spans: list


def _spans_of(request) -> list[ReceivedSpan]:
    spans = []
    for rs in request.resource_spans:
        resource = _attrs(rs.resource.attributes)
        for ss in rs.scope_spans:
            for s in ss.spans:
                spans.append(
                    ReceivedSpan(
                        name=s.name,
                        kind=KINDS.get(s.kind, str(s.kind)),
                        trace_id=s.trace_id.hex(),
                        span_id=s.span_id.hex(),
                        parent_span_id=s.parent_span_id.hex(),
                        flags=s.flags,
                        trace_state=s.trace_state,
                        start_ns=s.start_time_unix_nano,
                        end_ns=s.end_time_unix_nano,
                        attributes=_attrs(s.attributes),
                        status=STATUS.get(s.status.code, str(s.status.code)),
                        status_message=s.status.message,
                        resource=resource,
                        scope=ss.scope.name,
                        events=[e.name for e in s.events],
                    )
                )
    return spans


@dataclass
class ReceivedPoint:
    """One metric data point: a histogram's (count, sum, buckets) or a sum's value."""

    metric: str
    unit: str
    kind: str  # "histogram" or "sum"
    temporality: int  # 1 delta, 2 cumulative
    attributes: dict
    start_ns: int
    time_ns: int
    resource: dict
    scope: str
    count: int = 0
    sum: float = 0.0
    bucket_counts: list = field(default_factory=list)
    bounds: list = field(default_factory=list)
    value: float = 0
    monotonic: bool = False


def _points_of(request) -> list[ReceivedPoint]:
    points = []
    for rm in request.resource_metrics:
        resource = _attrs(rm.resource.attributes)
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                kind = m.WhichOneof("data")
                common = dict(metric=m.name, unit=m.unit, kind=kind, resource=resource, scope=sm.scope.name)
                if kind == "histogram":
                    for dp in m.histogram.data_points:
                        points.append(ReceivedPoint(
                            **common, temporality=m.histogram.aggregation_temporality,
                            attributes=_attrs(dp.attributes), start_ns=dp.start_time_unix_nano,
                            time_ns=dp.time_unix_nano, count=dp.count, sum=dp.sum,
                            bucket_counts=list(dp.bucket_counts), bounds=list(dp.explicit_bounds)))
                elif kind == "sum":
                    for dp in m.sum.data_points:
                        points.append(ReceivedPoint(
                            **common, temporality=m.sum.aggregation_temporality, monotonic=m.sum.is_monotonic,
                            attributes=_attrs(dp.attributes), start_ns=dp.start_time_unix_nano,
                            time_ns=dp.time_unix_nano,
                            value=getattr(dp, dp.WhichOneof("value")) if dp.WhichOneof("value") else 0))
    return points


class _MetricsService(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, receiver: "OtlpReceiver"):
        self.receiver = receiver

    def Export(self, request, context):
        if self.receiver.refuse:
            self.receiver.refused += 1
            context.abort(grpc.StatusCode.UNAVAILABLE, "receiver is refusing exports")
        self.receiver._add_metrics(_points_of(request))
        return metrics_service_pb2.ExportMetricsServiceResponse()


class _Service(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, receiver: "OtlpReceiver"):
        self.receiver = receiver

    def Export(self, request, context):
        if self.receiver.refuse:
            self.receiver.refused += 1
            context.abort(grpc.StatusCode.UNAVAILABLE, "receiver is refusing exports")
        metadata = {k: v for k, v in context.invocation_metadata()}
        self.receiver._add(ReceivedRequest(metadata=metadata, spans=_spans_of(request)))
        return trace_service_pb2.ExportTraceServiceResponse()


class _HttpHandler(http.server.BaseHTTPRequestHandler):
    """OTLP/HTTP with protobuf bodies: POST /v1/traces."""

    receiver: "OtlpReceiver"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if self.path == "/v1/metrics" and self.headers.get("Content-Type") == "application/x-protobuf":
            request = metrics_service_pb2.ExportMetricsServiceRequest.FromString(body)
            self.receiver._add_metrics(_points_of(request))
            out = metrics_service_pb2.ExportMetricsServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
            return
        if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/x-protobuf":
            self.send_response(404)
            self.end_headers()
            return
        request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
        metadata = {k.lower(): v for k, v in self.headers.items()}
        self.receiver._add(ReceivedRequest(metadata=metadata, spans=_spans_of(request)))
        out = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class OtlpReceiver:
    """OTLP/gRPC TraceService on loopback. `endpoint` is what OTEL_EXPORTER_OTLP_ENDPOINT takes."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: tuple[bytes, bytes] | None = None,
                 on_spans=None, http: bool = False):
        self.host = host
        self.port = port
        self.tls = tls  # (certificate chain PEM, private key PEM)
        self.on_spans = on_spans
        self.requests: list[ReceivedRequest] = []
        self.metric_exports: list[list[ReceivedPoint]] = []  # one list of points per export
        self.refuse = False
        self.refused = 0
        self._cond = threading.Condition()
        self._server = None
        self.http = http  # also serve OTLP/HTTP (protobuf) on `http_port`
        self.http_port = 0
        self._http = None

    @property
    def endpoint(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def http_endpoint(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def spans(self) -> list[ReceivedSpan]:
        with self._cond:
            return [s for r in self.requests for s in r.spans]

    def _add(self, req: ReceivedRequest) -> None:
        with self._cond:
            self.requests.append(req)
            self._cond.notify_all()
        if self.on_spans:
            self.on_spans(req.spans)

    @property
    def points(self) -> list[ReceivedPoint]:
        with self._cond:
            return [p for e in self.metric_exports for p in e]

    def _add_metrics(self, points: list[ReceivedPoint]) -> None:
        with self._cond:
            self.metric_exports.append(points)
            self._cond.notify_all()

    def wait_for_points(self, predicate, count: int = 1, timeout: float = 10.0) -> list[ReceivedPoint]:
        """Points matching predicate once at least `count` arrived, or whatever came by timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [p for e in self.metric_exports for p in e if predicate(p)]
                left = deadline - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self._cond.wait(left)

    def wait_for_spans(self, count: int = 1, timeout: float = 10.0, predicate=None) -> list[ReceivedSpan]:
        """Spans (matching predicate) once at least `count` arrived, or whatever came by timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [s for r in self.requests for s in r.spans if predicate is None or predicate(s)]
                left = deadline - time.monotonic()
                if len(got) >= count or left <= 0:
                    return got
                self._cond.wait(left)

    def clear(self) -> None:
        with self._cond:
            self.requests.clear()
            self.metric_exports.clear()

    def start(self) -> "OtlpReceiver":
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_Service(self), self._server)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(_MetricsService(self), self._server)
        addr = f"{self.host}:{self.port}"
        if self.tls:
            creds = grpc.ssl_server_credentials([(self.tls[1], self.tls[0])])
            self.port = self._server.add_secure_port(addr, creds)
        else:
            self.port = self._server.add_insecure_port(addr)
        if not self.port:
            raise RuntimeError(f"cannot listen on {addr}")
        self._server.start()
        if self.http:
            handler = type("Handler", (_HttpHandler,), {"receiver": self})
            self._http = http.server.ThreadingHTTPServer((self.host, 0), handler)
            self.http_port = self._http.server_address[1]
            threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def stop(self, grace: float | None = None) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        if self._server is not None:
            self._server.stop(grace).wait()
            self._server = None

    def __enter__(self) -> "OtlpReceiver":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def format_span(s: ReceivedSpan, depth: int = 0) -> str:
    pad = "  " * depth
    status = "" if s.status == "UNSET" else f" status={s.status}" + (f" ({s.status_message})" if s.status_message else "")
    lines = [f"{pad}{s.name}  [{s.kind}, {s.duration_ms:.3f} ms{status}] trace={s.trace_id[:8]}.. span={s.span_id[:8]}.."
             + (f" parent={s.parent_span_id[:8]}.." if s.parent_span_id else " (root)")]
    for k, v in sorted(s.attributes.items()):
        lines.append(f"{pad}    {k} = {v!r}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description="Print OTLP/gRPC spans as they arrive.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=4317)
    ap.add_argument("--quiet", action="store_true", help="keep nothing, print nothing (a sink)")
    args = ap.parse_args()

    def show(spans):
        for s in spans:
            print(format_span(s), flush=True)

    receiver = OtlpReceiver(args.host, args.port, on_spans=None if args.quiet else show)
    if args.quiet:
        receiver._add = lambda req: None
    receiver.start()
    print(f"OTLP receiver listening on {receiver.endpoint}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        receiver.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
