"""Hostile input (issue 17): cyclic and deeply nested values, inputs that used to reach a Rust panic,
numbers outside their real range, malformed predicates, an empty bin name, index_remove of an
unknown namespace, and the map request that crashes an 8.1.2 server. Each ends in a documented
exception or in the real server's answer; none may crash the interpreter, hang or panic."""

from __future__ import annotations

import pytest

import aerospike_py
from aerospike_py import exception
from aerospike_py import list_operations as lo
from aerospike_py import map_operations as mo
from hostile_values import cyclic_dict, cyclic_list, cyclic_through_tuple, nested_dict, nested_list

DEPTH_LIMIT = 512  # src/shapes.rs MAX_DEPTH


def not_chain(depth: int):
    """A compiled expression `not(not(...not(bin_exists("a"))))` `depth` nodes deep, built without recursion."""
    return [(18, None, None, 1)] * (depth - 1) + [(83, 1, {"bin": "a"}, 0)]


HOSTILE = {
    "cyclic list": (cyclic_list, "contains itself"),
    "cyclic dict": (cyclic_dict, "contains itself"),
    "cycle through a tuple": (cyclic_through_tuple, "contains itself"),
    "list 100,000 deep": (lambda: nested_list(100_000), "deeper than 512"),
    "dict 100,000 deep": (lambda: nested_dict(100_000), "deeper than 512"),
    "one level too deep": (lambda: nested_list(DEPTH_LIMIT + 1), "deeper than 512"),
}

# Every place a Python value is converted: bins, operations, CDT contexts, expression values,
# predicates and policies (an expression inside a policy).
PLACES = {
    "bin": lambda c, k, v: c.put(k, {"a": v}),
    "operation": lambda c, k, v: c.operate(k, [lo.list_append("l", v)]),
    "map key": lambda c, k, v: c.operate(k, [mo.map_put("m", v, 1)]),
    "cdt context": lambda c, k, v: c.operate(
        k, [lo.list_append("l", 1, ctx=[(aerospike_py.CDT_CTX_LIST_VALUE, v)])]
    ),
    "expression value": lambda c, k, v: c.get(k, policy={"expressions": [(1, None, None, 2), (81, 4, {"bin": "a"}, 0), (200, None, {"val": v}, 0)]}),
    "predicate": lambda c, k, v: c.query(k[0], k[1]).where(("equals", "a", v)),
}


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("value", HOSTILE)
def test_cyclic_and_too_deep_values_raise_param_error(client, key, place, value):
    make, fragment = HOSTILE[value]
    with pytest.raises(exception.ParamError) as e:
        PLACES[place](client, key, make())
    assert fragment in e.value.msg


@pytest.mark.parametrize("value", HOSTILE)
def test_cyclic_and_too_deep_values_raise_param_error_async(run_async, key, value):
    make, fragment = HOSTILE[value]

    async def put(ac):
        with pytest.raises(exception.ParamError) as e:
            await ac.put(key, {"a": make()})
        return e.value.msg

    assert fragment in run_async(put)


def test_values_at_the_depth_limit_round_trip(client, key):
    deep_list, deep_dict = nested_list(DEPTH_LIMIT), nested_dict(DEPTH_LIMIT - 1)
    client.put(key, {"l": deep_list, "m": deep_dict})
    assert client.get(key)[2] == {"l": deep_list, "m": deep_dict}


def test_a_shared_value_is_not_a_cycle(client, key):
    shared = [1, 2]
    client.put(key, {"a": [shared, shared, {"x": shared}]})
    assert client.get(key)[2]["a"] == [[1, 2], [1, 2], {"x": [1, 2]}]


@pytest.mark.parametrize("depth", [DEPTH_LIMIT + 1, 2_000, 100_000])
def test_too_deep_expressions_raise_param_error(client, key, depth):
    client.put(key, {"a": 1})
    with pytest.raises(exception.ParamError) as e:
        client.get(key, policy={"expressions": not_chain(depth)})
    assert "deeper than 512" in e.value.msg


def test_expression_at_the_depth_limit_runs(client, key):
    client.put(key, {"a": 1})
    # An odd number of not()s over bin_exists("a") is false: the record is filtered out.
    with pytest.raises(exception.FilteredOut):
        client.get(key, policy={"expressions": not_chain(DEPTH_LIMIT)})
    assert client.get(key, policy={"expressions": not_chain(DEPTH_LIMIT - 1)})[2] == {"a": 1}


def test_too_deep_expression_raises_param_error_async(run_async, key):
    async def get(ac):
        with pytest.raises(exception.ParamError):
            await ac.get(key, policy={"expressions": not_chain(100_000)})
        return True

    assert run_async(get)


def test_list_ops_with_no_items_or_a_nil_element_reach_the_server(client, key):
    """aerospike-core asserted on these (a PanicException); the server takes them: an empty
    append/insert answers the list size (and creates an empty list bin), set to None stores nil."""
    client.put(key, {"l": [1, 2]})
    assert client.operate(key, [lo.list_insert_items("l", 1, [])])[2] == {"l": 2}
    assert client.operate(key, [lo.list_append_items("l", [])])[2] == {"l": 2}
    assert client.operate(key, [lo.list_append_items("new", [])])[2] == {"new": 0}
    client.operate(key, [lo.list_set("l", 0, None)])
    assert client.get(key)[2] == {"l": [None, 2], "new": []}


@pytest.mark.parametrize(
    "config, fragment",
    [
        ({"user": "u" * 1000, "password": "p"}, "config.user"),
        ({"user": "u", "password": "p" * 64}, "config.password"),
        ({"max_conns_per_node": 2**32}, "max_conns_per_node"),
        ({"max_conns_per_node": 0}, "max_conns_per_node"),
        ({"max_conns_per_node": -1}, "max_conns_per_node"),
        ({"max_conns_per_node": 65_536}, "max_conns_per_node"),
        ({"min_conns_per_node": -1}, "min_conns_per_node"),
        ({"min_conns_per_node": 2**63}, "min_conns_per_node"),
        ({"timeout": -1}, "config.timeout"),
        ({"connect_timeout": 2**32}, "connect_timeout"),
        ({"tend_interval": 2**32}, "tend_interval"),
        ({"max_error_rate": -1}, "max_error_rate"),
        ({"error_rate_window": 2**40}, "error_rate_window"),
        ({"use_services_alternate": "yes"}, "use_services_alternate"),
        ({"policies": {"total_timeout": 2**32}}, "total_timeout"),
        ({"policies": {"login_timeout_ms": -5}}, "login_timeout_ms"),
        ({"policies": {"read": {"max_retries": 2**32}}}, "max_retries"),
        ({"policies": {"write": {"socket_timeout": -1}}}, "socket_timeout"),
    ],
)
def test_config_values_out_of_range_raise_param_error(aerospike_hosts, config, fragment):
    with pytest.raises(exception.ParamError) as e:
        aerospike_py.client({"hosts": list(aerospike_hosts), **config})
    assert fragment in e.value.msg


def test_connect_credentials_are_bounded(aerospike_hosts):
    c = aerospike_py.client({"hosts": list(aerospike_hosts)})
    with pytest.raises(exception.ParamError) as e:
        c.connect("u" * 1000, "p")
    assert "connect.user" in e.value.msg


@pytest.mark.parametrize(
    "policy",
    [
        {"total_timeout": 2**32},
        {"total_timeout": -1},
        {"socket_timeout": 2**63},
        {"max_retries": -1},
        {"sleep_between_retries": 2**32},
        {"read_touch_ttl_percent": 2**64},  # 101..2**63 go to the server, as the official client sends them
    ],
)
def test_policy_values_out_of_range_raise_param_error(client, key, policy):
    with pytest.raises(exception.ParamError):
        client.get(key, policy=policy)


@pytest.mark.parametrize(
    "policy", [{"max_records": -1}, {"records_per_second": 2**32}, {"total_timeout": 2**32}, {"nope": 1}]
)
def test_query_policy_values_out_of_range_raise_param_error(client, namespace, unique_set, policy):
    with pytest.raises(exception.ParamError):
        client.query(namespace, unique_set).results(policy)


@pytest.mark.parametrize(
    "predicate",
    [("equals",), (), ("equals", "b"), (1, "b", 2), ("between", "b", 1), ("nope", "b", 1), "equals", None, 3],
)
def test_malformed_predicates_raise_param_error(client, namespace, unique_set, predicate):
    with pytest.raises(exception.ParamError):
        client.query(namespace, unique_set).where(predicate)


def test_a_bin_named_empty_string_is_stored_and_read_back(client, key):
    """The real server stores a bin named "" (as_bin_name_check allows it) and the official client
    reads it back; every read path returns it."""
    client.put(key, {"": 1, "a": 2})
    assert client.get(key)[2] == {"": 1, "a": 2}
    assert client.select(key, [""])[2] == {"": 1}
    assert client.batch_read([key, key]).batch_records[1].record[2] == {"": 1, "a": 2}
    assert client.query(key[0], key[1]).results()[0][2] == {"": 1, "a": 2}
    client.put(key, {"": 5})
    assert client.get(key)[2] == {"": 5, "a": 2}


def test_index_remove_of_an_unknown_namespace_returns_the_servers_answer(client, run_async):
    """The server answers sindex-delete of an unknown namespace or name with ok (it looks the pair up
    in its metadata), so does the official client; it used to wait 30 s for sindex-exists."""
    assert client.index_remove("no_such_namespace", "no_such_index") == 0

    async def remove(ac):
        return await ac.index_remove("no_such_namespace", "no_such_index")

    assert run_async(remove) == 0


MAP_LIST_OPS = {
    "map_get_by_key_list": mo.map_get_by_key_list,
    "map_get_by_value_list": mo.map_get_by_value_list,
    "map_remove_by_key_list": mo.map_remove_by_key_list,
    "map_remove_by_value_list": mo.map_remove_by_value_list,
}
ELEMENT_RETURN_TYPES = ["MAP_RETURN_KEY", "MAP_RETURN_VALUE", "MAP_RETURN_KEY_VALUE", "MAP_RETURN_UNORDERED_MAP", "MAP_RETURN_ORDERED_MAP"]


@pytest.mark.parametrize("return_type", ELEMENT_RETURN_TYPES)
@pytest.mark.parametrize("op", MAP_LIST_OPS)
def test_empty_inverted_map_list_op_that_crashes_servers_is_refused(client, key, op, return_type):
    """An 8.1.2 server dies on these (SIGSEGV in packed_map_get_remove_all_by_*_list); the request
    never leaves the client, and the map is untouched."""
    client.put(key, {"m": {"a": 1, "b": 2}})
    with pytest.raises(exception.ParamError) as e:
        client.operate(key, [MAP_LIST_OPS[op]("m", [], getattr(aerospike_py, return_type), inverted=True)])
    assert "crash" in e.value.msg and "map_get_by_index_range" in e.value.msg
    assert client.get(key)[2] == {"m": {"a": 1, "b": 2}}


@pytest.mark.parametrize("op", MAP_LIST_OPS)
def test_empty_inverted_map_list_op_with_a_safe_return_type_reaches_the_server(client, key, op):
    client.put(key, {"m": {"a": 1, "b": 2, "c": 3}})
    assert client.operate(key, [MAP_LIST_OPS[op]("m", [], aerospike_py.MAP_RETURN_COUNT, inverted=True)])[2] == {"m": 3}
    assert client.operate(key, [MAP_LIST_OPS[op]("m", [], aerospike_py.MAP_RETURN_KEY)])[2] == {"m": []}


def test_values_stored_too_deep_by_another_client_are_an_error_not_a_crash(aerospike_hosts, client, key, run_async):
    """The official client stores any depth; reading 5,000 levels overflowed a runtime thread's stack
    (SIGSEGV). Up to 1000 levels read back, deeper ones raise ClientError."""
    official = pytest.importorskip("aerospike").client({"hosts": list(aerospike_hosts)}).connect()
    try:
        official.put(key, {"v": nested_list(900)})
        assert client.get(key)[2] == {"v": nested_list(900)}
        official.put(key, {"v": nested_list(5_000)})
        with pytest.raises(exception.ClientError) as e:
            client.get(key)
        assert "deeper than 1000" in e.value.msg

        async def get(ac):
            with pytest.raises(exception.ClientError):
                await ac.get(key)
            return True

        assert run_async(get)
    finally:
        official.close()
