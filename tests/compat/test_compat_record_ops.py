"""Single-record commands of the official client: put/get/select/exists/remove/touch and the modify commands."""

from __future__ import annotations

import aerospike
import pytest
from aerospike import exception as ex
from aerospike_helpers.operations import operations as op


def test_put_then_get_returns_bins_and_generation_1(client, key):
    k = key("put-get")
    client.put(k, {"a": 1, "b": "two"})
    _, meta, bins = client.get(k)
    assert bins == {"a": 1, "b": "two"}
    assert meta["gen"] == 1


def test_put_again_merges_bins_and_bumps_generation(client, key):
    k = key("merge")
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"b": 20, "c": 30})
    _, meta, bins = client.get(k)
    assert bins == {"a": 1, "b": 20, "c": 30}
    assert meta["gen"] == 2


def test_put_none_value_deletes_that_bin(client, key):
    k = key("del-bin")
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"b": None})
    assert client.get(k)[2] == {"a": 1}


def test_remove_bin_removes_only_named_bins(client, key):
    k = key("remove-bin")
    client.put(k, {"a": 1, "b": 2, "c": 3})
    client.remove_bin(k, ["a", "c"])
    assert client.get(k)[2] == {"b": 2}


def test_get_missing_record_raises_record_not_found_code_2(client, key):
    with pytest.raises(ex.RecordNotFound) as info:
        client.get(key("missing"))
    assert info.value.code == 2


def test_select_returns_only_requested_bins(client, key):
    k = key("select")
    client.put(k, {"a": 1, "b": 2, "c": 3})
    _, meta, bins = client.select(k, ["a", "c"])
    assert bins == {"a": 1, "c": 3}
    assert meta["gen"] == 1


def test_select_of_absent_bin_omits_it(client, key):
    k = key("select-absent")
    client.put(k, {"a": 1})
    assert client.select(k, ["a", "zz"])[2] == {"a": 1}


def test_select_missing_record_raises_record_not_found(client, key):
    with pytest.raises(ex.RecordNotFound):
        client.select(key("select-missing"), ["a"])


def test_exists_returns_metadata_for_existing_record(client, key):
    k = key("exists")
    client.put(k, {"a": 1})
    client.put(k, {"a": 2})
    _, meta = client.exists(k)
    assert meta is not None
    assert meta["gen"] == 2


def test_exists_returns_none_metadata_for_missing_record(client, key):
    _, meta = client.exists(key("exists-missing"))
    assert meta is None


def test_remove_deletes_record(client, key):
    k = key("remove")
    client.put(k, {"a": 1})
    client.remove(k)
    assert client.exists(k)[1] is None
    with pytest.raises(ex.RecordNotFound):
        client.get(k)


def test_remove_missing_record_raises_record_not_found_code_2(client, key):
    with pytest.raises(ex.RecordNotFound) as info:
        client.remove(key("remove-missing"))
    assert info.value.code == 2


def test_put_after_remove_starts_a_new_record(client, key):
    k = key("recreate")
    client.put(k, {"a": 1, "b": 2})
    client.remove(k)
    client.put(k, {"c": 3})
    _, meta, bins = client.get(k)
    assert bins == {"c": 3}
    assert meta["gen"] == 1


def test_touch_bumps_generation_and_sets_ttl(client, key, ttl_writes):
    k = key("touch")
    client.put(k, {"a": 1}, meta={"ttl": 1000})
    client.touch(k, 5000)
    _, meta, bins = client.get(k)
    assert bins == {"a": 1}
    assert meta["gen"] == 2
    assert 4990 <= meta["ttl"] <= 5000


def test_touch_missing_record_raises_record_not_found(client, key):
    with pytest.raises(ex.RecordNotFound) as info:
        client.touch(key("touch-missing"), 100)
    assert info.value.code == 2


def test_append_and_prepend_strings(client, key):
    k = key("append")
    client.put(k, {"s": "mid"})
    client.append(k, "s", "-end")
    client.prepend(k, "s", "start-")
    assert client.get(k)[2] == {"s": "start-mid-end"}


def test_append_creates_missing_record_and_bin(client, key):
    k = key("append-new")
    client.append(k, "s", "x")
    client.prepend(k, "t", "y")
    assert client.get(k)[2] == {"s": "x", "t": "y"}


def test_append_bytes_to_bytes_bin(client, key):
    k = key("append-bytes")
    client.put(k, {"b": bytearray(b"\x01\x02")})
    client.append(k, "b", bytearray(b"\x03"))
    client.prepend(k, "b", bytearray(b"\x00"))
    assert bytes(client.get(k)[2]["b"]) == b"\x00\x01\x02\x03"


def test_increment_integer(client, key):
    k = key("incr")
    client.put(k, {"n": 10})
    client.increment(k, "n", 5)
    client.increment(k, "n", -20)
    assert client.get(k)[2] == {"n": -5}


def test_increment_creates_missing_record_and_bin(client, key):
    k = key("incr-new")
    client.increment(k, "n", 7)
    _, meta, bins = client.get(k)
    assert bins == {"n": 7}
    assert meta["gen"] == 1


def test_increment_float(client, key):
    k = key("incr-float")
    client.put(k, {"f": 1.5})
    client.increment(k, "f", 2.25)
    assert client.get(k)[2] == {"f": 3.75}


def test_increment_string_bin_raises_bin_incompatible_type_code_12(client, key):
    k = key("incr-str")
    client.put(k, {"s": "text"})
    with pytest.raises(ex.BinIncompatibleType) as info:
        client.increment(k, "s", 1)
    assert info.value.code == 12
    assert client.get(k)[2] == {"s": "text"}


def test_increment_integer_bin_by_float_raises_bin_incompatible_type(client, key):
    k = key("incr-int-float")
    client.put(k, {"n": 1})
    with pytest.raises(ex.BinIncompatibleType):
        client.increment(k, "n", 1.5)


def test_append_to_integer_bin_raises_bin_incompatible_type(client, key):
    k = key("append-int")
    client.put(k, {"n": 1})
    with pytest.raises(ex.BinIncompatibleType) as info:
        client.append(k, "n", "x")
    assert info.value.code == 12
    with pytest.raises(ex.BinIncompatibleType):
        client.prepend(k, "n", "x")


def test_failed_write_leaves_record_unchanged(client, key):
    k = key("atomic")
    client.put(k, {"n": 1, "s": "a"})
    with pytest.raises(ex.BinIncompatibleType):
        client.operate(k, [op.write("n", 2), op.increment("s", 1)])
    _, meta, bins = client.get(k)
    assert bins == {"n": 1, "s": "a"}
    assert meta["gen"] == 1


@pytest.mark.parametrize(
    "pk",
    [0, 1, -1, 2**63 - 1, -(2**63), "", "string-key", "ünïcødé", bytearray(b"\x00\xffbytes")],
    ids=["zero", "one", "minus-one", "int-max", "int-min", "empty-str", "str", "unicode", "bytes"],
)
def test_key_types_round_trip(client, key, pk):
    k = key(pk)
    client.put(k, {"v": 1})
    assert client.get(k)[2] == {"v": 1}
    client.remove(k)
    assert client.exists(k)[1] is None


def test_digest_only_key_reaches_same_record(client, key, namespace, unique_set):
    client.put(key("by-digest"), {"v": 42})
    digest = aerospike.calc_digest(namespace, unique_set, "by-digest")
    assert client.get((namespace, unique_set, None, digest))[2] == {"v": 42}


def test_same_pk_in_different_sets_are_different_records(client, namespace, unique_set):
    client.put((namespace, unique_set, "pk"), {"v": 1})
    client.put((namespace, unique_set + "_b", "pk"), {"v": 2})
    assert client.get((namespace, unique_set, "pk"))[2] == {"v": 1}
    assert client.get((namespace, unique_set + "_b", "pk"))[2] == {"v": 2}


def test_integer_and_string_keys_are_different_records(client, key):
    client.put(key(1), {"v": "int"})
    client.put(key("1"), {"v": "str"})
    assert client.get(key(1))[2] == {"v": "int"}
    assert client.get(key("1"))[2] == {"v": "str"}


VALUES = {
    "int": 123456789,
    "negative": -42,
    "int_max": 2**63 - 1,
    "int_min": -(2**63),
    "float": 3.141592653589793,
    "neg_float": -0.5,
    "str": "hello",
    "empty_str": "",
    "unicode": "日本語 ünïcødé",
    "bytes": bytearray(b"\x00\x01\xfe\xff"),
    "true": True,
    "false": False,
    "list": [1, "two", 3.0, b"four", [5, 6]],
    "empty_list": [],
    "map": {"a": 1, "b": "x", 3: [1, 2]},
    "empty_map": {},
    "nested": {"l": [{"k": [1, {"deep": True}]}], "m": {"x": {"y": {"z": 1.25}}}},
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_bin_value_types_round_trip(client, key, name):
    k = key("type-" + name)
    client.put(k, {"v": VALUES[name]})
    got = client.get(k)[2]["v"]
    expected = VALUES[name]
    if isinstance(expected, bytearray):
        assert bytes(got) == bytes(expected)
    else:
        assert got == expected
        assert type(got) is type(expected) or isinstance(expected, (list, dict))


def test_many_bins_in_one_record(client, key):
    k = key("many-bins")
    bins = {f"b{i}": i for i in range(200)}
    client.put(k, bins)
    assert client.get(k)[2] == bins


def test_large_string_value_round_trips(client, key):
    k = key("large")
    value = "x" * 500_000
    client.put(k, {"big": value})
    assert client.get(k)[2]["big"] == value


def test_send_key_stores_user_key_returned_by_scan(client, namespace, unique_set):
    client.put((namespace, unique_set, "sent"), {"v": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
    client.put((namespace, unique_set, "digest-only"), {"v": 2}, policy={"key": aerospike.POLICY_KEY_DIGEST})
    by_value = {bins["v"]: k for k, _, bins in client.query(namespace, unique_set).results()}
    assert by_value[1][2] == "sent"
    assert by_value[2][2] is None


def test_increment_float_bin_by_integer_raises_bin_incompatible_type(client, key):
    # particle_float.c float_incr_from_wire: only float increments a float
    k = key("incr-float-int")
    client.put(k, {"f": 1.5})
    with pytest.raises(ex.BinIncompatibleType):
        client.increment(k, "f", 1)
    assert client.get(k)[2] == {"f": 1.5}


def test_append_string_to_bytes_bin_raises_bin_incompatible_type(client, key):
    # particle_blob.c blob_append_from_wire: wire type must equal the bin's type
    k = key("append-blob-str")
    client.put(k, {"b": bytearray(b"ab")})
    with pytest.raises(ex.BinIncompatibleType):
        client.append(k, "b", "c")


def test_put_only_bin_deletes_on_missing_record_raises_record_not_found(client, key):
    # write.c write_master_apply: a write that leaves no bins on a record that did not exist -> AS_ERR_NOT_FOUND
    k = key("delete-nothing")
    with pytest.raises(ex.RecordNotFound):
        client.put(k, {"a": None})
    assert client.exists(k)[1] is None


def test_put_deleting_every_bin_deletes_record(client, key):
    k = key("delete-all-bins")
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"a": None, "b": None})
    assert client.exists(k)[1] is None


def test_list_with_none_and_nested_empty_values_round_trips(client, key):
    k = key("list-none")
    value = [None, [], {}, [None, {"k": None}]]
    client.put(k, {"v": value})
    assert client.get(k)[2]["v"] == value


def test_stored_key_survives_later_write_without_key(client, namespace, unique_set):
    # rw_utils.c handle_msg_key: a stored key is rewritten with the record even when the write sends none
    client.put((namespace, unique_set, "kept"), {"v": 1}, policy={"key": aerospike.POLICY_KEY_SEND})
    client.put((namespace, unique_set, "kept"), {"v": 2}, policy={"key": aerospike.POLICY_KEY_DIGEST})
    [(k, _, bins)] = client.query(namespace, unique_set).results()
    assert k[2] == "kept" and bins == {"v": 2}


def test_key_sent_on_later_write_is_stored(client, namespace, unique_set):
    client.put((namespace, unique_set, 55), {"v": 1}, policy={"key": aerospike.POLICY_KEY_DIGEST})
    client.put((namespace, unique_set, 55), {"v": 2}, policy={"key": aerospike.POLICY_KEY_SEND})
    [(k, _, _)] = client.query(namespace, unique_set).results()
    assert k[2] == 55


def test_increment_wraps_around_on_integer_overflow(client, key):
    # particle_integer.c integer_incr_from_wire adds as uint64: two's-complement wrap, no error
    k = key("incr-wrap")
    client.put(k, {"n": 2**63 - 1})
    client.increment(k, "n", 1)
    assert client.get(k)[2] == {"n": -(2**63)}
    client.increment(k, "n", -1)
    assert client.get(k)[2] == {"n": 2**63 - 1}


def test_record_just_under_max_record_size_is_accepted(client, key):
    k = key("almost-too-big")
    client.put(k, {"blob": bytearray(1_000_000)})
    assert len(client.get(k)[2]["blob"]) == 1_000_000


def test_bin_names_count_utf8_bytes(client, key):
    k = key("utf8-bins")
    client.put(k, {"ü" * 7: 1, "a.b-c d": 2})  # 14 bytes: allowed
    assert client.get(k)[2] == {"ü" * 7: 1, "a.b-c d": 2}
    with pytest.raises(ex.BinNameError):
        client.put(k, {"ü" * 8: 1})  # 16 bytes


def test_a_bin_named_empty_string_is_a_bin_like_any_other(client, key):
    """as_bin_name_check (datamodel.h) only refuses names of 15+ bytes or holding NUL: "" is fine."""
    k = key("empty-bin-name")
    client.put(k, {"": 1, "a": 2})
    assert client.get(k)[2] == {"": 1, "a": 2}
    client.operate(k, [op.increment("", 4), op.write("s", "x")])
    client.put(k, {"": 7})
    assert client.get(k)[2] == {"": 7, "a": 2, "s": "x"}
    client.remove_bin(k, [""])
    assert client.get(k)[2] == {"a": 2, "s": "x"}


def _largest_blob_accepted(client, k, **put_args):
    lo, hi = 1_000_000, 1_048_576
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            client.put(k, {"b": bytearray(mid)}, **put_args)
            lo = mid
        except ex.RecordTooBig:
            hi = mid - 1
    return lo


@pytest.mark.parametrize("extra", ["plain", "with-key", "with-ttl"])
def test_max_record_size_counts_the_flat_record_and_its_end_mark(client, key, extra, ttl_forbidden):
    # drv_mem.c buffer_bins: as_flat_record_size (flat.c: a 35-byte header, 4 bytes of void time when the record
    # expires, 1 + set-name bytes, uintvar + stored-key bytes, a uintvar bin count, and per bin 1 + name bytes +
    # the particle: a blob is type, u32 size, data) plus the 4-byte end mark must not pass 1 MiB.
    if extra == "with-ttl" and ttl_forbidden:
        pytest.skip("the namespace refuses ttl writes")
    k = key("k")  # a 1-character string key: 2 stored bytes (type + 'k') after a 1-byte length
    put_args = {
        "plain": {},
        "with-key": {"policy": {"key": aerospike.POLICY_KEY_SEND}},
        "with-ttl": {"meta": {"ttl": 1000}},
    }[extra]
    overhead = 35 + 4 + (1 + len(k[1])) + 1 + (1 + 1) + 5
    overhead += {"plain": 0, "with-key": 3, "with-ttl": 4}[extra]
    assert _largest_blob_accepted(client, k, **put_args) == 1_048_576 - overhead
