"""Requests that crash a real Aerospike 8.1.2 node, sent unchanged by the official client: the dev
server answers them with an error and keeps serving (issue 17 item 9).

A map by-key-list / by-value-list op (get or remove) with an empty list, the inverted flag and a
return type that asks for elements (key, value, key-value, unordered or ordered map) kills the
server with SIGSEGV in particle_map.c packed_map_get_remove_all_by_{key,value}_list: the inverted
empty list becomes "everything", and packed_map_get_remove_all builds the elements from an offset
index that path never set up. Probed on a private 8.1.2 instance: all 40 such combinations (4 ops x
5 return types, unordered and key-ordered maps with entries) crash it; an empty map, the other return
types and the list equivalents do not (their answers: tests/compat/test_compat_cdt_empty_lists.py).
Our client refuses these requests before sending them (tests/client/test_hostile_input.py).

A filter expression nested 100,000 deep (not(not(...))) kills an 8.1.2 node too, silently (a stack
overflow in exp.c's recursive build; 50,000 deep still works there): the dev server answers
PARAMETER for anything nested deeper than 1024 levels (msgpack.rs MAX_DEPTH), and our client sends
nothing deeper than 512."""

from __future__ import annotations

import aerospike
import pytest
from aerospike import exception as ex
from aerospike_helpers.operations import map_operations as mo

from servers import DevServer

pytestmark = pytest.mark.devserver_only

OPS = [mo.map_get_by_key_list, mo.map_get_by_value_list, mo.map_remove_by_key_list, mo.map_remove_by_value_list]
RETURN_TYPES = [
    aerospike.MAP_RETURN_KEY,
    aerospike.MAP_RETURN_VALUE,
    aerospike.MAP_RETURN_KEY_VALUE,
    aerospike.MAP_RETURN_UNORDERED_MAP,
    aerospike.MAP_RETURN_ORDERED_MAP,
]


@pytest.fixture(scope="module")
def client():
    with DevServer(nodes=1) as server:
        c = aerospike.client({"hosts": server.hosts}).connect()
        yield c
        c.close()


@pytest.mark.parametrize("key_ordered", [False, True])
@pytest.mark.parametrize("return_type", RETURN_TYPES)
@pytest.mark.parametrize("op", OPS, ids=lambda f: f.__name__)
def test_empty_inverted_map_list_op_is_refused_and_the_server_keeps_serving(client, unique_set, op, return_type, key_ordered):
    key = ("test", unique_set, "m")
    policy = {"map_order": aerospike.MAP_KEY_ORDERED} if key_ordered else {"map_order": aerospike.MAP_UNORDERED}
    client.operate(key, [mo.map_put_items("m", {"a": 1, "b": 2}, map_policy=policy)])
    with pytest.raises(ex.InvalidRequest):  # PARAMETER (4); the real server dies here
        client.operate(key, [op("m", [], return_type, inverted=True)])
    assert client.get(key)[2] == {"m": {"a": 1, "b": 2}}


@pytest.mark.parametrize("depth", [1025, 100_000])
def test_expression_nested_too_deep_is_refused_and_the_server_keeps_serving(client, unique_set, depth):
    key = ("test", unique_set, "e")
    client.put(key, {"a": 1})
    deep = [(18, None, None, 1)] * (depth - 1) + [(83, 1, {"bin": "a"}, 0)]
    with pytest.raises(ex.InvalidRequest):
        client.get(key, policy={"expressions": deep})
    # 1001 levels are evaluated: an even number of not()s over bin_exists("a") is true.
    assert client.get(key, policy={"expressions": deep[-1001:]})[2] == {"a": 1}
