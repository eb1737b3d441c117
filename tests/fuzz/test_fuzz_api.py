"""Property-based fuzz of the public API (issue 17): every operation of both clients, the query
objects, the client constructor, calc_digest and every function of the helper modules, called with
random and adversarial arguments: wrong types, huge and negative numbers, nan/inf, deep nesting,
cyclic values, non-UTF-8 bytes and lone surrogates, large values, unhashable keys, wrong policy keys
and values, wrong tuple lengths, objects whose __eq__/__hash__/__index__/__str__ raise.

The only allowed outcomes are success, an exception of our hierarchy (aerospike_py.exception), a
TypeError or ValueError (wrong argument counts and types the way Python and the official client
raise them), or the `Boom` a hostile object raised itself. A crash or a PanicException fails the run;
a call stuck for two minutes ends the process with every thread's traceback (faulthandler).
"""

from __future__ import annotations

import asyncio
import collections
import faulthandler
import inspect
import math
import time

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import aerospike_py
from aerospike_py import cdt_ctx, exception, expressions, list_operations, map_operations, operations, predicates
from hostile_values import cyclic_dict, cyclic_list, nested_list

pytestmark = pytest.mark.devserver_only

NS, SET = "test", "fuzz"
OPS = {op["name"]: op for op in yaml.safe_load(aerospike_py._aerospike.__ops_yaml__)["operations"]}
OUTCOMES: collections.Counter = collections.Counter()
SECONDS: collections.Counter = collections.Counter()


class Boom(Exception):
    """Raised by the hostile objects: a caller's own exception may come back out."""


ALLOWED = (exception.AerospikeError, TypeError, ValueError, Boom)


class Hostile:
    """Every protocol method raises."""

    def _boom(self, *_a):
        raise Boom("hostile")

    __eq__ = __ne__ = __lt__ = __hash__ = __index__ = __int__ = __float__ = __str__ = _boom
    __len__ = __iter__ = __bool__ = __getitem__ = __bytes__ = __fspath__ = _boom

    def __repr__(self):
        return "Hostile()"


class EqBoom:
    """Hashes like the str "op" (a dict lookup of "op" compares it), but comparing raises. Never a
    generated dict key (hypothesis compares keys); eq_boom_op puts one in an op-like dict."""

    def __hash__(self):
        return hash("op")

    def __eq__(self, other):
        raise Boom("__eq__")

    def __repr__(self):
        return "EqBoom()"


class IndexBoom(int):
    def __index__(self):
        raise Boom("__index__")


class StrBoom(str):
    def __str__(self):
        raise Boom("__str__")


SPECIALS = {
    "hostile": Hostile,
    "eq_boom": EqBoom,
    "eq_boom_op": lambda: {"bin": "a", EqBoom(): 1},
    "index_boom": lambda: IndexBoom(3),
    "str_boom": lambda: StrBoom("a"),
    "cyclic_list": cyclic_list,
    "cyclic_dict": cyclic_dict,
    "deep_600": lambda: nested_list(600),
    "object": object,
    "set": lambda: {1, 2},
    "complex": lambda: 1j,
    "type": lambda: int,
    "lambda": lambda: (lambda *a: a),
    "generator": lambda: (i for i in range(3)),
}
# Costly to build (and to send): drawn one time in twenty.
COSTLY = {
    "deep_100k": lambda: nested_list(100_000),
    "big_bytes": lambda: b"\xff" * 2_000_000,
    "big_str": lambda: "x" * 1_100_000,
}
INTS = [0, 1, -1, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 10**30]
TEXTS = ["", "\ud800", "a\x00b", "x" * 15, "x" * 16, "é" * 8, "test", "fuzz", "\n", "a;b=c:d"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(INTS),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0]),
    st.text(max_size=20),
    st.sampled_from(TEXTS),
    st.binary(max_size=20),
    st.binary(max_size=20).map(bytearray),
    st.integers(0, 19)
    .flatmap(lambda i: st.sampled_from(sorted(COSTLY if i == 0 else SPECIALS)))
    .map(lambda name: (COSTLY.get(name) or SPECIALS[name])()),
)
hashables = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8), st.binary(max_size=8),
    st.tuples(st.integers(), st.text(max_size=3)), st.builds(lambda: IndexBoom(1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple), st.dictionaries(hashables, inner, max_size=4)
    ),
    max_leaves=12,
)
ints = st.one_of(st.integers(-3, 40), st.sampled_from(INTS), values)

# Keys of each policy kind, plus the numbers a call may take without waiting long (timeouts are
# shortened by `tame`: the fuzz wants bad input, not a legitimately long wait).
POLICY_KEYS = [
    "total_timeout", "socket_timeout", "max_retries", "timeout_delay", "sleep_between_retries", "compress",
    "read_mode_ap", "read_mode_sc", "replica", "read_touch_ttl_percent", "deserialize", "expressions", "key",
    "exists", "gen", "commit_level", "durable_delete", "ttl", "allow_inline", "allow_inline_ssd",
    "respond_all_keys", "concurrent", "generation", "timeout", "send_as_is", "max_records",
    "records_per_second", "include_bin_data", "list_order", "write_flags", "map_order", "map_write_flags",
]
CAPS = {
    "total_timeout": 2000, "socket_timeout": 2000, "timeout": 2000, "connect_timeout": 2000, "timeout_delay": 50,
    "sleep_between_retries": 50, "max_retries": 2, "login_timeout_ms": 2000, "tend_interval": 2000,
}


def tame(obj, depth: int = 3):
    """Caps valid-looking timeouts and retry counts (in place, in a config's policies too) so that
    no call waits long."""
    if isinstance(obj, dict) and depth > 0:
        for k, v in list(obj.items()):
            if type(k) is str and k in CAPS and type(v) is int and v > CAPS[k]:
                obj[k] = CAPS[k]
            elif isinstance(v, dict):
                tame(v, depth - 1)
    return obj


def dicts_of(keys, vals):
    return st.dictionaries(st.one_of(st.sampled_from(keys), st.text(max_size=8), hashables), vals, max_size=4)


policies = st.one_of(st.none(), dicts_of(POLICY_KEYS, st.one_of(ints, values)).map(tame), values)
keys = st.one_of(
    st.tuples(st.just(NS), st.just(SET), st.one_of(st.integers(-5, 30), st.text(max_size=4), st.binary(max_size=4))),
    st.tuples(st.just(NS), st.one_of(st.none(), st.just(SET)), st.none(), st.binary(min_size=19, max_size=21)),
    st.lists(values, max_size=6).map(tuple),
    values,
)
bin_names = st.one_of(st.text(max_size=17), st.sampled_from(["", "a", "l", "m", "x" * 15, "x" * 16]), values)
bin_keys = st.one_of(st.text(max_size=17), st.sampled_from(["", "a", "l", "m", "x" * 15, "x" * 16]), hashables)
bins = st.one_of(st.dictionaries(bin_keys, values, max_size=4), values)
info_commands = st.one_of(
    st.sampled_from(["namespaces", "build", "statistics", "sets", "sindex-list", "node", "", "\n\n", "namespace/nope"]),
    st.text(max_size=30).filter(lambda t: "devserver" not in t),
    values,
)


def helper_functions():
    """Every public function and expression class of the helper modules."""
    out = []
    for module in (operations, list_operations, map_operations, cdt_ctx, predicates):
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and not name.startswith("_") and fn.__module__ == module.__name__:
                out.append((f"{module.__name__.rsplit('.', 1)[-1]}.{name}", fn))
    for name, cls in vars(expressions).items():
        if inspect.isclass(cls) and issubclass(cls, expressions._Expr) and not name.startswith("_"):
            out.append((f"expressions.{name}", cls))
    return out


HELPERS = helper_functions()
CTX = [(k, v) for k, v in vars(cdt_ctx).items() if inspect.isfunction(v) and k.startswith("cdt_ctx_")]


def arg_for(name: str):
    """A strategy for a helper's parameter, by its name (any value can come instead)."""
    n = name.lower()
    if "bin" in n:
        plausible = st.sampled_from(["l", "m", "a", ""])
    elif n in ("index", "rank", "count", "amount", "get_amt", "remove_amt", "index_start", "rank_start", "ttl", "mod"):
        plausible = ints
    elif "return_type" in n:
        plausible = st.one_of(st.integers(-1, 20), st.sampled_from([0x10000 | 7, 2**40]))
    elif n in ("inverted",):
        plausible = st.booleans()
    elif n == "ctx":
        plausible = st.lists(st.sampled_from(CTX).flatmap(lambda kv: values.map(kv[1])), max_size=3)
    elif "policy" in n:
        plausible = dicts_of(POLICY_KEYS, ints)
    else:
        plausible = values
    return st.one_of(plausible, plausible, values)


@st.composite
def helper_call(draw):
    """(name, helper, positional args, keyword args)."""
    name, fn = draw(st.sampled_from(HELPERS))
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    args = []
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            args += draw(st.lists(arg_for(p.name), max_size=3))
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            if p.default is not p.empty and draw(st.booleans()):
                break
            args.append(draw(arg_for(p.name)))
    if draw(st.integers(0, 9)) == 0:
        args.append(draw(values))  # one too many
    return name, fn, args


@st.composite
def operation_lists(draw):
    """What `operate` and `batch_operate` take: usually helper-built ops, sometimes garbage."""
    ops = []
    for _ in range(draw(st.integers(0, 3))):
        name, fn, args = draw(helper_call())
        try:
            op = fn(*args)
        except ALLOWED:
            op = draw(dicts_of(["op", "bin", "val", "values", "index", "count", "return_type", "ctx", "policy"], ints))
        if not isinstance(op, dict):
            op = draw(st.one_of(values, dicts_of(["op", "bin", "val"], ints)))
        ops.append(op)
    return draw(st.one_of(st.just(ops), st.just(ops), values))


SHAPES = {
    "key": keys,
    "keys": st.one_of(st.lists(keys, max_size=4), values),
    "bins": bins,
    "bin_names": st.one_of(st.none(), st.lists(bin_names, max_size=3), values),
    "bin_name": bin_names,
    "bin_list": st.one_of(st.lists(bin_names, max_size=3), values),
    "bins_to_remove": st.one_of(st.lists(bin_names, max_size=3), values),
    "number": st.one_of(ints, st.floats()),
    "text": st.one_of(st.text(max_size=10), st.binary(max_size=10), values),
    "meta": st.one_of(st.none(), dicts_of(["ttl", "gen"], ints), values),
    "ttl": ints,
    "opt_ttl": st.one_of(st.none(), ints),
    "nanos": ints,
    "namespace": st.one_of(st.just(NS), st.text(max_size=8), values),
    "set_name": st.one_of(st.just(SET), st.none(), st.text(max_size=8), values),
    "index_name": st.one_of(st.text(max_size=10), values),
    "index_ns": st.one_of(st.just(NS), st.text(max_size=8), values),
    "index_set": st.one_of(st.just(SET), st.none(), st.text(max_size=8), values),
    "truncate_set": st.one_of(st.just(SET), st.just(""), st.text(min_size=1, max_size=8), values),
    "expression": st.one_of(st.just([(81, 2, {"bin": "n"}, 0)]), st.lists(values, max_size=3), values),
    "info_command": info_commands,
    "operations": operation_lists(),
    "index_bin": st.one_of(bin_names, st.binary(max_size=8), values),
    "index_datatype": st.one_of(st.integers(-1, 4), values),
    "collection_type": st.one_of(st.integers(-1, 4), values),
    "ctx": st.one_of(st.lists(st.tuples(st.sampled_from([16, 17, 19, 32, 33, 34, 35, 99]), values), max_size=3), values),
    "opt_ctx": st.one_of(st.none(), st.lists(st.tuples(st.sampled_from([16, 17, 19, 32, 33, 34, 35, 99]), values), max_size=3), values),
}


@st.composite
def op_call(draw, host):
    """(operation name, positional args) for a client method, valid-looking or not."""
    name = draw(st.sampled_from(sorted(OPS)))
    args = []
    for a in OPS[name]["args"]:
        if "default" in a and draw(st.integers(0, 3)) == 0:
            break
        shape = a["shape"]
        if shape == "host":
            strategy = st.one_of(st.just(host), st.tuples(st.just("127.0.0.1"), st.integers(1, 1023)), values)
        elif shape.endswith("policy"):
            strategy = policies
        else:
            strategy = SHAPES[shape]
        args.append(draw(strategy))
    if draw(st.integers(0, 19)) == 0:
        args.append(draw(values))
    return name, args


async def in_loop(make):
    """Awaits what make() returns, calling make on the running loop (AsyncClient methods need one)."""
    return await asyncio.wait_for(make(), 60)


def outcome(name: str, call):
    """Runs call(); records its outcome; lets anything outside ALLOWED fail the test."""
    faulthandler.dump_traceback_later(120, exit=True)
    started = time.monotonic()
    try:
        result = call()
        OUTCOMES[(name, "ok")] += 1
        return result
    except ALLOWED as e:
        # A panic the extension caught is a ClientError too, but still a bug the fuzz must report.
        assert "internal error" not in str(getattr(e, "msg", "")), f"{name}: a Rust panic: {e}"
        OUTCOMES[(name, type(e).__name__)] += 1
        return None
    finally:
        faulthandler.cancel_dump_traceback_later()
        SECONDS[name] += time.monotonic() - started


@pytest.fixture(scope="module")
def clients(fuzz_server):
    sync = aerospike_py.client({"hosts": fuzz_server.hosts}).connect()
    loop = asyncio.new_event_loop()
    async_client = loop.run_until_complete(in_loop(lambda: aerospike_py.AsyncClient({"hosts": fuzz_server.hosts}).connect()))
    yield sync, async_client, loop
    sync.close()
    loop.run_until_complete(in_loop(async_client.close))
    loop.close()


def summary() -> list[str]:
    """Calls per function and outcome, with the time spent (conftest prints it after the run)."""
    by_name = collections.defaultdict(list)
    for (name, what), n in sorted(OUTCOMES.items()):
        by_name[name].append(f"{what} {n}")
    lines = [f"fuzz: {sum(OUTCOMES.values())} calls"]
    lines += [f"  {name}: {', '.join(parts)} ({SECONDS[name]:.1f} s)" for name, parts in sorted(by_name.items())]
    return lines


def raise_boom(*_args):
    raise Boom("callback")


def query_followups(q, data):
    """select/where/results/foreach on a query object, in a random order and with random arguments."""
    for _ in range(data.draw(st.integers(0, 3))):
        step = data.draw(st.sampled_from(["select", "where", "results", "foreach"]))
        if step == "select":
            args = data.draw(st.lists(bin_names, max_size=3))
        elif step == "where":
            args = [data.draw(st.one_of(
                st.tuples(st.sampled_from(["equals", "between", "nope"]), bin_names, values),
                st.tuples(st.sampled_from(["equals", "between"]), bin_names, ints, ints),
                st.lists(values, max_size=5).map(tuple),
                values,
            ))]
        elif step == "results":
            args = data.draw(st.lists(policies, max_size=2))
        else:
            args = [data.draw(st.one_of(st.sampled_from([lambda r: None, lambda r: False, raise_boom]), values))]
            args += data.draw(st.lists(policies, max_size=1))
        got = outcome(f"Query.{step}", lambda: getattr(q, step)(*args))
        if step in ("select", "where") and got is not None:
            q = got
    return q


@given(data=st.data())
def test_sync_client_methods(clients, fuzz_server, data):
    sync, _, _ = clients
    name, args = data.draw(op_call(fuzz_server.hosts[0]))
    got = outcome(f"Client.{name}", lambda: getattr(sync, name)(*args))
    if name == "query" and got is not None:
        query_followups(got, data)


@given(data=st.data())
def test_async_client_methods(clients, fuzz_server, data):
    _, ac, loop = clients
    name, args = data.draw(op_call(fuzz_server.hosts[0]))

    if name == "query":
        q = outcome(f"AsyncClient.{name}", lambda: ac.query(*args))
    else:
        q = outcome(f"AsyncClient.{name}", lambda: loop.run_until_complete(in_loop(lambda: getattr(ac, name)(*args))))
    if name == "query" and q is not None:
        for _ in range(data.draw(st.integers(0, 2))):
            step = data.draw(st.sampled_from(["select", "where", "results"]))
            arg = data.draw(st.one_of(values, bin_names, policies))
            if step == "results":
                outcome("AsyncQuery.results", lambda: loop.run_until_complete(in_loop(lambda: q.results(arg))))
            else:
                outcome(f"AsyncQuery.{step}", lambda: getattr(q, step)(arg))


@given(data=st.data())
def test_helper_functions_and_what_they_build(clients, data):
    """Each helper with random arguments; what it builds goes where it belongs (operate, ctx, where,
    an expression policy)."""
    sync, _, _ = clients
    name, fn, args = data.draw(helper_call())
    built = outcome(name, lambda: fn(*args))
    if built is None:
        return
    key = (NS, SET, data.draw(st.integers(0, 20)))
    if name.startswith(("operations.", "list_operations.", "map_operations.")):
        outcome("Client.operate(helper op)", lambda: sync.operate(key, [built]))
    elif name.startswith("cdt_ctx."):
        outcome("Client.operate(helper ctx)", lambda: sync.operate(key, [list_operations.list_get("l", 0, ctx=[built])]))
    elif name.startswith("predicates."):
        outcome("Query.where(helper predicate)", lambda: sync.query(NS, SET).where(built).results())
    elif name.startswith("expressions."):
        compiled = outcome(f"{name}.compile", built.compile)
        if compiled is not None:
            outcome("Client.get(helper expression)", lambda: sync.get(key, policy={"expressions": compiled}))


compiled_nodes = st.tuples(
    st.one_of(st.integers(-1, 260), st.sampled_from(INTS), values),
    st.one_of(st.none(), st.integers(-1, 12), values),
    st.one_of(st.none(), dicts_of(["val", "bin", "regex_options"], values), values),
    st.one_of(st.integers(-1, 5), st.sampled_from(INTS), values),
)


@given(data=st.data())
def test_compiled_expressions(clients, data):
    """Compiled expression lists as any client's helpers produce them, garbled: random nodes, wrong
    tuple lengths, child counts that lie, chains thousands of nodes deep."""
    sync, _, _ = clients
    kind = data.draw(st.sampled_from(["random", "deep", "tuple_lengths"]))
    if kind == "random":
        compiled = data.draw(st.lists(compiled_nodes, max_size=8))
    elif kind == "deep":
        depth = data.draw(st.sampled_from([100, 511, 512, 513, 2_000, 100_000]))
        op = data.draw(st.sampled_from([18, 27, 16, 1]))
        compiled = [(op, None, None, 1)] * depth + [(83, 1, {"bin": "a"}, 0)]
    else:
        compiled = data.draw(st.lists(st.lists(values, max_size=6).map(tuple), max_size=4))
    key = (NS, SET, data.draw(st.integers(0, 20)))
    outcome("Client.get(compiled expression)", lambda: sync.get(key, policy={"expressions": compiled}))


CONFIG_KEYS = [
    "hosts", "user", "password", "cluster_name", "connect_timeout", "timeout", "tend_interval", "max_conns_per_node",
    "min_conns_per_node", "use_services_alternate", "max_error_rate", "error_rate_window", "policies",
]


@given(data=st.data())
def test_client_config_and_calc_digest(fuzz_server, data):
    config = data.draw(st.one_of(dicts_of(CONFIG_KEYS, st.one_of(ints, values, policies)), values))
    if isinstance(config, dict) and data.draw(st.booleans()):
        config["hosts"] = list(fuzz_server.hosts)
    tame(config)
    c = outcome("client(config)", lambda: aerospike_py.client(config))
    if c is not None and data.draw(st.integers(0, 9)) == 0:
        # Connecting is slow (a tend): only a tenth of the valid configs.
        if outcome("Client.connect", c.connect) is not None:
            outcome("Client.close", c.close)
    args = data.draw(st.lists(st.one_of(st.just(NS), st.just(SET), keys, values), min_size=0, max_size=4))
    outcome("calc_digest", lambda: aerospike_py.calc_digest(*args))
