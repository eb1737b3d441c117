"""Special values of the official client's module: `null()`, `CDTInfinite()`, `CDTWildcard()` and
`KeyOrderedDict`. The Rust value converter recognises the first three by their type name (nil,
the infinity that ends an open range, the wildcard that matches anything in a list/map value)."""

from __future__ import annotations


class null:  # noqa: N801 - the official client's name
    """A nil value (`aerospike.null()`): writes nil, or removes a map entry's value with map_put."""

    def __repr__(self) -> str:
        return "aerospike.null()"


class CDTInfinite:
    """A value greater than every other: the open end of a value or key range."""

    def __repr__(self) -> str:
        return "aerospike.CDTInfinite()"


class CDTWildcard:
    """Matches any value in a list/map comparison (e.g. `[1, CDTWildcard()]` matches every list starting with 1)."""

    def __repr__(self) -> str:
        return "aerospike.CDTWildcard()"


class KeyOrderedDict(dict):
    """A dict that the official client stores as a key-ordered map; here a plain dict subclass."""


__all__ = ["CDTInfinite", "CDTWildcard", "KeyOrderedDict", "null"]
