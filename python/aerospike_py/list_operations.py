"""List operations, like the official `aerospike_helpers.operations.list_operations`.

Each function returns an operation dict for `operate`; `ctx` is a list of `aerospike_py.cdt_ctx`
items addressing a nested list. The dict's layout is internal."""

from __future__ import annotations

from typing import Any

from aerospike_py import _aerospike as _k

Operation = dict[str, Any]
Policy = dict[str, Any] | None
Ctx = list[Any] | None


def _op(code: int, bin_name: str, ctx: Ctx, **fields: Any) -> Operation:
    op: Operation = {"op": code, "bin": bin_name, **fields}
    if ctx:
        op["ctx"] = ctx
    return op


def list_append(bin_name: str, value: Any, policy: Policy = None, ctx: Ctx = None) -> Operation:
    """Append `value` to the list (creating it)."""
    return _op(_k.OP_LIST_APPEND, bin_name, ctx, val=value, policy=policy)


def list_append_items(bin_name: str, values: list[Any], policy: Policy = None, ctx: Ctx = None) -> Operation:
    """Append every item of `values`."""
    return _op(_k.OP_LIST_APPEND_ITEMS, bin_name, ctx, values=values, policy=policy)


def list_insert(bin_name: str, index: int, value: Any, policy: Policy = None, ctx: Ctx = None) -> Operation:
    """Insert `value` at `index`."""
    return _op(_k.OP_LIST_INSERT, bin_name, ctx, index=index, val=value, policy=policy)


def list_insert_items(
    bin_name: str, index: int, values: list[Any], policy: Policy = None, ctx: Ctx = None
) -> Operation:
    """Insert the items of `values` at `index`."""
    return _op(_k.OP_LIST_INSERT_ITEMS, bin_name, ctx, index=index, values=values, policy=policy)


def list_increment(
    bin_name: str, index: int, value: Any, policy: Policy = None, ctx: Ctx = None
) -> Operation:
    """Add the integer `value` to the item at `index`; returns the new value."""
    return _op(_k.OP_LIST_INCREMENT, bin_name, ctx, index=index, val=value, policy=policy)


def list_set(bin_name: str, index: int, value: Any, policy: Policy = None, ctx: Ctx = None) -> Operation:
    """Set the item at `index`."""
    return _op(_k.OP_LIST_SET, bin_name, ctx, index=index, val=value, policy=policy)


def list_pop(bin_name: str, index: int, ctx: Ctx = None) -> Operation:
    """Remove and return the item at `index`."""
    return _op(_k.OP_LIST_POP, bin_name, ctx, index=index)


def list_pop_range(bin_name: str, index: int, count: int, ctx: Ctx = None) -> Operation:
    """Remove and return `count` items from `index`."""
    return _op(_k.OP_LIST_POP_RANGE, bin_name, ctx, index=index, count=count)


def list_remove(bin_name: str, index: int, ctx: Ctx = None) -> Operation:
    """Remove the item at `index`; returns the count removed."""
    return _op(_k.OP_LIST_REMOVE, bin_name, ctx, index=index)


def list_remove_range(bin_name: str, index: int, count: int, ctx: Ctx = None) -> Operation:
    """Remove `count` items from `index`; returns the count removed."""
    return _op(_k.OP_LIST_REMOVE_RANGE, bin_name, ctx, index=index, count=count)


def list_trim(bin_name: str, index: int, count: int, ctx: Ctx = None) -> Operation:
    """Keep only `count` items from `index`; returns the count removed."""
    return _op(_k.OP_LIST_TRIM, bin_name, ctx, index=index, count=count)


def list_clear(bin_name: str, ctx: Ctx = None) -> Operation:
    """Remove every item."""
    return _op(_k.OP_LIST_CLEAR, bin_name, ctx)


def list_sort(bin_name: str, sort_flags: int = 0, ctx: Ctx = None) -> Operation:
    """Sort the list (LIST_SORT_*)."""
    return _op(_k.OP_LIST_SORT, bin_name, ctx, sort_flags=sort_flags)


def list_size(bin_name: str, ctx: Ctx = None) -> Operation:
    """The number of items."""
    return _op(_k.OP_LIST_SIZE, bin_name, ctx)


def list_get(bin_name: str, index: int, ctx: Ctx = None) -> Operation:
    """The item at `index`."""
    return _op(_k.OP_LIST_GET, bin_name, ctx, index=index)


def list_get_range(bin_name: str, index: int, count: int, ctx: Ctx = None) -> Operation:
    """`count` items from `index`."""
    return _op(_k.OP_LIST_GET_RANGE, bin_name, ctx, index=index, count=count)


def list_get_by_index(bin_name: str, index: int, return_type: int, ctx: Ctx = None) -> Operation:
    """Select the item at `index`; returns LIST_RETURN_*."""
    return _op(_k.OP_LIST_GET_BY_INDEX, bin_name, ctx, index=index, return_type=return_type)


def list_get_by_index_range(
    bin_name: str,
    index: int,
    return_type: int,
    count: int | None = None,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Select `count` items (all when None) from `index`."""
    return _op(
        _k.OP_LIST_GET_BY_INDEX_RANGE,
        bin_name,
        ctx,
        index=index,
        return_type=return_type,
        count=count,
        inverted=inverted,
    )


def list_get_by_rank(bin_name: str, rank: int, return_type: int, ctx: Ctx = None) -> Operation:
    """Select the item of `rank`."""
    return _op(_k.OP_LIST_GET_BY_RANK, bin_name, ctx, rank=rank, return_type=return_type)


def list_get_by_rank_range(
    bin_name: str,
    rank: int,
    return_type: int,
    count: int | None = None,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Select `count` items (all when None) from `rank`."""
    return _op(
        _k.OP_LIST_GET_BY_RANK_RANGE,
        bin_name,
        ctx,
        rank=rank,
        return_type=return_type,
        count=count,
        inverted=inverted,
    )


def list_get_by_value(
    bin_name: str, value: Any, return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Select the items equal to `value`."""
    return _op(_k.OP_LIST_GET_BY_VALUE, bin_name, ctx, val=value, return_type=return_type, inverted=inverted)


def list_get_by_value_list(
    bin_name: str, value_list: list[Any], return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Select the items equal to any of `value_list`."""
    return _op(
        _k.OP_LIST_GET_BY_VALUE_LIST,
        bin_name,
        ctx,
        values=value_list,
        return_type=return_type,
        inverted=inverted,
    )


def list_get_by_value_range(
    bin_name: str, return_type: int, value_begin: Any, value_end: Any, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Select the items in [value_begin, value_end) (None: unbounded)."""
    return _op(
        _k.OP_LIST_GET_BY_VALUE_RANGE,
        bin_name,
        ctx,
        return_type=return_type,
        begin=value_begin,
        end=value_end,
        inverted=inverted,
    )


def list_remove_by_index(bin_name: str, index: int, return_type: int, ctx: Ctx = None) -> Operation:
    """Remove the item at `index`."""
    return _op(_k.OP_LIST_REMOVE_BY_INDEX, bin_name, ctx, index=index, return_type=return_type)


def list_remove_by_index_range(
    bin_name: str,
    index: int,
    return_type: int,
    count: int | None = None,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove `count` items (all when None) from `index`."""
    return _op(
        _k.OP_LIST_REMOVE_BY_INDEX_RANGE,
        bin_name,
        ctx,
        index=index,
        return_type=return_type,
        count=count,
        inverted=inverted,
    )


def list_remove_by_rank(bin_name: str, rank: int, return_type: int, ctx: Ctx = None) -> Operation:
    """Remove the item of `rank`."""
    return _op(_k.OP_LIST_REMOVE_BY_RANK, bin_name, ctx, rank=rank, return_type=return_type)


def list_remove_by_rank_range(
    bin_name: str,
    rank: int,
    return_type: int,
    count: int | None = None,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove `count` items (all when None) from `rank`."""
    return _op(
        _k.OP_LIST_REMOVE_BY_RANK_RANGE,
        bin_name,
        ctx,
        rank=rank,
        return_type=return_type,
        count=count,
        inverted=inverted,
    )


def list_remove_by_value(
    bin_name: str, value: Any, return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the items equal to `value`."""
    return _op(
        _k.OP_LIST_REMOVE_BY_VALUE, bin_name, ctx, val=value, return_type=return_type, inverted=inverted
    )


def list_remove_by_value_list(
    bin_name: str, value_list: list[Any], return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the items equal to any of `value_list`."""
    return _op(
        _k.OP_LIST_REMOVE_BY_VALUE_LIST,
        bin_name,
        ctx,
        values=value_list,
        return_type=return_type,
        inverted=inverted,
    )


def list_remove_by_value_range(
    bin_name: str,
    return_type: int,
    value_begin: Any | None = None,
    value_end: Any | None = None,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove the items in [value_begin, value_end) (None: unbounded)."""
    return _op(
        _k.OP_LIST_REMOVE_BY_VALUE_RANGE,
        bin_name,
        ctx,
        return_type=return_type,
        begin=value_begin,
        end=value_end,
        inverted=inverted,
    )
