"""Record-exists actions, generation checks, TTL handling, real expiry and durable delete."""

from __future__ import annotations

import time

import aerospike
import pytest
from aerospike import exception as ex
from aerospike_helpers.operations import operations as op

from compat_util import info_value, parse_kv

# --- record-exists actions (policy "exists") -------------------------------------------------


def test_exists_ignore_creates_then_updates(client, key):
    k = key("ignore")
    pol = {"exists": aerospike.POLICY_EXISTS_IGNORE}
    client.put(k, {"a": 1}, policy=pol)
    client.put(k, {"b": 2}, policy=pol)
    assert client.get(k)[2] == {"a": 1, "b": 2}


def test_exists_create_succeeds_on_missing_record(client, key):
    k = key("create")
    client.put(k, {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    assert client.get(k)[2] == {"a": 1}


def test_exists_create_on_existing_record_raises_record_exists_code_5(client, key):
    k = key("create-dup")
    client.put(k, {"a": 1})
    with pytest.raises(ex.RecordExistsError) as info:
        client.put(k, {"a": 2}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    assert info.value.code == 5
    _, meta, bins = client.get(k)
    assert bins == {"a": 1} and meta["gen"] == 1


def test_exists_create_succeeds_after_record_was_removed(client, key):
    k = key("create-after-remove")
    client.put(k, {"a": 1})
    client.remove(k)
    client.put(k, {"a": 2}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    assert client.get(k)[2] == {"a": 2}


def test_exists_update_on_missing_record_raises_record_not_found(client, key):
    k = key("update-missing")
    with pytest.raises(ex.RecordNotFound) as info:
        client.put(k, {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})
    assert info.value.code == 2
    assert client.exists(k)[1] is None


def test_exists_update_merges_bins_of_existing_record(client, key):
    k = key("update")
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"b": 3}, policy={"exists": aerospike.POLICY_EXISTS_UPDATE})
    assert client.get(k)[2] == {"a": 1, "b": 3}


def test_exists_replace_on_missing_record_raises_record_not_found(client, key):
    k = key("replace-missing")
    with pytest.raises(ex.RecordNotFound) as info:
        client.put(k, {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_REPLACE})
    assert info.value.code == 2
    assert client.exists(k)[1] is None


def test_exists_replace_drops_bins_not_written(client, key):
    k = key("replace")
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"c": 3}, policy={"exists": aerospike.POLICY_EXISTS_REPLACE})
    _, meta, bins = client.get(k)
    assert bins == {"c": 3}
    assert meta["gen"] == 2


def test_exists_create_or_replace_creates_missing_record(client, key):
    k = key("cor-missing")
    client.put(k, {"a": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE_OR_REPLACE})
    assert client.get(k)[2] == {"a": 1}


def test_exists_create_or_replace_replaces_existing_record(client, key):
    k = key("cor")
    client.put(k, {"a": 1, "b": 2})
    client.put(k, {"c": 3}, policy={"exists": aerospike.POLICY_EXISTS_CREATE_OR_REPLACE})
    assert client.get(k)[2] == {"c": 3}


def test_replace_with_modify_op_is_invalid_request_code_4(client, key):
    # write.c write_master_policies: "modify op can't have record-level replace flag" -> AS_ERR_PARAMETER
    k = key("replace-incr")
    client.put(k, {"n": 1})
    with pytest.raises(ex.InvalidRequest) as info:
        client.operate(k, [op.increment("n", 1)], policy={"exists": aerospike.POLICY_EXISTS_REPLACE})
    assert info.value.code == 4
    assert client.get(k)[2] == {"n": 1}


def test_update_only_operate_on_missing_record_raises_record_not_found(client, key):
    k = key("update-op-missing")
    with pytest.raises(ex.RecordNotFound):
        client.operate(k, [op.write("a", 1)], policy={"exists": aerospike.POLICY_EXISTS_UPDATE})


# --- generation checks ------------------------------------------------------------------------


def test_generation_eq_matching_writes(client, key):
    k = key("gen-eq")
    client.put(k, {"a": 1})
    client.put(k, {"a": 2})
    client.put(k, {"a": 3}, meta={"gen": 2}, policy={"gen": aerospike.POLICY_GEN_EQ})
    _, meta, bins = client.get(k)
    assert bins == {"a": 3} and meta["gen"] == 3


def test_generation_eq_mismatch_raises_generation_error_code_3(client, key):
    k = key("gen-eq-bad")
    client.put(k, {"a": 1})
    with pytest.raises(ex.RecordGenerationError) as info:
        client.put(k, {"a": 2}, meta={"gen": 5}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert info.value.code == 3
    _, meta, bins = client.get(k)
    assert bins == {"a": 1} and meta["gen"] == 1


def test_generation_gt_requires_greater_generation(client, key):
    k = key("gen-gt")
    client.put(k, {"a": 1})
    client.put(k, {"a": 2})  # gen 2
    with pytest.raises(ex.RecordGenerationError):
        client.put(k, {"a": 9}, meta={"gen": 2}, policy={"gen": aerospike.POLICY_GEN_GT})
    with pytest.raises(ex.RecordGenerationError):
        client.put(k, {"a": 9}, meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_GT})
    client.put(k, {"a": 3}, meta={"gen": 7}, policy={"gen": aerospike.POLICY_GEN_GT})
    _, meta, bins = client.get(k)
    assert bins == {"a": 3} and meta["gen"] == 3


def test_generation_ignore_writes_regardless(client, key):
    k = key("gen-ignore")
    client.put(k, {"a": 1})
    client.put(k, {"a": 2}, meta={"gen": 99}, policy={"gen": aerospike.POLICY_GEN_IGNORE})
    assert client.get(k)[2] == {"a": 2}


def test_remove_with_generation_mismatch_raises_generation_error(client, key):
    k = key("gen-remove")
    client.put(k, {"a": 1})
    with pytest.raises(ex.RecordGenerationError):
        client.remove(k, meta={"gen": 4}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert client.exists(k)[1] is not None
    client.remove(k, meta={"gen": 1}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert client.exists(k)[1] is None


def test_operate_with_generation_mismatch_raises_generation_error(client, key):
    k = key("gen-operate")
    client.put(k, {"n": 1})
    with pytest.raises(ex.RecordGenerationError):
        client.operate(k, [op.increment("n", 1)], meta={"gen": 3}, policy={"gen": aerospike.POLICY_GEN_EQ})
    assert client.get(k)[2] == {"n": 1}


# --- TTL -------------------------------------------------------------------------------------


def _namespace_default_ttl(client, namespace) -> int:
    cfg = parse_kv(info_value(client.info_random_node(f"namespace/{namespace}")))
    return int(cfg["default-ttl"])


def test_ttl_namespace_default_applies_namespace_default_ttl(client, key, namespace):
    k = key("ttl-default")
    client.put(k, {"a": 1}, meta={"ttl": aerospike.TTL_NAMESPACE_DEFAULT})
    ttl = client.get(k)[1]["ttl"]
    default = _namespace_default_ttl(client, namespace)
    if default == 0:
        assert ttl == aerospike.TTL_NEVER_EXPIRE
    else:
        assert default - 10 <= ttl <= default


def test_ttl_never_expire_reported_as_never_expire(client, key):
    k = key("ttl-never")
    client.put(k, {"a": 1}, meta={"ttl": aerospike.TTL_NEVER_EXPIRE})
    assert client.get(k)[1]["ttl"] == aerospike.TTL_NEVER_EXPIRE


def test_ttl_minus_one_means_never_expire(client, key):
    k = key("ttl-minus-one")
    client.put(k, {"a": 1}, meta={"ttl": -1})
    assert client.exists(k)[1]["ttl"] == aerospike.TTL_NEVER_EXPIRE


def test_ttl_explicit_value_is_reported_back(client, key, ttl_writes):
    k = key("ttl-explicit")
    client.put(k, {"a": 1}, meta={"ttl": 3600})
    ttl = client.get(k)[1]["ttl"]
    assert 3590 <= ttl <= 3600


def test_ttl_dont_update_keeps_previous_ttl(client, key, ttl_writes):
    k = key("ttl-keep")
    client.put(k, {"a": 1}, meta={"ttl": 7200})
    client.put(k, {"a": 2}, meta={"ttl": aerospike.TTL_DONT_UPDATE})
    _, meta, bins = client.get(k)
    assert bins == {"a": 2}
    assert 7190 <= meta["ttl"] <= 7200


def test_ttl_can_be_reduced_by_a_later_write(client, key, ttl_writes):
    k = key("ttl-reduce")
    client.put(k, {"a": 1}, meta={"ttl": aerospike.TTL_NEVER_EXPIRE})
    client.put(k, {"a": 2}, meta={"ttl": 600})
    assert 590 <= client.get(k)[1]["ttl"] <= 600


def test_record_expires_after_its_ttl(client, key, ttl_writes):
    k = key("expire")
    keep = key("no-expire")
    client.put(k, {"a": 1}, meta={"ttl": 2})
    client.put(keep, {"a": 1}, meta={"ttl": 3600})
    assert client.get(k)[2] == {"a": 1}
    time.sleep(3.5)
    with pytest.raises(ex.RecordNotFound):
        client.get(k)
    assert client.exists(k)[1] is None
    assert client.get(keep)[2] == {"a": 1}


def test_expired_record_can_be_created_again(client, key, ttl_writes):
    k = key("expire-recreate")
    client.put(k, {"a": 1, "b": 1}, meta={"ttl": 1})
    time.sleep(2.5)
    client.put(k, {"c": 1}, policy={"exists": aerospike.POLICY_EXISTS_CREATE})
    _, meta, bins = client.get(k)
    assert bins == {"c": 1} and meta["gen"] == 1


def test_touch_extends_life_of_expiring_record(client, key, ttl_writes):
    k = key("touch-extend")
    client.put(k, {"a": 1}, meta={"ttl": 2})
    client.touch(k, 3600)
    time.sleep(3)
    assert client.get(k)[2] == {"a": 1}


# --- durable delete on Community Edition ------------------------------------------------------


def test_durable_delete_is_enterprise_only_code_25(client, key):
    # rw_utils_ce.c validate_delete_durability -> AS_ERR_ENTERPRISE_ONLY (25); the Python client has no
    # class for 25, so raise_exception falls back to AerospikeError itself.
    k = key("durable")
    client.put(k, {"a": 1})
    with pytest.raises(ex.AerospikeError) as info:
        client.remove(k, policy={"durable_delete": True})
    assert info.value.code == 25
    assert type(info.value) is ex.AerospikeError
    assert client.get(k)[2] == {"a": 1}


def test_durable_delete_op_in_operate_is_enterprise_only(client, key):
    k = key("durable-op")
    client.put(k, {"a": 1})
    with pytest.raises(ex.AerospikeError) as info:
        client.operate(k, [op.delete()], policy={"durable_delete": True})
    assert info.value.code == 25
    assert client.get(k)[2] == {"a": 1}


def test_touch_op_with_replace_is_invalid_request(client, key):
    # write.c write_master_policies: "touch op can't have record-level replace flag"
    k = key("replace-touch")
    client.put(k, {"a": 1})
    with pytest.raises(ex.InvalidRequest):
        client.operate(k, [op.touch(100)], policy={"exists": aerospike.POLICY_EXISTS_CREATE_OR_REPLACE})


def test_ttl_above_ten_years_is_invalid_request(client, key):
    # datamodel.h MAX_ALLOWED_TTL = 10 years; write.c: ! is_valid_ttl -> AS_ERR_PARAMETER
    k = key("ttl-too-long")
    with pytest.raises(ex.InvalidRequest) as info:
        client.put(k, {"a": 1}, meta={"ttl": 3600 * 24 * 365 * 10 + 1})
    assert info.value.code == 4
    assert client.exists(k)[1] is None


def test_ttl_of_exactly_ten_years_is_accepted(client, key, ttl_writes):
    k = key("ttl-ten-years")
    client.put(k, {"a": 1}, meta={"ttl": 3600 * 24 * 365 * 10})
    assert client.exists(k)[1]["ttl"] >= 3600 * 24 * 365 * 10 - 10


def test_ttl_write_forbidden_without_nsup_code_22(client, key, ttl_forbidden):
    # rw_utils.h is_ttl_disallowed: with nsup-period 0 and not allow-ttl-without-nsup, write.c write_master
    # refuses a ttl > 0 with AS_ERR_FORBIDDEN; never-expire and dont-update are still accepted.
    if not ttl_forbidden:
        pytest.skip("the namespace runs nsup: ttl writes are allowed (checked by the other ttl tests)")
    k = key("ttl-forbidden")
    with pytest.raises(ex.ForbiddenError) as info:
        client.put(k, {"a": 1}, meta={"ttl": 100})
    assert info.value.code == 22
    assert client.exists(k)[1] is None
    client.put(k, {"a": 1}, meta={"ttl": aerospike.TTL_NEVER_EXPIRE})
    client.put(k, {"a": 2}, meta={"ttl": aerospike.TTL_DONT_UPDATE})
    assert client.exists(k)[1]["ttl"] == aerospike.TTL_NEVER_EXPIRE


def test_ttl_dont_update_on_new_record_uses_namespace_default(client, key, namespace):
    # write.c: TTL_DONT_UPDATE on a created record becomes TTL_USE_DEFAULT
    k = key("ttl-keep-new")
    client.put(k, {"a": 1}, meta={"ttl": aerospike.TTL_DONT_UPDATE})
    ttl = client.get(k)[1]["ttl"]
    default = _namespace_default_ttl(client, namespace)
    if default == 0:
        assert ttl == aerospike.TTL_NEVER_EXPIRE
    else:
        assert default - 10 <= ttl <= default


def test_touch_with_dont_update_ttl_keeps_ttl_but_bumps_generation(client, key, ttl_writes):
    k = key("touch-keep")
    client.put(k, {"a": 1}, meta={"ttl": 900})
    client.touch(k, aerospike.TTL_DONT_UPDATE)
    meta = client.exists(k)[1]
    assert meta["gen"] == 2
    assert 890 <= meta["ttl"] <= 900


def test_update_without_ttl_resets_ttl_to_namespace_default(client, key, namespace, ttl_writes):
    # The client's default write ttl is "namespace default" (wire 0), so an update re-applies default-ttl.
    k = key("ttl-reset")
    client.put(k, {"a": 1}, meta={"ttl": 3600})
    client.put(k, {"a": 2})
    ttl = client.get(k)[1]["ttl"]
    default = _namespace_default_ttl(client, namespace)
    if default == 0:
        assert ttl == aerospike.TTL_NEVER_EXPIRE
    else:
        assert default - 10 <= ttl <= default


def test_read_only_operate_does_not_bump_generation(client, key):
    k = key("gen-read")
    client.put(k, {"a": 1})
    client.operate(k, [op.read("a")])
    client.get(k)
    assert client.exists(k)[1]["gen"] == 1


def test_rewriting_same_value_still_bumps_generation(client, key):
    k = key("gen-same")
    client.put(k, {"a": 1})
    client.put(k, {"a": 1})
    assert client.exists(k)[1]["gen"] == 2


def test_generation_wraps_from_65535_to_1(client_node, key):
    # index.h: generation is 16 bits; record_ce.c as_record_increment_generation skips 0 when it wraps.
    k = key("gen-wrap")
    client_node.put(k, {"a": 1})
    for _ in range(65534):
        client_node.touch(k, aerospike.TTL_DONT_UPDATE)
    assert client_node.exists(k)[1]["gen"] == 65535
    client_node.touch(k, aerospike.TTL_DONT_UPDATE)
    assert client_node.exists(k)[1]["gen"] == 1
    with pytest.raises(ex.RecordGenerationError):
        client_node.put(k, {"a": 2}, meta={"gen": 65535}, policy={"gen": aerospike.POLICY_GEN_EQ})
