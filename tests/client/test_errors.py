"""Bad input and server errors: the documented exception type, naming the argument; never a
panic, crash or hang."""

from __future__ import annotations

import math

import pytest

import aerospike_py
from aerospike_py import exception
from aerospike_py import operations as ops
from servers import info


@pytest.mark.parametrize(
    "bad_key, fragment",
    [
        (["test", "demo", "k"], "key"),
        (("test", "demo"), "key"),
        (("test", "demo", "k", b"d", "extra"), "key"),
        ((1, "demo", "k"), "namespace"),
        (("test", 5, "k"), "set"),
        (("test", "demo", 1.5), "user key"),
        (("test", "demo", True), "user key"),
        (("test", "demo", 2**64), "64-bit"),
        (("test", "demo", None), "digest"),
        (("test", "demo", None, b"short"), "digest"),
        (("", "demo", "k"), "namespace"),
    ],
)
def test_bad_keys_raise_param_error(client, bad_key, fragment):
    with pytest.raises(exception.ParamError) as info_:
        client.get(bad_key)
    assert info_.value.code == -2
    assert fragment in info_.value.msg and "key" in info_.value.msg


@pytest.mark.parametrize(
    "bins, fragment",
    [
        ({"a": object()}, "unsupported value type"),
        ({"a": [1, {2: set()}]}, "unsupported value type"),
        ({"a": 2**63}, "64-bit"),
        ({"a": [-(2**64)]}, "64-bit"),
        ({1: "a"}, "expected str"),
        ([("a", 1)], "expected dict"),
        ("a=1", "expected dict"),
        ({"m": {math.nan: 1}}, "nan"),
    ],
)
def test_bad_bins_raise_param_error(client, key, bins, fragment):
    with pytest.raises(exception.ParamError) as info_:
        client.put(key, bins)
    assert fragment in info_.value.msg and info_.value.msg.startswith("bins")


def test_bin_name_over_15_bytes_raises_bin_name_error(client, key):
    """As the official client: BinNameError (21), a RecordError, with its message."""
    with pytest.raises(exception.BinNameError) as info_:
        client.put(key, {"sixteen_chars_xx": 1})
    assert info_.value.code == 21 and info_.value.msg == "A bin name should not exceed 15 characters limit"


@pytest.mark.parametrize(
    "call, arg",
    [
        (lambda c, k: c.put(k, {"a": 1}, policy={"total_timeout": "1s"}), "policy.total_timeout"),
        (lambda c, k: c.put(k, {"a": 1}, policy={"total_timeout": -1}), "policy.total_timeout"),
        (lambda c, k: c.put(k, {"a": 1}, policy={"no_such_key": 1}), "policy"),
        (lambda c, k: c.put(k, {"a": 1}, policy=[1]), "policy"),
        (lambda c, k: c.put(k, {"a": 1}, policy={"exists": 99}), "policy.exists"),
        (lambda c, k: c.put(k, {"a": 1}, meta={"ttl": "x"}), "meta.ttl"),
        (lambda c, k: c.put(k, {"a": 1}, meta={"gen": -1}), "meta.gen"),
        (lambda c, k: c.put(k, {"a": 1}, meta={"ttl": -9}), "meta.ttl"),
        (lambda c, k: c.increment(k, "n", math.nan), "offset"),
        (lambda c, k: c.increment(k, "n", 2**64), "offset"),
        (lambda c, k: c.operate(k, [ops.increment("n", math.nan)]), "list[0].val"),
        (lambda c, k: c.operate(k, [{"bin": "a"}]), "list[0]"),
        (lambda c, k: c.batch_read([k, "nope"]), "keys[1]"),
        (lambda c, k: c.select(k, ["ok", 3]), "bins"),
        (lambda c, k: c.query(k[0], k[1]).where(("like", "a", 1)), "predicate"),
        (lambda c, k: c.query(k[0], k[1]).where(aerospike_py.predicates.equals("a", 1.5)), "predicate"),
        (lambda c, k: c.query(k[0], k[1]).where((0, aerospike_py.INDEX_NUMERIC, "a", 1.5)), "predicate.value"),
    ],
)
def test_bad_arguments_name_the_argument(client, key, call, arg):
    with pytest.raises(exception.ParamError) as info_:
        call(client, key)
    assert info_.value.msg.startswith(arg), info_.value.msg


def test_missing_required_argument_is_type_error(client):
    with pytest.raises(TypeError):
        client.get()


def test_config_errors():
    with pytest.raises(exception.ParamError):
        aerospike_py.client({})
    with pytest.raises(exception.ParamError):
        aerospike_py.client({"hosts": "127.0.0.1:3000"})
    with pytest.raises(exception.ParamError):
        aerospike_py.client("hosts")


def test_connect_to_nothing_fails_fast():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = aerospike_py.client({"hosts": [("127.0.0.1", port)], "timeout": 1000})
    with pytest.raises(exception.AerospikeError):
        c.connect()
    assert not c.is_connected()


def test_hierarchy_and_attributes(client, key):
    with pytest.raises(exception.RecordNotFound) as info_:
        client.get(key)
    e = info_.value
    assert isinstance(e, exception.RecordError) and isinstance(e, exception.ServerError)
    assert isinstance(e, exception.AerospikeError)
    assert e.code == 2 and e.msg and not e.in_doubt
    assert issubclass(exception.ParamError, exception.ClientError)
    assert exception.BinTypeError is exception.BinIncompatibleType


# Every server result code aerospike-core's ResultCode knows (result_code.rs).
SERVER_CODES = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
    29, 32, 50, 51, 52, 53, 54, 55, 56, 60, 61, 62, 63, 64, 65, 66, 70, 71, 72, 73, 74, 75, 80, 81, 82, 83,
    100, 120, 121, 122, 123, 124, 125, 126, 127, 150, 151, 152, 160, 200, 201, 202, 203, 204, 205, 206,
    210, 211, 212, 213, 214, 215,
]


def test_every_result_code_has_a_class():
    for code in SERVER_CODES:
        cls = exception._BY_CODE.get(code)
        assert cls is not None, code
        assert issubclass(cls, exception.AerospikeError)
        assert cls.code == code or 120 <= code <= 127, (code, cls)


@pytest.mark.parametrize("code", [c for c in SERVER_CODES if c not in (9, 11)])
def test_server_result_code_maps_to_exception(devserver_client, key, devserver_hosts, code):
    client = devserver_client
    host, port = devserver_hosts[0]
    assert info(host, port, f"devserver-fault-error:op=write;code={code};count=1")
    try:
        with pytest.raises(exception.AerospikeError) as info_:
            client.put(key, {"a": 1}, policy={"max_retries": 0})
    finally:
        info(host, port, "devserver-fault-clear")
    assert type(info_.value) is exception._BY_CODE[code], (code, type(info_.value))
    assert info_.value.code == code


def test_client_timeout_raises_timeout_error(devserver_client, key, devserver_hosts):
    client = devserver_client
    host, port = devserver_hosts[0]
    info(host, port, "devserver-fault-delay:ms=1500;op=read;count=3")
    try:
        with pytest.raises(exception.TimeoutError) as info_:
            client.get(key, policy={"total_timeout": 200, "socket_timeout": 100, "max_retries": 0})
        assert info_.value.code == 9
    finally:
        info(host, port, "devserver-fault-clear")


def test_client_error_codes_are_the_official_clients():
    """Found by the reliability campaign: MaxRetriesExceeded and MaxErrorRateExceeded carried -11
    and -12; the official client's (and the C client's) are -12 and -14."""
    assert (exception.MaxRetriesExceeded.code, exception.MaxErrorRateExceeded.code) == (-12, -14)
    official = pytest.importorskip("aerospike.exception")
    for name in dir(exception):
        ours, theirs = getattr(exception, name), getattr(official, name, None)
        if isinstance(ours, type) and issubclass(ours, Exception) and getattr(theirs, "code", None) is not None:
            assert ours.code == theirs.code, name


def test_query_out_of_retries_raises_max_retries_exceeded(devserver_client, devserver_hosts, unique_set):
    """Found by the reliability campaign (queries during a node restart): a query whose partitions
    kept failing ended in a bare ClientError (-1) "Max retries exceeded"; the official client raises
    MaxRetriesExceeded (-12)."""
    devserver_client.put(("test", unique_set, 1), {"a": 1})
    host, port = devserver_hosts[0]
    assert info(host, port, "devserver-fault-drop:op=scan")["devserver-fault-drop:op=scan"] == "ok"
    try:
        with pytest.raises(exception.MaxRetriesExceeded) as e:
            devserver_client.query("test", unique_set).results(policy={"max_retries": 1, "total_timeout": 10_000})
        assert e.value.code == -12 and "Max retries exceeded" in e.value.msg
    finally:
        info(host, port, "devserver-fault-clear")
