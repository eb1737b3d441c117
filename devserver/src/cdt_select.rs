//! Element selection for list/map "by index / rank / value / key" operations, the Aerospike
//! msgpack value order they rely on, and the results each return type asks for.

use std::cmp::Ordering;

use crate::msgpack::Mp;
use crate::particle;
use crate::proto::rc;

pub const INVERTED: i64 = 0x10000;

/// Rank of a value's kind in Aerospike's cross-type order (msgpack_in.h msgpack_type).
fn kind(v: &Mp) -> u8 {
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

/// Total order over values: kind first, then value (ints numerically, strings bytewise,
/// lists and maps element by element, then by length).
pub fn cmp(a: &Mp, b: &Mp) -> Ordering {
    let k = kind(a).cmp(&kind(b));
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
        (Mp::Map(x), Mp::Map(y)) => x
            .iter()
            .zip(y)
            .map(|((k1, v1), (k2, v2))| cmp(k1, k2).then_with(|| cmp(v1, v2)))
            .find(|o| o.is_ne())
            .unwrap_or(x.len().cmp(&y.len())),
        (Mp::Ext(t1, x), Mp::Ext(t2, y)) => (t1, x).cmp(&(t2, y)),
        _ => Ordering::Equal,
    }
}

/// A container seen as entries: lists have no keys.
pub struct View<'a> {
    pub keys: Option<Vec<&'a Mp>>,
    pub values: Vec<&'a Mp>,
}

impl View<'_> {
    fn len(&self) -> usize {
        self.values.len()
    }

    /// Storage positions in index order (lists: as stored; maps: by key).
    fn index_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        if let Some(keys) = &self.keys {
            order.sort_by(|&a, &b| cmp(keys[a], keys[b]));
        }
        order
    }

    /// Storage positions in rank order (by value, ties in index order).
    fn rank_order(&self) -> Vec<usize> {
        let mut order = self.index_order();
        order.sort_by(|&a, &b| cmp(self.values[a], self.values[b]));
        order
    }
}

pub enum Sel<'a> {
    Index(i64, Option<i64>),
    Rank(i64, Option<i64>),
    Values(Vec<&'a Mp>),
    ValueInterval(&'a Mp, Option<&'a Mp>),
    Keys(Vec<&'a Mp>),
    KeyInterval(&'a Mp, Option<&'a Mp>),
}

/// A start/count range over `len` elements: negative start counts from the end, no count = to the end.
fn range(start: i64, count: Option<i64>, len: usize) -> std::ops::Range<usize> {
    let s = if start < 0 { (len as i64 + start).max(0) } else { start.min(len as i64) } as usize;
    let n = count.map_or(len, |c| c.max(0) as usize);
    s..(s + n).min(len)
}

fn in_interval(v: &Mp, begin: &Mp, end: Option<&Mp>) -> bool {
    cmp(v, begin).is_ge() && end.is_none_or(|e| matches!(e, Mp::Nil) || cmp(v, e).is_lt())
}

/// Selected storage positions, in the order results are reported.
pub fn select(view: &View<'_>, sel: &Sel<'_>) -> Vec<usize> {
    let by_index = view.index_order();
    match sel {
        Sel::Index(start, count) => by_index[range(*start, *count, view.len())].to_vec(),
        Sel::Rank(start, count) => view.rank_order()[range(*start, *count, view.len())].to_vec(),
        Sel::Values(vs) => by_index.into_iter().filter(|&i| vs.iter().any(|v| cmp(view.values[i], v).is_eq())).collect(),
        Sel::ValueInterval(b, e) => by_index.into_iter().filter(|&i| in_interval(view.values[i], b, *e)).collect(),
        Sel::Keys(ks) => match &view.keys {
            Some(keys) => by_index.into_iter().filter(|&i| ks.iter().any(|k| cmp(keys[i], k).is_eq())).collect(),
            None => Vec::new(),
        },
        Sel::KeyInterval(b, e) => match &view.keys {
            Some(keys) => by_index.into_iter().filter(|&i| in_interval(keys[i], b, *e)).collect(),
            None => Vec::new(),
        },
    }
}

/// The answer for return type `rt` over `hits` (after applying INVERTED); `single` answers a
/// scalar rather than a list (by-index, by-rank and by-key ops).
pub fn result(view: &View<'_>, rt: i64, mut hits: Vec<usize>, single: bool) -> Result<(Option<Mp>, Vec<usize>), u8> {
    if rt & INVERTED != 0 {
        hits = view.index_order().into_iter().filter(|i| !hits.contains(i)).collect();
    }
    let len = view.len();
    let index_of = |i: usize| view.index_order().iter().position(|&p| p == i).unwrap_or(0);
    let rank_of = |i: usize| view.rank_order().iter().position(|&p| p == i).unwrap_or(0);
    let pick = |f: &dyn Fn(usize) -> Mp| -> Option<Mp> {
        if single { hits.first().map(|&i| f(i)) } else { Some(Mp::Array(hits.iter().map(|&i| f(i)).collect())) }
    };
    let key = |i: usize| view.keys.as_ref().map_or(Mp::Nil, |k| k[i].clone());
    let out = match rt & !INVERTED {
        0 => None,
        1 => pick(&|i| Mp::Int(index_of(i) as i64)),
        2 => pick(&|i| Mp::Int((len - 1 - index_of(i)) as i64)),
        3 => pick(&|i| Mp::Int(rank_of(i) as i64)),
        4 => pick(&|i| Mp::Int((len - 1 - rank_of(i)) as i64)),
        5 => Some(Mp::Int(hits.len() as i64)),
        6 => pick(&key),
        7 => pick(&|i| view.values[i].clone()),
        // 16/17 (unordered/ordered map) differ from 8 only in the map flags a real server sets.
        8 | 16 | 17 => Some(Mp::Map(hits.iter().map(|&i| (key(i), view.values[i].clone())).collect())),
        13 => Some(Mp::Bool(!hits.is_empty())),
        _ => return Err(rc::UNSUPPORTED_FEATURE),
    };
    Ok((out, hits))
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
    fn rank_range_and_inverted() {
        let vals = [Mp::Int(30), Mp::Int(10), Mp::Int(20)];
        let view = View { keys: None, values: vals.iter().collect() };
        let hits = select(&view, &Sel::Rank(0, Some(2)));
        assert_eq!(hits, vec![1, 2]);
        let (r, _) = result(&view, 7, hits.clone(), false).unwrap();
        assert_eq!(r, Some(Mp::Array(vec![Mp::Int(10), Mp::Int(20)])));
        let (r, _) = result(&view, 7 | INVERTED, hits, false).unwrap();
        assert_eq!(r, Some(Mp::Array(vec![Mp::Int(30)])));
    }
}
