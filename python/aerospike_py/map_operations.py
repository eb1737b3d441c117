"""Map operations, like the official `aerospike_helpers.operations.map_operations`.

Each function returns an operation dict for `operate`; `ctx` is a list of `aerospike_py.cdt_ctx`
items addressing a nested map. The dict's layout is internal."""

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


def map_put(bin_name: str, key: Any, value: Any, map_policy: Policy = None, ctx: Ctx = None) -> Operation:
    """Put `key: value`; returns the map's size."""
    return _op(_k.OP_MAP_PUT, bin_name, ctx, key=key, val=value, policy=map_policy)


def map_put_items(
    bin_name: str, item_dict: dict[Any, Any], map_policy: Policy = None, ctx: Ctx = None
) -> Operation:
    """Put every entry of `item_dict`; returns the map's size."""
    return _op(_k.OP_MAP_PUT_ITEMS, bin_name, ctx, val=item_dict, policy=map_policy)


def map_increment(
    bin_name: str, key: Any, amount: Any, map_policy: Policy = None, ctx: Ctx = None
) -> Operation:
    """Add `amount` to the value of `key`; returns the new value."""
    return _op(_k.OP_MAP_INCREMENT, bin_name, ctx, key=key, val=amount, policy=map_policy)


def map_decrement(
    bin_name: str, key: Any, amount: Any, map_policy: Policy = None, ctx: Ctx = None
) -> Operation:
    """Subtract `amount` from the value of `key`; returns the new value."""
    return _op(_k.OP_MAP_DECREMENT, bin_name, ctx, key=key, val=amount, policy=map_policy)


def map_size(bin_name: str, ctx: Ctx = None) -> Operation:
    """The number of entries."""
    return _op(_k.OP_MAP_SIZE, bin_name, ctx)


def map_clear(bin_name: str, ctx: Ctx = None) -> Operation:
    """Remove every entry."""
    return _op(_k.OP_MAP_CLEAR, bin_name, ctx)


def map_get_by_key(bin_name: str, key: Any, return_type: int, ctx: Ctx = None) -> Operation:
    """Select the entry of `key`; returns MAP_RETURN_*."""
    return _op(_k.OP_MAP_GET_BY_KEY, bin_name, ctx, key=key, return_type=return_type)


def map_get_by_key_list(
    bin_name: str, key_list: list[Any], return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Select the entries of the keys in `key_list`."""
    return _op(
        _k.OP_MAP_GET_BY_KEY_LIST, bin_name, ctx, values=key_list, return_type=return_type, inverted=inverted
    )


def map_get_by_key_range(
    bin_name: str,
    key_range_start: Any,
    key_range_end: Any,
    return_type: int,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Select the entries with keys in [start, end) (None: unbounded)."""
    return _op(
        _k.OP_MAP_GET_BY_KEY_RANGE,
        bin_name,
        ctx,
        begin=key_range_start,
        end=key_range_end,
        return_type=return_type,
        inverted=inverted,
    )


def map_get_by_value(
    bin_name: str, value: Any, return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Select the entries whose value equals `value`."""
    return _op(_k.OP_MAP_GET_BY_VALUE, bin_name, ctx, val=value, return_type=return_type, inverted=inverted)


def map_get_by_value_list(
    bin_name: str, value_list: list[Any], return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Select the entries whose value is in `value_list`."""
    return _op(
        _k.OP_MAP_GET_BY_VALUE_LIST,
        bin_name,
        ctx,
        values=value_list,
        return_type=return_type,
        inverted=inverted,
    )


def map_get_by_value_range(
    bin_name: str, value_start: Any, value_end: Any, return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Select the entries with values in [start, end) (None: unbounded)."""
    return _op(
        _k.OP_MAP_GET_BY_VALUE_RANGE,
        bin_name,
        ctx,
        begin=value_start,
        end=value_end,
        return_type=return_type,
        inverted=inverted,
    )


def map_get_by_index(bin_name: str, index: int, return_type: int, ctx: Ctx = None) -> Operation:
    """Select the entry at `index` (key order)."""
    return _op(_k.OP_MAP_GET_BY_INDEX, bin_name, ctx, index=index, return_type=return_type)


def map_get_by_index_range(
    bin_name: str,
    index_start: int,
    get_amt: int | None,
    return_type: int,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Select `get_amt` entries (all when None) from `index_start`."""
    return _op(
        _k.OP_MAP_GET_BY_INDEX_RANGE,
        bin_name,
        ctx,
        index=index_start,
        count=get_amt,
        return_type=return_type,
        inverted=inverted,
    )


def map_get_by_rank(bin_name: str, rank: int, return_type: int, ctx: Ctx = None) -> Operation:
    """Select the entry whose value has `rank`."""
    return _op(_k.OP_MAP_GET_BY_RANK, bin_name, ctx, rank=rank, return_type=return_type)


def map_get_by_rank_range(
    bin_name: str,
    rank_start: int,
    get_amt: int | None,
    return_type: int,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Select `get_amt` entries (all when None) from `rank_start`."""
    return _op(
        _k.OP_MAP_GET_BY_RANK_RANGE,
        bin_name,
        ctx,
        rank=rank_start,
        count=get_amt,
        return_type=return_type,
        inverted=inverted,
    )


def map_remove_by_key(bin_name: str, key: Any, return_type: int, ctx: Ctx = None) -> Operation:
    """Remove the entry of `key`."""
    return _op(_k.OP_MAP_REMOVE_BY_KEY, bin_name, ctx, key=key, return_type=return_type)


def map_remove_by_key_list(
    bin_name: str, key_list: list[Any], return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the entries of the keys in `key_list`."""
    return _op(
        _k.OP_MAP_REMOVE_BY_KEY_LIST,
        bin_name,
        ctx,
        values=key_list,
        return_type=return_type,
        inverted=inverted,
    )


def map_remove_by_key_range(
    bin_name: str,
    key_range_start: Any,
    key_range_end: Any,
    return_type: int,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove the entries with keys in [start, end)."""
    return _op(
        _k.OP_MAP_REMOVE_BY_KEY_RANGE,
        bin_name,
        ctx,
        begin=key_range_start,
        end=key_range_end,
        return_type=return_type,
        inverted=inverted,
    )


def map_remove_by_value(
    bin_name: str, value: Any, return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the entries whose value equals `value`."""
    return _op(
        _k.OP_MAP_REMOVE_BY_VALUE, bin_name, ctx, val=value, return_type=return_type, inverted=inverted
    )


def map_remove_by_value_list(
    bin_name: str, value_list: list[Any], return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the entries whose value is in `value_list`."""
    return _op(
        _k.OP_MAP_REMOVE_BY_VALUE_LIST,
        bin_name,
        ctx,
        values=value_list,
        return_type=return_type,
        inverted=inverted,
    )


def map_remove_by_value_range(
    bin_name: str, value_start: Any, value_end: Any, return_type: int, inverted: bool = False, ctx: Ctx = None
) -> Operation:
    """Remove the entries with values in [start, end)."""
    return _op(
        _k.OP_MAP_REMOVE_BY_VALUE_RANGE,
        bin_name,
        ctx,
        begin=value_start,
        end=value_end,
        return_type=return_type,
        inverted=inverted,
    )


def map_remove_by_index(bin_name: str, index: int, return_type: int, ctx: Ctx = None) -> Operation:
    """Remove the entry at `index`."""
    return _op(_k.OP_MAP_REMOVE_BY_INDEX, bin_name, ctx, index=index, return_type=return_type)


def map_remove_by_index_range(
    bin_name: str,
    index_start: int,
    remove_amt: int | None,
    return_type: int,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove `remove_amt` entries (all when None) from `index_start`."""
    return _op(
        _k.OP_MAP_REMOVE_BY_INDEX_RANGE,
        bin_name,
        ctx,
        index=index_start,
        count=remove_amt,
        return_type=return_type,
        inverted=inverted,
    )


def map_remove_by_rank(bin_name: str, rank: int, return_type: int, ctx: Ctx = None) -> Operation:
    """Remove the entry whose value has `rank`."""
    return _op(_k.OP_MAP_REMOVE_BY_RANK, bin_name, ctx, rank=rank, return_type=return_type)


def map_remove_by_rank_range(
    bin_name: str,
    rank_start: int,
    remove_amt: int | None,
    return_type: int,
    inverted: bool = False,
    ctx: Ctx = None,
) -> Operation:
    """Remove `remove_amt` entries (all when None) from `rank_start`."""
    return _op(
        _k.OP_MAP_REMOVE_BY_RANK_RANGE,
        bin_name,
        ctx,
        rank=rank_start,
        count=remove_amt,
        return_type=return_type,
        inverted=inverted,
    )
