"""More list/map semantics: indexes, ranges, ranks, order, write flags, nested contexts, error codes."""

from __future__ import annotations

import aerospike
import pytest
from aerospike import exception as ex
from aerospike_helpers import cdt_ctx
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo


def _op(client, k, *ops):
    return client.operate(k, list(ops))[2]


def test_list_insert_set_remove_and_negative_index(client, key):
    k = key("l-edit")
    client.put(k, {"l": [1, 2, 3]})
    _op(client, k, lo.list_insert("l", 1, 9))  # [1, 9, 2, 3]
    _op(client, k, lo.list_set("l", -1, 30))  # [1, 9, 2, 30]
    assert _op(client, k, lo.list_remove("l", 0)) == {"l": 1}  # removed count
    assert _op(client, k, lo.list_get("l", -2)) == {"l": 2}
    assert client.get(k)[2] == {"l": [9, 2, 30]}


def test_list_get_out_of_bounds_raises_op_not_applicable_26(client, key):
    # particle_list.c packed_list_get_remove_by_index_range: index out of bounds -> AS_ERR_OP_NOT_APPLICABLE
    k = key("l-oob")
    client.put(k, {"l": [1, 2]})
    with pytest.raises(ex.OpNotApplicable) as info:
        _op(client, k, lo.list_get("l", 5))
    assert info.value.code == 26


def test_list_get_range_clamps_to_list(client, key):
    k = key("l-range")
    client.put(k, {"l": [0, 1, 2, 3, 4]})
    assert _op(client, k, lo.list_get_range("l", 3, 10)) == {"l": [3, 4]}
    assert _op(client, k, lo.list_get_range("l", -2, 1)) == {"l": [3]}
    assert _op(client, k, lo.list_get_range("l", 9, 2)) == {"l": []}


def test_list_trim_and_pop_range(client, key):
    k = key("l-trim")
    client.put(k, {"l": list(range(10))})
    assert _op(client, k, lo.list_trim("l", 2, 5)) == {"l": 5}  # removed count
    assert client.get(k)[2] == {"l": [2, 3, 4, 5, 6]}
    assert _op(client, k, lo.list_pop_range("l", 0, 2)) == {"l": [2, 3]}
    assert client.get(k)[2] == {"l": [4, 5, 6]}


def test_list_increment_element(client, key):
    k = key("l-incr")
    client.put(k, {"l": [1, 10]})
    assert _op(client, k, lo.list_increment("l", 1, 5)) == {"l": 15}
    assert client.get(k)[2] == {"l": [1, 15]}


def test_list_get_by_rank_and_value_range(client, key):
    k = key("l-rank")
    client.put(k, {"l": [40, 10, 30, 20]})
    assert _op(client, k, lo.list_get_by_rank("l", 0, aerospike.LIST_RETURN_VALUE)) == {"l": 10}
    assert _op(client, k, lo.list_get_by_rank("l", -1, aerospike.LIST_RETURN_INDEX)) == {"l": 0}
    got = _op(client, k, lo.list_get_by_value_range("l", aerospike.LIST_RETURN_VALUE, 15, 35))
    assert sorted(got["l"]) == [20, 30]
    assert _op(client, k, lo.list_get_by_value("l", 30, aerospike.LIST_RETURN_COUNT)) == {"l": 1}


def test_list_sort_and_ordered_list_keeps_order(client, key):
    k = key("l-sort")
    client.put(k, {"l": [3, 1, 2, 1]})
    _op(client, k, lo.list_sort("l", aerospike.LIST_SORT_DROP_DUPLICATES))
    assert client.get(k)[2] == {"l": [1, 2, 3]}
    _op(client, k, lo.list_set_order("l", aerospike.LIST_ORDERED))
    _op(client, k, lo.list_append("l", 0))
    assert client.get(k)[2] == {"l": [0, 1, 2, 3]}


def test_list_add_unique_rejects_duplicate_with_element_exists_24(client, key):
    # particle_list.c mod_flags_return_exists -> AS_ERR_ELEMENT_EXISTS unless NO_FAIL
    k = key("l-unique")
    client.put(k, {"l": [1, 2]})
    policy = {"write_flags": aerospike.LIST_WRITE_ADD_UNIQUE}
    with pytest.raises(ex.ElementExistsError) as info:
        _op(client, k, lo.list_append("l", 2, policy))
    assert info.value.code == 24
    no_fail = {"write_flags": aerospike.LIST_WRITE_ADD_UNIQUE | aerospike.LIST_WRITE_NO_FAIL}
    _op(client, k, lo.list_append("l", 2, no_fail))
    assert client.get(k)[2] == {"l": [1, 2]}


def test_list_clear_and_remove_by_index_range(client, key):
    k = key("l-clear")
    client.put(k, {"l": [1, 2, 3, 4], "m": [5, 6]})
    assert _op(client, k, lo.list_remove_by_index_range("l", 1, aerospike.LIST_RETURN_VALUE, 2)) == {"l": [2, 3]}
    _op(client, k, lo.list_clear("m"))
    assert client.get(k)[2] == {"l": [1, 4], "m": []}


def test_map_put_items_and_return_types(client, key):
    k = key("m-items")
    _op(client, k, mo.map_put_items("m", {"a": 1, "b": 2, "c": 3}))
    # KEY_VALUE answers an order-preserving map (cdt.h result_map_type_to_map_flags), which the official client
    # shows as a flat [k, v, ...] list.
    assert _op(client, k, mo.map_get_by_key("m", "c", aerospike.MAP_RETURN_KEY_VALUE))["m"] == ["c", 3]
    assert _op(client, k, mo.map_get_by_rank("m", -1, aerospike.MAP_RETURN_KEY)) == {"m": "c"}
    got = _op(client, k, mo.map_get_by_value_range("m", 2, 10, aerospike.MAP_RETURN_KEY))
    assert sorted(got["m"]) == ["b", "c"]
    assert _op(client, k, mo.map_remove_by_key("m", "a", aerospike.MAP_RETURN_VALUE)) == {"m": 1}
    assert client.get(k)[2] == {"m": {"b": 2, "c": 3}}


def test_map_create_only_on_existing_key_raises_element_exists_24(client, key):
    # particle_map.c: ADD on an existing key without overwrite -> AS_ERR_ELEMENT_EXISTS
    k = key("m-create")
    client.put(k, {"m": {"a": 1}})
    policy = {"map_write_flags": aerospike.MAP_WRITE_FLAGS_CREATE_ONLY}
    with pytest.raises(ex.ElementExistsError):
        _op(client, k, mo.map_put("m", "a", 2, policy))
    _op(client, k, mo.map_put("m", "b", 2, policy))
    assert client.get(k)[2] == {"m": {"a": 1, "b": 2}}


def test_map_update_only_on_missing_key_raises_element_not_found_23(client, key):
    k = key("m-update")
    client.put(k, {"m": {"a": 1}})
    policy = {"map_write_flags": aerospike.MAP_WRITE_FLAGS_UPDATE_ONLY}
    with pytest.raises(ex.ElementNotFoundError) as info:
        _op(client, k, mo.map_put("m", "zz", 2, policy))
    assert info.value.code == 23
    _op(client, k, mo.map_put("m", "a", 5, policy))
    assert client.get(k)[2] == {"m": {"a": 5}}


def test_key_ordered_map_returns_index_order(client, key):
    k = key("m-ordered")
    policy = {"map_order": aerospike.MAP_KEY_ORDERED}
    _op(client, k, mo.map_put_items("m", {"c": 3, "a": 1, "b": 2}, policy))
    assert _op(client, k, mo.map_get_by_index("m", 0, aerospike.MAP_RETURN_KEY)) == {"m": "a"}
    got = _op(client, k, mo.map_get_by_index_range("m", 0, 3, aerospike.MAP_RETURN_KEY))
    assert got == {"m": ["a", "b", "c"]}


def test_map_op_on_list_bin_raises_bin_incompatible_type(client, key):
    k = key("m-on-list")
    client.put(k, {"m": [1, 2]})
    with pytest.raises(ex.BinIncompatibleType):
        _op(client, k, mo.map_put("m", "a", 1))


def test_nested_context_map_inside_list(client, key):
    k = key("nested")
    client.put(k, {"doc": [{"n": 1}, {"n": 2, "tags": ["x"]}]})
    ctx1 = [cdt_ctx.cdt_ctx_list_index(1)]
    _op(client, k, mo.map_increment("doc", "n", 10, ctx=ctx1))
    ctx_tags = [cdt_ctx.cdt_ctx_list_index(1), cdt_ctx.cdt_ctx_map_key("tags")]
    _op(client, k, lo.list_append("doc", "y", ctx=ctx_tags))
    assert _op(client, k, lo.list_size("doc", ctx=ctx_tags)) == {"doc": 2}
    assert client.get(k)[2] == {"doc": [{"n": 1}, {"n": 12, "tags": ["x", "y"]}]}


def test_cdt_read_and_write_in_same_operate_see_each_other(client, key):
    k = key("cdt-mix")
    client.put(k, {"l": [1]})
    res = client.operate_ordered(k, [lo.list_append("l", 2), lo.list_get_range("l", 0, 10), lo.list_size("l")])
    assert res[2] == [("l", 2), ("l", [1, 2]), ("l", 2)]


def test_list_sort_uses_aerospike_value_order_across_types(client, key):
    # cf/include/msgpack_in.h msgpack_type order: nil < false < true < int < string < list < map < bytes < double
    k = key("l-mixed-sort")
    client.put(k, {"l": [3.5, "b", 2, [1], bytearray(b"x"), None, True, "a", 1.0, {"k": 1}, False, -5]})
    _op(client, k, lo.list_sort("l", aerospike.LIST_SORT_DEFAULT))
    got = client.get(k)[2]["l"]
    assert got == [None, False, True, -5, 2, "a", "b", [1], {"k": 1}, b"x", 1.0, 3.5]
    assert type(got[-2]) is float and type(got[4]) is int


def test_key_ordered_map_orders_integer_keys_before_string_keys(client, key):
    k = key("m-mixed-keys")
    policy = {"map_order": aerospike.MAP_KEY_ORDERED}
    _op(client, k, mo.map_put_items("m", {"b": 1, 2: 1, "a": 1, -1: 1}, policy))
    got = _op(client, k, mo.map_get_by_index_range("m", 0, 4, aerospike.MAP_RETURN_KEY))
    assert got == {"m": [-1, 2, "a", "b"]}


@pytest.mark.parametrize("append", ["list_append", "list_append_items"])
def test_list_append_creating_the_bin_with_an_ordered_policy_sorts_it(client, key, append):
    # particle_list.c: append / append-items on a missing bin create it with the policy's order
    # (cdt_context_use_static_list_if_notinuse); an ordered list keeps its values sorted.
    k = key(f"ordered-{append}")
    policy = {"list_order": aerospike.LIST_ORDERED}
    first = getattr(lo, append)("l", 5 if append == "list_append" else [5, 1, 3], policy)
    _op(client, k, first)
    _op(client, k, lo.list_append("l", 2))
    assert client.get(k)[2]["l"] == ([2, 5] if append == "list_append" else [1, 2, 3, 5])


@pytest.mark.parametrize("ordered", [False, True])
def test_map_key_value_results_come_in_hit_order(client, key, ordered):
    # particle_map.c: index, key and value selections answer in index order, rank selections in rank order.
    k = key(f"kv-{ordered}")
    policy = {"map_order": aerospike.MAP_KEY_ORDERED} if ordered else None
    _op(client, k, mo.map_put_items("m", {"c": 3, "a": 1, "b": 2, "d": 0}, policy))
    kv = aerospike.MAP_RETURN_KEY_VALUE
    assert _op(client, k, mo.map_get_by_rank_range("m", 0, 3, kv))["m"] == ["d", 0, "a", 1, "b", 2]
    assert _op(client, k, mo.map_get_by_key_list("m", ["c", "a"], kv))["m"] == ["a", 1, "c", 3]
    assert _op(client, k, mo.map_get_by_value_list("m", [3, 0], kv))["m"] == ["c", 3, "d", 0]
    assert _op(client, k, mo.map_get_by_index("m", 1, kv))["m"] == ["b", 2]
    assert _op(client, k, mo.map_get_by_key("m", "zz", kv))["m"] == []
    assert _op(client, k, mo.map_remove_by_key_list("m", ["d"], kv, inverted=True))["m"] == ["a", 1, "b", 2, "c", 3]
    assert client.get(k)[2] == {"m": {"d": 0}}
