"""Basic list and map operations through operate (collection data types)."""

from __future__ import annotations

import aerospike
import pytest
from aerospike import exception as ex
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo



def test_list_append_returns_new_size_and_get_by_index(client, key):
    k = key("list")
    client.put(k, {"l": [1, 2]})
    _, _, bins = client.operate(k, [lo.list_append("l", 3)])
    assert bins == {"l": 3}
    _, _, bins = client.operate(k, [lo.list_get("l", -1)])
    assert bins == {"l": 3}
    assert client.get(k)[2] == {"l": [1, 2, 3]}


def test_list_append_creates_missing_bin_and_size(client, key):
    k = key("list-new")
    client.operate(k, [lo.list_append_items("l", ["a", "b"])])
    _, _, bins = client.operate(k, [lo.list_size("l")])
    assert bins == {"l": 2}


def test_list_pop_and_remove_by_value(client, key):
    k = key("list-pop")
    client.put(k, {"l": [5, 6, 7, 6]})
    _, _, bins = client.operate(k, [lo.list_pop("l", 0)])
    assert bins == {"l": 5}
    client.operate(k, [lo.list_remove_by_value("l", 6, aerospike.LIST_RETURN_NONE)])
    assert client.get(k)[2] == {"l": [7]}


def test_map_put_and_get_by_key(client, key):
    k = key("map")
    client.operate(k, [mo.map_put("m", "a", 1), mo.map_put("m", "b", 2)])
    _, _, bins = client.operate(k, [mo.map_get_by_key("m", "b", aerospike.MAP_RETURN_VALUE)])
    assert bins == {"m": 2}
    assert client.get(k)[2] == {"m": {"a": 1, "b": 2}}


def test_map_increment_and_size(client, key):
    k = key("map-incr")
    client.put(k, {"m": {"n": 1}})
    client.operate(k, [mo.map_increment("m", "n", 4)])
    _, _, bins = client.operate(k, [mo.map_size("m")])
    assert bins == {"m": 1}
    assert client.get(k)[2] == {"m": {"n": 5}}


def test_list_op_on_integer_bin_raises_bin_incompatible_type(client, key):
    k = key("list-on-int")
    client.put(k, {"l": 1})
    with pytest.raises(ex.BinIncompatibleType):
        client.operate(k, [lo.list_append("l", 2)])
