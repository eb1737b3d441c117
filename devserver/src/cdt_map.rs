//! Map "get / remove by" selections and their answers, as particle_map.c computes them
//! (packed_map_get_remove_by_index_range, _by_key_interval, _by_value_interval, _by_rank_range,
//! _all_by_key_list, _all_by_value_list). Entries are held in key order (8.1 stores every map
//! sorted by key), so index order is storage order; K-ordered maps differ from unordered ones only
//! in a few result orders, noted where they do.

use crate::cdt_select::{
    End, INVERTED, Picked, RT_COUNT, RT_EXISTS, RT_INDEX, RT_KEY, RT_KEY_VALUE, RT_NONE, RT_ORDERED_MAP, RT_RANK,
    RT_REVINDEX, RT_REVRANK, RT_UNORDERED_MAP, RT_VALUE, add_range, calc_index_count, cmp, heap_pick, in_interval,
    reduce_inverted,
    index_rank_count, int_list, is_rev, item_runs, itemlist_runs, kind, map_result, mask_ints, not_found,
};
use crate::msgpack::Mp;
use crate::proto::rc;

/// A map's entries in key order (the header entry of a flagged map left out).
pub struct MapView<'a> {
    pub keys: Vec<&'a Mp>,
    pub values: Vec<&'a Mp>,
    pub k_ordered: bool,
}

impl MapView<'_> {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Positions in value order.
    fn rank_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| self.value_order(a, b));
        order
    }

    /// packed_map_get_rank_by_idx: entries before this one in value order (packed_map_compare_values
    /// breaks a tie by key, so every entry has its own rank).
    fn rank_single(&self, i: usize, rt: i64) -> i64 {
        let r = (0..self.len()).filter(|&j| self.value_order(j, i).is_lt()).count();
        (if is_rev(rt) { self.len() - r - 1 } else { r }) as i64
    }

    /// packed_map_compare_values: by value, then by key (here: position, as entries are in key order).
    fn value_order(&self, a: usize, b: usize) -> std::cmp::Ordering {
        cmp(self.values[a], self.values[b]).then(a.cmp(&b))
    }

    /// Each entry's place in value order (packed_map_find_rank_indexed), for multi results.
    fn ranks(&self, idxs: &[usize], rev: bool) -> Vec<i64> {
        let order = self.rank_order();
        let n = self.len();
        idxs.iter()
            .map(|i| {
                let r = order.iter().position(|j| j == i).unwrap_or(0);
                (if rev { n - r - 1 } else { r }) as i64
            })
            .collect()
    }

    /// Key, value or map results for these entries, in this order (single: the one entry).
    fn elements(&self, rt: i64, idxs: &[usize], multi: bool) -> Result<Option<Mp>, u8> {
        Ok(match kind(rt) {
            RT_KEY | RT_VALUE => {
                let pick = |i: usize| if kind(rt) == RT_KEY { self.keys[i].clone() } else { self.values[i].clone() };
                if multi {
                    Some(Mp::Array(idxs.iter().map(|&i| pick(i)).collect()))
                } else {
                    idxs.first().map(|&i| pick(i))
                }
            }
            RT_KEY_VALUE | RT_UNORDERED_MAP | RT_ORDERED_MAP => {
                Some(map_result(rt, idxs.iter().map(|&i| (self.keys[i].clone(), self.values[i].clone())).collect()))
            }
            _ => return Err(rc::OP_NOT_APPLICABLE),
        })
    }

    fn complement(&self, idxs: &[usize]) -> Vec<usize> {
        (0..self.len()).filter(|i| !idxs.contains(i)).collect()
    }
}

fn is_elements(rt: i64) -> bool {
    matches!(kind(rt), RT_KEY | RT_VALUE | RT_KEY_VALUE | RT_UNORDERED_MAP | RT_ORDERED_MAP)
}

fn is_rank(rt: i64) -> bool {
    matches!(kind(rt), RT_RANK | RT_REVRANK)
}

fn is_index(rt: i64) -> bool {
    matches!(kind(rt), RT_INDEX | RT_REVINDEX)
}

/// packed_map_get_remove_all: every entry.
fn all(m: &MapView<'_>, rt: i64, multi: bool) -> Result<Picked, u8> {
    let n = m.len();
    let idxs: Vec<usize> = (0..n).collect();
    let result = match kind(rt) {
        RT_NONE => None,
        RT_INDEX | RT_REVINDEX | RT_RANK | RT_REVRANK if !multi => Some(Mp::Int(0)),
        RT_INDEX | RT_REVINDEX | RT_RANK | RT_REVRANK => {
            let mut out = Vec::new();
            add_range(&mut out, 0, n, n, is_rev(rt));
            int_list(out)
        }
        RT_COUNT => Some(Mp::Int(n as i64)),
        RT_EXISTS => Some(Mp::Bool(n != 0)),
        _ => m.elements(rt, &idxs, multi)?,
    };
    Ok(Picked { result, removed: idxs })
}

fn nothing(rt: i64, multi: bool) -> Result<Picked, u8> {
    Ok(Picked { result: not_found(rt, multi)?, removed: Vec::new() })
}

/// packed_map_get_remove_by_index_range.
pub fn by_index_range(m: &MapView<'_>, rt: i64, index: i64, count: Option<i64>, multi: bool) -> Result<Picked, u8> {
    let n = m.len();
    let Some((mut start, mut cnt)) = calc_index_count(index, count, n, multi) else {
        return Err(rc::OP_NOT_APPLICABLE);
    };
    let mut rt = rt;
    let mut middle = false;
    if rt & INVERTED != 0 {
        if !multi {
            return Err(rc::OP_NOT_APPLICABLE);
        }
        match reduce_inverted(start, cnt, n) {
            Some(run) => (start, cnt, rt) = (run.0, run.1, rt & !INVERTED),
            None => middle = true,
        }
    }
    if cnt == 0 {
        return nothing(rt, multi);
    }
    if cnt == n && !middle {
        return all(m, rt, multi);
    }
    let picked: Vec<usize> = (start..start + cnt).collect();
    let removed = if middle { m.complement(&picked) } else { picked };
    let result = if is_elements(rt) {
        m.elements(rt, &removed, multi)?
    } else if is_rank(rt) && !multi {
        Some(Mp::Int(m.rank_single(removed[0], rt)))
    } else if is_rank(rt) {
        int_list(m.ranks(&removed, is_rev(rt)))
    } else {
        index_rank_count(rt, start, cnt, n, multi)?
    };
    Ok(Picked { result, removed })
}

fn keys_before(m: &MapView<'_>, k: &Mp) -> usize {
    m.keys.iter().filter(|x| cmp(x, k).is_lt()).count()
}

/// packed_map_get_remove_by_key_interval (End::Same: one key, a single result).
pub fn by_key_interval(m: &MapView<'_>, rt: i64, start: &Mp, end: End<'_>, multi: bool) -> Result<Picked, u8> {
    let n = m.len();
    let matched: Vec<usize> = (0..n).filter(|&i| in_interval(m.keys[i], start, end)).collect();
    let index = keys_before(m, start);
    if m.k_ordered {
        if matched.is_empty() && !multi {
            return nothing(rt, multi);
        }
        return by_index_range(m, rt, index as i64, Some(matched.len() as i64), multi);
    }
    let inverted = rt & INVERTED != 0;
    if inverted && !multi {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    if matches!(end, End::Same) {
        let Some(&i) = matched.first() else {
            return nothing(rt, multi);
        };
        // packed_map_build_result_by_key
        let result = match kind(rt) {
            RT_NONE => None,
            RT_INDEX => Some(Mp::Int(i as i64)),
            RT_REVINDEX => Some(Mp::Int((n - i - 1) as i64)),
            RT_RANK | RT_REVRANK => Some(Mp::Int(m.rank_single(i, rt))),
            RT_COUNT => Some(Mp::Int(1)),
            RT_EXISTS => Some(Mp::Bool(true)),
            _ => m.elements(rt, &[i], multi)?,
        };
        return Ok(Picked { result, removed: vec![i] });
    }
    let removed = if inverted { m.complement(&matched) } else { matched.clone() };
    let result = if is_elements(rt) {
        m.elements(rt, &removed, multi)?
    } else if is_rank(rt) {
        int_list(m.ranks(&removed, is_rev(rt)))
    } else {
        index_rank_count(rt, index, matched.len(), n, multi)?
    };
    Ok(Picked { result, removed })
}

/// packed_map_get_remove_by_value_interval (no persisted value index: the unordered path).
pub fn by_value_interval(m: &MapView<'_>, rt: i64, start: &Mp, end: End<'_>, multi: bool) -> Result<Picked, u8> {
    let inverted = rt & INVERTED != 0;
    if inverted && !multi {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    let n = m.len();
    if n == 0 {
        return nothing(rt, multi);
    }
    let matched: Vec<usize> = (0..n).filter(|&i| in_interval(m.values[i], start, end)).collect();
    let rank = m.values.iter().filter(|v| cmp(v, start).is_lt()).count();
    if matched.is_empty() {
        return if inverted { all(m, rt & !INVERTED, multi) } else { nothing(rt, multi) };
    }
    let removed = if inverted { m.complement(&matched) } else { matched.clone() };
    let result = if is_elements(rt) {
        m.elements(rt, &removed, multi)?
    } else if is_index(rt) {
        mask_ints(rt, &removed, n, multi)
    } else {
        index_rank_count(rt, rank, matched.len(), n, multi)?
    };
    Ok(Picked { result, removed })
}

/// packed_map_get_remove_by_rank_range (no persisted value index: the order-heap path).
pub fn by_rank_range(m: &MapView<'_>, rt: i64, rank: i64, count: Option<i64>, multi: bool) -> Result<Picked, u8> {
    let n = m.len();
    let Some((mut start, mut cnt)) = calc_index_count(rank, count, n, multi) else {
        return Err(rc::OP_NOT_APPLICABLE);
    };
    let mut rt = rt;
    if rt & INVERTED != 0 {
        if !multi {
            return Err(rc::OP_NOT_APPLICABLE);
        }
        if let Some(run) = reduce_inverted(start, cnt, n) {
            (start, cnt, rt) = (run.0, run.1, rt & !INVERTED);
        }
    }
    if cnt == 0 {
        return nothing(rt, multi);
    }
    let inverted = rt & INVERTED != 0;
    // The order heap over values, its picks reordered from lowest to highest (order_heap_reverse_end).
    let (mut picked, min_heap) = heap_pick(n, start, cnt, |a, b| m.value_order(a, b));
    if min_heap {
        picked.reverse();
    }
    let mut mask = if inverted { m.complement(&picked) } else { picked.clone() };
    mask.sort_unstable();
    let by_mask = inverted || kind(rt) == RT_ORDERED_MAP;
    let result = if is_elements(rt) {
        m.elements(rt, if by_mask { &mask } else { &picked }, multi)?
    } else if is_index(rt) {
        if inverted {
            mask_ints(rt, &mask, n, multi)
        } else {
            let ints: Vec<i64> = picked.iter().map(|&i| if is_rev(rt) { (n - i - 1) as i64 } else { i as i64 }).collect();
            if multi { int_list(ints) } else { ints.first().map(|&i| Mp::Int(i)) }
        }
    } else {
        index_rank_count(rt, start, cnt, n, multi)?
    };
    Ok(Picked { result, removed: mask })
}

/// An empty key or value list, inverted, selects every entry; Aerospike 8.1.2 then crashes (SIGSEGV:
/// packed_map_get_remove_all reads an offset index it never set up) when the map has entries and the
/// return type asks for them. The dev server answers PARAMETER instead, and keeps serving.
fn empty_list_inverted(m: &MapView<'_>, rt: i64) -> Result<Picked, u8> {
    if m.len() > 0 && matches!(kind(rt), RT_KEY | RT_VALUE | RT_KEY_VALUE | RT_UNORDERED_MAP | RT_ORDERED_MAP) {
        return Err(rc::PARAMETER);
    }
    all(m, rt & !INVERTED, true)
}

/// packed_map_get_remove_all_by_key_list (_ordered and _unordered).
pub fn by_key_list(m: &MapView<'_>, rt: i64, keys: &[Mp]) -> Result<Picked, u8> {
    let inverted = rt & INVERTED != 0;
    if is_rank(rt) {
        return Err(rc::OP_NOT_APPLICABLE);
    }
    if keys.is_empty() {
        return if inverted { empty_list_inverted(m, rt) } else { nothing(rt, true) };
    }
    let n = m.len();
    let hit = |k: &Mp| keys.iter().any(|x| cmp(k, x).is_eq());
    let mask: Vec<usize> = (0..n).filter(|&i| hit(m.keys[i]) != inverted).collect();
    let runs = item_runs(keys, |k| keys_before(m, k), |k| usize::from(m.keys.iter().any(|x| cmp(x, k).is_eq())));
    let result = match kind(rt) {
        RT_NONE => None,
        RT_COUNT => Some(Mp::Int(mask.len() as i64)),
        RT_EXISTS => Some(Mp::Bool(!mask.is_empty())),
        RT_INDEX | RT_REVINDEX if m.k_ordered && inverted => mask_ints(rt, &mask, n, true),
        RT_INDEX | RT_REVINDEX if m.k_ordered => {
            let mut out = Vec::new();
            for &(at, count) in &runs {
                add_range(&mut out, at, count, n, is_rev(rt));
            }
            int_list(out)
        }
        RT_INDEX | RT_REVINDEX => itemlist_runs(rt, keys, &runs, n),
        _ => m.elements(rt, &mask, true)?,
    };
    Ok(Picked { result, removed: mask })
}

/// packed_map_get_remove_all_by_value_list.
pub fn by_value_list(m: &MapView<'_>, rt: i64, values: &[Mp]) -> Result<Picked, u8> {
    let inverted = rt & INVERTED != 0;
    if values.is_empty() {
        return if inverted { empty_list_inverted(m, rt) } else { nothing(rt, true) };
    }
    let n = m.len();
    let hit = |v: &Mp| values.iter().any(|x| cmp(v, x).is_eq());
    let mask: Vec<usize> = (0..n).filter(|&i| hit(m.values[i]) != inverted).collect();
    let runs = item_runs(
        values,
        |v| m.values.iter().filter(|x| cmp(x, v).is_lt()).count(),
        |v| m.values.iter().filter(|x| cmp(x, v).is_eq()).count(),
    );
    let result = match kind(rt) {
        RT_NONE => None,
        RT_COUNT => Some(Mp::Int(mask.len() as i64)),
        RT_EXISTS => Some(Mp::Bool(!mask.is_empty())),
        RT_INDEX | RT_REVINDEX => mask_ints(rt, &mask, n, true),
        RT_RANK | RT_REVRANK => itemlist_runs(rt, values, &runs, n),
        _ => m.elements(rt, &mask, true)?,
    };
    Ok(Picked { result, removed: mask })
}
