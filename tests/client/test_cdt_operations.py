"""List and map operations: each case runs through our helpers and through the official client's
`aerospike_helpers` on twin records, and both clients must see the same results and records."""

from __future__ import annotations

import uuid

import aerospike
import pytest
from aerospike_helpers import cdt_ctx as official_ctx
from aerospike_helpers.operations import list_operations as official_lo
from aerospike_helpers.operations import map_operations as official_mo

import aerospike_py
from aerospike_py import cdt_ctx, exception, list_operations, map_operations

INITIAL = {"l": [5, 1, 4, 1, 3], "m": {"a": 3, "b": 1, "c": 2}, "n": [[1, 2], [3]], "nm": {"x": {"y": 1}}}

LV, LC, LI = aerospike.LIST_RETURN_VALUE, aerospike.LIST_RETURN_COUNT, aerospike.LIST_RETURN_INDEX
MK, MV, MC = aerospike.MAP_RETURN_KEY, aerospike.MAP_RETURN_VALUE, aerospike.MAP_RETURN_COUNT
MKV = aerospike.MAP_RETURN_KEY_VALUE

# (helper name, positional args, keyword args, context: list of (cdt_ctx function name, value))
CASES = [
    ("list_append", ("l", 9), {}, []),
    ("list_append_items", ("l", [7, 8]), {}, []),
    ("list_append", ("l", 1), {"policy": {"write_flags": aerospike.LIST_WRITE_ADD_UNIQUE | aerospike.LIST_WRITE_NO_FAIL}}, []),
    ("list_insert", ("l", 1, "z"), {}, []),
    ("list_insert_items", ("l", 0, [0, 0]), {}, []),
    ("list_increment", ("l", 0, 10), {}, []),
    ("list_set", ("l", 2, 100), {}, []),
    ("list_pop", ("l", 1), {}, []),
    ("list_pop_range", ("l", 1, 2), {}, []),
    ("list_remove", ("l", 0), {}, []),
    ("list_remove_range", ("l", 1, 2), {}, []),
    ("list_trim", ("l", 1, 2), {}, []),
    ("list_clear", ("l",), {}, []),
    ("list_sort", ("l",), {}, []),
    ("list_sort", ("l", aerospike.LIST_SORT_DROP_DUPLICATES), {}, []),
    ("list_size", ("l",), {}, []),
    ("list_get", ("l", 2), {}, []),
    ("list_get_range", ("l", 1, 3), {}, []),
    ("list_get_by_index", ("l", -1, LV), {}, []),
    ("list_get_by_index_range", ("l", 1, LV), {"count": 2}, []),
    ("list_get_by_index_range", ("l", 1, LV), {"count": 2, "inverted": True}, []),
    ("list_get_by_rank", ("l", 0, LV), {}, []),
    ("list_get_by_rank_range", ("l", 1, LV), {"count": 2}, []),
    ("list_get_by_value", ("l", 1, LI), {}, []),
    ("list_get_by_value_list", ("l", [1, 4], LC), {}, []),
    ("list_get_by_value_range", ("l", LV, 2, 5), {}, []),
    ("list_remove_by_index", ("l", 0, LV), {}, []),
    ("list_remove_by_index_range", ("l", 1, LC), {}, []),
    ("list_remove_by_rank", ("l", 0, LV), {}, []),
    ("list_remove_by_rank_range", ("l", 0, LV), {"count": 2}, []),
    ("list_remove_by_value", ("l", 1, LC), {}, []),
    ("list_remove_by_value_list", ("l", [1, 5], LV), {"inverted": True}, []),
    ("list_remove_by_value_range", ("l", LC, 1, 4), {}, []),
    ("list_append", ("n", 9), {}, [("cdt_ctx_list_index", 0)]),
    ("list_size", ("n",), {}, [("cdt_ctx_list_index", -1)]),
    ("map_put", ("m", "d", 4), {}, []),
    ("map_put_items", ("m", {"e": 5, "a": 0}), {}, []),
    ("map_increment", ("m", "a", 2), {}, []),
    ("map_decrement", ("m", "b", 1), {}, []),
    ("map_size", ("m",), {}, []),
    ("map_clear", ("m",), {}, []),
    ("map_get_by_key", ("m", "a", MV), {}, []),
    ("map_get_by_key_list", ("m", ["a", "c"], MKV), {}, []),
    ("map_get_by_key_range", ("m", "a", "c", MK), {}, []),
    ("map_get_by_value", ("m", 1, MK), {}, []),
    ("map_get_by_value_list", ("m", [1, 2], MC), {}, []),
    ("map_get_by_value_range", ("m", 1, 3, MK), {}, []),
    ("map_get_by_index", ("m", 0, MKV), {}, []),
    ("map_get_by_index_range", ("m", 0, 2, MV), {}, []),
    ("map_get_by_rank", ("m", 0, MK), {}, []),
    ("map_get_by_rank_range", ("m", 1, 2, MK), {}, []),
    ("map_get_by_key", ("m", "b", aerospike.MAP_RETURN_UNORDERED_MAP), {}, []),
    ("map_remove_by_key", ("m", "a", MV), {}, []),
    ("map_remove_by_key_list", ("m", ["a", "b"], MC), {}, []),
    ("map_remove_by_key_range", ("m", "a", "c", MK), {}, []),
    ("map_remove_by_value", ("m", 3, MK), {}, []),
    ("map_remove_by_value_list", ("m", [1], MK), {"inverted": True}, []),
    ("map_remove_by_value_range", ("m", 1, 3, MC), {}, []),
    ("map_remove_by_index", ("m", 0, MK), {}, []),
    ("map_remove_by_index_range", ("m", 0, 2, MC), {}, []),
    ("map_remove_by_rank", ("m", 0, MK), {}, []),
    ("map_remove_by_rank_range", ("m", 0, 2, MK), {}, []),
    ("map_put", ("nm", "z", 2), {}, [("cdt_ctx_map_key", "x")]),
    ("map_get_by_key", ("nm", "y", MV), {}, [("cdt_ctx_map_key", "x")]),
]


def build(name, args, kwargs, ctx, ours: bool):
    module = (list_operations if name.startswith("list") else map_operations) if ours else (
        official_lo if name.startswith("list") else official_mo
    )
    contexts = [getattr(cdt_ctx if ours else official_ctx, fn)(v) for fn, v in ctx]
    extra = {"ctx": contexts} if contexts else {}
    return getattr(module, name)(*args, **kwargs, **extra)


@pytest.fixture(scope="module")
def official(aerospike_hosts):
    c = aerospike.client({"hosts": list(aerospike_hosts)}).connect()
    yield c
    c.close()


@pytest.fixture(scope="module")
def module_set() -> str:
    """One set for every case (each case has its own keys): fewer sets on a long-lived server."""
    return "t_" + uuid.uuid4().hex[:12]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_same_result_and_record_as_the_official_client(client, official, module_set, case):
    name, args, kwargs, ctx = case
    ours_key, theirs_key = ("test", module_set, f"ours-{name}-{args}"), ("test", module_set, f"theirs-{name}-{args}")
    client.put(ours_key, INITIAL)
    official.put(theirs_key, INITIAL)

    _, _, ours = client.operate(ours_key, [build(name, args, kwargs, ctx, ours=True)])
    _, _, theirs = official.operate(theirs_key, [build(name, args, kwargs, ctx, ours=False)])
    # The C client asks the server to answer every op when a map op is present, and then shows a
    # nil answer as None; so do we.
    assert ours == theirs
    assert client.get(ours_key)[2] == official.get(theirs_key)[2]


def test_async_client_runs_list_and_map_operations(run_async, namespace, unique_set):
    key = (namespace, unique_set, "a")

    async def body(c):
        await c.put(key, INITIAL)
        ops = [list_operations.list_append("l", 6), map_operations.map_get_by_key("m", "c", aerospike_py.MAP_RETURN_VALUE)]
        return await c.operate(key, ops)

    _, _, bins = run_async(body)
    assert bins == {"l": 6, "m": 2}


@pytest.mark.parametrize(
    "op,match",
    [
        ({"op": aerospike_py.OP_LIST_GET, "bin": "l"}, "index"),
        ({"op": aerospike_py.OP_LIST_GET_BY_INDEX, "bin": "l", "index": 0, "return_type": -1}, "return_type"),
        ({"op": aerospike_py.OP_LIST_APPEND_ITEMS, "bin": "l", "values": 3}, "values"),
        ({"op": aerospike_py.OP_LIST_APPEND, "bin": "l", "val": 1, "list_policy": {"list_order": 7}}, "list_order"),
        ({"op": aerospike_py.OP_MAP_PUT, "bin": "m", "key": "k", "val": 1, "map_policy": {"bogus": 1}}, "bogus"),
        ({"op": aerospike_py.OP_MAP_PUT_ITEMS, "bin": "m", "val": [1]}, "dict"),
        ({"op": aerospike_py.OP_LIST_SIZE, "bin": "l", "ctx": [(999, 0)]}, "context"),
        ({"op": aerospike_py.OP_LIST_SIZE, "bin": "l", "ctx": "x"}, "ctx"),
        ({"op": 1999, "bin": "l"}, "unsupported"),
        ({"op": aerospike_py.OP_LIST_SIZE}, "bin"),
        ({"op": aerospike_py.OP_LIST_APPEND, "bin": "l", "val": 1, "policy": {}}, "does not take the field"),
    ],
)
def test_bad_list_and_map_operations_raise_param_error_and_change_nothing(client, key, op, match):
    client.put(key, INITIAL)
    with pytest.raises(exception.ParamError, match=match):
        client.operate(key, [list_operations.list_append("l", 99), op])
    assert client.get(key)[2] == INITIAL


def test_server_rejection_of_a_list_operation_raises_server_error(client, key):
    client.put(key, INITIAL)
    with pytest.raises(exception.BinTypeError):
        client.operate(key, [list_operations.list_append("m", 1)])  # "m" holds a map


def test_map_key_value_results_are_flat_lists_in_hit_order(client, key):
    """MAP_RETURN_KEY_VALUE: the server answers an order-preserving map in hit order (cdt.h
    result_map_type_to_map_flags), which the official client returns as [k1, v1, k2, v2, ...]."""
    client.put(key, {"m": {"c": 3, "a": 1, "b": 2, "d": 0}})
    mkv = aerospike_py.MAP_RETURN_KEY_VALUE
    _, _, bins = client.operate(key, [map_operations.map_get_by_key_list("m", ["c", "a"], mkv)])
    assert bins == {"m": ["a", 1, "c", 3]}
    _, _, bins = client.operate(key, [map_operations.map_get_by_index("m", 0, mkv)])
    assert bins == {"m": ["a", 1]}
    _, _, bins = client.operate(key, [map_operations.map_get_by_rank_range("m", 0, 2, mkv)])
    assert bins == {"m": ["d", 0, "a", 1]}
    _, _, bins = client.operate(key, [map_operations.map_get_by_key("m", "zz", mkv)])
    assert bins == {"m": []}
    _, _, bins = client.operate(key, [map_operations.map_get_by_rank_range("m", 0, 2, aerospike_py.MAP_RETURN_UNORDERED_MAP)])
    assert bins == {"m": {"d": 0, "a": 1}}
