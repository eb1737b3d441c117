"""Operation helpers for `operate` / `batch_operate`, like the official
`aerospike_helpers.operations.operations`: each returns a small dict."""

from __future__ import annotations

from typing import Any

from aerospike_py._aerospike import (
    OPERATOR_APPEND,
    OPERATOR_DELETE,
    OPERATOR_INCR,
    OPERATOR_PREPEND,
    OPERATOR_READ,
    OPERATOR_TOUCH,
    OPERATOR_WRITE,
)


def read(bin_name: str) -> dict[str, Any]:
    """Read one bin."""
    return {"op": OPERATOR_READ, "bin": bin_name}


def write(bin_name: str, write_item: Any) -> dict[str, Any]:
    """Write a value to a bin (None removes the bin)."""
    return {"op": OPERATOR_WRITE, "bin": bin_name, "val": write_item}


def increment(bin_name: str, amount: int | float) -> dict[str, Any]:
    """Add a number to an int/float bin."""
    return {"op": OPERATOR_INCR, "bin": bin_name, "val": amount}


def append(bin_name: str, append_item: str | bytes) -> dict[str, Any]:
    """Append to a string/bytes bin."""
    return {"op": OPERATOR_APPEND, "bin": bin_name, "val": append_item}


def prepend(bin_name: str, prepend_item: str | bytes) -> dict[str, Any]:
    """Prepend to a string/bytes bin."""
    return {"op": OPERATOR_PREPEND, "bin": bin_name, "val": prepend_item}


def touch(ttl: int | None = None) -> dict[str, Any]:
    """Reset the record's ttl (the ttl comes from meta/policy)."""
    op: dict[str, Any] = {"op": OPERATOR_TOUCH}
    if ttl is not None:
        op["val"] = ttl
    return op


def delete() -> dict[str, Any]:
    """Delete the record."""
    return {"op": OPERATOR_DELETE}
