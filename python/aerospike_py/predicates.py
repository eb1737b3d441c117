"""Secondary-index predicates for `Query.where`, like the official `aerospike.predicates`."""

from __future__ import annotations


def equals(bin_name: str, val: int | str | bytes) -> tuple[str, str, int | str | bytes]:
    """Records whose bin equals `val` (needs an index on the bin)."""
    return ("equals", bin_name, val)


def between(bin_name: str, min: int, max: int) -> tuple[str, str, int, int]:  # noqa: A002 - official names
    """Records whose integer bin is in [min, max] (needs an integer index on the bin)."""
    return ("between", bin_name, min, max)
