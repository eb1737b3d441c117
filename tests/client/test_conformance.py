"""Conformance suite generated from ops.yaml at collection time: every operation exists on both
clients with the spec's signature (runtime and stubs), every example gives its expected result on
both clients, every error case raises the documented exception on both clients."""

from __future__ import annotations

import ast
import asyncio
import inspect
from pathlib import Path

import pytest
import yaml

import aerospike_py
from aerospike_py import exception
from servers import case_writes_ttl

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "ops.yaml").read_text())
OPS = SPEC["operations"]
DEFERRED = {name for name, r in SPEC["returns"].items() if r.get("deferred")}
CLIENTS = {"sync": aerospike_py.Client, "async": aerospike_py.AsyncClient}


class _Any:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __repr__(self):
        return "ANY"


ANY = _Any()


def _default_text(v) -> str:
    return "None" if v is None else str(v)


@pytest.mark.parametrize("flavor", CLIENTS)
@pytest.mark.parametrize("op", OPS, ids=lambda op: op["name"])
def test_signature_matches_spec(op, flavor):
    method = getattr(CLIENTS[flavor], op["name"])
    params = list(inspect.signature(method).parameters.values())[1:]
    assert [p.name for p in params] == [a["name"] for a in op["args"]]
    for p, a in zip(params, op["args"]):
        if "default" in a:
            assert p.default is not inspect.Parameter.empty, f"{a['name']} should be optional"
            assert repr(p.default) == _default_text(a["default"])
        else:
            assert p.default is inspect.Parameter.empty, f"{a['name']} should be required"


def _stub_classes():
    tree = ast.parse((ROOT / "python/aerospike_py/_aerospike.pyi").read_text())
    return {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}


@pytest.mark.parametrize("op", OPS, ids=lambda op: op["name"])
def test_stubs_match_spec(op):
    classes = _stub_classes()
    for cls, want_async in (("Client", False), ("AsyncClient", op["returns"] not in DEFERRED)):
        fns = {f.name: f for f in classes[cls].body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
        fn = fns[op["name"]]
        assert isinstance(fn, ast.AsyncFunctionDef) == want_async, f"{cls}.{op['name']} async-ness"
        assert [a.arg for a in fn.args.args][1:] == [a["name"] for a in op["args"]]
        n_defaults = sum(1 for a in op["args"] if "default" in a)
        assert len(fn.args.defaults) == n_defaults


def _env(hosts, ns, set_name):
    k1, k2 = (ns, set_name, "k1"), (ns, set_name, "k2")
    return {
        "KEY": k1,
        "KEY2": k2,
        "DKEY": k1 + (aerospike_py.calc_digest(*k1),),
        "DKEY2": k2 + (aerospike_py.calc_digest(*k2),),
        "NS": ns,
        "SET": set_name,
        "HOST": tuple(hosts[0]),
        "ANY": ANY,
        "aerospike_py": aerospike_py,
        "ops": aerospike_py.operations,
        "predicates": aerospike_py.predicates,
    }


async def _call(c, expr, env):
    r = eval("c." + expr, dict(env, c=c))
    if inspect.isawaitable(r):
        r = await r
    return r


def _run(flavor, config, body):
    if flavor == "sync":
        c = aerospike_py.client(config).connect()
        try:
            return asyncio.run(body(c))
        finally:
            c.close()

    async def main():
        async with aerospike_py.AsyncClient(config) as c:
            return await body(c)

    return asyncio.run(main())


EXAMPLES = [(op["name"], i, ex) for op in OPS for i, ex in enumerate(op["examples"])]
ERRORS = [(op["name"], i, er) for op in OPS for i, er in enumerate(op.get("errors", []))]


@pytest.mark.parametrize("flavor", CLIENTS)
@pytest.mark.parametrize("case", EXAMPLES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_example(case, flavor, aerospike_hosts, namespace, unique_set, ttl_forbidden):
    _, _, ex = case
    if ttl_forbidden and case_writes_ttl(ex):
        pytest.skip("writes a ttl; the namespace has no nsup and answers FORBIDDEN")
    env = _env(aerospike_hosts, namespace, unique_set)

    async def body(c):
        for s in ex.get("setup", []):
            await _call(c, s, env)
        try:
            result = await _call(c, ex["call"], env)
        finally:
            for s in ex.get("cleanup", []):
                await _call(c, s, env)
        if "result" in ex:
            expected = eval(str(ex["result"]), dict(env))
            assert result == expected
        if "check" in ex:
            assert eval(ex["check"], dict(env, result=result)), f"check failed for {result!r}"

    _run(flavor, {"hosts": list(aerospike_hosts)}, body)


@pytest.mark.parametrize("flavor", CLIENTS)
@pytest.mark.parametrize("case", ERRORS, ids=lambda c: f"{c[0]}-{c[1]}")
def test_error_case(case, flavor, aerospike_hosts, namespace, unique_set):
    _, _, er = case
    env = _env(aerospike_hosts, namespace, unique_set)
    expected = getattr(exception, er["raises"])

    async def body(c):
        for s in er.get("setup", []):
            await _call(c, s, env)
        with pytest.raises(expected) as info:
            await _call(c, er["call"], env)
        assert isinstance(info.value.code, int)
        assert info.value.msg

    _run(flavor, {"hosts": list(aerospike_hosts)}, body)


def test_every_generated_operation_is_in_the_spec():
    assert list(aerospike_py._aerospike.OPERATIONS) == [op["name"] for op in OPS]
