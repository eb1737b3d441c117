//! A basic subset of list and map operations (CDT_READ / CDT_MODIFY ops, as/src/base/cdt.c).
//! Payload: msgpack `[op_code, args...]`. Lists and maps stay msgpack as the client sent them.
//! Supported list ops: append(_items), insert(_items), pop(_range), remove(_range), set, trim,
//! clear, increment, sort, size, get, get_range, and get/remove by index, rank, value, value list,
//! index range, value interval, rank range. Map ops: put(_items), increment, decrement, clear, size,
//! and get/remove by key, index, rank, value, key list, value list, key interval, index range,
//! value interval, rank range; contexts into nested lists and maps (no create flags). Anything else
//! (relative-rank selectors, set-type/ordered-map writes) answers UNSUPPORTED_FEATURE.

use crate::cdt_select::{self, INVERTED, Sel, View};
use crate::msgpack::{self, Mp};
use crate::particle;
use crate::proto::rc;
use crate::store::Bin;

// Return types used directly here (cdt_select.rs answers all of them).
const RT_COUNT: i64 = 5;
const RT_KEY: i64 = 6;
const RT_VALUE: i64 = 7;

// Write flags (list: as_list_write_flags, map: as_map_write_flags).
const LIST_ADD_UNIQUE: i64 = 1;
const LIST_INSERT_BOUNDED: i64 = 2;
const LIST_NO_FAIL: i64 = 4;
const LIST_PARTIAL: i64 = 8;
const MAP_CREATE_ONLY: i64 = 1;
const MAP_UPDATE_ONLY: i64 = 2;
const MAP_NO_FAIL: i64 = 4;
const MAP_PARTIAL: i64 = 8;

/// Nil padding beyond this many elements could never fit in a record (1 MiB max-record-size).
const MAX_PAD: usize = 1024 * 1024;

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

/// Resolves a possibly negative index against `len`.
fn index(i: i64, len: usize) -> Option<usize> {
    let i = if i < 0 { len as i64 + i } else { i };
    (0..len as i64).contains(&i).then_some(i as usize)
}

fn num_add(a: &Mp, b: &Mp) -> Result<Mp, u8> {
    match (a, b) {
        (Mp::Int(x), Mp::Int(y)) => Ok(Mp::Int(x.wrapping_add(*y))),
        (Mp::Float(x), Mp::Float(y)) => Ok(Mp::Float(x + y)),
        (Mp::Int(x), Mp::Float(y)) => Ok(Mp::Int(x.wrapping_add(*y as i64))),
        (Mp::Float(x), Mp::Int(y)) => Ok(Mp::Float(x + *y as f64)),
        _ => Err(rc::INCOMPATIBLE_TYPE),
    }
}

fn neg(v: &Mp) -> Result<Mp, u8> {
    match v {
        Mp::Int(i) => Ok(Mp::Int(i.wrapping_neg())),
        Mp::Float(f) => Ok(Mp::Float(-f)),
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
    let current = match bin {
        None => None,
        Some(b) if ctx.is_empty() && b.ptype != want => return Err(rc::INCOMPATIBLE_TYPE),
        Some(b) if b.ptype != particle::LIST && b.ptype != particle::MAP => return Err(rc::INCOMPATIBLE_TYPE),
        Some(b) => Some(msgpack::decode(&b.data).map_err(|_| rc::UNKNOWN)?),
    };
    if current.is_none() && !ctx.is_empty() {
        return if read_only { Ok(CdtOut { new_bin: None, result: None }) } else { Err(rc::ELEMENT_NOT_FOUND) };
    }
    let (new_value, result) = apply(current, &ctx, *code, args)?;
    Ok(CdtOut {
        new_bin: new_value.map(|v| {
            let ptype = if matches!(v, Mp::Map(_)) { particle::MAP } else { particle::LIST };
            Bin { name: name.to_string(), ptype, data: msgpack::to_bytes(&v) }
        }),
        result: result.map(|r| to_particle(&r)),
    })
}

/// Applies an op to `value` (None = absent), descending through `ctx` first.
/// Returns (the new value when it changed, the op's result).
fn apply(value: Option<Mp>, ctx: &[(i64, &Mp)], code: i64, args: &[Mp]) -> Result<(Option<Mp>, Option<Mp>), u8> {
    let Some(((ctx_type, ctx_value), rest)) = ctx.split_first() else {
        return apply_here(value, code, args);
    };
    let mut container = value.ok_or(rc::ELEMENT_NOT_FOUND)?;
    // Context types (cdt.c): 0x10 list index, 0x11 list rank, 0x13 list value, 0x20 map index,
    // 0x21 map rank, 0x22 map key, 0x23 map value; create flags are not supported.
    let slot: Option<usize> = match (*ctx_type, &container) {
        (0x10 | 0x11 | 0x13, Mp::Array(items)) => {
            let view = View { keys: None, values: items.iter().collect() };
            child(&view, *ctx_type & 0x0f, ctx_value)?
        }
        (0x20..=0x23, Mp::Map(pairs)) => {
            let slots: Vec<usize> = (0..pairs.len()).filter(|&i| !is_header(&pairs[i].0)).collect();
            let view = View { keys: Some(slots.iter().map(|&i| &pairs[i].0).collect()), values: slots.iter().map(|&i| &pairs[i].1).collect() };
            child(&view, *ctx_type & 0x0f, ctx_value)?.map(|h| slots[h])
        }
        (0x10..=0x13 | 0x20..=0x23, _) => return Err(rc::INCOMPATIBLE_TYPE),
        _ => return Err(rc::UNSUPPORTED_FEATURE),
    };
    let Some(slot) = slot else {
        return Err(rc::ELEMENT_NOT_FOUND);
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

/// The storage position a context step selects (kind: 0 index, 1 rank, 2 key, 3 value).
fn child(view: &View<'_>, kind: i64, v: &Mp) -> Result<Option<usize>, u8> {
    let sel = match kind {
        0 => Sel::Index(int(Some(v))?, Some(1)),
        1 => Sel::Rank(int(Some(v))?, Some(1)),
        2 => Sel::Keys(vec![v]),
        _ => Sel::Values(vec![v]),
    };
    Ok(cdt_select::select(view, &sel).first().copied())
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
        // An ordered map's leading ext entry stays put; lookups skip it.
        let (result, changed) = map_op(code, args, &mut pairs, existed)?;
        Ok((changed.then_some(Mp::Map(pairs)), result))
    } else {
        let mut list = match value {
            Some(Mp::Array(l)) => l,
            None => Vec::new(),
            Some(_) => return Err(rc::INCOMPATIBLE_TYPE),
        };
        // Ordered lists carry a header element; ops see the elements only and order is kept.
        let mut ordered = list_header(&list).is_some_and(|f| f & 1 != 0);
        if list_header(&list).is_some() {
            list.remove(0);
        }
        let (result, changed) = if code == 0 {
            // set_type [order, flags]: 1 = ordered.
            ordered = int(args.first())? & 1 != 0;
            (None, true)
        } else {
            list_op(code, args, &mut list, existed)?
        };
        if ordered && changed {
            list.sort_by(cdt_select::cmp);
        }
        if ordered {
            list.insert(0, Mp::Ext(1, Vec::new()));
        }
        Ok((changed.then_some(Mp::Array(list)), result))
    }
}

fn list_op(code: i64, args: &[Mp], list: &mut Vec<Mp>, existed: bool) -> Result<(Option<Mp>, bool), u8> {
    let size = |l: &Vec<Mp>| Some(Mp::Int(l.len() as i64));
    let arg = |i: usize| args.get(i).ok_or(rc::PARAMETER);
    Ok(match code {
        1..=4 => {
            // append [v, order, flags], append_items [vs, order, flags], insert [i, v, flags],
            // insert_items [i, vs, flags]
            let (items, at, flags) = match code {
                1 => (vec![arg(0)?.clone()], None, args.get(2)),
                2 => match arg(0)? {
                    Mp::Array(items) => (items.clone(), None, args.get(2)),
                    _ => return Err(rc::PARAMETER),
                },
                3 => (vec![arg(1)?.clone()], Some(int(args.first())?), args.get(2)),
                _ => match arg(1)? {
                    Mp::Array(items) => (items.clone(), Some(int(args.first())?), args.get(2)),
                    _ => return Err(rc::PARAMETER),
                },
            };
            let flags = flags.map(|f| int(Some(f))).transpose()?.unwrap_or(0);
            let no_fail = flags & LIST_NO_FAIL != 0;
            let mut items = items;
            if flags & LIST_ADD_UNIQUE != 0 {
                // particle_list.c: a duplicate fails the op (ELEMENT_EXISTS) unless NO_FAIL;
                // with PARTIAL the unique items still go in.
                let mut unique: Vec<Mp> = Vec::new();
                let mut dup = false;
                for v in items {
                    if list.iter().chain(unique.iter()).any(|e| cdt_select::cmp(e, &v).is_eq()) {
                        dup = true;
                    } else {
                        unique.push(v);
                    }
                }
                if dup && !no_fail {
                    return Err(rc::ELEMENT_EXISTS);
                }
                if dup && flags & LIST_PARTIAL == 0 {
                    return Ok((size(list), false));
                }
                items = unique;
            }
            let at = match at {
                None => list.len(),
                Some(i) if i < 0 => match index(i, list.len()) {
                    Some(p) => p,
                    None if no_fail => return Ok((size(list), false)),
                    None => return Err(rc::OP_NOT_APPLICABLE),
                },
                Some(i) => i as usize,
            };
            if at > list.len() {
                if flags & LIST_INSERT_BOUNDED != 0 {
                    return if no_fail { Ok((size(list), false)) } else { Err(rc::OP_NOT_APPLICABLE) };
                }
                // Inserting past the end pads with nil; a pad beyond the record size limit cannot fit.
                if at > MAX_PAD {
                    return Err(rc::RECORD_TOO_BIG);
                }
                list.resize(at, Mp::Nil);
            }
            let n = items.len();
            list.splice(at..at, items);
            (size(list), n > 0 || !existed)
        }
        5 | 7 => {
            let Some(i) = index(int(args.first())?, list.len()) else {
                return Err(rc::OP_NOT_APPLICABLE);
            };
            let v = list.remove(i);
            (Some(if code == 5 { v } else { Mp::Int(1) }), true)
        }
        9 => {
            let i = int(args.first())?;
            match index(i, list.len()) {
                Some(at) => list[at] = arg(1)?.clone(),
                None if i >= 0 => {
                    if i as usize > MAX_PAD {
                        return Err(rc::RECORD_TOO_BIG);
                    }
                    list.resize(i as usize, Mp::Nil);
                    list.push(arg(1)?.clone());
                }
                None => return Err(rc::OP_NOT_APPLICABLE),
            }
            (None, true)
        }
        11 => {
            list.clear();
            (None, existed)
        }
        12 => {
            let Some(i) = index(int(args.first())?, list.len()) else {
                return Err(rc::OP_NOT_APPLICABLE);
            };
            let by = args.get(1).cloned().unwrap_or(Mp::Int(1));
            list[i] = num_add(&list[i], &by)?;
            (Some(list[i].clone()), true)
        }
        16 => (if existed { size(list) } else { None }, false),
        17 => {
            if !existed {
                return Ok((None, false));
            }
            let Some(i) = index(int(args.first())?, list.len()) else {
                return Err(rc::OP_NOT_APPLICABLE);
            };
            (Some(list[i].clone()), false)
        }
        18 => {
            if !existed {
                return Ok((None, false));
            }
            let start = int(args.first())?;
            let start = if start < 0 { (list.len() as i64 + start).max(0) as usize } else { (start as usize).min(list.len()) };
            let count = match args.get(1) {
                Some(c) => int(Some(c))?.max(0) as usize,
                None => list.len(),
            };
            (Some(Mp::Array(list.iter().skip(start).take(count).cloned().collect())), false)
        }
        6 | 8 => {
            let start = int(args.first())?;
            let count = args.get(1).map(|c| int(Some(c))).transpose()?;
            let (res, hits) = list_select(list, if code == 6 { RT_VALUE } else { RT_COUNT }, &Sel::Index(start, count), false, true)?;
            (res, hits)
        }
        10 => {
            let start = int(args.first())?;
            let count = int(args.get(1))?;
            list_select(list, RT_COUNT | INVERTED, &Sel::Index(start, Some(count)), false, true)?
        }
        13 => {
            let flags = args.first().map(|f| int(Some(f))).transpose()?.unwrap_or(0);
            list.sort_by(cdt_select::cmp);
            if flags & 2 != 0 {
                list.dedup_by(|a, b| cdt_select::cmp(a, b).is_eq());
            }
            (None, existed)
        }
        19 | 21 | 32 | 34 => {
            let rt = int(args.first())?;
            let at = int(args.get(1))?;
            let sel = if code == 19 || code == 32 { Sel::Index(at, Some(1)) } else { Sel::Rank(at, Some(1)) };
            let view = View { keys: None, values: list.iter().collect() };
            if existed && cdt_select::select(&view, &sel).is_empty() {
                return Err(rc::OP_NOT_APPLICABLE); // index or rank out of bounds
            }
            list_select(list, rt, &sel, true, code >= 32)?
        }
        22..=26 | 35..=39 => {
            let rt = int(args.first())?;
            let remove = code >= 35;
            let sel = match if remove { code - 13 } else { code } {
                22 => Sel::Values(vec![arg(1)?]),
                23 => match arg(1)? {
                    Mp::Array(vs) => Sel::Values(vs.iter().collect()),
                    _ => return Err(rc::PARAMETER),
                },
                24 => Sel::Index(int(args.get(1))?, args.get(2).map(|c| int(Some(c))).transpose()?),
                25 => Sel::ValueInterval(arg(1)?, args.get(2)),
                _ => Sel::Rank(int(args.get(1))?, args.get(2).map(|c| int(Some(c))).transpose()?),
            };
            if matches!(&sel, Sel::Values(l) if l.is_empty()) && rt & INVERTED != 0 {
                let n = list.len();
                return Ok(everything(rt, n, list_select(list, rt & !INVERTED, &Sel::Index(0, None), false, remove)?));
            }
            list_select(list, rt, &sel, false, remove)?
        }
        _ => return Err(rc::UNSUPPORTED_FEATURE),
    })
}

/// Runs a selection over a list, answering for `rt` and removing the hits when asked.
fn list_select(list: &mut Vec<Mp>, rt: i64, sel: &Sel<'_>, single: bool, remove: bool) -> Result<(Option<Mp>, bool), u8> {
    let (res, hits) = {
        let view = View { keys: None, values: list.iter().collect() };
        let hits = cdt_select::select(&view, sel);
        cdt_select::result(&view, rt, hits, single)?
    };
    let changed = remove && !hits.is_empty();
    if changed {
        let mut hits = hits;
        hits.sort_unstable();
        for i in hits.into_iter().rev() {
            list.remove(i);
        }
    }
    Ok((res, changed))
}

/// Runs a selection over a map's entries (skipping an ordered map's header entry).
fn map_select(pairs: &mut Vec<(Mp, Mp)>, rt: i64, sel: &Sel<'_>, single: bool, remove: bool) -> Result<(Option<Mp>, bool), u8> {
    let slots: Vec<usize> = (0..pairs.len()).filter(|&i| !is_header(&pairs[i].0)).collect();
    let (res, hits) = {
        let view = View { keys: Some(slots.iter().map(|&i| &pairs[i].0).collect()), values: slots.iter().map(|&i| &pairs[i].1).collect() };
        let hits = cdt_select::select(&view, sel);
        let missing_key = single && hits.is_empty() && matches!(sel, Sel::Keys(_));
        let (res, hits) = cdt_select::result(&view, rt, hits, single)?;
        // A missing key answers nil for key/value return types rather than nothing.
        let res = if missing_key && matches!(rt & !INVERTED, RT_KEY | RT_VALUE) { Some(Mp::Nil) } else { res };
        (res, hits)
    };
    let changed = remove && !hits.is_empty();
    if changed {
        let mut doomed: Vec<usize> = hits.into_iter().map(|h| slots[h]).collect();
        doomed.sort_unstable();
        for i in doomed.into_iter().rev() {
            pairs.remove(i);
        }
    }
    Ok((res, changed))
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
            let k = arg(0)?.clone();
            let by = args.get(1).cloned().unwrap_or(Mp::Int(1));
            let by = if code == 74 { neg(&by)? } else { by };
            let v = match find(pairs, &k) {
                Some(i) => {
                    pairs[i].1 = num_add(&pairs[i].1, &by)?;
                    pairs[i].1.clone()
                }
                None => {
                    if !matches!(by, Mp::Int(_) | Mp::Float(_)) {
                        return Err(rc::PARAMETER);
                    }
                    pairs.push((k, by.clone()));
                    by
                }
            };
            (Some(v), true)
        }
        75 => {
            pairs.retain(|(k, _)| is_header(k));
            (None, existed)
        }
        96 => (if existed { Some(count(pairs)) } else { None }, false),
        76..=87 | 97..=108 => {
            let rt = int(args.first())?;
            let remove = code <= 87;
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
                c => c,
            };
            let count = || args.get(2).map(|c| int(Some(c))).transpose();
            let (sel, single) = match base {
                97 => (Sel::Keys(vec![arg(1)?]), true),
                98 => (Sel::Index(int(args.get(1))?, Some(1)), true),
                100 => (Sel::Rank(int(args.get(1))?, Some(1)), true),
                102 => (Sel::Values(vec![arg(1)?]), false),
                103 => (Sel::KeyInterval(arg(1)?, args.get(2)), false),
                104 => (Sel::Index(int(args.get(1))?, count()?), false),
                105 => (Sel::ValueInterval(arg(1)?, args.get(2)), false),
                106 => (Sel::Rank(int(args.get(1))?, count()?), false),
                107 => match arg(1)? {
                    Mp::Array(ks) => (Sel::Keys(ks.iter().collect()), false),
                    _ => return Err(rc::PARAMETER),
                },
                108 => match arg(1)? {
                    Mp::Array(vs) => (Sel::Values(vs.iter().collect()), false),
                    _ => return Err(rc::PARAMETER),
                },
                _ => return Err(rc::UNSUPPORTED_FEATURE),
            };
            if matches!(&sel, Sel::Keys(l) | Sel::Values(l) if l.is_empty()) && matches!(base, 107 | 108) {
                // particle_map.c packed_map_get_remove_all_by_{key,value}_list with no items: rank
                // answers are refused for keys; inverted, everything is selected (below).
                if base == 107 && matches!(rt & !INVERTED, 3 | 4) {
                    return Err(rc::OP_NOT_APPLICABLE);
                }
                if rt & INVERTED != 0 {
                    let n = pairs.iter().filter(|(k, _)| !is_header(k)).count();
                    // Aerospike 8.1.2 then crashes (SIGSEGV: packed_map_get_remove_all reads an
                    // offset index it never set up) when the map has entries and the return type
                    // asks for them; the dev server answers PARAMETER instead, and keeps serving.
                    if n > 0 && matches!(rt & !INVERTED, RT_KEY | RT_VALUE | 8 | 16 | 17) {
                        return Err(rc::PARAMETER);
                    }
                    return Ok(everything(rt, n, map_select(pairs, rt & !INVERTED, &Sel::Index(0, None), false, remove)?));
                }
            }
            map_select(pairs, rt, &sel, single, remove)?
        }
        _ => return Err(rc::UNSUPPORTED_FEATURE),
    })
}

/// An empty value (or key) list with the inverted flag selects every element: the server runs its
/// get/remove-all path (particle_list.c packed_list_get_remove_by_index_range, particle_map.c
/// packed_map_get_remove_all), whose index and rank answers (reversed or not) are 0..n in order.
fn everything(rt: i64, n: usize, out: (Option<Mp>, bool)) -> (Option<Mp>, bool) {
    match rt & !INVERTED {
        1..=4 => (Some(Mp::Array((0..n as i64).map(Mp::Int).collect())), out.1),
        _ => out,
    }
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
