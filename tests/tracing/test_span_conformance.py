"""Every traced operation of ops.yaml, on both clients: its examples and error cases each yield
exactly one CLIENT span with the database semantic-convention attributes.

One subprocess runs every call, each under its own Python parent span (so the spans can be told
apart by parent id); the parametrized tests below check their slice of what the receiver got."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml


ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "ops.yaml").read_text())
TRACED = [op for op in SPEC["operations"] if op.get("traced", True)]
KEY_TARGETS = {"key", "keys"}

SCENARIO = r"""
import asyncio, uuid, yaml
from pathlib import Path
import aerospike_py
from aerospike_py import operations as ops
try:
    from aerospike_py import predicates
except ImportError:
    predicates = None

spec = yaml.safe_load(Path(OPS_YAML).read_text())
traced = [op for op in spec["operations"] if op.get("traced", True)]
aerospike_py.init_tracing()
tracer = pytracer()
calls = []

def names(c):
    s = "s_" + uuid.uuid4().hex[:10]
    env = {"NS": "test", "SET": s, "KEY": ("test", s, "k1"), "KEY2": ("test", s, "k2"),
           "HOST": HOSTS[0], "ANY": None, "aerospike_py": aerospike_py, "ops": ops, "predicates": predicates,
           "DKEY": None, "DKEY2": None}
    for op in spec["operations"]:
        env[op["name"]] = getattr(c, op["name"])
    return env

async def settle(v):
    while asyncio.iscoroutine(v) or isinstance(v, asyncio.Future) or hasattr(v, "__await__"):
        v = await v
    return v

async def run_case(kind, c, op, case, expect_error):
    if TTL_FORBIDDEN and not expect_error and case_writes_ttl(case):
        return  # the namespace has no nsup: a ttl write is answered FORBIDDEN
    env = names(c)
    for s in case.get("setup", []):
        await settle(eval(s, env))
    tag = f"{kind}:{op['name']}:{len(calls)}"
    rec = {"tag": tag, "client": kind, "op": op["name"], "operation": op["operation"], "target": op["target"],
           "returned_rows": op.get("returned_rows", False),
           "call": case["call"], "set": env["SET"], "error": None, "code": None, "n": None}
    with tracer.start_as_current_span(tag) as parent:
        rec["parent"] = hexid(parent.get_span_context().span_id)
        try:
            v = await settle(eval(case["call"], env))
            if isinstance(v, list):
                rec["n"] = len(v)
            elif hasattr(v, "batch_records"):
                rec["n"] = sum(1 for b in v.batch_records if b.record is not None)
        except Exception as e:
            rec["error"] = type(e).__name__
            msg = getattr(e, "msg", None)
            rec["message"] = msg if isinstance(msg, str) and msg else str(e)
            code = getattr(e, "code", None)
            rec["code"] = code if isinstance(code, int) else None
    assert (rec["error"] is not None) == expect_error, rec
    calls.append(rec)
    for s in case.get("cleanup", []):  # outside the parent span; drops the indexes examples create
        await settle(eval(s, env))

async def main():
    sync_c = client()
    async_c = await aclient()
    for kind, c in (("sync", sync_c), ("async", async_c)):
        for op in traced:
            for case in op.get("examples", []):
                await run_case(kind, c, op, case, False)
            for case in op.get("errors", []):
                await run_case(kind, c, op, case, True)
    result(calls=calls)

asyncio.run(main())
aerospike_py.shutdown_tracing()
"""


@pytest.fixture(scope="module")
def conformance_run(aerospike_hosts, tmp_path_factory, ttl_forbidden):
    import json
    import os
    import subprocess
    import sys

    from tracing_support import DRIVER, DriverResult, otel_env, skip_if_otel_api_needed
    from otlp_receiver import OtlpReceiver

    with OtlpReceiver() as rcv:
        script = tmp_path_factory.mktemp("conf") / "conformance.py"
        script.write_text(f"OPS_YAML = {str(ROOT / 'ops.yaml')!r}\nTTL_FORBIDDEN = {ttl_forbidden!r}\n"
                          "from servers import case_writes_ttl\n" + SCENARIO)
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        env.update(otel_env(rcv.endpoint), TRACING_TEST_HOSTS=json.dumps(aerospike_hosts))
        proc = subprocess.run([sys.executable, str(DRIVER), str(script)], env=env, capture_output=True, text=True,
                              timeout=300)
        skip_if_otel_api_needed(proc.stderr)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        calls = DriverResult(proc)["calls"]
        spans = list(rcv.spans)
    return calls, spans


def _cases():
    for kind in ("sync", "async"):
        for op in TRACED:
            yield pytest.param(kind, op["name"], id=f"{kind}-{op['name']}")


@pytest.mark.parametrize("kind,op_name", list(_cases()))
def test_operation_spans(conformance_run, aerospike_hosts, kind, op_name):
    calls, spans = conformance_run
    mine = [c for c in calls if c["client"] == kind and c["op"] == op_name]
    assert mine, f"ops.yaml has no example or error case for {op_name}"
    by_parent: dict[str, list] = {}
    for s in spans:
        by_parent.setdefault(s.parent_span_id, []).append(s)
    seed_host, seed_port = aerospike_hosts[0]
    for call in mine:
        got = by_parent.get(call["parent"], [])
        assert len(got) == 1, f"{call['call']} ({kind}): expected exactly one span, got {[s.name for s in got]}"
        span = got[0]
        a = span.attributes
        assert span.kind == "CLIENT"
        assert span.scope == "aerospike-py"
        assert a["db.system.name"] == "aerospike"
        operation = call["operation"]
        n_keys = call["call"].count("KEY")
        # The reference's names: the Python method upper-cased, whatever the batch size.
        assert operation == op_name.upper()
        assert a["db.operation.name"] == operation
        assert span.end_ns >= span.start_ns
        # The logical server: the first configured seed, on every span (errors included).
        assert (a["server.address"], a["server.port"]) == (seed_host, seed_port), a
        # The peer is only known from an error naming its node; never half-set.
        assert ("network.peer.address" in a) == ("network.peer.port" in a), a
        if call["error"] is None:
            assert span.status == "UNSET", call
            if call["target"] in KEY_TARGETS or call["target"] == "namespace":
                assert span.name == f"{operation} test.{call['set']}", call
                assert a["db.namespace"] == "test"
                assert a["db.collection.name"] == call["set"]
            if call["target"] == "keys":
                if n_keys >= 2:
                    assert a["db.operation.batch.size"] == n_keys
                else:
                    assert "db.operation.batch.size" not in a
            if call["returned_rows"]:
                assert call["n"] is not None, call
                assert a["db.response.returned_rows"] == call["n"], call
            else:
                assert "db.response.returned_rows" not in a, call
            # The node that served it (tests/tracing/test_peer.py checks which, on a cluster).
            if call["target"] == "key":
                assert a["network.peer.port"] > 0 and a["network.peer.address"], (call, a)
            # Queries and scans name a node only when one served them (tests/tracing/test_query_peer.py).
        else:
            assert span.status == "ERROR", call
            assert a["error.type"] == call["error"], call
            assert span.status_message == call["message"], call
            if call["code"] is not None and call["code"] > 0:
                assert a["db.response.status_code"] == str(call["code"]), call
                # The server answered: the span names the node (the cluster test checks which).
                # BinNameError (21) is raised before sending, with the official client's code.
                if call["target"] == "key" and call["error"] != "BinNameError":
                    assert a["network.peer.port"] > 0 and a["network.peer.address"], (call, a)
            else:
                assert "db.response.status_code" not in a, call
            if call["error"] == "ParamError":
                # Rejected before any node was chosen.
                assert "network.peer.address" not in a, (call, a)
            assert span.name.startswith(operation), call


def test_every_traced_operation_is_covered(conformance_run):
    calls, _ = conformance_run
    for kind in ("sync", "async"):
        assert {c["op"] for c in calls if c["client"] == kind} == {op["name"] for op in TRACED}
