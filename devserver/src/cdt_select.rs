//! The Aerospike msgpack value order list and map operations rely on, and the result shapes
//! (index / rank runs, counts, not-found answers, result maps) their get/remove-by ops share.

use std::cmp::Ordering;

use crate::msgpack::Mp;
use crate::particle;
use crate::proto::rc;

pub const INVERTED: i64 = 0x10000;

/// Map flags (AS_PACKED_MAP_FLAG_*), carried as the type of a map's leading ext key.
pub const MAP_FLAG_K_ORDERED: i8 = 0x01;
pub const MAP_FLAG_PRESERVE_ORDER: i8 = 0x08;

/// Rank of a value's kind in Aerospike's cross-type order (msgpack_in.h msgpack_type).
fn type_rank(v: &Mp) -> u8 {
    match v {
        Mp::Nil => 1,
        Mp::Bool(false) => 2,
        Mp::Bool(true) => 3,
        Mp::Int(_) | Mp::UInt(_) => 4,
        Mp::Str(b) | Mp::Bin(b) => match b.first() {
            Some(&t) if t == particle::STRING => 6,
            Some(&t) if t == particle::GEOJSON => 11,
            _ => 9,
        },
        Mp::Array(_) => 7,
        Mp::Map(_) => 8,
        Mp::Float(_) => 10,
        Mp::Ext(..) => 12,
    }
}

/// Total order over values (msgpack_cmp): kind first, then value (ints numerically, strings
/// bytewise, lists element by element then by length, maps by size then entry by entry).
pub fn cmp(a: &Mp, b: &Mp) -> Ordering {
    let k = type_rank(a).cmp(&type_rank(b));
    if k != Ordering::Equal {
        return k;
    }
    match (a, b) {
        (Mp::Int(x), Mp::Int(y)) => x.cmp(y),
        (Mp::UInt(x), Mp::UInt(y)) => x.cmp(y),
        (Mp::Int(_), Mp::UInt(_)) => Ordering::Less,
        (Mp::UInt(_), Mp::Int(_)) => Ordering::Greater,
        (Mp::Float(x), Mp::Float(y)) => x.total_cmp(y),
        (Mp::Str(x) | Mp::Bin(x), Mp::Str(y) | Mp::Bin(y)) => x.cmp(y),
        (Mp::Array(x), Mp::Array(y)) => x.iter().zip(y).map(|(p, q)| cmp(p, q)).find(|o| o.is_ne()).unwrap_or(x.len().cmp(&y.len())),
        // msgpack_cmp_internal: maps by size first, then entry by entry.
        (Mp::Map(x), Mp::Map(y)) => x.len().cmp(&y.len()).then_with(|| {
            x.iter()
                .zip(y)
                .map(|((k1, v1), (k2, v2))| cmp(k1, k2).then_with(|| cmp(v1, v2)))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }),
        (Mp::Ext(t1, x), Mp::Ext(t2, y)) => (t1, x).cmp(&(t2, y)),
        _ => Ordering::Equal,
    }
}

// ---------------------------------------------------------------- results shared by list and map ops

pub const RT_NONE: i64 = 0;
pub const RT_INDEX: i64 = 1;
pub const RT_REVINDEX: i64 = 2;
pub const RT_RANK: i64 = 3;
pub const RT_REVRANK: i64 = 4;
pub const RT_COUNT: i64 = 5;
pub const RT_KEY: i64 = 6;
pub const RT_VALUE: i64 = 7;
pub const RT_KEY_VALUE: i64 = 8;
pub const RT_EXISTS: i64 = 13;
pub const RT_UNORDERED_MAP: i64 = 16;
pub const RT_ORDERED_MAP: i64 = 17;

/// A selection's answer and the element positions it removes when the op removes.
pub struct Picked {
    pub result: Option<Mp>,
    pub removed: Vec<usize>,
}

/// cdt.c calc_index_count: a start/count pair over `n` elements; a single-result selection out of
/// bounds is None (OP_NOT_APPLICABLE).
pub fn calc_index_count(index: i64, count: Option<i64>, n: usize, multi: bool) -> Option<(usize, usize)> {
    let n = n as i64;
    let count = count.map_or(u32::MAX as i64, |c| c.clamp(0, u32::MAX as i64));
    if !multi {
        let i = if index < 0 { index + n } else { index };
        return (0..n).contains(&i).then(|| (i as usize, count.min(n - i) as usize));
    }
    if index >= n {
        return Some((n as usize, 0));
    }
    let i = if index < 0 { index + n } else { index };
    if i < 0 {
        let c = if -i < count { (count + i).min(n) } else { 0 };
        return Some((0, c as usize));
    }
    Some((i as usize, count.min(n - i) as usize))
}

/// A relative selector's window (cdt.c calc_rel_index_count): the anchor's position `base` plus
/// `offset`, `count` items (all when None); a start below 0 shortens the count. Returns an index
/// and count for the range selectors, never negative (so they do not count from the end).
pub fn relative_window(base: usize, offset: i64, count: Option<i64>, n: usize) -> (i64, Option<i64>) {
    let n = n as i64;
    let start = base as i64 + offset;
    let s = start.max(0);
    match count {
        Some(c) => {
            let end = start.saturating_add(c.max(0));
            (s.min(n), Some((end.min(n) - s).max(0)))
        }
        None => (s.min(n), None),
    }
}

pub fn kind(rt: i64) -> i64 {
    rt & !INVERTED
}

pub fn int_list(v: Vec<i64>) -> Option<Mp> {
    Some(Mp::Array(v.into_iter().map(Mp::Int).collect()))
}

/// cdt_container_builder_add_int_range: start..start+count, or for a reverse type the mirrored
/// positions, each range ascending.
pub fn add_range(out: &mut Vec<i64>, start: usize, count: usize, n: usize, rev: bool) {
    let start = if rev { n - start - count } else { start };
    out.extend((start..start + count).map(|i| i as i64));
}

pub fn is_rev(rt: i64) -> bool {
    matches!(kind(rt), RT_REVINDEX | RT_REVRANK)
}

/// INVERTED over the run [start, start + count) of `n` elements, as the index and rank range ops
/// reduce it: to a plain run when it leaves everything, a head or a tail (Some), or None when the run
/// is in the middle (both sides remain, the op keeps its INVERTED flag).
pub fn reduce_inverted(start: usize, count: usize, n: usize) -> Option<(usize, usize)> {
    if count == 0 {
        Some((0, n))
    } else if start == 0 {
        Some((count, n - count))
    } else if start + count >= n {
        Some((0, start))
    } else {
        None
    }
}

/// cdt.c result_data_set_index_rank_count: a contiguous run of indexes or ranks (two runs, head and
/// tail, when inverted), a count or an existence flag.
pub fn index_rank_count(rt: i64, start: usize, count: usize, n: usize, multi: bool) -> Result<Option<Mp>, u8> {
    let inverted = rt & INVERTED != 0;
    Ok(match kind(rt) {
        RT_NONE => None,
        RT_COUNT => Some(Mp::Int(if inverted { n - count } else { count } as i64)),
        RT_EXISTS => Some(Mp::Bool(if inverted { count == 0 } else { count != 0 })),
        RT_INDEX | RT_REVINDEX | RT_RANK | RT_REVRANK => {
            if !multi {
                if count == 0 {
                    return Ok(Some(Mp::Int(-1)));
                }
                return Ok(Some(Mp::Int(if is_rev(rt) { n - start - 1 } else { start } as i64)));
            }
            let mut out = Vec::new();
            if inverted {
                add_range(&mut out, 0, start, n, is_rev(rt));
                add_range(&mut out, start + count, n - start - count, n, is_rev(rt));
            } else {
                add_range(&mut out, start, count, n, is_rev(rt));
            }
            int_list(out)
        }
        _ => return Err(rc::OP_NOT_APPLICABLE),
    })
}

/// cdt.c result_data_set_not_found.
pub fn not_found(rt: i64, multi: bool) -> Result<Option<Mp>, u8> {
    Ok(match kind(rt) {
        RT_NONE => None,
        RT_INDEX | RT_REVINDEX | RT_RANK | RT_REVRANK => Some(if multi { Mp::Array(Vec::new()) } else { Mp::Int(-1) }),
        RT_COUNT => Some(Mp::Int(0)),
        RT_EXISTS => Some(Mp::Bool(false)),
        RT_KEY | RT_VALUE => multi.then(|| Mp::Array(Vec::new())),
        RT_KEY_VALUE | RT_UNORDERED_MAP | RT_ORDERED_MAP => Some(map_result(rt, Vec::new())),
        _ => return Err(rc::OP_NOT_APPLICABLE),
    })
}

/// The end of a value interval: the start value alone (by-value ops), a value it stops before,
/// or none (to the largest value).
#[derive(Clone, Copy)]
pub enum End<'a> {
    Same,
    Before(&'a Mp),
    Open,
}

pub fn in_interval(v: &Mp, start: &Mp, end: End<'_>) -> bool {
    match end {
        End::Same => cmp(v, start).is_eq(),
        End::Before(e) => cmp(v, start).is_ge() && cmp(v, e).is_lt(),
        End::Open => cmp(v, start).is_ge(),
    }
}

/// Indexes (ascending) of a mask, as result_data_set_int_list_by_mask lists them.
pub fn mask_ints(rt: i64, mask: &[usize], n: usize, multi: bool) -> Option<Mp> {
    let rev = is_rev(rt);
    let map = |i: usize| if rev { (n - i - 1) as i64 } else { i as i64 };
    if !multi {
        return mask.first().map(|&i| Mp::Int(map(i)));
    }
    int_list(mask.iter().map(|&i| map(i)).collect())
}

/// (first position, run length) of each requested item in a container whose sorted positions
/// `less` / `equal` describe (cdt.c offset_index_find_items): a value requested twice counts once,
/// for its last request.
pub fn item_runs(items: &[Mp], mut less: impl FnMut(&Mp) -> usize, mut equal: impl FnMut(&Mp) -> usize) -> Vec<(usize, usize)> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let repeated = items[i + 1..].iter().any(|w| cmp(w, v).is_eq());
            (less(v), if repeated { 0 } else { equal(v) })
        })
        .collect()
}

/// cdt.c result_data_set_by_itemlist_irc over (first position, run length) per requested item:
/// the request's order, or the runs between the items (in sorted order) when inverted.
pub fn itemlist_runs(rt: i64, items: &[Mp], runs: &[(usize, usize)], n: usize) -> Option<Mp> {
    let mut out = Vec::new();
    if rt & INVERTED == 0 {
        for &(at, count) in runs {
            for j in 0..count {
                add_range(&mut out, at + j, 1, n, is_rev(rt));
            }
        }
    } else {
        let mut sorted: Vec<usize> = (0..items.len()).collect();
        sorted.sort_by(|&a, &b| cmp(&items[a], &items[b]));
        let mut prev = 0;
        for i in sorted {
            let (at, count) = runs[i];
            if count == 0 || at < prev {
                continue;
            }
            add_range(&mut out, prev, at - prev, n, is_rev(rt));
            prev = at + count;
        }
        add_range(&mut out, prev, n - prev, n, is_rev(rt));
    }
    int_list(out)
}

/// cdt.c order_heap_init_build_by_range: the positions of ranks [start, start + count) among `n`
/// elements, picked with the server's binary heap (a min-heap when the range is nearer the front,
/// else a max-heap), in the order the heap leaves them: descending rank for a min-heap, ascending
/// for a max-heap. Which of several equal elements is picked is the heap's choice, as on the server.
/// Returns (positions, whether the heap was a min-heap: callers that reverse_end then get ascending).
pub fn heap_pick(n: usize, start: usize, count: usize, order: impl Fn(usize, usize) -> Ordering) -> (Vec<usize>, bool) {
    let tail = n - start - count;
    let (want, discard) = if start <= tail { (Ordering::Less, start) } else { (Ordering::Greater, tail) };
    let mut heap: Vec<usize> = (0..n).collect();
    let mut filled = n;
    let heapify = |heap: &mut Vec<usize>, filled: usize, mut i: usize| loop {
        let (c1, c2) = (2 * i + 1, 2 * i + 2);
        if c1 >= filled {
            break;
        }
        let child = if c2 >= filled {
            c1
        } else {
            let c = order(heap[c1], heap[c2]);
            if c == want || c == Ordering::Equal { c1 } else { c2 }
        };
        if order(heap[child], heap[i]) == want {
            heap.swap(i, child);
            i = child;
        } else {
            break;
        }
    };
    for i in (0..n / 2).rev() {
        heapify(&mut heap, filled, i);
    }
    // order_heap_order_at_end: each top goes to the end, the last element to the top.
    let mut end = n;
    for _ in 0..count + discard {
        let top = heap[0];
        filled -= 1;
        heap[0] = heap[filled];
        heapify(&mut heap, filled, 0);
        end -= 1;
        heap[end] = top;
    }
    (heap[filled..filled + count].to_vec(), want == Ordering::Less)
}

/// A result map (result_map_type_to_map_flags): KEY_VALUE keeps the given order under an
/// order-preserving flag, UNORDERED_MAP keeps it with no flag, ORDERED_MAP is sorted by key.
pub fn map_result(rt: i64, mut pairs: Vec<(Mp, Mp)>) -> Mp {
    match kind(rt) {
        RT_KEY_VALUE => pairs.insert(0, (Mp::Ext(MAP_FLAG_PRESERVE_ORDER, Vec::new()), Mp::Nil)),
        RT_ORDERED_MAP => {
            pairs.sort_by(|a, b| cmp(&a.0, &b.0));
            pairs.insert(0, (Mp::Ext(MAP_FLAG_K_ORDERED, Vec::new()), Mp::Nil));
        }
        _ => {}
    }
    Mp::Map(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_by_kind_then_value() {
        let s = |t: &str| Mp::Str([&[3u8][..], t.as_bytes()].concat());
        assert!(cmp(&Mp::Nil, &Mp::Bool(false)).is_lt());
        assert!(cmp(&Mp::Int(5), &s("a")).is_lt());
        assert!(cmp(&s("a"), &s("b")).is_lt());
        assert!(cmp(&Mp::Int(-3), &Mp::Int(2)).is_lt());
        assert!(cmp(&Mp::Float(0.5), &Mp::Int(9)).is_gt());
    }

    #[test]
    fn index_counts_follow_calc_index_count() {
        assert_eq!(calc_index_count(-5, Some(3), 3, true), Some((0, 1)));
        assert_eq!(calc_index_count(5, Some(3), 3, true), Some((3, 0)));
        assert_eq!(calc_index_count(-1, None, 3, true), Some((2, 1)));
        assert_eq!(calc_index_count(3, Some(1), 3, false), None);
    }

    #[test]
    fn inverted_rank_results_are_head_and_tail_runs() {
        let r = index_rank_count(RT_REVRANK | INVERTED, 2, 2, 6, true).unwrap();
        let ints = |v: &[i64]| Some(Mp::Array(v.iter().map(|&i| Mp::Int(i)).collect()));
        assert_eq!(r, ints(&[4, 5, 0, 1]));
        assert_eq!(index_rank_count(RT_RANK, 1, 3, 6, true).unwrap(), ints(&[1, 2, 3]));
    }
}
