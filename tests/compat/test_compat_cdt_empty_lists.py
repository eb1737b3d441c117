"""List and map by-value-list / by-key-list ops with an empty list (issue 17 item 9), through the
official client, which sends them unchanged. Expected answers are a real 8.1.2 server's (probed on a
private instance): not inverted nothing matches; inverted everything does, through the server's
get/remove-all path, whose index and rank answers are 0..n in order (particle_list.c
packed_list_get_remove_by_index_range, particle_map.c packed_map_get_remove_all); a key list refuses
rank answers (OP_NOT_APPLICABLE). The element answers of an inverted map op crash that server; the
dev server refuses them (tests/devserver/test_crash_guards.py)."""

from __future__ import annotations

import aerospike
import pytest
from aerospike import exception as ex
from aerospike_helpers.operations import list_operations as lo
from aerospike_helpers.operations import map_operations as mo

MAP_OPS = {
    "get_by_key_list": mo.map_get_by_key_list,
    "get_by_value_list": mo.map_get_by_value_list,
    "remove_by_key_list": mo.map_remove_by_key_list,
    "remove_by_value_list": mo.map_remove_by_value_list,
}
LIST_OPS = {"get_by_value_list": lo.list_get_by_value_list, "remove_by_value_list": lo.list_remove_by_value_list}


@pytest.fixture
def key(client, unique_set):
    k = ("test", unique_set, "k")
    yield k
    client.remove(k)


@pytest.mark.parametrize(
    "return_type, inverted_answer",
    [
        (aerospike.MAP_RETURN_NONE, None),
        (aerospike.MAP_RETURN_INDEX, [0, 1, 2]),
        (aerospike.MAP_RETURN_REVERSE_INDEX, [0, 1, 2]),
        (aerospike.MAP_RETURN_COUNT, 3),
        (aerospike.MAP_RETURN_EXISTS, True),
    ],
)
@pytest.mark.parametrize("op", MAP_OPS)
def test_map_list_op_with_an_empty_list(client, key, op, return_type, inverted_answer):
    client.put(key, {"m": {"a": 1, "b": 2, "c": 3}})
    not_found = {aerospike.MAP_RETURN_COUNT: 0, aerospike.MAP_RETURN_EXISTS: False}.get(return_type, [])
    if return_type == aerospike.MAP_RETURN_NONE:
        not_found = None
    assert client.operate(key, [MAP_OPS[op]("m", [], return_type)])[2] == {"m": not_found}
    assert client.operate(key, [MAP_OPS[op]("m", [], return_type, inverted=True)])[2] == {"m": inverted_answer}
    assert client.get(key)[2] == {"m": {} if op.startswith("remove") else {"a": 1, "b": 2, "c": 3}}


@pytest.mark.parametrize("return_type", [aerospike.MAP_RETURN_RANK, aerospike.MAP_RETURN_REVERSE_RANK])
@pytest.mark.parametrize("op", ["get_by_key_list", "remove_by_key_list"])
@pytest.mark.parametrize("inverted", [False, True])
def test_map_key_list_op_with_an_empty_list_refuses_rank_answers(client, key, op, return_type, inverted):
    client.put(key, {"m": {"a": 1, "b": 2}})
    with pytest.raises(ex.OpNotApplicable):
        client.operate(key, [MAP_OPS[op]("m", [], return_type, inverted=inverted)])


@pytest.mark.parametrize("return_type", [aerospike.MAP_RETURN_RANK, aerospike.MAP_RETURN_REVERSE_RANK])
def test_map_value_list_op_with_an_empty_list_answers_ranks(client, key, return_type):
    client.put(key, {"m": {"a": 3, "b": 1, "c": 2}})
    assert client.operate(key, [mo.map_get_by_value_list("m", [], return_type, inverted=True)])[2] == {"m": [0, 1, 2]}


@pytest.mark.parametrize(
    "return_type, inverted_answer",
    [
        (aerospike.LIST_RETURN_INDEX, [0, 1, 2]),
        (aerospike.LIST_RETURN_REVERSE_INDEX, [0, 1, 2]),
        (aerospike.LIST_RETURN_RANK, [0, 1, 2]),
        (aerospike.LIST_RETURN_REVERSE_RANK, [0, 1, 2]),
        (aerospike.LIST_RETURN_COUNT, 3),
        (aerospike.LIST_RETURN_VALUE, [3, 1, 2]),
        (aerospike.LIST_RETURN_EXISTS, True),
    ],
)
@pytest.mark.parametrize("op", LIST_OPS)
def test_list_value_list_op_with_an_empty_list(client, key, op, return_type, inverted_answer):
    client.put(key, {"l": [3, 1, 2]})
    assert client.operate(key, [LIST_OPS[op]("l", [], return_type, inverted=True)])[2] == {"l": inverted_answer}
    assert client.get(key)[2] == {"l": [] if op.startswith("remove") else [3, 1, 2]}


@pytest.mark.parametrize("op", MAP_OPS)
def test_inverted_element_answers_on_an_empty_map(client, key, op):
    """The combination that crashes a server on a map with entries is harmless on an empty one."""
    client.put(key, {"m": {}, "x": 1})
    assert client.operate(key, [MAP_OPS[op]("m", [], aerospike.MAP_RETURN_KEY, inverted=True)])[2] == {"m": []}
