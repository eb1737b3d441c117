"""More filter expressions: record metadata, arithmetic, collections, unknown values, expression read/write ops."""

from __future__ import annotations

import aerospike
import pytest
from aerospike import exception as ex
from aerospike import predicates as p
from aerospike_helpers import expressions as exp
from aerospike_helpers.expressions import list as le
from aerospike_helpers.expressions import map as me
from aerospike_helpers.operations import expression_operations as eo

from compat_util import index_ready


def _passes(client, k, expr) -> bool:
    try:
        client.get(k, policy={"expressions": expr.compile()})
        return True
    except ex.FilteredOut:
        return False


def test_filter_on_missing_bin_is_filtered_out(client, key):
    # A comparison with an absent bin is "unknown", which a filter treats as false.
    k = key("x-missing-bin")
    client.put(k, {"a": 1})
    assert not _passes(client, k, exp.Eq(exp.IntBin("zz"), 1))
    assert _passes(client, k, exp.Not(exp.BinExists("zz")))


def test_filter_on_bin_of_other_type_is_filtered_out(client, key):
    k = key("x-wrong-type")
    client.put(k, {"a": "text"})
    assert not _passes(client, k, exp.Eq(exp.IntBin("a"), 1))


def test_metadata_set_name_ttl_and_key_exists(client, key, unique_set, ttl_writes):
    k = key("x-meta")
    client.put(k, {"a": 1}, meta={"ttl": 3600}, policy={"key": aerospike.POLICY_KEY_SEND})
    assert _passes(client, k, exp.Eq(exp.SetName(), unique_set))
    assert _passes(client, k, exp.And(exp.GT(exp.TTL(), 3000), exp.LE(exp.TTL(), 3600)))
    assert _passes(client, k, exp.KeyExists())
    assert _passes(client, k, exp.Eq(exp.KeyStr(), "x-meta"))
    never = key("x-never")
    client.put(never, {"a": 1}, meta={"ttl": aerospike.TTL_NEVER_EXPIRE})
    assert _passes(client, never, exp.Eq(exp.TTL(), -1))
    assert not _passes(client, never, exp.KeyExists())


def test_digest_modulo_partitions_records(client, key):
    keys = [key(f"x-dm-{i}") for i in range(30)]
    for k in keys:
        client.put(k, {"a": 1})
    buckets = [sum(_passes(client, k, exp.Eq(exp.DigestMod(3), r)) for k in keys) for r in range(3)]
    assert sum(buckets) == 30


def test_bin_type_and_exists(client, key):
    k = key("x-type")
    client.put(k, {"i": 1, "s": "x", "l": [1], "m": {"a": 1}})
    assert _passes(client, k, exp.Eq(exp.BinType("i"), aerospike.AS_BYTES_INTEGER))
    assert _passes(client, k, exp.Eq(exp.BinType("s"), aerospike.AS_BYTES_STRING))
    assert _passes(client, k, exp.Eq(exp.BinType("l"), aerospike.AS_BYTES_LIST))
    assert _passes(client, k, exp.Eq(exp.BinType("m"), aerospike.AS_BYTES_MAP))


def test_arithmetic_and_comparisons(client, key):
    k = key("x-arith")
    client.put(k, {"a": 7, "b": 3, "f": 2.5})
    assert _passes(client, k, exp.Eq(exp.Add(exp.IntBin("a"), exp.IntBin("b")), 10))
    assert _passes(client, k, exp.Eq(exp.Mod(exp.IntBin("a"), exp.IntBin("b")), 1))
    assert _passes(client, k, exp.Eq(exp.Div(exp.IntBin("a"), exp.IntBin("b")), 2))
    assert _passes(client, k, exp.GT(exp.Mul(exp.FloatBin("f"), 2.0), 4.9))
    assert _passes(client, k, exp.NE(exp.IntBin("a"), exp.IntBin("b")))
    assert _passes(client, k, exp.Eq(exp.Max(exp.IntBin("a"), exp.IntBin("b"), 5), 7))


def test_string_regex_filter(client, key):
    k = key("x-regex")
    client.put(k, {"s": "Hello World"})
    assert _passes(client, k, exp.CmpRegex(aerospike.REGEX_ICASE, "^hello", exp.StrBin("s")))
    assert not _passes(client, k, exp.CmpRegex(aerospike.REGEX_NONE, "^hello", exp.StrBin("s")))


def test_collection_expressions(client, key):
    k = key("x-cdt")
    client.put(k, {"l": [5, 1, 9], "m": {"a": 1, "b": 2}})
    assert _passes(client, k, exp.Eq(le.ListSize(None, exp.ListBin("l")), 3))
    assert _passes(client, k, exp.Eq(me.MapSize(None, exp.MapBin("m")), 2))
    assert _passes(
        client, k,
        exp.Eq(me.MapGetByKey(None, aerospike.MAP_RETURN_VALUE, exp.ResultType.INTEGER, "b", exp.MapBin("m")), 2),
    )


def test_let_and_cond(client, key):
    k = key("x-let")
    client.put(k, {"a": 4})
    doubled = exp.Let(exp.Def("x", exp.Mul(exp.IntBin("a"), 2)), exp.Eq(exp.Var("x"), 8))
    assert _passes(client, k, doubled)
    cond = exp.Cond(exp.GT(exp.IntBin("a"), 10), 1, exp.GT(exp.IntBin("a"), 3), 2, 3)
    assert _passes(client, k, exp.Eq(cond, 2))


def test_expression_read_operation_returns_computed_value(client, key):
    k = key("x-read-op")
    client.put(k, {"a": 2, "b": 5})
    _, _, bins = client.operate(k, [eo.expression_read("sum", exp.Add(exp.IntBin("a"), exp.IntBin("b")).compile())])
    assert bins == {"sum": 7}


def test_expression_write_operation_stores_computed_value(client, key):
    k = key("x-write-op")
    client.put(k, {"a": 2, "b": 5})
    client.operate(k, [eo.expression_write("c", exp.Mul(exp.IntBin("a"), exp.IntBin("b")).compile())])
    assert client.get(k)[2] == {"a": 2, "b": 5, "c": 10}


def test_query_with_expression_on_sindex_results(client, namespace, unique_set, key):
    name = f"ix_{unique_set}"
    client.index_single_value_create(namespace, unique_set, "i", aerospike.INDEX_NUMERIC, name)
    try:
        assert index_ready(client, namespace, name)
        for i in range(20):
            client.put(key(i), {"i": i, "even": i % 2 == 0})
        q = client.query(namespace, unique_set)
        q.where(p.between("i", 0, 9))
        got = q.results(policy={"expressions": exp.Eq(exp.BoolBin("even"), True).compile()})
        assert sorted(b["i"] for _, _, b in got) == [0, 2, 4, 6, 8]
    finally:
        client.index_remove(namespace, name)
