"""Configuration from the standard OTEL_* environment variables (each in a fresh process)."""

from __future__ import annotations

import subprocess
import time

import pytest

from tracing_support import free_port, otel_env
from otlp_receiver import OtlpReceiver

OPS = """
aerospike_py.init_tracing()
c = client()
for i in range({n}):
    c.put(("test", "{s}", i), {{"a": i}})
"""


def ops(unique_set: str, n: int = 3, shutdown: bool = True) -> str:
    return OPS.format(n=n, s=unique_set) + ("aerospike_py.shutdown_tracing()\n" if shutdown else "")


def test_endpoint(run_driver, receiver, unique_set):
    run_driver(ops(unique_set), env=otel_env(receiver.endpoint))
    assert len(receiver.wait_for_spans(3)) == 3


def test_traces_endpoint_wins_over_generic(run_driver, receiver, unique_set):
    env = otel_env(f"http://127.0.0.1:{free_port()}", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=receiver.endpoint)
    run_driver(ops(unique_set), env=env)
    assert len(receiver.wait_for_spans(3)) == 3


def test_headers(run_driver, receiver, unique_set):
    env = otel_env(receiver.endpoint, OTEL_EXPORTER_OTLP_HEADERS="x-api-key=secret1,x-tenant=acme")
    run_driver(ops(unique_set), env=env)
    receiver.wait_for_spans(3)
    md = receiver.requests[0].metadata
    assert md["x-api-key"] == "secret1" and md["x-tenant"] == "acme"


def test_traces_headers_win(run_driver, receiver, unique_set):
    env = otel_env(receiver.endpoint, OTEL_EXPORTER_OTLP_HEADERS="x-api-key=generic",
                   OTEL_EXPORTER_OTLP_TRACES_HEADERS="x-api-key=traces")
    run_driver(ops(unique_set), env=env)
    receiver.wait_for_spans(3)
    assert receiver.requests[0].metadata["x-api-key"] == "traces"


def test_service_name_default_and_resource_attributes(run_driver, receiver, unique_set):
    run_driver(ops(unique_set, 1), env=otel_env(receiver.endpoint))
    assert receiver.wait_for_spans(1)[0].resource["service.name"] == "aerospike-py"
    receiver.clear()
    env = otel_env(receiver.endpoint, OTEL_SERVICE_NAME="orders-api",
                   OTEL_RESOURCE_ATTRIBUTES="deployment.environment.name=test,team=db")
    run_driver(ops(unique_set, 1), env=env)
    res = receiver.wait_for_spans(1)[0].resource
    assert res["service.name"] == "orders-api"
    assert res["deployment.environment.name"] == "test" and res["team"] == "db"
    receiver.clear()
    run_driver(ops(unique_set, 1), env=otel_env(receiver.endpoint, OTEL_RESOURCE_ATTRIBUTES="service.name=from-attrs"))
    assert receiver.wait_for_spans(1)[0].resource["service.name"] == "from-attrs"


@pytest.mark.parametrize("sampler,arg,expected", [
    ("always_off", None, 0),
    ("always_on", None, 4),
    ("traceidratio", "0", 0),
    ("traceidratio", "1", 4),
    ("parentbased_always_off", None, 2),  # only the two under the sampled Python parent
])
def test_sampler(run_driver, receiver, unique_set, sampler, arg, expected):
    env = otel_env(receiver.endpoint, OTEL_TRACES_SAMPLER=sampler)
    if arg is not None:
        env["OTEL_TRACES_SAMPLER_ARG"] = arg
    run_driver(f"""
        from opentelemetry import trace
        aerospike_py.init_tracing()
        c = client()
        c.put(("test", "{unique_set}", 1), {{"a": 1}})
        c.get(("test", "{unique_set}", 1))
        sampled = trace.SpanContext(0xabc1, 0xdef1, is_remote=True, trace_flags=trace.TraceFlags(1))
        with trace.use_span(trace.NonRecordingSpan(sampled)):
            c.put(("test", "{unique_set}", 2), {{"a": 1}})
            c.get(("test", "{unique_set}", 2))
        aerospike_py.shutdown_tracing()
    """, env=env)
    time.sleep(0.3)
    assert len(receiver.wait_for_spans(expected, timeout=3)) == expected


def test_bsp_max_export_batch_size(run_driver, receiver, unique_set):
    env = otel_env(receiver.endpoint, OTEL_BSP_MAX_EXPORT_BATCH_SIZE="5", OTEL_BSP_SCHEDULE_DELAY="60000")
    run_driver(ops(unique_set, 23), env=env)
    assert len(receiver.wait_for_spans(23)) == 23
    assert max(len(r.spans) for r in receiver.requests) <= 5


def test_bsp_schedule_delay_exports_without_shutdown(run_driver, receiver, unique_set):
    r = run_driver(ops(unique_set, 2, shutdown=False) + """
import time
deadline = time.monotonic() + 10
from aerospike_py import _aerospike
# wait for the batch timer (not shutdown) to deliver: the test polls the receiver meanwhile
time.sleep(1.0)
result(done=True)
import os; os._exit(0)   # no atexit flush: only the timer can have exported
""", env=otel_env(receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="100"))
    assert r["done"]
    assert len(receiver.wait_for_spans(2, timeout=2)) == 2


def test_sdk_disabled(run_driver, receiver, unique_set):
    r = run_driver(f"""
        on = aerospike_py.init_tracing()
        c = client()
        c.put(("test", "{unique_set}", 1), {{"a": 1}})
        threads = thread_names()
        aerospike_py.shutdown_tracing()
        result(on=on, threads=threads)
    """, env=otel_env(receiver.endpoint, OTEL_SDK_DISABLED="true"))
    assert r["on"] is False
    assert not any(t.startswith(("otel-export", "OpenTelemetry")) for t in r["threads"])
    time.sleep(0.3)
    assert receiver.requests == []


def test_traces_exporter_none(run_driver, receiver, unique_set):
    r = run_driver(f"""
        on = aerospike_py.init_tracing()
        c = client()
        with pyparent("p"):
            c.put(("test", "{unique_set}", 1), {{"a": 1}})
        aerospike_py.shutdown_tracing()
        result(on=on)
    """, env=otel_env(receiver.endpoint, OTEL_TRACES_EXPORTER="none"))
    assert r["on"] is True
    time.sleep(0.3)
    assert receiver.requests == []


def test_timeout_bounds_shutdown(run_driver, blackhole, unique_set):
    r = run_driver(ops(unique_set, 5, shutdown=False) + """
import time
t0 = time.monotonic()
aerospike_py.shutdown_tracing()
result(elapsed=time.monotonic() - t0)
""", env=otel_env(blackhole.endpoint, OTEL_EXPORTER_OTLP_TIMEOUT="700", OTEL_BSP_SCHEDULE_DELAY="60000"))
    assert r["elapsed"] < 3.0


def test_insecure_scheme_less_endpoint(run_driver, receiver, unique_set):
    hostport = receiver.endpoint.split("://")[1]
    run_driver(ops(unique_set), env=otel_env(hostport, OTEL_EXPORTER_OTLP_INSECURE="true"))
    assert len(receiver.wait_for_spans(3)) == 3


def test_scheme_less_endpoint_defaults_to_tls(run_driver, receiver, unique_set):
    hostport = receiver.endpoint.split("://")[1]
    r = run_driver(ops(unique_set, 3, shutdown=True) + "result(logs=LOGS)\n", env=otel_env(hostport))
    assert receiver.requests == []
    assert sum(1 for level, _ in r["logs"] if level == "WARNING") == 1


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A test CA and a localhost server certificate it signed: (ca.pem, cert.pem, key.pem)."""
    d = tmp_path_factory.mktemp("tls")
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                               "extendedKeyUsage=serverAuth\n")
    for cmd in (
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", "ca.key", "-out", "ca.pem",
         "-subj", "/CN=aerospike-py test CA"],
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "srv.csr", "-subj", "/CN=localhost"],
        ["x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
         "-out", "cert.pem", "-extfile", "ext.cnf"],
    ):
        subprocess.run(["openssl", *cmd], cwd=d, check=True, capture_output=True)
    return d / "ca.pem", d / "cert.pem", d / "key.pem"


def test_certificate_tls_collector(run_driver, tls_files, unique_set):
    ca, cert, key = tls_files
    with OtlpReceiver(tls=(cert.read_bytes(), key.read_bytes())) as rcv:
        run_driver(ops(unique_set), env=otel_env(f"https://localhost:{rcv.port}",
                                                   OTEL_EXPORTER_OTLP_CERTIFICATE=str(ca)))
        assert len(rcv.wait_for_spans(3)) == 3
        rcv.clear()
        # Without the CA the collector's certificate is not trusted: nothing arrives.
        run_driver(ops(unique_set), env=otel_env(f"https://localhost:{rcv.port}"))
        time.sleep(0.3)
        assert rcv.spans == []


class H2Sniffer:
    """TCP proxy to the receiver that reads the client's HTTP/2 frames and records, for each gRPC
    message, its compressed-flag byte (the first byte of a stream's first DATA frame)."""

    def __init__(self, target_port: int):
        import socket
        import threading

        self.target_port = target_port
        self.flags: list[int] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading

        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            u = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pipe, args=(u, c, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(c, u, True), daemon=True).start()

    def _pipe(self, src, dst, inspect):
        buf, seen_streams = b"", set()
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
                if not inspect:
                    continue
                buf += data
                if buf.startswith(b"PRI * HTTP/2.0"):
                    buf = buf[24:]
                while len(buf) >= 9:
                    length = int.from_bytes(buf[:3], "big")
                    if len(buf) < 9 + length:
                        break
                    ftype, stream = buf[3], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
                    payload = buf[9:9 + length]
                    if ftype == 0 and payload and stream not in seen_streams:
                        seen_streams.add(stream)
                        self.flags.append(payload[0])
                    buf = buf[9 + length:]
        except OSError:
            pass
        finally:
            dst.close()

    def close(self):
        self.sock.close()


@pytest.mark.parametrize("compression,flag", [("gzip", 1), ("none", 0)])
def test_compression(run_driver, receiver, unique_set, compression, flag):
    sniffer = H2Sniffer(receiver.port)
    try:
        run_driver(ops(unique_set), env=otel_env(f"http://127.0.0.1:{sniffer.port}",
                                                   OTEL_EXPORTER_OTLP_COMPRESSION=compression))
        assert len(receiver.wait_for_spans(3)) == 3
        assert sniffer.flags and set(sniffer.flags) == {flag}
    finally:
        sniffer.close()


@pytest.mark.parametrize("variable,value", [("OTEL_TRACES_EXPORTER", "zipkin"), ("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli")])
def test_unsupported_setting_is_a_clear_error(run_driver, receiver, variable, value):
    r = run_driver("""
        try:
            aerospike_py.init_tracing()
            result(err=None)
        except ValueError as e:
            result(err=str(e))
        aerospike_py.shutdown_tracing()
    """, env=otel_env(receiver.endpoint, **{variable: value}))
    assert f"{variable}={value}" in r["err"]


def test_protocol_http_protobuf(run_driver, unique_set):
    with OtlpReceiver(http=True) as rcv:
        env = otel_env(rcv.http_endpoint, OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
                       OTEL_EXPORTER_OTLP_HEADERS="x-api-key=h1")
        run_driver(ops(unique_set), env=env)
        spans = rcv.wait_for_spans(3)
        assert len(spans) == 3 and spans[0].attributes["db.system.name"] == "aerospike"
        assert rcv.requests[0].metadata["x-api-key"] == "h1"


def test_bsp_export_timeout_abandons_hanging_export(run_driver, blackhole, unique_set):
    # The OTLP timeout alone (30 s) would keep the first export hanging; OTEL_BSP_EXPORT_TIMEOUT
    # abandons it after 300 ms, so the outage warning comes quickly.
    r = run_driver(ops(unique_set, 3, shutdown=False) + """
import time
t0 = time.monotonic()
while not LOGS and time.monotonic() - t0 < 20:
    time.sleep(0.05)
result(waited=time.monotonic() - t0, logs=LOGS)
import os; os._exit(0)
""", env=otel_env(blackhole.endpoint, OTEL_EXPORTER_OTLP_TIMEOUT="30000", OTEL_BSP_EXPORT_TIMEOUT="300"))
    assert r["logs"] and r["logs"][0][0] == "WARNING"
    assert r["waited"] < 10, r.data


def test_default_endpoint_is_localhost_4317(run_driver, unique_set):
    try:
        rcv = OtlpReceiver(host="127.0.0.1", port=4317).start()
    except RuntimeError:
        pytest.skip("port 4317 is in use on this machine")
    try:
        env = otel_env("")
        del env["OTEL_EXPORTER_OTLP_ENDPOINT"]
        run_driver(ops(unique_set), env=env)
        assert len(rcv.wait_for_spans(3)) == 3
    finally:
        rcv.stop()
