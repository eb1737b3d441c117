//! A basic subset of list and map operations (CDT_READ / CDT_MODIFY ops, as/src/base/cdt.c).
//! Payload: msgpack `[op_code, args...]`. Lists and maps stay msgpack as the client sent them.
//! Supported list ops: append(_items), insert(_items), pop(_range), remove(_range), set, trim,
//! clear, increment, sort, size, get, get_range, and get/remove by index, rank, value, value list,
//! index range, value interval, rank range. Map ops: put(_items), increment, decrement, clear, size,
//! and get/remove by key, index, rank, value, key list, value list, key interval, index range,
//! value interval, rank range, the relative selectors (list value-relative rank range, map
//! key-relative index range and value-relative rank range), map set-type; contexts into nested
//! lists and maps (no create flags). Anything else answers UNSUPPORTED_FEATURE.

use crate::cdt_list::{self, ListView};
use crate::cdt_map::{self, MapView};
use crate::cdt_select::{self, End, INVERTED, RT_COUNT, RT_VALUE};
use crate::msgpack::{self, Mp};
use crate::particle;
use crate::proto::rc;
use crate::store::Bin;

// Return types used directly here (cdt_select.rs / cdt_list.rs answer all of them).

// Write flags (list: as_list_write_flags, map: as_map_write_flags).
const MAP_CREATE_ONLY: i64 = 1;
const MAP_UPDATE_ONLY: i64 = 2;
const MAP_NO_FAIL: i64 = 4;
const MAP_PARTIAL: i64 = 8;


/// Create flags of a context step (cdt.c: list index / map key create): 0x40 unordered, 0x80 padded
/// list or key-ordered map, 0xc0 ordered list or key-value-ordered map.
const CTX_CREATE: i64 = 0xc0;

/// What a CDT op did: the bin's new value (None = unchanged) and the result to answer (None = no result).
pub struct CdtOut {
    pub new_bin: Option<Bin>,
    pub result: Option<(u8, Vec<u8>)>,
}

/// Converts a msgpack value to the particle a reply carries.
pub fn to_particle(v: &Mp) -> (u8, Vec<u8>) {
    match v {
        Mp::Nil => (particle::NULL, Vec::new()),
        Mp::Bool(b) => (particle::BOOL, vec![*b as u8]),
        Mp::Int(i) => (particle::INTEGER, i.to_be_bytes().to_vec()),
        Mp::UInt(u) => (particle::INTEGER, u.to_be_bytes().to_vec()),
        Mp::Float(f) => (particle::FLOAT, f.to_be_bytes().to_vec()),
        Mp::Str(b) | Mp::Bin(b) => match b.split_first() {
            Some((&t, rest)) if t == particle::STRING || t == particle::BLOB || t == particle::GEOJSON => (t, rest.to_vec()),
            _ => (particle::BLOB, b.clone()),
        },
        Mp::Array(_) => (particle::LIST, msgpack::to_bytes(v)),
        Mp::Map(_) => (particle::MAP, msgpack::to_bytes(v)),
        Mp::Ext(..) => (particle::BLOB, msgpack::to_bytes(v)),
    }
}

fn int(v: Option<&Mp>) -> Result<i64, u8> {
    match v {
        Some(Mp::Int(i)) => Ok(*i),
        _ => Err(rc::PARAMETER),
    }
}

/// Runs one CDT op against `bin` (which may be missing).
pub fn execute(bin: Option<&Bin>, name: &str, modify: bool, payload: &[u8]) -> Result<CdtOut, u8> {
    let Ok(Mp::Array(items)) = msgpack::decode(payload) else {
        return Err(rc::PARAMETER);
    };
    // [0xff, [ctx_type, ctx_value, ...], [op...]] addresses a nested list/map.
    let (ctx, op): (Vec<(i64, &Mp)>, &[Mp]) = match items.as_slice() {
        // Nesting is bounded like the values themselves (msgpack depth), so recursion stays shallow.
        [Mp::Int(0xff), Mp::Array(ctx), Mp::Array(op)] if ctx.len() % 2 == 0 && !ctx.is_empty() && ctx.len() <= 128 => {
            let pairs = ctx.chunks(2).map(|c| int(Some(&c[0])).map(|t| (t, &c[1]))).collect::<Result<_, _>>()?;
            (pairs, op.as_slice())
        }
        [Mp::Int(_), ..] => (Vec::new(), items.as_slice()),
        _ => return Err(rc::PARAMETER),
    };
    let Some((Mp::Int(code), args)) = op.split_first() else {
        return Err(rc::PARAMETER);
    };
    let read_only = matches!(code, 16..=31 | 96..=111);
    if !read_only && !modify {
        return Err(rc::PARAMETER); // a modify op sent as CDT_READ
    }
    let want = if (64..128).contains(code) { particle::MAP } else { particle::LIST };
    // cdt.c cdt_context_dig: a context needs a list or map bin (PARAMETER), and a missing bin only
    // with create flags (OP_NOT_APPLICABLE), which are not supported here.
    let current = match bin {
        None => None,
        Some(b) if ctx.is_empty() && b.ptype != want => return Err(rc::INCOMPATIBLE_TYPE),
        Some(b) if b.ptype != particle::LIST && b.ptype != particle::MAP => return Err(rc::PARAMETER),
        Some(b) => Some(msgpack::decode(&b.data).map_err(|_| rc::UNKNOWN)?),
    };
    // A first context with create flags makes the missing bin: the list or map it steps into.
    let current = match (current, ctx.first()) {
        (None, Some((t, _))) if !read_only && t & CTX_CREATE != 0 => {
            Some(if t & 0x30 == 0x20 { Mp::Map(Vec::new()) } else { Mp::Array(Vec::new()) })
        }
        (c, _) => c,
    };
    if current.is_none() && !ctx.is_empty() {
        return if read_only { Ok(CdtOut { new_bin: None, result: None }) } else { Err(rc::OP_NOT_APPLICABLE) };
    }
    if current.is_none() && read_only {
        // process_bin_read_op: a read of a bin the record lacks answers nothing.
        return Ok(CdtOut { new_bin: None, result: None });
    }
    if current.is_none() {
        // particle_list.c / particle_map.c *_modify_optype: removals (pop, remove, trim, clear and
        // every remove-by) of a bin that does not exist are no-ops answering nothing; a sort is a
        // type error.
        match code {
            5..=8 | 10 | 11 | 32..=40 | 75..=89 => return Ok(CdtOut { new_bin: None, result: None }),
            13 => return Err(rc::INCOMPATIBLE_TYPE),
            _ => {}
        }
    }
    let (new_value, result) = apply(current, &ctx, *code, args)?;
    let new_bin = match new_value {
        None => None,
        Some(mut v) => {
            canonical(&mut v)?;
            let ptype = if matches!(v, Mp::Map(_)) { particle::MAP } else { particle::LIST };
            Some(Bin { name: name.to_string(), ptype, data: msgpack::to_bytes(&v) })
        }
    };
    Ok(CdtOut {
        new_bin,
        result: result.map(|r| to_particle(&r)),
    })
}

/// The form the server keeps a list or map in (cdt.c cdt_stack_untrusted_rewrite): every map, at
/// every level and whatever its flags, sorted by key (so 8.1 answers even unordered maps in key
/// order), and ordered lists sorted. A map with a repeated key is refused.
pub fn canonical(v: &mut Mp) -> Result<(), u8> {
    match v {
        Mp::Array(items) => {
            let ordered = list_header(items).is_some_and(|f| f & 1 != 0);
            let skip = usize::from(list_header(items).is_some());
            for x in items.iter_mut() {
                canonical(x)?;
            }
            if ordered {
                items[skip..].sort_by(cdt_select::cmp);
            }
        }
        Mp::Map(pairs) => {
            let skip = usize::from(pairs.first().is_some_and(|(k, _)| is_header(k)));
            for (_, x) in pairs.iter_mut() {
                canonical(x)?;
            }
            pairs[skip..].sort_by(|a, b| cdt_select::cmp(&a.0, &b.0));
            if pairs[skip..].windows(2).any(|w| cdt_select::cmp(&w[0].0, &w[1].0).is_eq()) {
                return Err(rc::UNKNOWN); // map_from_wire: "map has duplicate keys"
            }
        }
        _ => {}
    }
    Ok(())
}

/// A list or map particle as the server stores it (see `canonical`).
pub fn canonical_particle(data: &[u8]) -> Result<Vec<u8>, u8> {
    let Ok(mut v) = msgpack::decode(data) else {
        // Deeper than msgpack::MAX_DEPTH but well formed: the real server stores such a value
        // (the official client writes any depth), so keep it as sent rather than refuse it.
        return if msgpack::is_well_formed(data) { Ok(data.to_vec()) } else { Err(rc::UNKNOWN) };
    };
    canonical(&mut v)?;
    Ok(msgpack::to_bytes(&v))
}

/// Applies an op to `value` (None = absent), descending through `ctx` first.
/// Returns (the new value when it changed, the op's result).
fn apply(value: Option<Mp>, ctx: &[(i64, &Mp)], code: i64, args: &[Mp]) -> Result<(Option<Mp>, Option<Mp>), u8> {
    let Some(((ctx_type, ctx_value), rest)) = ctx.split_first() else {
        return apply_here(value, code, args);
    };
    // cdt_context_dig: every failure to step into an element (not a list or map, the other kind's
    // context type, no such element, an unknown or create context type) is OP_NOT_APPLICABLE.
    let mut container = value.ok_or(rc::OP_NOT_APPLICABLE)?;
    let create = *ctx_type & CTX_CREATE;
    // Context types (cdt.c): 0x10 list index, 0x11 list rank, 0x13 list value, 0x20 map index,
    // 0x21 map rank, 0x22 map key, 0x23 map value; list index and map key may carry create flags.
    let slot: Option<usize> = match (*ctx_type & !CTX_CREATE, &container) {
        (0x10 | 0x11 | 0x13, Mp::Array(items)) => {
            let skip = usize::from(list_header(items).is_some());
            let values: Vec<&Mp> = items[skip..].iter().collect();
            child(None, &values, *ctx_type & 0x0f, ctx_value)?.map(|i| i + skip)
        }
        (0x20..=0x23, Mp::Map(pairs)) => {
            let slots: Vec<usize> = (0..pairs.len()).filter(|&i| !is_header(&pairs[i].0)).collect();
            let keys: Vec<&Mp> = slots.iter().map(|&i| &pairs[i].0).collect();
            let values: Vec<&Mp> = slots.iter().map(|&i| &pairs[i].1).collect();
            child(Some(&keys), &values, *ctx_type & 0x0f, ctx_value)?.map(|h| slots[h])
        }
        _ => return Err(rc::OP_NOT_APPLICABLE),
    };
    let slot = match slot {
        Some(slot) => slot,
        None if create != 0 => create_child(&mut container, *ctx_type, ctx_value)?,
        None => return Err(rc::OP_NOT_APPLICABLE),
    };
    let inner = match &container {
        Mp::Array(items) => items[slot].clone(),
        Mp::Map(pairs) => pairs[slot].1.clone(),
        _ => unreachable!("checked above"),
    };
    let (new_inner, result) = apply(Some(inner), rest, code, args)?;
    let Some(new_inner) = new_inner else {
        return Ok((None, result));
    };
    match &mut container {
        Mp::Array(items) => items[slot] = new_inner,
        Mp::Map(pairs) => pairs[slot].1 = new_inner,
        _ => unreachable!("checked above"),
    }
    Ok((Some(container), result))
}

/// The element `ctx` (a packed context: `[type, value, type, value, ...]`) selects in `value`,
/// read-only (what a secondary index with a context indexes); None when a step finds nothing.
pub fn dig(value: &Mp, ctx: &[Mp]) -> Option<Mp> {
    let mut cur = value.clone();
    for step in ctx.chunks(2) {
        let [Mp::Int(kind), v] = step else { return None };
        cur = match (kind & !0x40 & !0x80, cur) {
            (0x10 | 0x11 | 0x13, Mp::Array(items)) => {
                let skip = usize::from(list_header(&items).is_some());
                let values: Vec<&Mp> = items[skip..].iter().collect();
                let i = child(None, &values, kind & 0x0f, v).ok()??;
                items[i + skip].clone()
            }
            (0x20..=0x23, Mp::Map(pairs)) => {
                let slots: Vec<usize> = (0..pairs.len()).filter(|&i| !is_header(&pairs[i].0)).collect();
                let keys: Vec<&Mp> = slots.iter().map(|&i| &pairs[i].0).collect();
                let values: Vec<&Mp> = slots.iter().map(|&i| &pairs[i].1).collect();
                let h = child(Some(&keys), &values, kind & 0x0f, v).ok()??;
                pairs[slots[h]].1.clone()
            }
            _ => return None,
        };
    }
    Some(cur)
}

/// A create context's new element (cdt.c cdt_context_create_*): an empty list (list index create,
/// padded with nils up to the index when 0x80 is set) or an empty map (map key create), ordered
/// as the flags say. Returns its slot.
fn create_child(container: &mut Mp, ctx_type: i64, at: &Mp) -> Result<usize, u8> {
    let flags = ctx_type & CTX_CREATE;
    match (ctx_type & !CTX_CREATE, container) {
        (0x10, Mp::Array(items)) => {
            let skip = usize::from(list_header(items).is_some());
            let n = (items.len() - skip) as i64;
            let i = int(Some(at))?;
            if i < 0 || (i > n && flags != 0x80) {
                return Err(rc::OP_NOT_APPLICABLE);
            }
            while ((items.len() - skip) as i64) < i {
                items.push(Mp::Nil);
            }
            let new = if flags == 0xc0 { vec![Mp::Ext(1, Vec::new())] } else { Vec::new() };
            items.push(Mp::Array(new));
            Ok(items.len() - 1)
        }
        (0x22, Mp::Map(pairs)) => {
            let order: i8 = match flags {
                0x80 => 1,
                0xc0 => 3,
                _ => 0,
            };
            let new = if order != 0 { vec![(Mp::Ext(order, Vec::new()), Mp::Nil)] } else { Vec::new() };
            pairs.push((at.clone(), Mp::Map(new)));
            Ok(pairs.len() - 1)
        }
        _ => Err(rc::OP_NOT_APPLICABLE),
    }
}

/// The element a context step selects (kind: 0 index, 1 rank, 2 key, 3 value), as the
/// *_subcontext_by_* functions find it: index and rank single positions, the first equal value.
fn child(keys: Option<&[&Mp]>, values: &[&Mp], kind: i64, v: &Mp) -> Result<Option<usize>, u8> {
    let n = values.len();
    Ok(match kind {
        0 => cdt_select::calc_index_count(int(Some(v))?, Some(1), n, false).map(|(i, _)| i),
        1 => cdt_select::calc_index_count(int(Some(v))?, Some(1), n, false).map(|(r, _)| {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| cdt_select::cmp(values[a], values[b]).then(a.cmp(&b)));
            order[r]
        }),
        2 => keys.and_then(|ks| ks.iter().position(|k| cdt_select::cmp(k, v).is_eq())),
        _ => values.iter().position(|x| cdt_select::cmp(x, v).is_eq()),
    })
}

/// Header element of an ordered list (ext with the flags as its type, no data).
fn list_header(list: &[Mp]) -> Option<i8> {
    match list.first() {
        Some(Mp::Ext(flags, data)) if data.is_empty() => Some(*flags),
        _ => None,
    }
}

fn apply_here(value: Option<Mp>, code: i64, args: &[Mp]) -> Result<(Option<Mp>, Option<Mp>), u8> {
    let existed = value.is_some();
    if (64..128).contains(&code) {
        let mut pairs = match value {
            Some(Mp::Map(p)) => p,
            None => Vec::new(),
            Some(_) => return Err(rc::INCOMPATIBLE_TYPE),
        };
        // add/put [k, v, attr, flags], add_items/put_items [map, attr, flags], increment/decrement
        // [k, delta, attr]: a map they create takes the attr's order (cdt_context_use_static_map_if_notinuse;
        // flags beyond KV-ordered | persist-index count as none, cdt_check_flags).
        let creates = matches!(code, 65..=68 | 73 | 74);
        if !existed && creates {
            let at = if matches!(code, 66 | 68) { 1 } else { 2 };
            let attr = args.get(at).map(|f| int(Some(f))).transpose()?.unwrap_or(0);
            if attr & !0x13 == 0 && attr & 3 != 0 {
                pairs.push((Mp::Ext((attr & 3) as i8, Vec::new()), Mp::Nil));
            }
        }
        // An ordered map's leading ext entry stays put; lookups skip it.
        let (result, changed) = map_op(code, args, &mut pairs, existed)?;
        // Even a no-op of these leaves the (empty) map it created.
        let changed = changed || (!existed && creates);
        Ok((changed.then_some(Mp::Map(pairs)), result))
    } else {
        let mut list = match value {
            Some(Mp::Array(l)) => l,
            None => Vec::new(),
            Some(_) => return Err(rc::INCOMPATIBLE_TYPE),
        };
        // Ordered lists carry a header element; ops see the elements only and order is kept.
        let mut ordered = list_header(&list).is_some_and(|f| f & 1 != 0);
        if !existed && matches!(code, 1 | 2 | 12) {
            // append / append_items [v, create_type, flags], increment [i, delta, create_type, flags]:
            // a list they create takes that order (cdt_context_use_static_list_if_notinuse; flags
            // beyond ordered | persist-index count as none, cdt_check_flags).
            let at = if code == 12 { 2 } else { 1 };
            let create = args.get(at).map(|f| int(Some(f))).transpose()?.unwrap_or(0);
            ordered = create & !0x11 == 0 && create & 1 != 0;
        }
        if list_header(&list).is_some() {
            list.remove(0);
        }
        let (result, changed) = if code == 0 {
            // set_type [order, flags]: 1 = ordered.
            ordered = int(args.first())? & 1 != 0;
            (None, true)
        } else {
            list_op(code, args, &mut list, existed, ordered)?
        };
        // An op that may create the bin leaves an empty list even when it changes nothing
        // (cdt_context_use_static_list_if_notinuse, then the "no-op" copy of the static list).
        let changed = changed || (!existed && matches!(code, 1..=4 | 9 | 12));
        if ordered && changed {
            list.sort_by(cdt_select::cmp);
        }
        if ordered {
            list.insert(0, Mp::Ext(1, Vec::new()));
        }
        Ok((changed.then_some(Mp::Array(list)), result))
    }
}

fn list_op(code: i64, args: &[Mp], list: &mut Vec<Mp>, existed: bool, ordered: bool) -> Result<(Option<Mp>, bool), u8> {
    let size = |l: &Vec<Mp>| Some(Mp::Int(l.len() as i64));
    let arg = |i: usize| args.get(i).ok_or(rc::PARAMETER);
    Ok(match code {
        1..=4 => {
            // append [v, create_type, flags], append_items [vs, create_type, flags],
            // insert [i, v, flags], insert_items [i, vs, flags]
            let (items, is_list, at, flags) = match code {
                1 => (vec![arg(0)?.clone()], false, None, args.get(2)),
                2 => match arg(0)? {
                    Mp::Array(items) => (items.clone(), true, None, args.get(2)),
                    _ => return Err(rc::PARAMETER),
                },
                3 => (vec![arg(1)?.clone()], false, Some(int(args.first())?), args.get(2)),
                _ => match arg(1)? {
                    Mp::Array(items) => (items.clone(), true, Some(int(args.first())?), args.get(2)),
                    _ => return Err(rc::PARAMETER),
                },
            };
            let flags = flags.map(|f| int(Some(f))).transpose()?.unwrap_or(0);
            let before = list.len();
            let result = cdt_list::insert(list, ordered, at, items, is_list, flags)?;
            (result, list.len() != before)
        }
        9 => {
            // set [i, v, flags]
            let flags = args.get(2).map(|f| int(Some(f))).transpose()?.unwrap_or(0);
            cdt_list::set(list, ordered, int(args.first())?, arg(1)?.clone(), flags)?;
            (None, true)
        }
        11 => {
            list.clear();
            (None, existed)
        }
        12 => {
            // increment [i, delta, create_type, flags]
            let flags = args.get(3).map(|f| int(Some(f))).transpose()?.unwrap_or(0);
            let result = cdt_list::increment(list, ordered, int(args.first())?, args.get(1).unwrap_or(&Mp::Nil), flags)?;
            (result, true)
        }
        13 => {
            // sort [flags]: 1 descending, 2 drop duplicates (list_sort; an ordered list stays as it is).
            let flags = args.first().map(|f| int(Some(f))).transpose()?.unwrap_or(0);
            if !ordered {
                list.sort_by(cdt_select::cmp);
                if flags & 1 != 0 {
                    list.reverse();
                }
            }
            if flags & 2 != 0 {
                list.dedup_by(|a, b| cdt_select::cmp(a, b).is_eq());
            }
            (None, true)
        }
        16 => (size(list), false),
        5..=8 | 10 | 17..=40 => {
            // The get/remove-by family (cdt_list.rs): [rt, selector args...] or, for pop/remove/
            // trim/get/get_range, [selector args...] with the result type the op implies.
            let opt_count = |i: usize| args.get(i).filter(|c| !matches!(c, Mp::Nil)).map(|c| int(Some(c))).transpose();
            let view = ListView { items: list, ordered };
            let remove = matches!(code, 5..=8 | 10 | 32..=40);
            let picked = match code {
                5 | 7 => cdt_list::by_index_range(&view, if code == 5 { RT_VALUE } else { RT_COUNT }, int(args.first())?, Some(1), false)?,
                6 | 8 => cdt_list::by_index_range(&view, if code == 6 { RT_VALUE } else { RT_COUNT }, int(args.first())?, opt_count(1)?, true)?,
                10 => cdt_list::by_index_range(&view, RT_COUNT | INVERTED, int(args.first())?, Some(int(args.get(1))?), true)?,
                17 => cdt_list::by_index_range(&view, RT_VALUE, int(args.first())?, Some(1), false)?,
                18 => cdt_list::by_index_range(&view, RT_VALUE, int(args.first())?, opt_count(1)?, true)?,
                19 | 32 => cdt_list::by_index_range(&view, int(args.first())?, int(args.get(1))?, Some(1), false)?,
                21 | 34 => cdt_list::by_rank_range(&view, int(args.first())?, int(args.get(1))?, Some(1), false)?,
                22 | 35 => cdt_list::by_value_interval(&view, int(args.first())?, arg(1)?, End::Same, true)?,
                23 | 36 => match arg(1)? {
                    Mp::Array(vs) => cdt_list::by_value_list(&view, int(args.first())?, vs)?,
                    _ => return Err(rc::PARAMETER),
                },
                24 | 37 => cdt_list::by_index_range(&view, int(args.first())?, int(args.get(1))?, opt_count(2)?, true)?,
                25 | 38 => {
                    let end = match args.get(2) {
                        None => End::Open, // an explicit nil end is the nil value (below everything)
                        Some(e) => End::Before(e),
                    };
                    cdt_list::by_value_interval(&view, int(args.first())?, arg(1)?, end, true)?
                }
                26 | 39 => cdt_list::by_rank_range(&view, int(args.first())?, int(args.get(1))?, opt_count(2)?, true)?,
                27 | 40 => {
                    // [rt, value, rank, count?]: ranks from the value's own rank (the number of
                    // items below it) plus `rank`.
                    let value = arg(1)?;
                    let below = view.items.iter().filter(|x| cdt_select::cmp(x, value).is_lt()).count();
                    let (start, count) = cdt_select::relative_window(below, int(args.get(2))?, opt_count(3)?, view.items.len());
                    cdt_list::by_rank_range(&view, int(args.first())?, start, count, true)?
                }
                _ => return Err(rc::UNSUPPORTED_FEATURE),
            };
            let changed = remove && !picked.removed.is_empty();
            if changed {
                let mut doomed = picked.removed;
                doomed.sort_unstable();
                for i in doomed.into_iter().rev() {
                    list.remove(i);
                }
            }
            (picked.result, changed)
        }
        _ => return Err(rc::UNSUPPORTED_FEATURE),
    })
}

fn is_header(k: &Mp) -> bool {
    matches!(k, Mp::Ext(..))
}

fn map_op(code: i64, args: &[Mp], pairs: &mut Vec<(Mp, Mp)>, existed: bool) -> Result<(Option<Mp>, bool), u8> {
    let count = |p: &Vec<(Mp, Mp)>| Mp::Int(p.iter().filter(|(k, _)| !is_header(k)).count() as i64);
    let arg = |i: usize| args.get(i).ok_or(rc::PARAMETER);
    let find = |p: &Vec<(Mp, Mp)>, k: &Mp| p.iter().position(|(pk, _)| !is_header(pk) && pk == k);
    Ok(match code {
        65..=70 => {
            // add / put / replace [k, v, attr, flags]; add_items / put_items / replace_items [map, attr, flags]
            let single = matches!(code, 65 | 67 | 69);
            let items: Vec<(Mp, Mp)> = if single {
                vec![(arg(0)?.clone(), arg(1)?.clone())]
            } else {
                match arg(0)? {
                    Mp::Map(items) => items.iter().filter(|(k, _)| !is_header(k)).cloned().collect(),
                    _ => return Err(rc::PARAMETER),
                }
            };
            let flag_arg = if single { args.get(3) } else { args.get(2) };
            let mut flags = flag_arg.map(|f| int(Some(f))).transpose()?.unwrap_or(0);
            match code {
                65 | 66 => flags |= MAP_CREATE_ONLY,
                69 | 70 => flags |= MAP_UPDATE_ONLY,
                _ => {}
            }
            let no_fail = flags & MAP_NO_FAIL != 0;
            let mut accepted = Vec::new();
            let mut failure = None;
            for (k, v) in items {
                let exists = find(pairs, &k).is_some();
                if flags & MAP_CREATE_ONLY != 0 && exists {
                    failure.get_or_insert(rc::ELEMENT_EXISTS);
                } else if flags & MAP_UPDATE_ONLY != 0 && !exists {
                    failure.get_or_insert(rc::ELEMENT_NOT_FOUND);
                } else {
                    accepted.push((k, v));
                }
            }
            if let Some(code) = failure {
                // particle_map.c: fail unless NO_FAIL; without PARTIAL nothing is written.
                if !no_fail {
                    return Err(code);
                }
                if flags & MAP_PARTIAL == 0 {
                    return Ok((Some(count(pairs)), false));
                }
            }
            let changed = !accepted.is_empty() || !existed;
            for (k, v) in accepted {
                match find(pairs, &k) {
                    Some(i) => pairs[i].1 = v,
                    None => pairs.push((k, v)),
                }
            }
            (Some(count(pairs)), changed)
        }
        73 | 74 => {
            // increment / decrement [k, delta, attr]: map_increment with cdt_calc_delta (a missing
            // key counts as 0; a decrement negates the delta).
            let k = arg(0)?.clone();
            let delta = match (args.get(1), code) {
                (None | Some(Mp::Nil), 74) => Mp::Int(-1),
                (Some(Mp::Int(i)), 74) => Mp::Int(i.wrapping_neg()),
                (Some(Mp::Float(f)), 74) => Mp::Float(-f),
                (d, _) => d.cloned().unwrap_or(Mp::Nil),
            };
            let at = find(pairs, &k);
            let v = cdt_list::add_delta(at.map(|i| &pairs[i].1), &delta)?;
            match at {
                Some(i) => pairs[i].1 = v.clone(),
                None => pairs.push((k, v.clone())),
            }
            (Some(v), true)
        }
        75 => {
            pairs.retain(|(k, _)| is_header(k));
            (None, existed)
        }
        64 => {
            // set_type [attr]: the map's order (key-ordered 1, key-value-ordered 3, unordered 0).
            let attr = int(args.first())?;
            pairs.retain(|(k, _)| !is_header(k));
            if attr & 3 != 0 {
                pairs.insert(0, (Mp::Ext((attr & 3) as i8, Vec::new()), Mp::Nil));
            }
            (None, true)
        }
        96 => (Some(count(pairs)), false),
        76..=89 | 97..=110 => {
            let rt = int(args.first())?;
            let remove = code <= 89;
            // Each remove op mirrors a get op (cdt.c op tables).
            let base = match code {
                76 => 97,
                77 => 98,
                79 => 100,
                81 => 107,
                82 => 102,
                83 => 108,
                84 => 103,
                85 => 104,
                86 => 105,
                87 => 106,
                88 => 109,
                89 => 110,
                c => c,
            };
            let count_at = |i: usize| args.get(i).filter(|c| !matches!(c, Mp::Nil)).map(|c| int(Some(c))).transpose();
            let count = || count_at(2);
            let end = || match args.get(2) {
                None => End::Open, // an explicit nil end is the nil value (below everything)
                Some(e) => End::Before(e),
            };
            let slots: Vec<usize> = (0..pairs.len()).filter(|&i| !is_header(&pairs[i].0)).collect();
            let k_ordered = pairs.first().is_some_and(|(k, _)| matches!(k, Mp::Ext(f, _) if f & 1 != 0));
            let picked = {
                let view = MapView {
                    keys: slots.iter().map(|&i| &pairs[i].0).collect(),
                    values: slots.iter().map(|&i| &pairs[i].1).collect(),
                    k_ordered,
                };
                match base {
                    97 => cdt_map::by_key_interval(&view, rt, arg(1)?, End::Same, false)?,
                    98 => cdt_map::by_index_range(&view, rt, int(args.get(1))?, Some(1), false)?,
                    100 => cdt_map::by_rank_range(&view, rt, int(args.get(1))?, Some(1), false)?,
                    102 => cdt_map::by_value_interval(&view, rt, arg(1)?, End::Same, true)?,
                    103 => cdt_map::by_key_interval(&view, rt, arg(1)?, end(), true)?,
                    104 => cdt_map::by_index_range(&view, rt, int(args.get(1))?, count()?, true)?,
                    105 => cdt_map::by_value_interval(&view, rt, arg(1)?, end(), true)?,
                    106 => cdt_map::by_rank_range(&view, rt, int(args.get(1))?, count()?, true)?,
                    109 | 110 => {
                        // [rt, key|value, index|rank, count?]: from the key's index (the keys below
                        // it) or the value's rank (the values below it) plus the offset.
                        let anchor = arg(1)?;
                        let among = if base == 109 { &view.keys } else { &view.values };
                        let below = among.iter().filter(|x| cdt_select::cmp(x, anchor).is_lt()).count();
                        let (start, count) = cdt_select::relative_window(below, int(args.get(2))?, count_at(3)?, view.len());
                        if base == 109 {
                            cdt_map::by_index_range(&view, rt, start, count, true)?
                        } else {
                            cdt_map::by_rank_range(&view, rt, start, count, true)?
                        }
                    }
                    107 | 108 => match arg(1)? {
                        Mp::Array(items) if base == 107 => cdt_map::by_key_list(&view, rt, items)?,
                        Mp::Array(items) => cdt_map::by_value_list(&view, rt, items)?,
                        _ => return Err(rc::PARAMETER),
                    },
                    _ => return Err(rc::UNSUPPORTED_FEATURE),
                }
            };
            let changed = remove && !picked.removed.is_empty();
            if changed {
                let mut doomed: Vec<usize> = picked.removed.iter().map(|&h| slots[h]).collect();
                doomed.sort_unstable();
                for i in doomed.into_iter().rev() {
                    pairs.remove(i);
                }
            }
            (picked.result, changed)
        }
        _ => return Err(rc::UNSUPPORTED_FEATURE),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(v: Mp) -> Vec<u8> {
        msgpack::to_bytes(&v)
    }

    #[test]
    fn list_append_size_get() {
        let out = execute(None, "l", true, &payload(Mp::Array(vec![Mp::Int(1), Mp::Int(7)]))).unwrap();
        assert_eq!(out.result, Some((particle::INTEGER, 1i64.to_be_bytes().to_vec())));
        let bin = out.new_bin.unwrap();
        let out = execute(Some(&bin), "l", false, &payload(Mp::Array(vec![Mp::Int(17), Mp::Int(-1)]))).unwrap();
        assert_eq!(out.result, Some((particle::INTEGER, 7i64.to_be_bytes().to_vec())));
        assert!(out.new_bin.is_none());
    }

    #[test]
    fn map_put_increment_and_type_errors() {
        let k = Mp::Str(vec![3, b'n']);
        let out = execute(None, "m", true, &payload(Mp::Array(vec![Mp::Int(67), k.clone(), Mp::Int(1)]))).unwrap();
        let bin = out.new_bin.unwrap();
        let out = execute(Some(&bin), "m", true, &payload(Mp::Array(vec![Mp::Int(73), k.clone(), Mp::Int(4)]))).unwrap();
        assert_eq!(out.result, Some((particle::INTEGER, 5i64.to_be_bytes().to_vec())));
        let int_bin = Bin { name: "m".into(), ptype: particle::INTEGER, data: 1i64.to_be_bytes().to_vec() };
        assert_eq!(execute(Some(&int_bin), "m", true, &payload(Mp::Array(vec![Mp::Int(67), k, Mp::Int(1)]))).err(), Some(rc::INCOMPATIBLE_TYPE));
        assert_eq!(execute(None, "m", true, &[0xc1]).err(), Some(rc::PARAMETER));
    }
}
