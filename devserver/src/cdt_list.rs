//! List "get / remove by" selections and their answers, as particle_list.c computes them
//! (packed_list_get_remove_by_index_range, _by_value_interval, _by_rank_range,
//! _all_by_value_list): which elements a selection takes, in which order each return type lists
//! them (index order, rank order or the request's order, depending on the path), how INVERTED
//! turns into one or two ranges, and which combinations are OP_NOT_APPLICABLE.

use crate::cdt_select::{
    End, INVERTED, Picked, RT_COUNT, RT_EXISTS, RT_INDEX, RT_NONE, RT_RANK, RT_REVINDEX, RT_REVRANK, RT_VALUE,
    add_range, calc_index_count, cmp, heap_pick, in_interval, reduce_inverted, index_rank_count, int_list, is_rev, item_runs, itemlist_runs, kind, mask_ints,
};
use crate::msgpack::Mp;
use crate::proto::rc;

/// The elements of one list (header excluded) and whether it keeps them sorted.
pub struct ListView<'a> {
    pub items: &'a [Mp],
    pub ordered: bool,
}

/// list_result_data_set_not_found: list ops refuse key and map return types.
fn not_found(rt: i64, multi: bool) -> Result<Option<Mp>, u8> {
    if matches!(kind(rt), 6 | 8 | 16 | 17) {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    crate::cdt_select::not_found(rt, multi)
}

/// (elements less than `v`, elements equal to it): a value's rank and run length in an unordered
/// list (packed_list_find_rank_range_by_value_interval_unordered with start == end).
fn rank_of(items: &[Mp], v: &Mp) -> (usize, usize) {
    let less = items.iter().filter(|e| cmp(e, v).is_lt()).count();
    let equal = items.iter().filter(|e| cmp(e, v).is_eq()).count();
    (less, equal)
}

fn values(items: &[Mp], idxs: &[usize], multi: bool) -> Option<Mp> {
    if !multi {
        return idxs.first().map(|&i| items[i].clone());
    }
    Some(Mp::Array(idxs.iter().map(|&i| items[i].clone()).collect()))
}

/// Each element's rank (ties share the lowest), as packed_list_builder_add_ranks_by_range lists them.
fn ranks_of(items: &[Mp], idxs: &[usize], rev: bool) -> Vec<i64> {
    let n = items.len();
    idxs.iter()
        .map(|&i| {
            let rank = rank_of(items, &items[i]).0;
            (if rev { n - rank - 1 } else { rank }) as i64
        })
        .collect()
}

/// packed_list_get_remove_by_index_range.
pub fn by_index_range(l: &ListView<'_>, rt: i64, index: i64, count: Option<i64>, multi: bool) -> Result<Picked, u8> {
    let n = l.items.len();
    let Some((mut start, mut cnt)) = calc_index_count(index, count, n, multi) else {
        return Err(rc::OP_NOT_APPLICABLE);
    };
    let mut rt = rt;
    if rt & INVERTED != 0 {
        if !multi {
            return Err(rc::OP_NOT_APPLICABLE);
        }
        rt &= !INVERTED;
        match reduce_inverted(start, cnt, n) {
            Some(run) => (start, cnt) = run,
            None => return trim(l, rt, start, cnt),
        }
    }
    if cnt == 0 {
        return Ok(Picked { result: not_found(rt, multi)?, removed: Vec::new() });
    }
    let idxs: Vec<usize> = (start..start + cnt).collect();
    let result = match kind(rt) {
        RT_NONE | RT_INDEX | RT_REVINDEX => index_rank_count(rt, start, cnt, n, multi)?,
        RT_RANK | RT_REVRANK if cnt == n => index_rank_count(rt, 0, cnt, n, multi)?,
        RT_RANK | RT_REVRANK if l.ordered => index_rank_count(rt, start, cnt, n, multi)?,
        RT_RANK | RT_REVRANK => {
            let ranks = ranks_of(l.items, &idxs, is_rev(rt));
            if multi { int_list(ranks) } else { ranks.first().map(|&r| Mp::Int(r)) }
        }
        RT_COUNT => Some(Mp::Int(cnt as i64)),
        RT_EXISTS => Some(Mp::Bool(true)),
        RT_VALUE => values(l.items, &idxs, multi),
        _ => return Err(rc::OP_NOT_APPLICABLE),
    };
    Ok(Picked { result, removed: idxs })
}

/// packed_list_trim: INVERTED over a middle range keeps it and answers for the head and tail.
fn trim(l: &ListView<'_>, rt: i64, start: usize, cnt: usize) -> Result<Picked, u8> {
    let n = l.items.len();
    let removed: Vec<usize> = (0..start).chain(start + cnt..n).collect();
    let result = match kind(rt) {
        RT_NONE => None,
        RT_COUNT => Some(Mp::Int(removed.len() as i64)),
        RT_EXISTS => Some(Mp::Bool(!removed.is_empty())),
        RT_INDEX | RT_REVINDEX => {
            let mut out = Vec::new();
            add_range(&mut out, 0, start, n, is_rev(rt));
            add_range(&mut out, start + cnt, n - start - cnt, n, is_rev(rt));
            int_list(out)
        }
        RT_RANK | RT_REVRANK if l.ordered => {
            let mut out = Vec::new();
            add_range(&mut out, 0, start, n, is_rev(rt));
            add_range(&mut out, start + cnt, removed.len() - start, n, is_rev(rt));
            int_list(out)
        }
        RT_RANK | RT_REVRANK => int_list(ranks_of(l.items, &removed, is_rev(rt))),
        RT_VALUE => values(l.items, &removed, true),
        _ => return Err(rc::OP_NOT_APPLICABLE),
    };
    Ok(Picked { result, removed })
}

/// packed_list_get_remove_by_value_interval.
pub fn by_value_interval(l: &ListView<'_>, rt: i64, start: &Mp, end: End<'_>, multi: bool) -> Result<Picked, u8> {
    let inverted = rt & INVERTED != 0;
    if inverted && !multi {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    let n = l.items.len();
    let rank = l.items.iter().filter(|e| cmp(e, start).is_lt()).count();
    let matched: Vec<usize> = (0..n).filter(|&i| in_interval(&l.items[i], start, end)).collect();
    if l.ordered {
        // Sorted: the interval is a run of ranks, i.e. of indexes.
        if matched.is_empty() && !multi {
            return Ok(Picked { result: not_found(rt, multi)?, removed: Vec::new() });
        }
        return by_index_range(l, rt, rank as i64, Some(matched.len() as i64), multi);
    }
    let mask: Vec<usize> = if inverted { (0..n).filter(|i| !matched.contains(i)).collect() } else { matched.clone() };
    let result = match kind(rt) {
        RT_NONE | RT_COUNT | RT_EXISTS | RT_RANK | RT_REVRANK => index_rank_count(rt, rank, matched.len(), n, multi)?,
        RT_INDEX | RT_REVINDEX => mask_ints(rt, &mask, n, multi),
        RT_VALUE => values(l.items, &mask, multi),
        _ => return Err(rc::OP_NOT_APPLICABLE),
    };
    Ok(Picked { result, removed: mask })
}

/// packed_list_get_remove_by_rank_range.
pub fn by_rank_range(l: &ListView<'_>, rt: i64, rank: i64, count: Option<i64>, multi: bool) -> Result<Picked, u8> {
    let inverted = rt & INVERTED != 0;
    if inverted && !multi {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    if l.ordered {
        return by_index_range(l, rt, rank, count, multi);
    }
    let n = l.items.len();
    let Some((start, cnt)) = calc_index_count(rank, count, n, multi) else {
        return Err(rc::OP_NOT_APPLICABLE);
    };
    let (picked, _) = heap_pick(n, start, cnt, |a, b| cmp(&l.items[a], &l.items[b]));
    let mut mask: Vec<usize> = if inverted { (0..n).filter(|i| !picked.contains(i)).collect() } else { picked.clone() };
    mask.sort_unstable();
    if mask.is_empty() {
        return Ok(Picked { result: not_found(rt, multi)?, removed: Vec::new() });
    }
    let result = match kind(rt) {
        RT_NONE | RT_COUNT | RT_EXISTS | RT_RANK | RT_REVRANK => index_rank_count(rt, start, cnt, n, multi)?,
        RT_INDEX | RT_REVINDEX => mask_ints(rt, &mask, n, multi),
        RT_VALUE if inverted => values(l.items, &mask, multi),
        // list_result_data_set_values_by_ordidx: the heap's order, not reversed.
        RT_VALUE => values(l.items, &picked, multi),
        _ => return Err(rc::OP_NOT_APPLICABLE),
    };
    Ok(Picked { result, removed: mask })
}

/// packed_list_get_remove_all_by_value_list (and its _ordered twin).
pub fn by_value_list(l: &ListView<'_>, rt: i64, items: &[Mp]) -> Result<Picked, u8> {
    let inverted = rt & INVERTED != 0;
    let n = l.items.len();
    if items.is_empty() {
        if !inverted {
            return Ok(Picked { result: not_found(rt, true)?, removed: Vec::new() });
        }
        return by_index_range(l, rt & !INVERTED, 0, Some(n as i64), true);
    }
    let hit = |e: &Mp| items.iter().any(|v| cmp(e, v).is_eq());
    let mask: Vec<usize> = (0..n).filter(|&i| hit(&l.items[i]) != inverted).collect();
    // Per requested value: (elements less than it, elements equal to it).
    let runs = item_runs(items, |v| rank_of(l.items, v).0, |v| rank_of(l.items, v).1);
    let result = match kind(rt) {
        RT_NONE => None,
        RT_COUNT => Some(Mp::Int(mask.len() as i64)),
        RT_EXISTS => Some(Mp::Bool(!mask.is_empty())),
        RT_INDEX | RT_REVINDEX if !l.ordered => mask_ints(rt, &mask, n, true),
        RT_INDEX | RT_REVINDEX | RT_RANK | RT_REVRANK if l.ordered => {
            if inverted {
                mask_ints(rt, &mask, n, true)
            } else {
                let mut out = Vec::new();
                for &(rank, count) in &runs {
                    add_range(&mut out, rank, count, n, is_rev(rt));
                }
                int_list(out)
            }
        }
        RT_RANK | RT_REVRANK => itemlist_runs(rt, items, &runs, n),
        RT_VALUE if l.ordered && !inverted => {
            let mut out = Vec::new();
            for &(rank, count) in &runs {
                out.extend(l.items[rank..rank + count].iter().cloned());
            }
            Some(Mp::Array(out))
        }
        RT_VALUE => values(l.items, &mask, true),
        _ => return Err(rc::OP_NOT_APPLICABLE),
    };
    Ok(Picked { result, removed: mask })
}

// ---------------------------------------------------------------- writes

pub const ADD_UNIQUE: i64 = 1;
pub const INSERT_BOUNDED: i64 = 2;
pub const NO_FAIL: i64 = 4;
pub const PARTIAL: i64 = 8;

/// Nil padding beyond this many elements could never fit in a record (1 MiB max-record-size).
const MAX_PAD: usize = 1024 * 1024;

/// mod_flags_return_exists: a duplicate answers the unchanged size with NO_FAIL, else ELEMENT_EXISTS.
fn exists(flags: i64, n: usize) -> Result<Option<Mp>, u8> {
    if flags & NO_FAIL != 0 { Ok(Some(Mp::Int(n as i64))) } else { Err(rc::ELEMENT_EXISTS) }
}

fn contains(list: &[Mp], v: &Mp) -> bool {
    list.iter().any(|e| cmp(e, v).is_eq())
}

/// append / append_items (`at` None) and insert / insert_items: list_append, list_insert,
/// packed_list_insert and, for an ordered list, packed_list_add_ordered / _add_items_ordered.
/// Answers the new size; a no-op answers the old one.
pub fn insert(list: &mut Vec<Mp>, ordered: bool, at: Option<i64>, items: Vec<Mp>, is_list: bool, flags: i64) -> Result<Option<Mp>, u8> {
    let n = list.len();
    let unique = flags & ADD_UNIQUE != 0;
    let size = |l: &Vec<Mp>| Some(Mp::Int(l.len() as i64));
    if ordered {
        if at.is_some() {
            return Err(rc::OP_NOT_APPLICABLE); // insert into an ORDERED list
        }
        if is_list && items.is_empty() {
            return Ok(size(list));
        }
        let mut items = items;
        if unique {
            let before = items.len();
            items.sort_by(cmp);
            items.dedup_by(|a, b| cmp(a, b).is_eq());
            if items.len() != before {
                if flags & NO_FAIL == 0 {
                    return Err(rc::OP_NOT_APPLICABLE);
                }
                if flags & PARTIAL == 0 {
                    return Ok(size(list));
                }
            }
            let mut keep = Vec::new();
            for v in items {
                if contains(list, &v) {
                    if !is_list || flags & PARTIAL == 0 {
                        return exists(flags, n);
                    }
                } else {
                    keep.push(v);
                }
            }
            items = keep;
        }
        list.extend(items);
        list.sort_by(cmp);
        return Ok(size(list));
    }
    if is_list && items.is_empty() {
        return Ok(size(list));
    }
    let index = at.unwrap_or(n as i64);
    let idx = if index < 0 { index + n as i64 } else { index };
    if idx < 0 || idx > i32::MAX as i64 {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    let idx = idx as usize;
    if flags & INSERT_BOUNDED != 0 && idx > n {
        return if flags & NO_FAIL != 0 { Ok(size(list)) } else { Err(rc::OP_NOT_APPLICABLE) };
    }
    let mut keep = Vec::with_capacity(items.len());
    if unique {
        for (i, v) in items.iter().enumerate() {
            if contains(list, v) {
                if !is_list || flags & PARTIAL == 0 {
                    return exists(flags, n);
                }
            } else if items[..i].iter().any(|w| cmp(w, v).is_eq()) {
                if flags & NO_FAIL == 0 {
                    return Err(rc::OP_NOT_APPLICABLE);
                }
                if flags & PARTIAL == 0 {
                    return Ok(size(list));
                }
            } else {
                keep.push(v.clone());
            }
        }
        if keep.is_empty() {
            return exists(flags, n);
        }
    } else {
        keep = items;
    }
    if idx > n {
        if idx > MAX_PAD {
            return Err(rc::RECORD_TOO_BIG);
        }
        list.resize(idx, Mp::Nil);
    }
    list.splice(idx..idx, keep);
    Ok(size(list))
}

/// list_set: replaces element `index` (past the end: inserts there, padding with nil).
pub fn set(list: &mut Vec<Mp>, ordered: bool, index: i64, v: Mp, flags: i64) -> Result<(), u8> {
    if ordered {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    let n = list.len() as i64;
    if index >= n {
        return insert(list, false, Some(index), vec![v], false, flags).map(|_| ());
    }
    let idx = if index < 0 { index + n } else { index };
    if idx < 0 {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    let idx = idx as usize;
    if flags & ADD_UNIQUE != 0 && list.iter().enumerate().any(|(i, e)| i != idx && cmp(e, &v).is_eq()) {
        return exists(flags, list.len()).map(|_| ());
    }
    list[idx] = v;
    Ok(())
}

/// cdt.c cdt_calc_delta_add: a number plus the delta (an int takes a float delta truncated, a
/// float takes an int delta converted); anything but a number is a PARAMETER error.
pub fn add_delta(current: Option<&Mp>, delta: &Mp) -> Result<Mp, u8> {
    let (di, df, delta_float) = match delta {
        Mp::Nil => (1i64, 1f64, false),
        Mp::Int(i) => (*i, 1f64, false),
        Mp::UInt(u) => (*u as i64, 1f64, false),
        Mp::Float(f) => (1i64, *f, true),
        _ => return Err(rc::PARAMETER),
    };
    Ok(match current {
        None if delta_float => Mp::Float(df),
        None => Mp::Int(di),
        Some(Mp::Int(x)) => Mp::Int(x.wrapping_add(if delta_float { df as i64 } else { di })),
        Some(Mp::UInt(x)) => Mp::Int((*x as i64).wrapping_add(if delta_float { df as i64 } else { di })),
        Some(Mp::Float(x)) => Mp::Float(x + if delta_float { df } else { di as f64 }),
        Some(_) => return Err(rc::PARAMETER),
    })
}

/// list_increment: the element at `index` (past the end: 0, then stored there) plus the delta.
pub fn increment(list: &mut Vec<Mp>, ordered: bool, index: i64, delta: &Mp, flags: i64) -> Result<Option<Mp>, u8> {
    let n = list.len() as i64;
    let idx = if index < 0 { index + n } else { index };
    if idx < 0 || idx > i32::MAX as i64 {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    let idx = idx as usize;
    let value = add_delta(list.get(idx), delta)?;
    if ordered {
        // packed_list_replace_ordered: the new value goes to its sorted place; past the end is
        // OP_NOT_APPLICABLE, and a unique duplicate answers as a duplicate does.
        if idx > list.len() {
            return Err(rc::OP_NOT_APPLICABLE);
        }
        let old = list.get(idx).cloned();
        if flags & ADD_UNIQUE != 0 && contains(list, &value) {
            return if old.is_some_and(|o| cmp(&o, &value).is_eq()) { Ok(Some(value)) } else { exists(flags, list.len()).map(|_| Some(value)) };
        }
        if idx < list.len() {
            list.remove(idx);
        }
        list.push(value.clone());
        list.sort_by(cmp);
    } else {
        set(list, false, idx as i64, value.clone(), flags)?;
    }
    Ok(Some(value))
}
