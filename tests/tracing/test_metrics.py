"""OpenTelemetry metrics (docs/metrics.md): what a real OTLP receiver gets from a scenario run in a
fresh process against the real server, and what `get_metrics()` / the Prometheus endpoint serve.

db.client.operation.duration (seconds, the conventions' buckets) per operation with its attributes,
db.client.response.returned_rows for batch reads and queries, the connection pool metrics per node;
OTLP over gRPC and http/protobuf, cumulative and delta; OTEL_METRICS_EXPORTER=none exports nothing;
a collector that is down costs one warning and no failed call; a forked child reports its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

import aerospike_py
from tracing_support import free_port, otel_env

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "ops.yaml").read_text())
TRACED = [op for op in SPEC["operations"] if op.get("traced", True)]
SEMCONV_BOUNDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0]
DURATION = "db.client.operation.duration"

# Every traced operation once per client (twice for put), one failed get, on set SET.
SCENARIO = r"""
import asyncio, time
import aerospike_py
from aerospike_py import operations as ops
from aerospike_py import exception

CONFIG = {"hosts": HOSTS, "max_conns_per_node": 7}
aerospike_py.init_tracing()
calls = {}
elapsed = [0.0]

def note(op, n=1):
    calls[op] = calls.get(op, 0) + n

async def run(kind, c):
    async def do(op, *args):
        t0 = time.monotonic()
        try:
            v = getattr(c, op)(*args)
            if kind == "async":
                v = await v
            return v
        finally:
            elapsed[0] += time.monotonic() - t0
            note(op.upper())
    k1, k2 = ("test", SET, kind + "1"), ("test", SET, kind + "2")
    await do("put", k1, {"a": 1, "s": "x", "n": 1})
    await do("put", k2, {"a": 2})
    await do("get", k1)
    await do("select", k1, ["a"])
    await do("exists", k1)
    await do("touch", k1)
    await do("append", k1, "s", "y")
    await do("prepend", k1, "s", "w")
    await do("increment", k1, "n", 1)
    await do("operate", k1, [ops.read("a")])
    await do("batch_read", [k1, k2, ("test", SET, "nobody")])
    await do("batch_operate", [k1, k2], [ops.read("a")])
    await do("batch_remove", [k2])
    await do("operate_ordered", k1, [ops.read("a")])
    await do("remove_bin", k1, ["s"])
    await do("remove", k1)
    try:
        await do("get", ("test", SET, "missing"))
    except exception.RecordNotFound:
        pass
    found = {}
    for op, q in (("QUERY", c.query("test", SET)), ("SCAN", c.scan("test", SET))):
        t0 = time.monotonic()
        rows = q.results()
        if kind == "async":
            rows = await rows
        elapsed[0] += time.monotonic() - t0
        note(op)
        found[op] = len(rows)
    return found

async def main():
    sync_c = aerospike_py.client(CONFIG).connect()
    async_c = aerospike_py.AsyncClient(CONFIG)
    await async_c.connect()
    sync_c.put(("test", SET, "q"), {"a": 0})  # one record for the queries
    note("PUT")
    rows = [await run("sync", sync_c), await run("async", async_c)]
    aerospike_py.shutdown_metrics()  # the last export, while both clients' pools are open
    result(calls=calls, elapsed=elapsed[0], rows=rows)
    sync_c.close()
    await async_c.close()

asyncio.run(main())
aerospike_py.shutdown_tracing()
"""


def _duration_points(receiver, set_name):
    return [p for p in receiver.points if p.metric == DURATION and p.attributes.get("db.collection.name") == set_name]


def _check_counts(points, calls, set_name, host):
    ok = {p.attributes["db.operation.name"]: p for p in points if "error.type" not in p.attributes}
    errors = [p for p in points if "error.type" in p.attributes]
    expected = dict(calls)
    expected["GET"] -= 2  # the failed gets are their own series
    assert {op: p.count for op, p in ok.items()} == expected
    # Every traced operation of ops.yaml is recorded under its reference name.
    assert set(ok) == {op["operation"] for op in TRACED}
    for p in ok.values():
        a = p.attributes
        assert p.unit == "s" and p.kind == "histogram"
        assert p.bounds == SEMCONV_BOUNDS
        assert sum(p.bucket_counts) == p.count and len(p.bucket_counts) == len(SEMCONV_BOUNDS) + 1
        assert a["db.system.name"] == "aerospike" and a["db.namespace"] == "test"
        assert (a["server.address"], a["server.port"]) == tuple(host)
        assert "db.response.status_code" not in a
    (err,) = errors
    assert err.count == 2 and err.attributes["db.operation.name"] == "GET"
    assert err.attributes["error.type"] == "RecordNotFound"
    assert err.attributes["db.response.status_code"] == "2"
    return ok, err


@pytest.mark.parametrize("protocol", ["grpc", "http/protobuf"])
def test_operation_durations_counts_unit_rows_and_pools(run_driver, unique_set, aerospike_hosts, protocol):
    from otlp_receiver import OtlpReceiver

    with OtlpReceiver(http=True) as receiver:
        endpoint = receiver.endpoint if protocol == "grpc" else receiver.http_endpoint
        env = otel_env(endpoint, OTEL_EXPORTER_OTLP_PROTOCOL=protocol, OTEL_METRIC_EXPORT_INTERVAL="600000")
        out = run_driver(f"SET = {unique_set!r}\n" + SCENARIO, env=env)
        points = _duration_points(receiver, unique_set)
        ok, err = _check_counts(points, out["calls"], unique_set, aerospike_hosts[0])
        # Seconds, not milliseconds: the recorded total is within the wall time the calls took.
        total = sum(p.sum for p in ok.values()) + err.sum
        assert 0 < total <= out["elapsed"] * 1.05 + 0.001, (total, out["elapsed"])
        # Returned rows: batch_read found 2 of 3 keys (per client), each query and scan one record.
        rows = {p.attributes["db.operation.name"]: p for p in receiver.points
                if p.metric == "db.client.response.returned_rows" and p.attributes.get("db.collection.name") == unique_set}
        assert set(rows) == {"BATCH_READ", "BATCH_OPERATE", "QUERY", "SCAN"}
        assert (rows["BATCH_READ"].count, rows["BATCH_READ"].sum) == (2, 4.0)
        for op in ("QUERY", "SCAN"):
            assert (rows[op].count, rows[op].sum) == (2, float(sum(r[op] for r in out["rows"])))
        assert rows["QUERY"].unit == "{row}"
        # Pools: per node, idle and used, and the maximum (two clients of max_conns_per_node 7).
        count = [p for p in receiver.points if p.metric == "db.client.connection.count"]
        states = {p.attributes["db.client.connection.state"] for p in count}
        assert states == {"idle", "used"}
        assert all(p.kind == "sum" and not p.monotonic and p.temporality == 2 for p in count)
        maxes = [p for p in receiver.points if p.metric == "db.client.connection.max"]
        assert maxes and all(p.value == 14 for p in maxes), [(p.attributes, p.value) for p in maxes]
        assert {p.attributes["db.client.connection.pool.name"] for p in maxes} == \
            {p.attributes["db.client.connection.pool.name"] for p in count}
        assert sum(p.value for p in count if p.attributes["db.client.connection.state"] == "idle") > 0
        assert all(p.temporality == 2 for p in points)  # cumulative by default


def test_delta_temporality(run_driver, receiver, unique_set):
    out = run_driver(f"""
import aerospike_py
aerospike_py.init_metrics()
c = client()
for i in range(3):
    c.put(("test", {unique_set!r}, i), {{"a": i}})
assert aerospike_py._aerospike._metrics_flush()
for i in range(2):
    c.put(("test", {unique_set!r}, i), {{"a": i}})
assert aerospike_py._aerospike._metrics_flush()
assert aerospike_py._aerospike._metrics_flush()   # nothing new: no point
aerospike_py.shutdown_metrics()
result(ok=True)
""", env=otel_env(receiver.endpoint, OTEL_METRIC_EXPORT_INTERVAL="600000",
                  OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="delta"))
    assert out["ok"]
    per_export = [[p for p in e if p.metric == DURATION and p.attributes.get("db.collection.name") == unique_set]
                  for e in receiver.metric_exports]
    counts = [[p.count for p in e] for e in per_export if e]
    assert counts == [[3], [2]], counts
    first, second = (e[0] for e in per_export if e)
    assert first.temporality == second.temporality == 1
    assert second.start_ns == first.time_ns  # each delta starts where the previous one ended


def test_exporter_none_exports_nothing_but_get_metrics_counts(run_driver, receiver, unique_set):
    out = run_driver(f"""
import aerospike_py
assert aerospike_py.init_tracing()
c = client()
for i in range(4):
    c.put(("test", {unique_set!r}, i), {{"a": i}})
text = aerospike_py.get_metrics()
aerospike_py.shutdown_tracing()
result(text=text)
""", env=otel_env(receiver.endpoint, OTEL_METRICS_EXPORTER="none", OTEL_METRIC_EXPORT_INTERVAL="50"))
    assert receiver.wait_for_spans(4)  # tracing still exports
    assert receiver.metric_exports == []
    assert f'db_operation_name="PUT",db_namespace="test",db_collection_name="{unique_set}"' in out["text"]


def test_collector_down_warns_once_and_calls_succeed(run_driver, unique_set):
    dead = f"http://127.0.0.1:{free_port()}"
    out = run_driver(f"""
import time
import aerospike_py
aerospike_py.init_metrics()
c = client()
for i in range(20):
    c.put(("test", {unique_set!r}, i), {{"a": i}})
    assert c.get(("test", {unique_set!r}, i))[2] == {{"a": i}}
    time.sleep(0.05)
time.sleep(1.5)  # several failed exports and the log pump
aerospike_py.shutdown_metrics()
result(logs=MLOGS, tracing_logs=LOGS)
""", env=otel_env(dead, OTEL_METRIC_EXPORT_INTERVAL="100", OTEL_EXPORTER_OTLP_METRICS_TIMEOUT="500"))
    warnings = [m for level, m in out["logs"] if level == "WARNING"]
    assert len(warnings) == 1, out["logs"]
    assert "metric export to" in warnings[0] and "database operations are unaffected" in warnings[0]
    assert out["tracing_logs"] == []  # tracing was not started: nothing on its logger


def test_fork_child_records_and_exports_its_own(run_driver, receiver, unique_set):
    out = run_driver(f"""
import os
import aerospike_py
aerospike_py.init_metrics()
c = client()
for i in range(5):
    c.put(("test", {unique_set!r}, i), {{"a": i}})
assert aerospike_py._aerospike._metrics_flush()
pid = os.fork()
if pid == 0:
    cc = client()  # a forked child uses a new client
    for i in range(3):
        cc.get(("test", {unique_set!r}, i))
    ok = aerospike_py._aerospike._metrics_flush()
    os._exit(0 if ok else 3)
_, status = os.waitpid(pid, 0)
aerospike_py.shutdown_metrics()
result(child=os.waitstatus_to_exitcode(status))
""", env=otel_env(receiver.endpoint, OTEL_METRIC_EXPORT_INTERVAL="600000"))
    assert out["child"] == 0
    exports = [{p.attributes["db.operation.name"]: p.count for p in e
                if p.metric == DURATION and p.attributes.get("db.collection.name") == unique_set}
               for e in receiver.metric_exports]
    # The parent's two exports show its 5 puts; the child's shows its 3 gets and none of the puts.
    assert {"PUT": 5} in exports
    assert {"GET": 3} in exports, exports
    assert not any(e.get("PUT", 0) > 5 for e in exports), exports


def _families(text):
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_get_metrics_is_prometheus_text(aerospike_hosts, unique_set):
    with aerospike_py.client({"hosts": aerospike_hosts}).connect() as c:
        for i in range(3):
            c.put(("test", unique_set, i), {"a": i})
        c.batch_read([("test", unique_set, i) for i in range(3)])
        text = aerospike_py.get_metrics()
    fams = _families(text)
    dur = fams["db_client_operation_duration_seconds"]
    assert dur.type == "histogram"
    samples = [s for s in dur.samples if s.labels.get("db_collection_name") == unique_set]
    count = {s.labels["db_operation_name"]: s.value for s in samples if s.name.endswith("_count")}
    assert count == {"PUT": 3, "BATCH_READ": 1}
    les = [s.labels["le"] for s in samples if s.name.endswith("_bucket") and s.labels["db_operation_name"] == "PUT"]
    assert [float(le) for le in les] == SEMCONV_BOUNDS + [float("inf")]
    rows = [s for s in fams["db_client_response_returned_rows"].samples
            if s.labels.get("db_collection_name") == unique_set and s.name.endswith("_sum")]
    assert [s.value for s in rows] == [3]
    assert fams["db_client_connection_count"].type == "gauge"
    assert fams["db_client_connection_max"].type == "gauge"


def test_prometheus_exporter_serves_the_text(run_driver, unique_set):
    port = free_port()
    out = run_driver(f"""
import urllib.request
import aerospike_py
assert aerospike_py.init_metrics()
c = client()
c.put(("test", {unique_set!r}, 1), {{"a": 1}})
with urllib.request.urlopen("http://127.0.0.1:{port}/metrics", timeout=10) as r:
    body = r.read().decode()
    ctype = r.headers["Content-Type"]
aerospike_py.shutdown_metrics()
result(body=body, ctype=ctype)
""", env={"OTEL_METRICS_EXPORTER": "prometheus", "OTEL_EXPORTER_PROMETHEUS_HOST": "127.0.0.1",
          "OTEL_EXPORTER_PROMETHEUS_PORT": str(port)})
    assert out["ctype"].startswith("text/plain; version=0.0.4")
    fams = _families(out["body"])
    samples = fams["db_client_operation_duration_seconds"].samples
    assert any(s.name.endswith("_count") and s.labels.get("db_collection_name") == unique_set and s.value == 1
               for s in samples)
    assert fams["db_client_connection_count"].samples


def test_metrics_can_be_switched_off(aerospike_hosts, unique_set):
    with aerospike_py.client({"hosts": aerospike_hosts}).connect() as c:
        aerospike_py.set_metrics_enabled(False)
        try:
            c.put(("test", unique_set, 1), {"a": 1})
        finally:
            aerospike_py.set_metrics_enabled(True)
        c.put(("test", unique_set, 2), {"a": 1})
    fams = _families(aerospike_py.get_metrics())
    count = [s.value for s in fams["db_client_operation_duration_seconds"].samples
             if s.name.endswith("_count") and s.labels.get("db_collection_name") == unique_set]
    assert count == [1]


def test_bad_exporter_setting_is_a_value_error(run_driver):
    out = run_driver("""
import aerospike_py
try:
    aerospike_py.init_metrics()
    result(raised=None)
except ValueError as e:
    result(raised=str(e))
""", env={"OTEL_METRICS_EXPORTER": "statsd"})
    assert "OTEL_METRICS_EXPORTER=statsd" in out["raised"]


def test_fastapi_example_serves_prometheus_text(aerospike_hosts, monkeypatch, unique_set):
    import importlib.util

    from fastapi.testclient import TestClient

    host, port = aerospike_hosts[0]
    monkeypatch.setenv("AEROSPIKE_HOST", host)
    monkeypatch.setenv("AEROSPIKE_PORT", str(port))
    spec = importlib.util.spec_from_file_location("fastapi_metrics", ROOT / "examples" / "fastapi_metrics.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    with TestClient(mod.app) as http:
        assert http.put(f"/users/{unique_set}", json={"name": "Ada"}).status_code == 200
        assert http.get(f"/users/{unique_set}").json() == {"name": "Ada"}
        resp = http.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain; version=0.0.4")
    fams = _families(resp.text)
    counts = {s.labels["db_operation_name"]: s.value for s in fams["db_client_operation_duration_seconds"].samples
              if s.name.endswith("_count") and s.labels.get("db_collection_name") == "users"}
    assert counts["PUT"] >= 1 and counts["GET"] >= 1


def test_series_are_told_apart_by_every_byte_of_their_names(aerospike_hosts):
    # Sets of 1 to 24 bytes, two per length, differing in one middle byte only: each lands in its
    # own series (the per-thread series cache compares names by a few word loads, not memcmp).
    import uuid

    tag = uuid.uuid4().hex[:4]
    names = {}
    for n in range(1, 25):
        for mid in "xy":
            base = (tag * 8)[:n]
            name = base[: n // 2] + mid + base[n // 2 + 1:] if n > 1 else mid
            names[name] = names.get(name, 0) + 1
    with aerospike_py.client({"hosts": aerospike_hosts}).connect() as c:
        expected = {}
        for i, name in enumerate(sorted(names)):
            for j in range(1 + i % 3):
                try:
                    c.exists(("test", name, j))
                except aerospike_py.exception.AerospikeError:
                    pass
            expected[name] = 1 + i % 3
    fams = _families(aerospike_py.get_metrics())
    got = {}
    for s in fams["db_client_operation_duration_seconds"].samples:
        if s.name.endswith("_count") and s.labels["db_operation_name"] == "EXISTS" and \
                s.labels.get("db_collection_name") in expected:
            got[s.labels["db_collection_name"]] = got.get(s.labels["db_collection_name"], 0) + s.value
    assert got == expected
