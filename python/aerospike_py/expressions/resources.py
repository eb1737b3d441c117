"""Shared names of the expression modules (`aerospike_helpers.expressions.resources`)."""


class ResultType:
    """Expression value types (`value_type` of the typed list/map getters)."""

    NIL = 0
    BOOLEAN = 1
    INTEGER = 2
    STRING = 3
    LIST = 4
    MAP = 5
    BLOB = 6
    FLOAT = 7
    GEOJSON = 8
    HLL = 9


class ReturnType:
    """The flag that inverts a list/map expression's selection."""

    LIST_RETURN_INVERTED = 0x10000
    MAP_RETURN_INVERTED = 0x10000
