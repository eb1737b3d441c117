"""Failure cases: exact exception class and result code the official client reports."""

from __future__ import annotations

import pytest
from aerospike import exception as ex
from aerospike_helpers.operations import operations as op


def test_unknown_namespace_raises_namespace_not_found_code_20(client, unique_set):
    with pytest.raises(ex.NamespaceNotFound) as info:
        client.put(("no_such_namespace", unique_set, 1), {"a": 1})
    assert info.value.code == 20
    with pytest.raises(ex.NamespaceNotFound):
        client.get(("no_such_namespace", unique_set, 1))


def test_bin_name_longer_than_15_chars_raises_bin_name_error_code_21(client, key):
    k = key("long-bin")
    with pytest.raises(ex.BinNameError) as info:
        client.put(k, {"a" * 16: 1})
    assert info.value.code == 21
    assert client.exists(k)[1] is None


def test_bin_name_of_15_chars_is_accepted(client, key):
    k = key("max-bin")
    client.put(k, {"b" * 15: 1})
    assert client.get(k)[2] == {"b" * 15: 1}


def test_operate_bin_name_too_long_raises_bin_name_error(client, key):
    with pytest.raises(ex.BinNameError):
        client.operate(key("long-bin-op"), [op.write("c" * 16, 1)])


def test_record_over_max_record_size_raises_record_too_big_code_13(client, key):
    # Namespace max-record-size defaults to 1 MiB (namespace.c); drv_mem.c rejects with AS_ERR_RECORD_TOO_BIG.
    k = key("too-big")
    with pytest.raises(ex.RecordTooBig) as info:
        client.put(k, {"blob": bytearray(2 * 1024 * 1024)})
    assert info.value.code == 13
    assert client.exists(k)[1] is None


def test_malformed_key_raises_param_error(client):
    with pytest.raises(ex.ParamError) as info:
        client.get(("test",))
    assert info.value.code == -2


def test_non_dict_bins_raise_param_error(client, key):
    with pytest.raises(ex.ParamError):
        client.put(key("bad-bins"), ["not", "a", "dict"])


def test_server_errors_are_record_errors_and_server_errors(client, key):
    k = key("hierarchy")
    with pytest.raises(ex.RecordNotFound) as info:
        client.get(k)
    assert isinstance(info.value, ex.RecordError)
    assert isinstance(info.value, ex.ServerError)
    assert isinstance(info.value, ex.AerospikeError)


def test_error_reports_in_doubt_false_for_rejected_read(client, key):
    with pytest.raises(ex.RecordNotFound) as info:
        client.get(key("in-doubt"))
    assert info.value.in_doubt is False


def test_compressed_request_is_enterprise_only_code_25(client, key):
    # Client docs: compression "requires the Enterprise Edition Server"; CE as/src/base/proto_ce.c
    # as_proto_uncompress -> AS_ERR_ENTERPRISE_ONLY, sent back by service.c as_transaction_demarshal_error.
    k = key("compressed")
    with pytest.raises(ex.AerospikeError) as info:
        client.put(k, {"big": "x" * 4096}, policy={"compress": True})
    assert info.value.code == 25
    assert client.exists(k)[1] is None


def test_compressed_response_request_still_answers_on_community_edition(client, key):
    # A small request is sent uncompressed; CE's as_proto_compress returns the reply uncompressed.
    k = key("compressed-read")
    client.put(k, {"big": "y" * 4096})
    assert client.get(k, policy={"compress": True})[2] == {"big": "y" * 4096}
