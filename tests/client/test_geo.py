"""GeoJSON values, geo2dsphere and list/map-key/map-value/context indexes, and the queries over
them, on both clients (against the dev server, or AEROSPIKE_HOSTS: the answers are the real
server's)."""

from __future__ import annotations

import json

import pytest

import aerospike_py
from aerospike_py import cdt_ctx, exception, predicates as p
from aerospike_py import expressions as exp

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}
HOLED = {
    "type": "Polygon",
    "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
    ],
}


def point(lng, lat):
    return aerospike_py.GeoJSON({"type": "Point", "coordinates": [lng, lat]})


# ------------------------------------------------------------------------------- GeoJSON class


def test_geojson_object_api():
    g = aerospike_py.GeoJSON(SQUARE)
    assert g.unwrap() == SQUARE and g.geo_data == SQUARE
    assert json.loads(g.dumps()) == SQUARE and json.loads(str(g)) == SQUARE
    assert aerospike_py.geojson(eval(repr(g))).unwrap() == SQUARE  # repr is the quoted JSON text
    assert aerospike_py.GeoJSON(json.dumps(SQUARE)) == g
    g.wrap({"type": "Point", "coordinates": [1, 2]})
    assert g.unwrap()["type"] == "Point"
    g.loads('{"type": "Point", "coordinates": [3, 4]}')
    assert g.unwrap()["coordinates"] == [3, 4]
    assert aerospike_py.geodata(SQUARE).unwrap() == SQUARE


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: aerospike_py.GeoJSON(1), exception.ParamError),
        (lambda: aerospike_py.GeoJSON("abc"), exception.ClientError),
        (lambda: aerospike_py.GeoJSON(SQUARE).wrap("abc"), exception.ParamError),
        (lambda: aerospike_py.GeoJSON(SQUARE).loads('{"abc"}'), exception.ClientError),
        (lambda: aerospike_py.geodata("x"), exception.ParamError),
        (lambda: aerospike_py.geojson({}), exception.ParamError),
        (lambda: p.geo_within_radius("loc", "a", 1, 2), exception.ParamError),
        (lambda: p.geo_contains_point("loc", 1, None), exception.ParamError),
    ],
)
def test_geojson_bad_input_raises_the_official_errors(call, error):
    with pytest.raises(error):
        call()


def test_predicates_are_the_official_tuples():
    assert p.equals("a", 1) == (0, aerospike_py.INDEX_NUMERIC, "a", 1)
    assert p.equals("a", "x") == (0, aerospike_py.INDEX_STRING, "a", "x")
    assert p.between("a", 1, 2) == (1, aerospike_py.INDEX_NUMERIC, "a", 1, 2)
    assert p.contains("a", aerospike_py.INDEX_TYPE_LIST, "x") == (0, 0, "a", "x", None, 1)
    assert p.range("a", aerospike_py.INDEX_TYPE_MAPVALUES, 1, 5) == (1, 1, "a", 1, 5, 3)
    shape = json.dumps(SQUARE)
    assert p.geo_within_geojson_region("g", shape) == (1, 2, "g", shape, None, 0)
    assert p.geo_contains_geojson_point("g", shape, aerospike_py.INDEX_TYPE_LIST)[5] == 1
    circle = p.geo_within_radius("g", -122.0, 37.5, 250.2)
    assert json.loads(circle[3]) == {"type": "AeroCircle", "coordinates": [[-122.0, 37.5], 250.2]}
    assert json.loads(p.geo_contains_point("g", 1, 2)[3]) == {"type": "Point", "coordinates": [1, 2]}
    assert p.equals("a", 1.5) is None  # the official client answers None for an unindexable value


# ------------------------------------------------------------------------------- GeoJSON bins


def test_geojson_bins_are_written_and_read_back(client, key, keys):
    g, inner = point(42.34, 58.62), aerospike_py.GeoJSON(SQUARE)
    client.put(key, {"loc": g, "l": [inner, 1], "m": {"g": inner}})
    _, _, bins = client.get(key)
    assert type(bins["loc"]) is aerospike_py.GeoJSON and bins["loc"].unwrap() == g.unwrap()
    assert bins["l"][0].unwrap() == SQUARE and bins["m"]["g"].unwrap() == SQUARE
    _, _, bins = client.operate(key, [aerospike_py.operations.read("loc")])
    assert bins["loc"] == g
    batch = client.batch_read([key, keys[1]])
    assert batch.batch_records[0].record[2]["loc"] == g
    rows = client.query(key[0], key[1]).results()
    assert [r[2]["loc"] for r in rows] == [g]


def test_geojson_bins_on_the_async_client(run_async, key):
    async def body(c):
        await c.put(key, {"loc": point(1, 2)})
        return (await c.get(key))[2]["loc"]

    assert run_async(body) == point(1, 2)


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "Point", "coordinates": [1]}',
        '{"type": "Point", "coordinates": [1, 95]}',
        '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0.5]]]}',
        '{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}',
        '{"type": "AeroCircle", "coordinates": [[0, 0]]}',
    ],
)
def test_invalid_geojson_is_refused_by_the_server(client, key, text):
    with pytest.raises(exception.InvalidGeoJSON):
        client.put(key, {"loc": aerospike_py.GeoJSON(text)})


# ------------------------------------------------------------------------------- geo queries


@pytest.fixture
def geo_set(client, namespace, unique_set):
    """Points on a 1-degree grid over [-2, 12]^2 (bin loc, also in a list and a map), regions in
    bin reg; geo2dsphere indexes on each (dropped afterwards)."""
    names = []

    def index(kind, bin_name, *args):
        name = f"{unique_set}_{bin_name}"
        getattr(client, kind)(namespace, unique_set, bin_name, *args, name)
        names.append(name)

    index("index_geo2dsphere_create", "loc")
    index("index_geo2dsphere_create", "reg")
    index("index_list_create", "locs", aerospike_py.INDEX_GEO2DSPHERE)
    index("index_map_values_create", "locm", aerospike_py.INDEX_GEO2DSPHERE)
    for x in range(-2, 13):
        for y in range(-2, 13):
            g = point(x + 0.5, y + 0.5)
            client.put((namespace, unique_set, f"p{x}_{y}"), {"loc": g, "locs": [g], "locm": {"a": g}, "x": x, "y": y})
    client.put((namespace, unique_set, "square"), {"reg": aerospike_py.GeoJSON(SQUARE)})
    client.put((namespace, unique_set, "holed"), {"reg": aerospike_py.GeoJSON(HOLED)})
    client.put(
        (namespace, unique_set, "circle"),
        {"reg": aerospike_py.GeoJSON({"type": "AeroCircle", "coordinates": [[20.0, 20.0], 100000]})},
    )
    yield namespace, unique_set
    for n in names:
        client.index_remove(namespace, n)


def user_keys(client, ns, set_name, predicate, **kw):
    rows = client.query(ns, set_name).select("x", "y").where(predicate, **kw).results()
    return sorted((r[2]["x"], r[2]["y"]) for r in rows)


def test_points_within_a_polygon_with_a_hole(client, geo_set):
    ns, s = geo_set
    got = user_keys(client, ns, s, p.geo_within_geojson_region("loc", json.dumps(HOLED)))
    want = [(x, y) for x in range(10) for y in range(10) if not (4 <= x < 6 and 4 <= y < 6)]
    assert got == want


@pytest.mark.parametrize("bin_name, index_type", [("locs", aerospike_py.INDEX_TYPE_LIST), ("locm", aerospike_py.INDEX_TYPE_MAPVALUES)])
def test_points_in_lists_and_maps_within_a_polygon(client, geo_set, bin_name, index_type):
    ns, s = geo_set
    got = user_keys(client, ns, s, p.geo_within_geojson_region(bin_name, json.dumps(SQUARE), index_type))
    assert got == [(x, y) for x in range(10) for y in range(10)]


def test_points_within_a_radius(client, geo_set):
    ns, s = geo_set
    # (5.5, 5.5) and its 4 neighbours 1 degree away (111 km at the equator, less in longitude
    # at 5.5 N: 110.7 km); the diagonal ones are 156 km away.
    got = user_keys(client, ns, s, p.geo_within_radius("loc", 5.5, 5.5, 112_000))
    assert got == [(4, 5), (5, 4), (5, 5), (5, 6), (6, 5)]
    assert user_keys(client, ns, s, p.geo_within_radius("loc", 5.5, 5.5, 1000)) == [(5, 5)]


def test_regions_containing_a_point(client, geo_set):
    ns, s = geo_set

    def regions(lng, lat):
        rows = client.query(ns, s).where(p.geo_contains_point("reg", lng, lat)).results()
        return sorted(r[2]["reg"].unwrap()["type"] + str(len(r[2]["reg"].unwrap()["coordinates"])) for r in rows)

    assert regions(2, 2) == ["Polygon1", "Polygon2"]
    assert regions(5, 5) == ["Polygon1"]  # in the hole of the holed square
    assert regions(20.5, 20.5) == ["AeroCircle2"]
    assert regions(-5, -5) == []
    rows = client.query(ns, s).where(p.geo_contains_geojson_point("reg", point(2, 2).dumps())).results()
    assert len(rows) == 2


def test_geo_query_on_the_async_client(run_async, geo_set):
    ns, s = geo_set

    async def body(c):
        return await c.query(ns, s).where(p.geo_within_radius("loc", 5.5, 5.5, 1000)).results()

    rows = run_async(body)
    assert [(r[2]["x"], r[2]["y"]) for r in rows] == [(5, 5)]


def test_a_geo_query_with_an_invalid_region_fails(client, geo_set):
    ns, s = geo_set
    with pytest.raises(exception.AerospikeError):
        client.query(ns, s).where(p.geo_within_geojson_region("loc", '{"type": "Polygon"}')).results()


def test_cmp_geo_filter_expression(client, geo_set):
    ns, s = geo_set
    inside = {"expressions": exp.CmpGeo(exp.GeoBin("loc"), aerospike_py.GeoJSON(SQUARE)).compile()}
    client.get((ns, s, "p3_3"), policy=inside)
    with pytest.raises(exception.FilteredOut):
        client.get((ns, s, "p11_3"), policy=inside)
    contains = {"expressions": exp.CmpGeo(exp.GeoBin("reg"), point(5, 5)).compile()}
    client.get((ns, s, "square"), policy=contains)
    with pytest.raises(exception.FilteredOut):
        client.get((ns, s, "holed"), policy=contains)


# ----------------------------------------------------------------- list / map key / map value indexes


@pytest.fixture
def cdt_set(client, namespace, unique_set):
    for i in range(6):
        client.put(
            (namespace, unique_set, i),
            {
                "l": [i, i + 10, f"s{i}"],
                "m": {f"k{i}": i * 100, "common": f"v{i % 2}"},
                "nested": {"inner": [i, f"t{i}"], "other": [100 + i]},
                "i": i,
            },
        )
    names = [f"{unique_set}_{i}" for i in range(6)]
    client.index_list_create(namespace, unique_set, "l", aerospike_py.INDEX_NUMERIC, names[0])
    client.index_list_create(namespace, unique_set, "l", aerospike_py.INDEX_STRING, names[1])
    client.index_map_keys_create(namespace, unique_set, "m", aerospike_py.INDEX_STRING, names[2])
    client.index_map_values_create(namespace, unique_set, "m", aerospike_py.INDEX_NUMERIC, names[3])
    client.index_map_values_create(namespace, unique_set, "m", aerospike_py.INDEX_STRING, names[4])
    client.index_cdt_create(
        namespace, unique_set, "nested", aerospike_py.INDEX_TYPE_LIST, aerospike_py.INDEX_NUMERIC, names[5],
        [cdt_ctx.cdt_ctx_map_key("inner")],
    )
    yield namespace, unique_set
    for n in names:
        client.index_remove(namespace, n)


def ids(client, ns, s, predicate, **kw):
    return sorted(r[2]["i"] for r in client.query(ns, s).select("i").where(predicate, **kw).results())


def test_list_index_contains_and_range(client, cdt_set):
    ns, s = cdt_set
    assert ids(client, ns, s, p.contains("l", aerospike_py.INDEX_TYPE_LIST, 12)) == [2]
    assert ids(client, ns, s, p.contains("l", aerospike_py.INDEX_TYPE_LIST, "s4")) == [4]
    assert ids(client, ns, s, p.range("l", aerospike_py.INDEX_TYPE_LIST, 4, 10)) == [0, 4, 5]


def test_map_key_and_value_indexes(client, cdt_set):
    ns, s = cdt_set
    assert ids(client, ns, s, p.contains("m", aerospike_py.INDEX_TYPE_MAPKEYS, "k3")) == [3]
    assert ids(client, ns, s, p.contains("m", aerospike_py.INDEX_TYPE_MAPVALUES, "v1")) == [1, 3, 5]
    assert ids(client, ns, s, p.range("m", aerospike_py.INDEX_TYPE_MAPVALUES, 150, 400)) == [2, 3, 4]


def test_context_index_and_query(client, cdt_set, run_async):
    ns, s = cdt_set
    ctx = [cdt_ctx.cdt_ctx_map_key("inner")]
    assert ids(client, ns, s, p.range("nested", aerospike_py.INDEX_TYPE_LIST, 2, 3), ctx=ctx) == [2, 3]
    assert ids(client, ns, s, p.contains("nested", aerospike_py.INDEX_TYPE_LIST, 101), ctx=ctx) == []

    async def body(c):
        return await c.query(ns, s).where(p.contains("nested", aerospike_py.INDEX_TYPE_LIST, 4), ctx).results()

    assert [r[2]["i"] for r in run_async(body)] == [4]


def test_query_without_a_matching_index_fails(client, cdt_set):
    ns, s = cdt_set
    with pytest.raises(exception.IndexNotFound):
        client.query(ns, s).where(p.contains("m", aerospike_py.INDEX_TYPE_LIST, 1)).results()


def test_index_calls_return_zero_and_check_their_arguments(client, namespace, unique_set):
    name = unique_set + "_z"
    assert client.index_list_create(namespace, unique_set, "zz", aerospike_py.INDEX_NUMERIC, name) == 0
    client.index_remove(namespace, name)
    with pytest.raises(exception.ParamError):
        client.index_list_create(namespace, unique_set, "zz", 17, name)
    with pytest.raises(exception.ParamError):
        client.index_cdt_create(namespace, unique_set, "zz", 9, aerospike_py.INDEX_NUMERIC, name, [])


def test_index_names_the_server_cannot_hold_are_invalid_requests(client, namespace, unique_set):
    with pytest.raises(exception.InvalidRequest):
        client.index_single_value_create(namespace, "a" * 100, "loc", aerospike_py.INDEX_GEO2DSPHERE, unique_set + "_long")
    with pytest.raises(exception.InvalidRequest):
        client.index_geo2dsphere_create(namespace, unique_set, "loc", "n" * 64)


def test_index_in_an_unknown_namespace_is_namespace_not_found(client, unique_set):
    # The server takes the definition (sindex-create answers ok) and answers the client's polls
    # with ERROR:20, which the official client reports as NamespaceNotFound.
    with pytest.raises(exception.NamespaceNotFound):
        client.index_list_create("nosuchns", unique_set, "l", aerospike_py.INDEX_NUMERIC, unique_set + "_ns")
    with pytest.raises(exception.NamespaceNotFound):
        client.index_list_create("a" * 32, unique_set, "l", aerospike_py.INDEX_NUMERIC, unique_set + "_ns")


def test_an_index_bin_given_as_bytes_is_read_up_to_its_nul(client, namespace, unique_set):
    name = unique_set + "_b"
    client.index_single_value_create(namespace, unique_set, bytearray("sal\0kj", "utf-8"), aerospike_py.INDEX_NUMERIC, name)
    try:
        client.put((namespace, unique_set, 1), {"sal": 5})
        rows = client.query(namespace, unique_set).where(p.equals("sal", 5)).results()
        assert [r[2]["sal"] for r in rows] == [5]
    finally:
        client.index_remove(namespace, name)
