//! List and map expressions (`aerospike_py.expressions.list` / `.map`, or the official helpers'):
//! one compiled node whose op is an OP_LIST_* / OP_MAP_* code, its `fixed` dict (`return_type`
//! with the 0x10000 inverted flag, `value_type`, `ctx`, `list_policy` / `map_policy`,
//! `list_order`) and its argument expressions, the bin expression last.

use aerospike_core::expressions::{lists as l, maps as m, ExpType, Expression};
use aerospike_core::operations::lists::{ListReturnType, ListSortFlags};
use aerospike_core::operations::maps::MapReturnType;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::cdt::Fields;
use crate::constants as k;
use crate::errors::param;

const INVERTED: i64 = 0x10000;

/// The expression of list/map op `code`; `args` are the children in order (bin last), `vt` the
/// node's value type when it has one.
pub fn node(
    py: Python<'_>,
    code: i64,
    fixed: Option<&Bound<'_, PyDict>>,
    mut args: Vec<Expression>,
    vt: impl Fn() -> PyResult<ExpType>,
    arg: &str,
) -> PyResult<Expression> {
    let empty = PyDict::new(py);
    let f = Fields { d: fixed.unwrap_or(&empty), arg };
    let ctx = f.ctx()?;
    let raw = f.opt_int("return_type")?.unwrap_or(0);
    let inverted = raw & INVERTED != 0;
    let base = raw & !INVERTED;
    let lrt = || {
        let rt = ListReturnType::from_bits(base);
        if inverted { rt.inverted() } else { rt }
    };
    let mrt = || {
        let rt = MapReturnType::from_bits(base);
        if inverted { rt.inverted() } else { rt }
    };
    // A get-by without a value type takes its type from the return type: aerospike-core panics
    // on one it does not know (NONE included), so those are refused here.
    let typed = |valid: &[i64], what: &str| -> PyResult<()> {
        if valid.contains(&base) {
            Ok(())
        } else {
            Err(param(py, arg, format!("return_type {raw} is not a {what} return type this expression can read")))
        }
    };
    let lrt_typed = || typed(&[1, 2, 3, 4, 5, 7, 13], "list").map(|()| lrt());
    let mrt_typed = || typed(&[1, 2, 3, 4, 5, 6, 7, 8, 13, 16, 17], "map").map(|()| mrt());
    let Some(bin) = args.pop() else { return Err(param(py, arg, "a list/map expression needs its bin")) };
    let want = |n: usize| -> PyResult<()> {
        if args.len() == n {
            Ok(())
        } else {
            Err(param(py, arg, format!("expression op {code} takes {n} arguments before the bin, got {}", args.len())))
        }
    };
    let c = &ctx[..];
    macro_rules! a {
        ($n:expr) => {
            args[$n].clone()
        };
    }
    Ok(match code {
        k::OP_LIST_APPEND => (want(1)?, l::append(f.list_policy()?, a!(0), bin, c)).1,
        k::OP_LIST_APPEND_ITEMS => (want(1)?, l::append_items(f.list_policy()?, a!(0), bin, c)).1,
        k::OP_LIST_INSERT => (want(2)?, l::insert(f.list_policy()?, a!(0), a!(1), bin, c)).1,
        k::OP_LIST_INSERT_ITEMS => (want(2)?, l::insert_items(f.list_policy()?, a!(0), a!(1), bin, c)).1,
        k::OP_LIST_INCREMENT => (want(2)?, l::increment(f.list_policy()?, a!(0), a!(1), bin, c)).1,
        k::OP_LIST_SET => (want(2)?, l::set(f.list_policy()?, a!(0), a!(1), bin, c)).1,
        k::OP_LIST_CLEAR => (want(0)?, l::clear(bin, c)).1,
        k::OP_LIST_SORT => {
            want(0)?;
            let flags = f.opt_int("list_order")?.unwrap_or(0);
            let flags = u8::try_from(flags).map_err(|_| param(py, arg, "invalid sort flags"))?;
            l::sort(ListSortFlags::from_bits(flags), bin, c)
        }
        k::OP_LIST_SIZE => (want(0)?, l::size(bin, c)).1,
        k::OP_LIST_REMOVE_BY_VALUE => (want(1)?, l::remove_by_value(lrt(), a!(0), bin, c)).1,
        k::OP_LIST_REMOVE_BY_VALUE_LIST => (want(1)?, l::remove_by_value_list(lrt(), a!(0), bin, c)).1,
        k::OP_LIST_REMOVE_BY_VALUE_RANGE => {
            (want(2)?, l::remove_by_value_range(lrt(), Some(a!(0)), Some(a!(1)), bin, c)).1
        }
        k::OP_LIST_REMOVE_BY_REL_RANK_RANGE_TO_END => {
            (want(2)?, l::remove_by_value_relative_rank_range(lrt(), a!(0), a!(1), bin, c)).1
        }
        k::OP_LIST_REMOVE_BY_REL_RANK_RANGE => {
            (want(3)?, l::remove_by_value_relative_rank_range_count(lrt(), a!(0), a!(1), a!(2), bin, c)).1
        }
        k::OP_LIST_REMOVE_BY_INDEX => (want(1)?, l::remove_by_index(lrt(), a!(0), bin, c)).1,
        k::OP_LIST_REMOVE_BY_INDEX_RANGE_TO_END => (want(1)?, l::remove_by_index_range(lrt(), a!(0), bin, c)).1,
        k::OP_LIST_REMOVE_BY_INDEX_RANGE => (want(2)?, l::remove_by_index_range_count(lrt(), a!(0), a!(1), bin, c)).1,
        k::OP_LIST_REMOVE_BY_RANK => (want(1)?, l::remove_by_rank(lrt(), a!(0), bin, c)).1,
        k::OP_LIST_REMOVE_BY_RANK_RANGE_TO_END => (want(1)?, l::remove_by_rank_range(lrt(), a!(0), bin, c)).1,
        k::OP_LIST_REMOVE_BY_RANK_RANGE => (want(2)?, l::remove_by_rank_range_count(lrt(), a!(0), a!(1), bin, c)).1,
        k::OP_LIST_GET_BY_VALUE => (want(1)?, l::get_by_value(lrt_typed()?, a!(0), bin, c)).1,
        k::OP_LIST_GET_BY_VALUE_RANGE => (want(2)?, l::get_by_value_range(lrt_typed()?, Some(a!(0)), Some(a!(1)), bin, c)).1,
        k::OP_LIST_GET_BY_VALUE_LIST => (want(1)?, l::get_by_value_list(lrt_typed()?, a!(0), bin, c)).1,
        k::OP_LIST_GET_BY_VALUE_RANK_RANGE_REL_TO_END => {
            (want(2)?, l::get_by_value_relative_rank_range(lrt_typed()?, a!(0), a!(1), bin, c)).1
        }
        k::OP_LIST_GET_BY_VALUE_RANK_RANGE_REL => {
            (want(3)?, l::get_by_value_relative_rank_range_count(lrt_typed()?, a!(0), a!(1), a!(2), bin, c)).1
        }
        k::OP_LIST_GET_BY_INDEX => (want(1)?, l::get_by_index(lrt(), vt()?, a!(0), bin, c)).1,
        k::OP_LIST_GET_BY_INDEX_RANGE_TO_END => (want(1)?, l::get_by_index_range(lrt_typed()?, a!(0), bin, c)).1,
        k::OP_LIST_GET_BY_INDEX_RANGE => (want(2)?, l::get_by_index_range_count(lrt_typed()?, a!(0), a!(1), bin, c)).1,
        k::OP_LIST_GET_BY_RANK => (want(1)?, l::get_by_rank(lrt(), vt()?, a!(0), bin, c)).1,
        k::OP_LIST_GET_BY_RANK_RANGE_TO_END => (want(1)?, l::get_by_rank_range(lrt_typed()?, a!(0), bin, c)).1,
        k::OP_LIST_GET_BY_RANK_RANGE => (want(2)?, l::get_by_rank_range_count(lrt_typed()?, a!(0), a!(1), bin, c)).1,

        k::OP_MAP_PUT => (want(2)?, m::put(&f.map_policy()?, a!(0), a!(1), bin, c)).1,
        k::OP_MAP_PUT_ITEMS => (want(1)?, m::put_items(&f.map_policy()?, a!(0), bin, c)).1,
        k::OP_MAP_INCREMENT => (want(2)?, m::increment(&f.map_policy()?, a!(0), a!(1), bin, c)).1,
        k::OP_MAP_CLEAR => (want(0)?, m::clear(bin, c)).1,
        k::OP_MAP_SIZE => (want(0)?, m::size(bin, c)).1,
        k::OP_MAP_REMOVE_BY_KEY => (want(1)?, m::remove_by_key(mrt(), a!(0), bin, c)).1,
        k::OP_MAP_REMOVE_BY_KEY_LIST => (want(1)?, m::remove_by_key_list(mrt(), a!(0), bin, c)).1,
        k::OP_MAP_REMOVE_BY_KEY_RANGE => (want(2)?, m::remove_by_key_range(mrt(), Some(a!(0)), Some(a!(1)), bin, c)).1,
        k::OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE_TO_END => {
            (want(2)?, m::remove_by_key_relative_index_range(mrt(), a!(0), a!(1), bin, c)).1
        }
        k::OP_MAP_REMOVE_BY_KEY_REL_INDEX_RANGE => {
            (want(3)?, m::remove_by_key_relative_index_range_count(mrt(), a!(0), a!(1), a!(2), bin, c)).1
        }
        k::OP_MAP_REMOVE_BY_VALUE => (want(1)?, m::remove_by_value(mrt(), a!(0), bin, c)).1,
        k::OP_MAP_REMOVE_BY_VALUE_LIST => (want(1)?, m::remove_by_value_list(mrt(), a!(0), bin, c)).1,
        k::OP_MAP_REMOVE_BY_VALUE_RANGE => {
            (want(2)?, m::remove_by_value_range(mrt(), Some(a!(0)), Some(a!(1)), bin, c)).1
        }
        k::OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE_TO_END => {
            (want(2)?, m::remove_by_value_relative_rank_range(mrt(), a!(0), a!(1), bin, c)).1
        }
        k::OP_MAP_REMOVE_BY_VALUE_REL_RANK_RANGE => {
            (want(3)?, m::remove_by_value_relative_rank_range_count(mrt(), a!(0), a!(1), a!(2), bin, c)).1
        }
        k::OP_MAP_REMOVE_BY_INDEX => (want(1)?, m::remove_by_index(mrt(), a!(0), bin, c)).1,
        k::OP_MAP_REMOVE_BY_INDEX_RANGE_TO_END => (want(1)?, m::remove_by_index_range(mrt(), a!(0), bin, c)).1,
        k::OP_MAP_REMOVE_BY_INDEX_RANGE => (want(2)?, m::remove_by_index_range_count(mrt(), a!(0), a!(1), bin, c)).1,
        k::OP_MAP_REMOVE_BY_RANK => (want(1)?, m::remove_by_rank(mrt(), a!(0), bin, c)).1,
        k::OP_MAP_REMOVE_BY_RANK_RANGE_TO_END => (want(1)?, m::remove_by_rank_range(mrt(), a!(0), bin, c)).1,
        k::OP_MAP_REMOVE_BY_RANK_RANGE => (want(2)?, m::remove_by_rank_range_count(mrt(), a!(0), a!(1), bin, c)).1,
        k::OP_MAP_GET_BY_KEY => (want(1)?, m::get_by_key(mrt(), vt()?, a!(0), bin, c)).1,
        k::OP_MAP_GET_BY_KEY_RANGE => (want(2)?, m::get_by_key_range(mrt_typed()?, Some(a!(0)), Some(a!(1)), bin, c)).1,
        k::OP_MAP_GET_BY_KEY_LIST => (want(1)?, m::get_by_key_list(mrt_typed()?, a!(0), bin, c)).1,
        k::OP_MAP_GET_BY_KEY_REL_INDEX_RANGE_TO_END => {
            (want(2)?, m::get_by_key_relative_index_range(mrt_typed()?, a!(0), a!(1), bin, c)).1
        }
        k::OP_MAP_GET_BY_KEY_REL_INDEX_RANGE => {
            (want(3)?, m::get_by_key_relative_index_range_count(mrt_typed()?, a!(0), a!(1), a!(2), bin, c)).1
        }
        k::OP_MAP_GET_BY_VALUE => (want(1)?, m::get_by_value(mrt_typed()?, a!(0), bin, c)).1,
        k::OP_MAP_GET_BY_VALUE_RANGE => (want(2)?, m::get_by_value_range(mrt_typed()?, Some(a!(0)), Some(a!(1)), bin, c)).1,
        k::OP_MAP_GET_BY_VALUE_LIST => (want(1)?, m::get_by_value_list(mrt_typed()?, a!(0), bin, c)).1,
        k::OP_MAP_GET_BY_VALUE_RANK_RANGE_REL_TO_END => {
            (want(2)?, m::get_by_value_relative_rank_range(mrt_typed()?, a!(0), a!(1), bin, c)).1
        }
        k::OP_MAP_GET_BY_VALUE_RANK_RANGE_REL => {
            (want(3)?, m::get_by_value_relative_rank_range_count(mrt_typed()?, a!(0), a!(1), a!(2), bin, c)).1
        }
        k::OP_MAP_GET_BY_INDEX => (want(1)?, m::get_by_index(mrt(), vt()?, a!(0), bin, c)).1,
        k::OP_MAP_GET_BY_INDEX_RANGE_TO_END => (want(1)?, m::get_by_index_range(mrt_typed()?, a!(0), bin, c)).1,
        k::OP_MAP_GET_BY_INDEX_RANGE => (want(2)?, m::get_by_index_range_count(mrt_typed()?, a!(0), a!(1), bin, c)).1,
        k::OP_MAP_GET_BY_RANK => (want(1)?, m::get_by_rank(mrt(), vt()?, a!(0), bin, c)).1,
        k::OP_MAP_GET_BY_RANK_RANGE_TO_END => (want(1)?, m::get_by_rank_range(mrt_typed()?, a!(0), bin, c)).1,
        k::OP_MAP_GET_BY_RANK_RANGE => (want(2)?, m::get_by_rank_range_count(mrt_typed()?, a!(0), a!(1), bin, c)).1,
        other => return Err(param(py, arg, format!("unsupported list/map expression op {other}"))),
    })
}
