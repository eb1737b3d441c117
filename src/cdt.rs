//! List and map operations for `operate`: the dicts built by `aerospike_py.list_operations` and
//! `aerospike_py.map_operations` (op codes OP_LIST_* / OP_MAP_* of ops.yaml) -> aerospike-core ops.
//!
//! Dict keys are the official client's (helpers.yaml lists each operation's): `bin`, `val`, `key`,
//! `index`, `rank`, `count`, `range`, `value_list`, `value_begin`, `value_end`, `return_type`,
//! `inverted`, `list_policy`/`map_policy`, `list_order`/`map_order`, `pad`, `persist_index`,
//! `sort_flags`, `ctx` (a list of `(CDT_CTX_*, value)`). A key the operation does not read is refused.

use aerospike_core::operations::cdt_context::{self as ctx, CdtContext};
use aerospike_core::operations::lists::{self, ListOrderType, ListPolicy, ListReturnType, ListSortFlags, ListWriteFlags};
use aerospike_core::operations::maps::{self, MapOrder, MapPolicy, MapReturnType, MapWriteFlags};
use aerospike_core::operations::exp::{self as exp_ops, ExpReadFlags, ExpWriteFlags};
use aerospike_core::operations::Operation;
use aerospike_core::Value;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::constants as k;
use crate::errors::param;
use crate::shapes::{bool_of, int_of, value_of};

mod fields {
    include!(concat!(env!("OUT_DIR"), "/cdt_fields.rs"));
}

/// One op dict's fields, each error naming `arg.field` (also the `fixed` dict of a list/map
/// expression node, which carries `ctx`, `list_policy` / `map_policy` under the same names).
pub(crate) struct Fields<'a, 'py> {
    pub(crate) d: &'a Bound<'py, PyDict>,
    pub(crate) arg: &'a str,
}

impl<'py> Fields<'_, 'py> {
    fn get(&self, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(self.d.get_item(name)?.filter(|v| !v.is_none()))
    }
    fn need(&self, name: &str) -> PyResult<Bound<'py, PyAny>> {
        self.get(name)?.ok_or_else(|| param(self.d.py(), self.arg, format!("operation needs {name:?}")))
    }
    fn name(&self, name: &str) -> String {
        format!("{}.{name}", self.arg)
    }
    fn int(&self, name: &str) -> PyResult<i64> {
        int_of(&self.need(name)?, &self.name(name))
    }
    pub(crate) fn opt_int(&self, name: &str) -> PyResult<Option<i64>> {
        self.get(name)?.map(|v| int_of(&v, &self.name(name))).transpose()
    }
    /// A value field: None is nil here (the official client sends it so, and the server decides),
    /// only a missing field is an error.
    fn value(&self, name: &str) -> PyResult<Value> {
        match self.d.get_item(name)? {
            Some(v) => value_of(&v, &self.name(name)),
            None => Err(param(self.d.py(), self.arg, format!("operation needs {name:?}"))),
        }
    }
    /// A range bound: None (or, for a list's value_begin/value_end, a missing field) means "from
    /// the lowest" / "to the highest".
    fn bound(&self, name: &str, open: Value) -> PyResult<Value> {
        match self.get(name)? {
            Some(v) => value_of(&v, &self.name(name)),
            None => Ok(open),
        }
    }
    /// A map range bound (`key`, `val`, `range`): the field must be there, as the official client
    /// requires; None is open.
    fn map_bound(&self, name: &str, open: Value) -> PyResult<Value> {
        if self.d.get_item(name)?.is_none() {
            return Err(param(self.d.py(), self.arg, format!("operation needs {name:?}")));
        }
        self.bound(name, open)
    }
    /// A map index/rank range's count (`val`): the field must be there; None is "to the end".
    fn map_count(&self) -> PyResult<Option<i64>> {
        if self.d.get_item("val")?.is_none() {
            return Err(param(self.d.py(), self.arg, "operation needs \"val\" (the count)"));
        }
        self.opt_int("val")
    }
    fn values(&self, name: &str) -> PyResult<Vec<Value>> {
        match self.value(name)? {
            Value::List(items) => Ok(items),
            _ => Err(param(self.d.py(), &self.name(name), "expected a list")),
        }
    }
    /// The key or value list of a map by-key-list / by-value-list op. Empty with inverted=True it
    /// selects the whole map; asked for the elements, Aerospike 8.1.2 then dereferences an offset
    /// index it never set up and crashes (SIGSEGV in particle_map.c
    /// packed_map_get_remove_all_by_{key,value}_list -> packed_map_get_remove_all), so such a
    /// request is refused before it can reach a server.
    fn map_items(&self, name: &str) -> PyResult<Vec<Value>> {
        let items = self.values(name)?;
        if items.is_empty() && self.inverted()? && matches!(self.return_type()?, 6 | 7 | 8 | 16 | 17) {
            return Err(param(
                self.d.py(),
                &self.name(name),
                "an empty list with inverted=True selects every entry of the map, and Aerospike servers \
                 (8.1.2) crash on this request: use map_get_by_index_range(bin, 0, None, return_type) \
                 (or map_remove_by_index_range) for the whole map",
            ));
        }
        Ok(items)
    }
    /// `pad` / `persist_index`: a bool, as the official client requires (1 is refused).
    fn flag(&self, name: &str) -> PyResult<bool> {
        match self.get(name)? {
            None => Ok(false),
            Some(v) if v.is_instance_of::<pyo3::types::PyBool>() => v.is_truthy(),
            Some(v) => Err(param(v.py(), &self.name(name), "expected a bool")),
        }
    }
    fn list_order(&self) -> PyResult<ListOrderType> {
        Ok(match self.int("list_order")? {
            k::LIST_UNORDERED => ListOrderType::Unordered,
            k::LIST_ORDERED => ListOrderType::Ordered,
            n => return Err(param(self.d.py(), &self.name("list_order"), format!("invalid list_order {n}"))),
        })
    }
    fn map_order(&self) -> PyResult<MapOrder> {
        Ok(match self.int("map_order")? {
            k::MAP_UNORDERED => MapOrder::Unordered,
            k::MAP_KEY_ORDERED => MapOrder::KeyOrdered,
            k::MAP_KEY_VALUE_ORDERED => MapOrder::KeyValueOrdered,
            n => return Err(param(self.d.py(), &self.name("map_order"), format!("invalid map_order {n}"))),
        })
    }
    /// Refuses a key the operation does not read (it would otherwise be ignored without a word).
    fn check_known(&self, code: i64) -> PyResult<()> {
        let Some(known) = fields::fields_of(code) else {
            return Err(param(self.d.py(), self.arg, format!("unsupported operation code {code}")));
        };
        for key in self.d.keys() {
            let name = key.extract::<String>().unwrap_or_default();
            if !known.contains(&name.as_str()) {
                return Err(param(
                    self.d.py(),
                    self.arg,
                    format!("operation {code} does not take the field {name:?}; it takes {}", known.join(", ")),
                ));
            }
        }
        Ok(())
    }
    fn inverted(&self) -> PyResult<bool> {
        self.get("inverted")?.map(|v| bool_of(&v, &self.name("inverted"))).transpose().map(|b| b.unwrap_or(false))
    }
    fn return_type(&self) -> PyResult<i64> {
        let rt = self.int("return_type")?;
        // Any other type goes to the server, which refuses it (OpNotApplicable), as the official
        // client lets it; only values outside the wire's range are refused here.
        if !(0..=0xffff).contains(&rt) {
            return Err(param(self.d.py(), &self.name("return_type"), format!("invalid return type {rt}")));
        }
        Ok(rt)
    }
    fn list_rt(&self) -> PyResult<ListReturnType> {
        let rt = ListReturnType::from_bits(self.return_type()?);
        Ok(if self.inverted()? { rt.inverted() } else { rt })
    }
    fn map_rt(&self) -> PyResult<MapReturnType> {
        // A map operation without a return type answers nothing (the official client's default).
        let rt = if self.get("return_type")?.is_none() { 0 } else { self.return_type()? };
        let rt = MapReturnType::from_bits(rt);
        Ok(if self.inverted()? { rt.inverted() } else { rt })
    }
    /// `{"list_order": LIST_*, "write_flags": LIST_WRITE_*}`.
    pub(crate) fn list_policy(&self) -> PyResult<ListPolicy> {
        let Some(p) = self.get("list_policy")? else { return Ok(ListPolicy::default()) };
        let arg = self.name("list_policy");
        let d = p.cast::<PyDict>().map_err(|_| param(p.py(), &arg, "expected a dict"))?;
        let mut out = ListPolicy::default();
        for (kk, vv) in d.iter() {
            match kk.extract::<String>().unwrap_or_default().as_str() {
                "list_order" => {
                    out.attributes = match int_of(&vv, &arg)? {
                        k::LIST_UNORDERED => ListOrderType::Unordered,
                        k::LIST_ORDERED => ListOrderType::Ordered,
                        n => return Err(param(p.py(), &arg, format!("invalid list_order {n}"))),
                    }
                }
                "write_flags" => out.flags = ListWriteFlags::from_bits(flags_of(&vv, &arg)?),
                other => return Err(param(p.py(), &arg, format!("unknown list policy key {other:?}"))),
            }
        }
        Ok(out)
    }
    /// `{"map_order": MAP_*, "map_write_flags": MAP_WRITE_FLAGS_*}`.
    pub(crate) fn map_policy(&self) -> PyResult<MapPolicy> {
        let Some(p) = self.get("map_policy")? else { return Ok(MapPolicy::default()) };
        let arg = self.name("map_policy");
        let d = p.cast::<PyDict>().map_err(|_| param(p.py(), &arg, "expected a dict"))?;
        let mut out = MapPolicy::default();
        for (kk, vv) in d.iter() {
            match kk.extract::<String>().unwrap_or_default().as_str() {
                "map_order" => {
                    out.order = match int_of(&vv, &arg)? {
                        k::MAP_UNORDERED => MapOrder::Unordered,
                        k::MAP_KEY_ORDERED => MapOrder::KeyOrdered,
                        k::MAP_KEY_VALUE_ORDERED => MapOrder::KeyValueOrdered,
                        n => return Err(param(p.py(), &arg, format!("invalid map_order {n}"))),
                    }
                }
                "map_write_flags" => out.flags = MapWriteFlags::from_bits(flags_of(&vv, &arg)?),
                "persist_index" if vv.is_instance_of::<pyo3::types::PyBool>() => out.persist_index = vv.is_truthy()?,
                "persist_index" => return Err(param(p.py(), &arg, "persist_index: expected a bool")),
                other => return Err(param(p.py(), &arg, format!("unknown map policy key {other:?}"))),
            }
        }
        Ok(out)
    }
    pub(crate) fn ctx(&self) -> PyResult<Vec<CdtContext>> {
        match self.get("ctx")? {
            Some(c) => ctx_list(&c, &self.name("ctx")),
            None => Ok(Vec::new()),
        }
    }
}

/// A `ctx=` list of `aerospike_py.cdt_ctx` items (`(CDT_CTX_*, value)`), outermost first.
/// `Client.get_cdtctx_base64`: the packed context list in base64.
pub fn ctx_base64(c: &Bound<'_, PyAny>) -> PyResult<String> {
    let ctx = ctx_list(c, "ctx")?;
    aerospike_core::operations::cdt_context::to_base64(&ctx).map_err(|e| param(c.py(), "ctx", e))
}

pub fn ctx_list<'py>(c: &Bound<'py, PyAny>, arg: &str) -> PyResult<Vec<CdtContext>> {
    let items = c.cast::<PyList>().map_err(|_| param(c.py(), arg, "expected a list of cdt_ctx items"))?;
    let mut out = Vec::with_capacity(items.len());
    for item in items.iter() {
        // (CDT_CTX_*, value), or (CDT_CTX_*_CREATE, value, {"order": .., "pad": ..}).
        let t = item.cast::<PyTuple>().ok().filter(|t| t.len() == 2 || t.len() == 3);
        let Some(t) = t else { return Err(param(c.py(), arg, "expected (CDT_CTX_*, value) items")) };
        let (kind, v) = (int_of(&t.get_item(0)?, arg)?, t.get_item(1)?);
        let extra = if t.len() == 3 { Some(t.get_item(2)?) } else { None };
        let opt = |name: &str| -> PyResult<Option<Bound<'py, PyAny>>> {
            match &extra {
                Some(e) => Ok(e.cast::<PyDict>().map_err(|_| param(c.py(), arg, "expected a dict of create options"))?.get_item(name)?),
                None => Ok(None),
            }
        };
        out.push(match kind {
            k::CDT_CTX_LIST_INDEX_CREATE => {
                let order = match opt("order")?.map(|o| int_of(&o, arg)).transpose()?.unwrap_or(0) {
                    k::LIST_UNORDERED => ListOrderType::Unordered,
                    k::LIST_ORDERED => ListOrderType::Ordered,
                    n => return Err(param(c.py(), arg, format!("invalid list order {n}"))),
                };
                let pad = match opt("pad")? {
                    None => false,
                    Some(p) if p.is_instance_of::<pyo3::types::PyBool>() => p.is_truthy()?,
                    Some(_) => return Err(param(c.py(), arg, "pad: expected a bool")),
                };
                ctx::ctx_list_index_create(int_of(&v, arg)?, order, pad)
            }
            k::CDT_CTX_MAP_KEY_CREATE => {
                let order = match opt("order")?.map(|o| int_of(&o, arg)).transpose()?.unwrap_or(0) {
                    k::MAP_UNORDERED => MapOrder::Unordered,
                    k::MAP_KEY_ORDERED => MapOrder::KeyOrdered,
                    k::MAP_KEY_VALUE_ORDERED => MapOrder::KeyValueOrdered,
                    n => return Err(param(c.py(), arg, format!("invalid map order {n}"))),
                };
                ctx::ctx_map_key_create(value_of(&v, arg)?, order)
            }
            k::CDT_CTX_LIST_INDEX => ctx::ctx_list_index(int_of(&v, arg)?),
            k::CDT_CTX_LIST_RANK => ctx::ctx_list_rank(int_of(&v, arg)?),
            k::CDT_CTX_LIST_VALUE => ctx::ctx_list_value(value_of(&v, arg)?),
            k::CDT_CTX_MAP_INDEX => ctx::ctx_map_index(int_of(&v, arg)?),
            k::CDT_CTX_MAP_RANK => ctx::ctx_map_rank(int_of(&v, arg)?),
            k::CDT_CTX_MAP_KEY => ctx::ctx_map_key(value_of(&v, arg)?),
            k::CDT_CTX_MAP_VALUE => ctx::ctx_map_value(value_of(&v, arg)?),
            n => return Err(param(c.py(), arg, format!("unknown context type {n}"))),
        });
    }
    Ok(out)
}

fn flags_of(v: &Bound<'_, PyAny>, arg: &str) -> PyResult<u8> {
    u8::try_from(int_of(v, arg)?).map_err(|_| param(v.py(), arg, "invalid write flags"))
}

/// The list or map operation of code `code` on bin `bin`, and whether it writes.
pub fn op(code: i64, d: &Bound<'_, PyDict>, bin: String, arg: &str) -> PyResult<(Operation, bool)> {
    let f = Fields { d, arg };
    f.check_known(code)?;
    let (op, writes) = match code {
        k::OP_LIST_CREATE => {
            (lists::create_persistent(bin, f.list_order()?, f.flag("pad")?, f.flag("persist_index")?), true)
        }
        k::OP_LIST_SET_ORDER => (lists::set_order(bin, f.list_order()?), true),
        k::OP_LIST_APPEND => (lists::append(&f.list_policy()?, bin, f.value("val")?), true),
        k::OP_LIST_APPEND_ITEMS => (lists::append_items(&f.list_policy()?, bin, f.values("val")?), true),
        k::OP_LIST_INSERT => (lists::insert(&f.list_policy()?, bin, f.int("index")?, f.value("val")?), true),
        k::OP_LIST_INSERT_ITEMS => {
            (lists::insert_items(&f.list_policy()?, bin, f.int("index")?, f.values("val")?), true)
        }
        k::OP_LIST_INCREMENT => (lists::increment(&f.list_policy()?, bin, f.int("index")?, f.int("val")?), true),
        k::OP_LIST_SET => (lists::set_with_policy(&f.list_policy()?, bin, f.int("index")?, f.value("val")?), true),
        k::OP_LIST_POP => (lists::pop(bin, f.int("index")?), true),
        k::OP_LIST_POP_RANGE => match f.opt_int("val")? {
            Some(n) => (lists::pop_range(bin, f.int("index")?, n), true),
            None => (lists::pop_range_from(bin, f.int("index")?), true),
        },
        k::OP_LIST_REMOVE => (lists::remove(bin, f.int("index")?), true),
        k::OP_LIST_REMOVE_RANGE => match f.opt_int("val")? {
            Some(n) => (lists::remove_range(bin, f.int("index")?, n), true),
            None => (lists::remove_range_from(bin, f.int("index")?), true),
        },
        // A negative count is the official client's uint64 cast of it: everything to the end.
        k::OP_LIST_TRIM => (lists::trim(bin, f.int("index")?, f.int("val").map(|n| if n < 0 { i64::from(u32::MAX) } else { n })?), true),
        k::OP_LIST_CLEAR => (lists::clear(bin), true),
        k::OP_LIST_SORT => {
            let flags = f.opt_int("sort_flags")?.unwrap_or(k::LIST_SORT_DEFAULT);
            let flags = u8::try_from(flags).map_err(|_| param(d.py(), &f.name("sort_flags"), "invalid sort flags"))?;
            (lists::sort(bin, ListSortFlags::from_bits(flags)), true)
        }
        k::OP_LIST_SIZE => (lists::size(bin), false),
        k::OP_LIST_GET => (lists::get(bin, f.int("index")?), false),
        k::OP_LIST_GET_RANGE => match f.opt_int("val")? {
            Some(n) => (lists::get_range(bin, f.int("index")?, n), false),
            None => (lists::get_range_from(bin, f.int("index")?), false),
        },
        k::OP_LIST_GET_BY_INDEX => (lists::get_by_index(bin, f.int("index")?, f.list_rt()?), false),
        k::OP_LIST_GET_BY_INDEX_RANGE => match f.opt_int("count")? {
            Some(n) => (lists::get_by_index_range_count(bin, f.int("index")?, n, f.list_rt()?), false),
            None => (lists::get_by_index_range(bin, f.int("index")?, f.list_rt()?), false),
        },
        k::OP_LIST_GET_BY_RANK => (lists::get_by_rank(bin, f.int("rank")?, f.list_rt()?), false),
        k::OP_LIST_GET_BY_RANK_RANGE => match f.opt_int("count")? {
            Some(n) => (lists::get_by_rank_range_count(bin, f.int("rank")?, n, f.list_rt()?), false),
            None => (lists::get_by_rank_range(bin, f.int("rank")?, f.list_rt()?), false),
        },
        k::OP_LIST_GET_BY_VALUE => (lists::get_by_value(bin, f.value("val")?, f.list_rt()?), false),
        k::OP_LIST_GET_BY_VALUE_LIST => (lists::get_by_value_list(bin, f.values("value_list")?, f.list_rt()?), false),
        k::OP_LIST_GET_BY_VALUE_RANGE => {
            let (b, e) = (f.bound("value_begin", Value::Nil)?, f.bound("value_end", Value::Infinity)?);
            (lists::get_by_value_range(bin, b, e, f.list_rt()?), false)
        }
        k::OP_LIST_GET_BY_VALUE_RANK_RANGE_REL => match f.opt_int("count")? {
            Some(n) => {
                (lists::get_by_value_relative_rank_range_count(bin, f.value("val")?, f.int("rank")?, n, f.list_rt()?), false)
            }
            None => (lists::get_by_value_relative_rank_range(bin, f.value("val")?, f.int("rank")?, f.list_rt()?), false),
        },
        k::OP_LIST_REMOVE_BY_INDEX => (lists::remove_by_index(bin, f.int("index")?, f.list_rt()?), true),
        k::OP_LIST_REMOVE_BY_INDEX_RANGE => match f.opt_int("count")? {
            Some(n) => (lists::remove_by_index_range_count(bin, f.int("index")?, n, f.list_rt()?), true),
            None => (lists::remove_by_index_range(bin, f.int("index")?, f.list_rt()?), true),
        },
        k::OP_LIST_REMOVE_BY_RANK => (lists::remove_by_rank(bin, f.int("rank")?, f.list_rt()?), true),
        k::OP_LIST_REMOVE_BY_RANK_RANGE => match f.opt_int("count")? {
            Some(n) => (lists::remove_by_rank_range_count(bin, f.int("rank")?, n, f.list_rt()?), true),
            None => (lists::remove_by_rank_range(bin, f.int("rank")?, f.list_rt()?), true),
        },
        k::OP_LIST_REMOVE_BY_VALUE => (lists::remove_by_value(bin, f.value("val")?, f.list_rt()?), true),
        k::OP_LIST_REMOVE_BY_VALUE_LIST => {
            (lists::remove_by_value_list(bin, f.values("value_list")?, f.list_rt()?), true)
        }
        k::OP_LIST_REMOVE_BY_VALUE_RANGE => {
            let (b, e) = (f.bound("value_begin", Value::Nil)?, f.bound("value_end", Value::Infinity)?);
            (lists::remove_by_value_range(bin, f.list_rt()?, b, e), true)
        }
        k::OP_LIST_REMOVE_BY_VALUE_RANK_RANGE_REL => match f.opt_int("count")? {
            Some(n) => (
                lists::remove_by_value_relative_rank_range_count(bin, f.list_rt()?, f.value("val")?, f.int("rank")?, n),
                true,
            ),
            None => (lists::remove_by_value_relative_rank_range(bin, f.list_rt()?, f.value("val")?, f.int("rank")?), true),
        },

        k::OP_EXPR_READ => {
            let e = crate::expressions::filter_of(&f.need("expr")?, &f.name("expr"))?;
            let flags = ExpReadFlags::from_bits(f.opt_int("expr_flags")?.unwrap_or(0));
            (exp_ops::read_exp(bin, e, flags), false)
        }
        k::OP_EXPR_WRITE => {
            let e = crate::expressions::filter_of(&f.need("expr")?, &f.name("expr"))?;
            let flags = ExpWriteFlags::from_bits(f.opt_int("expr_flags")?.unwrap_or(0));
            (exp_ops::write_exp(bin, e, flags), true)
        }
        k::OP_MAP_SET_POLICY => {
            // set_policy packs the ctx itself (a nested map drops the persist flag).
            let c = f.ctx()?;
            return Ok((maps::set_policy(&f.map_policy()?, bin, c.clone()).context(c), true));
        }
        k::OP_MAP_CREATE => {
            let c = f.ctx()?;
            let order = f.map_order()?;
            if f.flag("persist_index")? && c.is_empty() {
                return Ok((maps::create_with_index(bin, order), true));
            }
            return Ok((maps::create(bin, order, c), true));
        }
        k::OP_MAP_PUT => (maps::put(&f.map_policy()?, bin, f.value("key")?, f.value("val")?), true),
        k::OP_MAP_PUT_ITEMS => match f.value("val")? {
            Value::OrderedMap(items) => (maps::put_items(&f.map_policy()?, bin, items), true),
            Value::SortedMap(items) => (maps::put_items(&f.map_policy()?, bin, items), true),
            _ => return Err(param(d.py(), &f.name("val"), "expected a dict")),
        },
        k::OP_MAP_INCREMENT => (maps::increment_value(&f.map_policy()?, bin, f.value("key")?, f.value("val")?), true),
        k::OP_MAP_DECREMENT => (maps::decrement_value(&f.map_policy()?, bin, f.value("key")?, f.value("val")?), true),
        k::OP_MAP_SIZE => (maps::size(bin), false),
        k::OP_MAP_CLEAR => (maps::clear(bin), true),
        k::OP_MAP_GET_BY_KEY => (maps::get_by_key(bin, f.value("key")?, f.map_rt()?), false),
        k::OP_MAP_GET_BY_KEY_LIST => (maps::get_by_key_list(bin, f.map_items("val")?, f.map_rt()?), false),
        k::OP_MAP_GET_BY_KEY_RANGE => {
            let (b, e) = (f.map_bound("key", Value::Nil)?, f.map_bound("range", Value::Infinity)?);
            (maps::get_by_key_range(bin, b, e, f.map_rt()?), false)
        }
        k::OP_MAP_GET_BY_VALUE => (maps::get_by_value(bin, f.value("val")?, f.map_rt()?), false),
        k::OP_MAP_GET_BY_VALUE_LIST => (maps::get_by_value_list(bin, f.map_items("val")?, f.map_rt()?), false),
        k::OP_MAP_GET_BY_VALUE_RANGE => {
            let (b, e) = (f.map_bound("val", Value::Nil)?, f.map_bound("range", Value::Infinity)?);
            (maps::get_by_value_range(bin, b, e, f.map_rt()?), false)
        }
        k::OP_MAP_GET_BY_INDEX => (maps::get_by_index(bin, f.int("index")?, f.map_rt()?), false),
        k::OP_MAP_GET_BY_INDEX_RANGE => match f.map_count()? {
            Some(n) => (maps::get_by_index_range(bin, f.int("index")?, n, f.map_rt()?), false),
            None => (maps::get_by_index_range_from(bin, f.int("index")?, f.map_rt()?), false),
        },
        k::OP_MAP_GET_BY_RANK => (maps::get_by_rank(bin, f.int("index")?, f.map_rt()?), false),
        k::OP_MAP_GET_BY_RANK_RANGE => match f.map_count()? {
            Some(n) => (maps::get_by_rank_range(bin, f.int("index")?, n, f.map_rt()?), false),
            None => (maps::get_by_rank_range_from(bin, f.int("index")?, f.map_rt()?), false),
        },
        k::OP_MAP_GET_BY_VALUE_RANK_RANGE_REL => match f.opt_int("count")? {
            Some(n) => {
                (maps::get_by_value_relative_rank_range_count(bin, f.value("val")?, f.int("rank")?, n, f.map_rt()?), false)
            }
            None => (maps::get_by_value_relative_rank_range(bin, f.value("val")?, f.int("rank")?, f.map_rt()?), false),
        },
        k::OP_MAP_GET_BY_KEY_INDEX_RANGE_REL => match f.opt_int("count")? {
            Some(n) => {
                (maps::get_by_key_relative_index_range_count(bin, f.value("key")?, f.int("index")?, n, f.map_rt()?), false)
            }
            None => (maps::get_by_key_relative_index_range(bin, f.value("key")?, f.int("index")?, f.map_rt()?), false),
        },
        k::OP_MAP_REMOVE_BY_KEY => (maps::remove_by_key(bin, f.value("key")?, f.map_rt()?), true),
        k::OP_MAP_REMOVE_BY_KEY_LIST => (maps::remove_by_key_list(bin, f.map_items("val")?, f.map_rt()?), true),
        k::OP_MAP_REMOVE_BY_KEY_RANGE => {
            let (b, e) = (f.map_bound("key", Value::Nil)?, f.map_bound("val", Value::Infinity)?);
            (maps::remove_by_key_range(bin, b, e, f.map_rt()?), true)
        }
        k::OP_MAP_REMOVE_BY_VALUE => (maps::remove_by_value(bin, f.value("val")?, f.map_rt()?), true),
        k::OP_MAP_REMOVE_BY_VALUE_LIST => (maps::remove_by_value_list(bin, f.map_items("val")?, f.map_rt()?), true),
        k::OP_MAP_REMOVE_BY_VALUE_RANGE => {
            let (b, e) = (f.map_bound("val", Value::Nil)?, f.map_bound("range", Value::Infinity)?);
            (maps::remove_by_value_range(bin, b, e, f.map_rt()?), true)
        }
        k::OP_MAP_REMOVE_BY_INDEX => (maps::remove_by_index(bin, f.int("index")?, f.map_rt()?), true),
        k::OP_MAP_REMOVE_BY_INDEX_RANGE => match f.map_count()? {
            Some(n) => (maps::remove_by_index_range(bin, f.int("index")?, n, f.map_rt()?), true),
            None => (maps::remove_by_index_range_from(bin, f.int("index")?, f.map_rt()?), true),
        },
        k::OP_MAP_REMOVE_BY_RANK => (maps::remove_by_rank(bin, f.int("index")?, f.map_rt()?), true),
        k::OP_MAP_REMOVE_BY_RANK_RANGE => match f.map_count()? {
            Some(n) => (maps::remove_by_rank_range(bin, f.int("index")?, n, f.map_rt()?), true),
            None => (maps::remove_by_rank_range_from(bin, f.int("index")?, f.map_rt()?), true),
        },
        k::OP_MAP_REMOVE_BY_VALUE_RANK_RANGE_REL => match f.opt_int("count")? {
            Some(n) => (
                maps::remove_by_value_relative_rank_range_count(bin, f.value("val")?, f.int("rank")?, n, f.map_rt()?),
                true,
            ),
            None => (maps::remove_by_value_relative_rank_range(bin, f.value("val")?, f.int("rank")?, f.map_rt()?), true),
        },
        k::OP_MAP_REMOVE_BY_KEY_INDEX_RANGE_REL => match f.opt_int("count")? {
            Some(n) => (
                maps::remove_by_key_relative_index_range_count(bin, f.value("key")?, f.int("index")?, n, f.map_rt()?),
                true,
            ),
            None => (maps::remove_by_key_relative_index_range(bin, f.value("key")?, f.int("index")?, f.map_rt()?), true),
        },
        other => return Err(param(d.py(), arg, format!("unsupported operation code {other}"))),
    };
    let c = f.ctx()?;
    Ok((if c.is_empty() { op } else { op.context(c) }, writes))
}
