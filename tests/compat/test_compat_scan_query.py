"""Scans (query without a filter), partition-filtered scans, secondary indexes and filtered queries."""

from __future__ import annotations

import uuid

import aerospike
import pytest
from aerospike import exception as ex
from aerospike import predicates as p

from compat_util import index_ready, info_value, wait_until

N = 60


@pytest.fixture
def filled(client, key):
    """N records pk 0..N-1: {'i': pk, 'mod': pk % 5, 'name': 'n<pk % 3>', 'x': 'pad'}."""
    for i in range(N):
        client.put(key(i), {"i": i, "mod": i % 5, "name": f"n{i % 3}", "x": "pad"}, policy={"key": aerospike.POLICY_KEY_SEND})
    return [key(i) for i in range(N)]


def test_scan_returns_every_record_of_the_set_once(client, namespace, unique_set, filled):
    records = client.query(namespace, unique_set).results()
    assert sorted(bins["i"] for _, _, bins in records) == list(range(N))
    for k, meta, bins in records:
        assert k[0] == namespace and k[1] == unique_set
        assert k[2] == bins["i"]  # sent with POLICY_KEY_SEND
        assert meta["gen"] == 1


def test_scan_does_not_return_other_sets(client, namespace, unique_set, filled):
    other = unique_set + "_o"
    client.put((namespace, other, 1), {"i": 1000})
    assert sorted(b["i"] for _, _, b in client.query(namespace, unique_set).results()) == list(range(N))
    assert [b["i"] for _, _, b in client.query(namespace, other).results()] == [1000]


def test_scan_of_empty_set_returns_nothing(client, namespace):
    assert client.query(namespace, "empty_" + uuid.uuid4().hex[:10]).results() == []


def test_scan_with_select_returns_only_selected_bins(client, namespace, unique_set, filled):
    q = client.query(namespace, unique_set)
    q.select("i", "name")
    records = q.results()
    assert len(records) == N
    for _, _, bins in records:
        assert set(bins) == {"i", "name"}


def test_scan_foreach_callback_sees_all_records(client, namespace, unique_set, filled):
    seen = []
    client.query(namespace, unique_set).foreach(lambda rec: seen.append(rec[2]["i"]))
    assert sorted(seen) == list(range(N))


def test_scan_foreach_returning_false_stops_early(client, namespace, unique_set, filled):
    seen = []

    def cb(rec):
        seen.append(rec)
        return False

    client.query(namespace, unique_set).foreach(cb)
    assert 1 <= len(seen) < N


def test_scan_max_records_limits_result(client, namespace, unique_set, filled):
    q = client.query(namespace, unique_set)
    q.max_records = 10
    records = q.results()
    assert 1 <= len(records) <= 10


def test_scan_by_partition_range_returns_only_those_partitions(client, namespace, unique_set, filled):
    part_of = {k[2]: client.get_key_partition_id(namespace, unique_set, k[2]) for k in filled}
    halves = [(0, 2048), (2048, 2048)]
    seen = []
    for begin, count in halves:
        q = client.query(namespace, unique_set)
        got = q.results(policy={"partition_filter": {"begin": begin, "count": count}})
        ids = [b["i"] for _, _, b in got]
        assert sorted(ids) == sorted(i for i, pid in part_of.items() if begin <= pid < begin + count)
        seen += ids
    assert sorted(seen) == list(range(N))


def test_scan_single_partition_of_a_known_key(client, namespace, unique_set, filled):
    pid = client.get_key_partition_id(namespace, unique_set, 7)
    got = client.query(namespace, unique_set).results(policy={"partition_filter": {"begin": pid, "count": 1}})
    ids = [b["i"] for _, _, b in got]
    assert 7 in ids
    assert all(client.get_key_partition_id(namespace, unique_set, i) == pid for i in ids)


def test_scan_pagination_resumes_without_duplicates(client, namespace, unique_set, filled):
    q = client.query(namespace, unique_set)
    q.max_records = 25
    q.paginate()
    seen = []
    for _ in range(20):
        page = q.results()
        seen += [b["i"] for _, _, b in page]
        if q.is_done():
            break
    assert sorted(seen) == list(range(N))


def test_scan_via_legacy_scan_object(client, namespace, unique_set, filled):
    assert sorted(b["i"] for _, _, b in client.scan(namespace, unique_set).results()) == list(range(N))


# --- secondary indexes -----------------------------------------------------------------------


@pytest.fixture
def index(client, namespace, unique_set):
    """index(kind, bin) -> creates a secondary index on this test's set, removed at teardown."""
    created = []

    def make(kind, bin_name):
        name = f"ix_{uuid.uuid4().hex[:12]}"
        dtype = aerospike.INDEX_NUMERIC if kind == "int" else aerospike.INDEX_STRING
        client.index_single_value_create(namespace, unique_set, bin_name, dtype, name)
        created.append(name)
        assert index_ready(client, namespace, name), f"index {name} never listed as ready"
        return name

    yield make
    for name in created:
        try:
            client.index_remove(namespace, name)
        except ex.AerospikeError:
            pass


def test_sindex_equality_on_integer(client, namespace, unique_set, index, filled):
    index("int", "mod")
    q = client.query(namespace, unique_set)
    q.where(p.equals("mod", 3))
    assert sorted(b["i"] for _, _, b in q.results()) == [i for i in range(N) if i % 5 == 3]


def test_sindex_range_on_integer(client, namespace, unique_set, index, filled):
    index("int", "i")
    q = client.query(namespace, unique_set)
    q.where(p.between("i", 10, 19))
    assert sorted(b["i"] for _, _, b in q.results()) == list(range(10, 20))


def test_sindex_equality_on_string(client, namespace, unique_set, index, filled):
    index("str", "name")
    q = client.query(namespace, unique_set)
    q.where(p.equals("name", "n1"))
    assert sorted(b["i"] for _, _, b in q.results()) == [i for i in range(N) if i % 3 == 1]


def test_sindex_query_with_select(client, namespace, unique_set, index, filled):
    index("int", "mod")
    q = client.query(namespace, unique_set)
    q.select("name")
    q.where(p.equals("mod", 0))
    records = q.results()
    assert len(records) == N // 5
    assert all(set(b) == {"name"} for _, _, b in records)


def test_sindex_sees_later_writes_updates_and_deletes(client, namespace, unique_set, index, key, filled):
    index("int", "mod")
    client.put(key("late"), {"i": 1000, "mod": 4})
    client.put(key(4), {"mod": 0})  # was 4
    client.remove(key(9))  # was 4
    q = client.query(namespace, unique_set)
    q.where(p.equals("mod", 4))
    expected = sorted([i for i in range(N) if i % 5 == 4 and i not in (4, 9)] + [1000])
    assert sorted(b["i"] for _, _, b in q.results()) == expected


def test_sindex_ignores_values_of_other_type(client, namespace, unique_set, index, key, filled):
    index("int", "mod")
    client.put(key("strmod"), {"i": 2000, "mod": "3"})
    q = client.query(namespace, unique_set)
    q.where(p.equals("mod", 3))
    assert 2000 not in [b["i"] for _, _, b in q.results()]


def test_sindex_query_by_partition_range(client, namespace, unique_set, index, filled):
    index("int", "i")
    q = client.query(namespace, unique_set)
    q.where(p.between("i", 0, N))
    got = q.results(policy={"partition_filter": {"begin": 0, "count": 1024}})
    ids = sorted(b["i"] for _, _, b in got)
    assert ids == sorted(i for i in range(N) if client.get_key_partition_id(namespace, unique_set, i) < 1024)


def test_create_same_index_again_is_accepted(client, namespace, unique_set, index):
    # sindex_manager.c: same name and same definition -> ok (idempotent)
    name = index("int", "i")
    client.index_single_value_create(namespace, unique_set, "i", aerospike.INDEX_NUMERIC, name)


def test_create_index_name_with_other_definition_raises_index_found_error_200(client, namespace, unique_set, index):
    # sindex_manager.c: "'indexname' already exists with different definition" -> AS_ERR_SINDEX_FOUND
    name = index("int", "i")
    with pytest.raises(ex.IndexFoundError) as info:
        client.index_single_value_create(namespace, unique_set, "name", aerospike.INDEX_STRING, name)
    assert info.value.code == 200


def test_remove_unknown_index_is_accepted(client, namespace):
    # sindex_manager.c sindex-delete: 'indexname' not found -> respond ok
    client.index_remove(namespace, "ix_never_created_x")


def test_index_remove_makes_it_unqueryable(client, namespace, unique_set, filled):
    name = f"ix_{uuid.uuid4().hex[:12]}"
    client.index_single_value_create(namespace, unique_set, "mod", aerospike.INDEX_NUMERIC, name)
    assert index_ready(client, namespace, name)
    client.index_remove(namespace, name)
    gone = wait_until(lambda: f"indexname={name}" not in str(client.info_all(f"sindex-list:ns={namespace}")))
    assert gone
    q = client.query(namespace, unique_set)
    q.where(p.equals("mod", 1))
    with pytest.raises(ex.IndexNotFound) as info:
        q.results()
    assert info.value.code == 201


def test_query_on_unindexed_bin_raises_index_not_found_201(client, namespace, unique_set, filled):
    q = client.query(namespace, unique_set)
    q.where(p.equals("x", "pad"))
    with pytest.raises(ex.IndexNotFound) as info:
        q.results()
    assert info.value.code == 201


def test_sindex_list_info_names_the_index(client, namespace, unique_set, index):
    name = index("str", "name")
    answer = info_value(client.info_random_node(f"sindex-list:ns={namespace}"))
    entry = next(e for e in answer.split(";") if f"indexname={name}" in e)
    fields = dict(f.split("=", 1) for f in entry.split(":") if "=" in f)
    assert fields["ns"] == namespace
    assert fields["set"] == unique_set
    assert fields["bin"] == "name"
    assert fields["type"] == "string"


def test_sindex_range_with_negative_numbers(client, namespace, unique_set, index, key):
    index("int", "n")
    for v in (-(2**63), -100, -5, -1, 0, 1, 5, 100, 2**63 - 1):
        client.put(key(f"neg{v}"), {"n": v})
    q = client.query(namespace, unique_set)
    q.where(p.between("n", -5, 5))
    assert sorted(b["n"] for _, _, b in q.results()) == [-5, -1, 0, 1, 5]
    q = client.query(namespace, unique_set)
    q.where(p.between("n", -(2**63), -1))
    assert sorted(b["n"] for _, _, b in q.results()) == [-(2**63), -100, -5, -1]


def test_sindex_is_per_set(client, namespace, unique_set, index, key):
    index("int", "mod")
    other = unique_set + "_o"
    client.put(key("mine"), {"mod": 1})
    client.put((namespace, other, "theirs"), {"mod": 1})
    q = client.query(namespace, unique_set)
    q.where(p.equals("mod", 1))
    assert len(q.results()) == 1
    q = client.query(namespace, other)
    q.where(p.equals("mod", 1))
    with pytest.raises(ex.IndexNotFound):
        q.results()


def test_sindex_string_equality_is_exact_and_unicode(client, namespace, unique_set, index, key):
    index("str", "s")
    for v in ("ab", "abc", "AB", "ünï", ""):
        client.put(key(f"s-{v}"), {"s": v})
    for want in ("ab", "ünï", ""):
        q = client.query(namespace, unique_set)
        q.where(p.equals("s", want))
        assert [b["s"] for _, _, b in q.results()] == [want]


def test_numeric_sindex_ignores_float_values(client, namespace, unique_set, index, key):
    index("int", "n")
    client.put(key("int"), {"n": 3})
    client.put(key("float"), {"n": 3.0})
    q = client.query(namespace, unique_set)
    q.where(p.equals("n", 3))
    assert [type(b["n"]) for _, _, b in q.results()] == [int]


def test_scan_nobins_returns_metadata_only(client, namespace, unique_set, filled):
    records = client.query(namespace, unique_set).results(options={"nobins": True})
    assert len(records) == N
    for k, meta, bins in records:
        assert meta["gen"] == 1
        assert not bins
        assert k[2] in range(N)


def test_sindex_short_query_returns_same_records(client, namespace, unique_set, index, filled):
    index("int", "i")
    q = client.query(namespace, unique_set)
    q.where(p.between("i", 5, 14))
    got = q.results(policy={"expected_duration": aerospike.QUERY_DURATION_SHORT})
    assert sorted(b["i"] for _, _, b in got) == list(range(5, 15))


def test_sindex_query_foreach_with_nobins(client, namespace, unique_set, index, filled):
    index("str", "name")
    q = client.query(namespace, unique_set)
    q.where(p.equals("name", "n2"))
    pks = []
    q.foreach(lambda rec: pks.append(rec[0][2]), options={"nobins": True})
    assert sorted(pks) == [i for i in range(N) if i % 3 == 2]


def test_sindex_query_pagination_returns_each_record_once(client, namespace, unique_set, index, filled):
    index("int", "i")
    q = client.query(namespace, unique_set)
    q.where(p.between("i", 0, N))
    q.max_records = 7
    q.paginate()
    seen = []
    for _ in range(40):
        page = q.results()
        assert len(page) <= 7
        seen += [b["i"] for _, _, b in page]
        if q.is_done():
            break
    assert sorted(seen) == list(range(N))


def test_scan_of_one_partition_is_in_descending_digest_order_and_pages_resume(client, namespace, unique_set):
    # index.c: a partition's tree is reduced from the largest to the smallest digest (memcmp order); a page
    # resumes from the last digest the client saw (query.c, field DIGEST_ARRAY), exclusive.
    pid = client.get_key_partition_id(namespace, unique_set, "pp-0")
    same = [pk for pk in (f"pp-{i}" for i in range(60_000)) if client.get_key_partition_id(namespace, unique_set, pk) == pid]
    for pk in same[:5]:
        client.put((namespace, unique_set, pk), {"pk": pk})
    one_partition = {"partition_filter": {"begin": pid, "count": 1}}
    digests = [bytes(k[3]) for k, _, _ in client.query(namespace, unique_set).results(policy=one_partition)]
    assert len(digests) == 5 and digests == sorted(digests, reverse=True)

    q = client.query(namespace, unique_set)
    q.max_records = 2
    q.paginate()
    pages = []
    for _ in range(6):
        page = q.results(policy=one_partition)
        pages.append([bytes(k[3]) for k, _, _ in page])
        if q.is_done():
            break
    assert [d for page in pages for d in page] == digests
    assert all(len(page) <= 2 for page in pages)


def _collection_index(client, namespace, unique_set, kind, bin_name, dtype):
    name = f"ix_{uuid.uuid4().hex[:12]}"
    create = {"list": client.index_list_create, "mapkeys": client.index_map_keys_create,
              "mapvalues": client.index_map_values_create}[kind]
    create(namespace, unique_set, bin_name, dtype, name)
    assert index_ready(client, namespace, name)
    return name


def test_list_index_contains_and_range(client, namespace, unique_set, key):
    name = _collection_index(client, namespace, unique_set, "list", "tags", aerospike.INDEX_NUMERIC)
    try:
        client.put(key("a"), {"id": "a", "tags": [1, 5, 9]})
        client.put(key("b"), {"id": "b", "tags": [2, 5]})
        client.put(key("c"), {"id": "c", "tags": [7]})
        client.put(key("d"), {"id": "d", "tags": 5})  # not a list: not in a list index
        q = client.query(namespace, unique_set)
        q.where(p.contains("tags", aerospike.INDEX_TYPE_LIST, 5))
        assert sorted(b["id"] for _, _, b in q.results()) == ["a", "b"]
        q = client.query(namespace, unique_set)
        q.where(p.range("tags", aerospike.INDEX_TYPE_LIST, 6, 8))
        assert {b["id"] for _, _, b in q.results()} == {"c"}
    finally:
        client.index_remove(namespace, name)


def test_map_keys_and_values_indexes(client, namespace, unique_set, key):
    keys_ix = _collection_index(client, namespace, unique_set, "mapkeys", "attrs", aerospike.INDEX_STRING)
    vals_ix = _collection_index(client, namespace, unique_set, "mapvalues", "scores", aerospike.INDEX_NUMERIC)
    try:
        client.put(key("a"), {"id": "a", "attrs": {"color": 1, "size": 2}, "scores": {"x": 10, "y": 20}})
        client.put(key("b"), {"id": "b", "attrs": {"size": 3}, "scores": {"x": 30}})
        q = client.query(namespace, unique_set)
        q.where(p.contains("attrs", aerospike.INDEX_TYPE_MAPKEYS, "size"))
        assert sorted(b["id"] for _, _, b in q.results()) == ["a", "b"]
        q = client.query(namespace, unique_set)
        q.where(p.contains("attrs", aerospike.INDEX_TYPE_MAPKEYS, "color"))
        assert [b["id"] for _, _, b in q.results()] == ["a"]
        q = client.query(namespace, unique_set)
        q.where(p.range("scores", aerospike.INDEX_TYPE_MAPVALUES, 25, 35))
        assert {b["id"] for _, _, b in q.results()} == {"b"}
    finally:
        client.index_remove(namespace, keys_ix)
        client.index_remove(namespace, vals_ix)


def test_scan_with_select_skips_records_holding_none_of_the_bins(client, namespace, unique_set):
    # proto.c as_msg_make_response_bufbuilder / query.c apply_ops_make_response: "Don't return an empty record."
    for i, bins in enumerate([{"a": 1}, {"b": 2}, {"a": 3, "b": 4}, {"c": 5}]):
        client.put((namespace, unique_set, i), bins)
    q = client.query(namespace, unique_set)
    q.select("a")
    assert sorted(b["a"] for _, _, b in q.results()) == [1, 3]
    q = client.query(namespace, unique_set)
    q.select("b", "a")
    assert sorted(sorted(b.items()) for _, _, b in q.results()) == [[("a", 1)], [("a", 3), ("b", 4)], [("b", 2)]]


def test_sindex_query_with_select_skips_records_holding_none_of_the_bins(client, namespace, unique_set, index):
    for i, bins in enumerate([{"k": 1, "a": 1}, {"k": 1, "b": 2}, {"k": 2, "a": 3}]):
        client.put((namespace, unique_set, i), bins)
    index("int", "k")
    q = client.query(namespace, unique_set)
    q.select("a")
    q.where(p.equals("k", 1))
    assert [b for _, _, b in q.results()] == [{"a": 1}]
