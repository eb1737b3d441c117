"""Filter expressions: our builder compiles to the official helpers' format, and a filter in any
policy gives the same outcome as the official client with the same filter on the same records."""

from __future__ import annotations

import uuid

import aerospike
import pytest
from aerospike_helpers import expressions as oexp

import aerospike_py
from aerospike_py import exception
from aerospike_py import expressions as exp


def trees(e):
    """The same expressions built with `e` (ours or the official module)."""
    return [
        e.GE(e.IntBin("age"), 50),
        e.And(e.LT(e.IntBin("age"), 70), e.BinExists("name"), e.Not(e.Eq(e.StrBin("name"), "n5"))),
        e.Or(e.Eq(e.IntBin("age"), 0), e.Exclusive(e.GT(e.IntBin("age"), 80), e.Eq(e.BoolBin("odd"), True))),
        e.CmpRegex(aerospike.REGEX_ICASE, "^N[1-3]$", e.StrBin("name")),
        e.Eq(e.Mod(e.Add(e.IntBin("age"), 5, e.Mul(e.IntBin("age"), 2)), 4), 3),
        e.GT(e.ToFloat(e.IntBin("age")), e.Pow(2.0, 5.5)),
        e.Eq(e.IntAnd(e.IntBin("age"), 0x10), 0x10),
        e.Let(e.Def("a", e.IntBin("age")), e.And(e.GE(e.Var("a"), 20), e.LE(e.Var("a"), 40))),
        e.Eq(e.Cond(e.GE(e.IntBin("age"), 50), 1, 0), 1),
        e.Eq(e.Max(e.IntBin("age"), 35), 35),
        e.Eq(e.ListBin("tags"), ["t", 3]),
        e.GT(e.TTL(), 0),
        e.Eq(e.SetName(), "nope"),
        e.Eq(e.DigestMod(2), 0),
        e.Eq(e.BinType("age"), 1),
        e.Eq(e.KeyInt(), 4),
        e.KeyExists(),
        e.GT(e.RecordSize(), 0),
        e.Eq(e.Val(7), e.Div(e.IntBin("age"), 10)),
    ]


TREES = list(zip(trees(exp), trees(oexp)))


@pytest.mark.parametrize("ours,theirs", TREES, ids=[str(i) for i in range(len(TREES))])
def test_compiles_to_the_official_format(ours, theirs):
    assert ours.compile() == theirs.compile()


@pytest.fixture(scope="module")
def official(aerospike_hosts):
    c = aerospike.client({"hosts": list(aerospike_hosts)}).connect()
    yield c
    c.close()


def write_records(client, set_name):
    keys = [("test", set_name, i) for i in range(10)]
    for i, key in enumerate(keys):
        bins = {"age": i * 10, "name": f"n{i}", "odd": i % 2 == 1, "tags": ["t", i]}
        client.put(key, bins, policy={"key": aerospike_py.POLICY_KEY_SEND})
    return keys


@pytest.fixture(scope="module")
def shared_set() -> str:
    return "t_" + uuid.uuid4().hex[:12]


@pytest.fixture(scope="module")
def records(client, shared_set):
    """Read-only records shared by the module's tests (fewer sets on a long-lived server)."""
    return write_records(client, shared_set)


@pytest.fixture
def own_records(client, unique_set):
    """Records a test may change."""
    return write_records(client, unique_set)


@pytest.mark.parametrize("index", range(len(TREES)))
def test_batch_read_filters_like_the_official_client(client, official, records, index):
    ours, theirs = TREES[index]
    got = client.batch_read(records, policy={"expressions": ours.compile()})
    want = official.batch_read(records, policy={"expressions": theirs.compile()})
    assert [r.result for r in got.batch_records] == [r.result for r in want.batch_records]
    assert {r.result for r in got.batch_records} <= {0, 27}


@pytest.mark.parametrize("index", [0, 1, 3, 7])
def test_query_filters_like_the_official_client(client, official, records, shared_set, index):
    ours, theirs = TREES[index]
    got = client.query("test", shared_set).results(policy={"expressions": ours.compile()})
    want = official.query("test", shared_set).results(policy={"expressions": theirs.compile()})
    assert sorted(r[2]["age"] for r in got) == sorted(r[2]["age"] for r in want)
    assert 0 < len(got) < len(records)


def test_single_record_commands_honour_the_filter(client, own_records):
    records = own_records
    adult = {"expressions": exp.GE(exp.IntBin("age"), 50).compile()}
    assert client.get(records[7], policy=adult)[2]["age"] == 70
    with pytest.raises(exception.FilteredOut):
        client.get(records[1], policy=adult)
    with pytest.raises(exception.FilteredOut):
        client.put(records[1], {"age": 99}, policy=adult)
    with pytest.raises(exception.FilteredOut):
        client.remove(records[2], policy=adult)
    with pytest.raises(exception.FilteredOut):
        client.increment(records[3], "age", 1, policy=adult)
    client.remove(records[8], policy=adult)
    assert [client.exists(k)[1] is not None for k in records[1:4] + records[8:9]] == [True, True, True, False]
    assert client.get(records[1])[2]["age"] == 10  # untouched


def test_official_helpers_output_is_accepted(client, records):
    policy = {"expressions": oexp.Eq(oexp.StrBin("name"), "n3").compile()}
    assert client.get(records[3], policy=policy)[2]["name"] == "n3"


def test_async_client_honours_the_filter(run_async, records):
    policy = {"expressions": exp.LT(exp.IntBin("age"), 20).compile()}

    async def body(c):
        found = await c.batch_read(records, policy=policy)
        return [r.result for r in found.batch_records]

    assert run_async(body) == [0, 0] + [27] * 8


@pytest.mark.parametrize(
    "compiled,match",
    [
        ("not a list", "expressions"),
        ([], "ends too early"),
        ([(1, None, None)], "tuple"),
        ([(999, None, None, 0)], "unsupported expression op 999"),
        ([(1, None, None, 2), (81, 2, {"bin": "a"}, 0)], "ends too early"),
        (exp.KeyExists().compile() * 2, "trailing"),
        ([(81, 42, {"bin": "a"}, 0)], "result type"),
        ([(81, 2, None, 0)], "bin"),
        ([(200, None, {"val": object()}, 0)], "unsupported value type"),
    ],
)
def test_bad_expressions_raise_param_error(client, records, compiled, match):
    with pytest.raises(exception.ParamError, match=match):
        client.remove(records[0], policy={"expressions": compiled})
    assert client.exists(records[0])[1] is not None
