//! A basic subset of list and map operations (CDT_READ / CDT_MODIFY ops, as/src/base/cdt.c).
//! Payload: msgpack `[op_code, args...]`. Lists and maps stay msgpack as the client sent them.
//! Supported list ops: append(_items), insert(_items), pop, remove, set, clear, increment, size,
//! get, get_range, get/remove by index, get/remove all by value. Map ops: put(_items), increment,
//! decrement, clear, size, get/remove by key. Anything else (contexts, ordered-map semantics,
//! rank/interval selectors) answers UNSUPPORTED_FEATURE.

use crate::msgpack::{self, Mp};
use crate::particle;
use crate::proto::rc;
use crate::store::Bin;

// Return types (shared by list and map ops where they overlap).
const RT_NONE: i64 = 0;
const RT_INDEX: i64 = 1;
const RT_REVERSE_INDEX: i64 = 2;
const RT_COUNT: i64 = 5;
const RT_KEY: i64 = 6;
const RT_VALUE: i64 = 7;
const RT_KEY_VALUE: i64 = 8;
const RT_EXISTS: i64 = 13;

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
    let Some((Mp::Int(code), args)) = items.split_first() else {
        // [0xff, ctx, op] (a context) or garbage.
        return Err(if matches!(items.first(), Some(Mp::Int(0xff))) { rc::UNSUPPORTED_FEATURE } else { rc::PARAMETER });
    };
    let is_map = (64..128).contains(code);
    let want = if is_map { particle::MAP } else { particle::LIST };
    let current = match bin {
        None => None,
        Some(b) if b.ptype != want => return Err(rc::INCOMPATIBLE_TYPE),
        Some(b) => Some(msgpack::decode(&b.data).map_err(|_| rc::UNKNOWN)?),
    };
    let read_only = matches!(code, 16..=31 | 96..=111);
    if !read_only && !modify {
        return Err(rc::PARAMETER); // a modify op sent as CDT_READ
    }
    let existed = current.is_some();
    if is_map {
        let mut pairs = match current {
            Some(Mp::Map(p)) => p,
            None => Vec::new(),
            Some(_) => return Err(rc::INCOMPATIBLE_TYPE),
        };
        // An ordered map's leading ext entry stays put; lookups skip it.
        let (result, changed) = map_op(*code, args, &mut pairs, existed)?;
        Ok(CdtOut {
            new_bin: changed.then(|| Bin { name: name.to_string(), ptype: particle::MAP, data: msgpack::to_bytes(&Mp::Map(pairs)) }),
            result: result.map(|r| to_particle(&r)),
        })
    } else {
        let mut list = match current {
            Some(Mp::Array(l)) => l,
            None => Vec::new(),
            Some(_) => return Err(rc::INCOMPATIBLE_TYPE),
        };
        let (result, changed) = list_op(*code, args, &mut list, existed)?;
        Ok(CdtOut {
            new_bin: changed.then(|| Bin { name: name.to_string(), ptype: particle::LIST, data: msgpack::to_bytes(&Mp::Array(list)) }),
            result: result.map(|r| to_particle(&r)),
        })
    }
}

/// Builds the result of a by-index/by-value selection for `rt`.
fn select_result(rt: i64, len: usize, hits: &[(usize, Mp)], single: bool) -> Result<Option<Mp>, u8> {
    let rt_base = rt & !0x10000;
    Ok(match rt_base {
        RT_NONE => None,
        RT_COUNT => Some(Mp::Int(hits.len() as i64)),
        RT_EXISTS => Some(Mp::Bool(!hits.is_empty())),
        RT_INDEX | RT_REVERSE_INDEX => {
            let idx = |i: usize| Mp::Int(if rt_base == RT_INDEX { i as i64 } else { (len - 1 - i) as i64 });
            if single { hits.first().map(|(i, _)| idx(*i)) } else { Some(Mp::Array(hits.iter().map(|(i, _)| idx(*i)).collect())) }
        }
        RT_VALUE => {
            if single { hits.first().map(|(_, v)| v.clone()) } else { Some(Mp::Array(hits.iter().map(|(_, v)| v.clone()).collect())) }
        }
        _ => return Err(rc::UNSUPPORTED_FEATURE),
    })
}

fn list_op(code: i64, args: &[Mp], list: &mut Vec<Mp>, existed: bool) -> Result<(Option<Mp>, bool), u8> {
    let size = |l: &Vec<Mp>| Some(Mp::Int(l.len() as i64));
    let arg = |i: usize| args.get(i).ok_or(rc::PARAMETER);
    Ok(match code {
        1 => {
            list.push(arg(0)?.clone());
            (size(list), true)
        }
        2 => match arg(0)? {
            Mp::Array(items) => {
                list.extend(items.iter().cloned());
                (size(list), true)
            }
            _ => return Err(rc::PARAMETER),
        },
        3 | 4 => {
            let i = int(args.first())?;
            let at = if i < 0 { index(i, list.len()).ok_or(rc::PARAMETER)? } else { i as usize };
            if at > list.len() {
                // Inserting past the end pads with nil; a pad beyond the record size limit cannot fit.
                if at > MAX_PAD {
                    return Err(rc::RECORD_TOO_BIG);
                }
                list.resize(at, Mp::Nil);
            }
            match (code, arg(1)?) {
                (3, v) => list.insert(at, v.clone()),
                (_, Mp::Array(items)) => {
                    for (k, v) in items.iter().enumerate() {
                        list.insert(at + k, v.clone());
                    }
                }
                _ => return Err(rc::PARAMETER),
            }
            (size(list), true)
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
        19 | 32 => {
            let rt = int(args.first())?;
            let hits: Vec<(usize, Mp)> = index(int(args.get(1))?, list.len()).map(|i| (i, list[i].clone())).into_iter().collect();
            if hits.is_empty() && existed {
                return Err(rc::OP_NOT_APPLICABLE);
            }
            let res = select_result(rt, list.len(), &hits, true)?;
            if code == 32 {
                for (i, _) in hits.iter().rev() {
                    list.remove(*i);
                }
            }
            (res, code == 32 && !hits.is_empty())
        }
        22 | 35 => {
            let rt = int(args.first())?;
            let value = arg(1)?;
            let hits: Vec<(usize, Mp)> = list.iter().enumerate().filter(|(_, v)| *v == value).map(|(i, v)| (i, v.clone())).collect();
            let res = select_result(rt, list.len(), &hits, false)?;
            if code == 35 {
                list.retain(|v| v != value);
            }
            (res, code == 35 && !hits.is_empty())
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
        67 => {
            let (k, v) = (arg(0)?.clone(), arg(1)?.clone());
            match find(pairs, &k) {
                Some(i) => pairs[i].1 = v,
                None => pairs.push((k, v)),
            }
            (Some(count(pairs)), true)
        }
        68 => match arg(0)? {
            Mp::Map(items) => {
                for (k, v) in items.iter().filter(|(k, _)| !is_header(k)) {
                    match find(pairs, k) {
                        Some(i) => pairs[i].1 = v.clone(),
                        None => pairs.push((k.clone(), v.clone())),
                    }
                }
                (Some(count(pairs)), true)
            }
            _ => return Err(rc::PARAMETER),
        },
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
        76 | 97 => {
            let rt = int(args.first())? & !0x10000;
            let key = arg(1)?;
            let hit = find(pairs, key);
            let res = match rt {
                RT_NONE => None,
                RT_COUNT => Some(Mp::Int(hit.is_some() as i64)),
                RT_EXISTS => Some(Mp::Bool(hit.is_some())),
                RT_KEY => Some(hit.map_or(Mp::Nil, |i| pairs[i].0.clone())),
                RT_VALUE => Some(hit.map_or(Mp::Nil, |i| pairs[i].1.clone())),
                RT_KEY_VALUE => Some(Mp::Map(hit.map(|i| pairs[i].clone()).into_iter().collect())),
                _ => return Err(rc::UNSUPPORTED_FEATURE),
            };
            if code == 76 {
                if let Some(i) = hit {
                    pairs.remove(i);
                }
            }
            (res, code == 76 && hit.is_some())
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
