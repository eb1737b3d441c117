"""Contexts that point a list or map operation at a nested list or map, like the official
`aerospike_helpers.cdt_ctx`: pass a list of them as `ctx=` (outermost first)."""

from __future__ import annotations

from typing import Any

from aerospike_py._aerospike import (
    CDT_CTX_LIST_INDEX,
    CDT_CTX_LIST_INDEX_CREATE,
    CDT_CTX_MAP_KEY_CREATE,
    CDT_CTX_LIST_RANK,
    CDT_CTX_LIST_VALUE,
    CDT_CTX_MAP_INDEX,
    CDT_CTX_MAP_KEY,
    CDT_CTX_MAP_RANK,
    CDT_CTX_MAP_VALUE,
    INDEX_GEO2DSPHERE,
    INDEX_NUMERIC,
    INDEX_STRING,
    INDEX_TYPE_DEFAULT,
    INDEX_TYPE_LIST,
    INDEX_TYPE_MAPKEYS,
    INDEX_TYPE_MAPVALUES,
)

Context = tuple[int, Any]


def cdt_ctx_list_index(index: int) -> Context:
    """The list item at `index` (negative counts from the end)."""
    return (CDT_CTX_LIST_INDEX, index)


def cdt_ctx_list_rank(rank: int) -> Context:
    """The list item of `rank` (0 = smallest, -1 = largest)."""
    return (CDT_CTX_LIST_RANK, rank)


def cdt_ctx_list_value(value: Any) -> Context:
    """The list item equal to `value`."""
    return (CDT_CTX_LIST_VALUE, value)


def cdt_ctx_map_index(index: int) -> Context:
    """The map entry at `index` in key order."""
    return (CDT_CTX_MAP_INDEX, index)


def cdt_ctx_map_rank(rank: int) -> Context:
    """The map entry whose value has `rank`."""
    return (CDT_CTX_MAP_RANK, rank)


def cdt_ctx_map_key(key: Any) -> Context:
    """The map entry of `key`."""
    return (CDT_CTX_MAP_KEY, key)


def cdt_ctx_map_value(value: Any) -> Context:
    """The map entry whose value equals `value`."""
    return (CDT_CTX_MAP_VALUE, value)


def cdt_ctx_list_index_create(index: int, order: int = 0, pad: bool = False) -> tuple[int, Any, dict[str, Any]]:
    """The list item at `index`, created as an empty list (LIST_ORDERED / LIST_UNORDERED) when it
    is missing; `pad` fills the gap up to `index` with nil."""
    return (CDT_CTX_LIST_INDEX_CREATE, index, {"order": order, "pad": pad})


def cdt_ctx_map_key_create(key: Any, order: int = 0) -> tuple[int, Any, dict[str, Any]]:
    """The map entry of `key`, created as an empty map (MAP_* order) when it is missing."""
    return (CDT_CTX_MAP_KEY_CREATE, key, {"order": order})


# The names sindex-create's info command takes, as the official cdt_ctx helpers spell them.
_INDEX_TYPES = {INDEX_TYPE_DEFAULT: "default", INDEX_TYPE_LIST: "list", INDEX_TYPE_MAPKEYS: "mapkeys", INDEX_TYPE_MAPVALUES: "mapvalues"}
_INDEX_DATATYPES = {INDEX_NUMERIC: "numeric", INDEX_STRING: "string", INDEX_GEO2DSPHERE: "geo2dsphere"}


def index_type_string(index_type: int) -> str:
    """An INDEX_TYPE_* constant as sindex-create's `indextype=` names it ("invalid" when unknown)."""
    try:
        return _INDEX_TYPES.get(index_type, "invalid")
    except TypeError:  # unhashable: the official helper compares with ==, so anything else is "invalid"
        return "invalid"


def index_datatype_string(index_datatype: int) -> str:
    """An INDEX_NUMERIC/STRING/GEO2DSPHERE constant as sindex-create's `indexdata=` names it ("invalid" when unknown)."""
    try:
        return _INDEX_DATATYPES.get(index_datatype, "invalid")
    except TypeError:  # as index_type_string
        return "invalid"
