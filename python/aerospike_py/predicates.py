"""Secondary-index predicates for `Query.where`, like the official `aerospike.predicates`.

Each returns the official client's tuple, `(predicate, index_datatype, bin, value, value2,
index_type)`, so predicates built by either package work with either client's `where`.
`index_type` (INDEX_TYPE_DEFAULT / LIST / MAPKEYS / MAPVALUES) says which part of the bin the
index holds: the bin's own value, its list items, its map keys or its map values.
"""

from __future__ import annotations

import json
from typing import Any

from aerospike_py.exception import ParamError

# as_predicate_type and as_index_datatype (the official client's values).
_EQUAL, _RANGE = 0, 1
_STRING, _NUMERIC, _GEO2DSPHERE, _BLOB = 0, 1, 2, 3
_DEFAULT = 0

Predicate = tuple[Any, ...]


def _datatype(val: Any) -> int | None:
    if isinstance(val, bool):
        return None
    if isinstance(val, int):
        return _NUMERIC
    if isinstance(val, str):
        return _STRING
    if isinstance(val, (bytes, bytearray)):
        return _BLOB
    return None


def equals(bin: str, val: int | str | bytes) -> Predicate | None:  # noqa: A002 - official names
    """Records whose bin equals `val` (needs an integer, string or blob index on the bin)."""
    t = _datatype(val)
    return None if t is None else (_EQUAL, t, bin, val)


def between(bin: str, min: int, max: int) -> Predicate | None:  # noqa: A002
    """Records whose integer bin is in [min, max] (needs an integer index on the bin)."""
    if type(min) is not int or type(max) is not int:
        return None
    return (_RANGE, _NUMERIC, bin, min, max)


def contains(bin: str, index_type: int, val: int | str | bytes) -> Predicate | None:  # noqa: A002
    """Records whose list items / map keys / map values (`index_type`) include `val`."""
    t = _datatype(val)
    if t is None or type(index_type) is not int:
        return None
    return (_EQUAL, t, bin, val, None, index_type)


def range(bin: str, index_type: int, min: int, max: int) -> Predicate | None:  # noqa: A001,A002
    """Records with an integer list item / map key / map value (`index_type`) in [min, max]."""
    if type(index_type) is not int or type(min) is not int or type(max) is not int:
        return None
    return (_RANGE, _NUMERIC, bin, min, max, index_type)


def _geo(bin: str, shape: str, index_type: int) -> Predicate:  # noqa: A002
    return (_RANGE, _GEO2DSPHERE, bin, shape, None, index_type)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def geo_within_geojson_region(bin: str, shape: str, index_type: int = _DEFAULT) -> Predicate | None:  # noqa: A002
    """Records whose GeoJSON point lies within the region `shape` (a GeoJSON string: Polygon,
    MultiPolygon or AeroCircle); needs a geo2dsphere index."""
    return _geo(bin, shape, index_type) if isinstance(shape, str) else None


def geo_within_radius(
    bin: str,  # noqa: A002
    long: float,
    lat: float,
    radius_meters: float,
    index_type: int = _DEFAULT,
) -> Predicate:
    """Records whose GeoJSON point lies within `radius_meters` of (`long`, `lat`)."""
    if not ((isinstance(bin, str) or bin is None) and _number(long) and _number(lat) and _number(radius_meters)):
        raise ParamError(msg="Latitude, longitude and radius should be integer or double type, bin of string type")
    shape = json.dumps({"type": "AeroCircle", "coordinates": [[long, lat], radius_meters]})
    return _geo(bin, shape, index_type)


def geo_contains_geojson_point(bin: str, point: str, index_type: int = _DEFAULT) -> Predicate | None:  # noqa: A002
    """Records whose GeoJSON region contains `point` (a GeoJSON Point string)."""
    return _geo(bin, point, index_type) if isinstance(point, str) else None


def geo_contains_point(bin: str, long: float, lat: float, index_type: int = _DEFAULT) -> Predicate:  # noqa: A002
    """Records whose GeoJSON region contains the point (`long`, `lat`)."""
    if not ((isinstance(bin, str) or bin is None) and _number(long) and _number(lat)):
        raise ParamError(msg="Latitude and longitude should be integer or double type, bin of string type")
    return _geo(bin, json.dumps({"type": "Point", "coordinates": [long, lat]}), index_type)
