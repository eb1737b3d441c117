//! Filter expressions (message field 43): parse the msgpack expression tree and evaluate it against
//! a record with the server's trilean logic (as/src/base/exp.c). A filter passes only when it
//! evaluates to true; false or unknown (a missing bin, a type mismatch) filters the record out.
//! Supported: comparisons, in-list, and/or/not/exclusive, arithmetic and integer bit ops, min/max,
//! conversions, cond, let/var, bins, bin type, record key, metadata, and list/map calls (run by
//! cdt.rs), regex comparisons (regex.rs) and geo comparisons (geo.rs). Bit/HLL calls answer
//! UNSUPPORTED_FEATURE. Like exp.c's build step, numeric operators check the types their
//! arguments are known to have (bins, literals, other operators): a mismatch is PARAMETER.

use crate::clock;
use crate::msgpack::{self, Mp};
use crate::particle;
use crate::proto::rc;
use crate::store::{Digest, Record};

// Op codes (exp.c).
const CMP_EQ: i64 = 1;
const CMP_NE: i64 = 2;
const CMP_GT: i64 = 3;
const CMP_GE: i64 = 4;
const CMP_LT: i64 = 5;
const CMP_LE: i64 = 6;
const CMP_REGEX: i64 = 7;
const CMP_GEO: i64 = 8;
const IN_LIST: i64 = 9;
const AND: i64 = 16;
const OR: i64 = 17;
const NOT: i64 = 18;
const EXCLUSIVE: i64 = 19;
const ADD: i64 = 20;
const MOD: i64 = 26;
const ABS: i64 = 27;
const FLOOR: i64 = 28;
const CEIL: i64 = 29;
const TO_INT: i64 = 30;
const TO_FLOAT: i64 = 31;
const INT_AND: i64 = 32;
const INT_NOT: i64 = 35;
const INT_ARSHIFT: i64 = 38;
const INT_COUNT: i64 = 39;
const INT_LSCAN: i64 = 40;
const INT_RSCAN: i64 = 41;
const MIN: i64 = 50;
const MAX: i64 = 51;
const META_DIGEST_MOD: i64 = 64;
const META_RECORD_SIZE: i64 = 74;
const REC_KEY: i64 = 80;
const BIN: i64 = 81;
const BIN_TYPE: i64 = 82;
const COND: i64 = 123;
const VAR: i64 = 124;
const LET: i64 = 125;
const QUOTE: i64 = 126;
const CALL: i64 = 127;
const CALL_CDT: i64 = 0;
const CALL_MODIFY_LOCAL: i64 = 0x40;

// Result types of bin/key reads.
const T_NIL: i64 = 0;
const T_BOOL: i64 = 1;
const T_INT: i64 = 2;
const T_STR: i64 = 3;
const T_LIST: i64 = 4;
const T_MAP: i64 = 5;
const T_BLOB: i64 = 6;
const T_FLOAT: i64 = 7;
const T_GEO: i64 = 8;
const T_HLL: i64 = 9;

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Unknown,
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Vec<u8>),
    Blob(Vec<u8>),
    List(Vec<Val>),
    /// Opaque msgpack (list/map/geo/hll bins): only equality against the same bytes.
    Raw(u8, Vec<u8>),
}

#[derive(Debug, Clone)]
enum Node {
    Lit(Val),
    Op(i64, Vec<Node>),
    Bin(i64, Vec<u8>),
    BinType(Vec<u8>),
    Key(i64),
    DigestMod(i64),
    Let(Vec<(Vec<u8>, Node)>, Box<Node>),
    Var(Vec<u8>),
    /// A list/map operation applied to a list/map value: result type, modify flag, op payload,
    /// and the op's arguments that are expressions (their index in the payload's op array).
    Call(i64, bool, Mp, Vec<(usize, Node)>, Box<Node>),
    Regex(crate::regex::Regex, Box<Node>),
}

#[derive(Debug)]
pub struct Exp(Node);

/// Parses a filter; Err is the result code to answer (PARAMETER or UNSUPPORTED_FEATURE).
pub fn parse(data: &[u8]) -> Result<Exp, u8> {
    let mp = msgpack::decode(data).map_err(|_| rc::PARAMETER)?;
    Ok(Exp(build(&mp)?))
}

fn literal(v: &Mp) -> Result<Val, u8> {
    Ok(match v {
        Mp::Nil => Val::Nil,
        Mp::Bool(b) => Val::Bool(*b),
        Mp::Int(i) => Val::Int(*i),
        Mp::UInt(u) => Val::Int(*u as i64),
        Mp::Float(f) => Val::Float(*f),
        // Aerospike msgpack strings and blobs carry a leading particle-type byte.
        Mp::Str(b) | Mp::Bin(b) => match b.split_first() {
            Some((&3, rest)) => Val::Str(rest.to_vec()),
            Some((&4, rest)) => Val::Blob(rest.to_vec()),
            Some((&18, rest)) => Val::Raw(particle::HLL, rest.to_vec()),
            // A GeoJSON literal must parse (geo_mp_to_op); it is kept as its text.
            Some((&particle::GEOJSON, rest)) => match crate::geo::parse(rest) {
                Ok(_) => Val::Raw(particle::GEOJSON, rest.to_vec()),
                Err(_) => return Err(rc::PARAMETER),
            },
            _ => return Err(rc::PARAMETER),
        },
        Mp::Array(items) => Val::List(items.iter().map(literal).collect::<Result<_, _>>()?),
        // A map literal (inside a quoted list, or a K-ordered one with its flag entry): kept packed,
        // compared by its bytes like the maps of bins.
        Mp::Map(_) => Val::Raw(particle::MAP, msgpack::to_bytes(v)),
        Mp::Ext(..) => return Err(rc::UNSUPPORTED_FEATURE),
    })
}

fn name(v: &Mp) -> Result<Vec<u8>, u8> {
    match v {
        Mp::Str(b) | Mp::Bin(b) if b.len() <= 15 => Ok(b.clone()),
        _ => Err(rc::PARAMETER),
    }
}

fn int_arg(v: &Mp) -> Result<i64, u8> {
    match v {
        Mp::Int(i) => Ok(*i),
        _ => Err(rc::PARAMETER),
    }
}

fn build(v: &Mp) -> Result<Node, u8> {
    let Mp::Array(items) = v else {
        return Ok(Node::Lit(literal(v)?));
    };
    let (op, args) = match items.split_first() {
        Some((Mp::Int(op), args)) => (*op, args),
        _ => return Err(rc::PARAMETER),
    };
    let arity = |lo: usize, hi: usize| if (lo..=hi).contains(&args.len()) { Ok(()) } else { Err(rc::PARAMETER) };
    Ok(match op {
        CMP_EQ..=CMP_LE | IN_LIST => {
            arity(2, 2)?;
            let nodes = vec![build(&args[0])?, build(&args[1])?];
            // exp.c: a comparison of two values of known, different types is refused at parse time.
            if op != IN_LIST {
                if let (Some(a), Some(b)) = (static_type(&nodes[0]), static_type(&nodes[1])) {
                    if a != b && a != T_NIL && b != T_NIL {
                        return Err(rc::PARAMETER);
                    }
                }
            }
            Node::Op(op, nodes)
        }
        AND | OR | EXCLUSIVE | ADD..=MOD | MIN | MAX | INT_AND..=INT_ARSHIFT => {
            arity(1, usize::MAX)?;
            let nodes: Vec<Node> = args.iter().map(build).collect::<Result<_, _>>()?;
            check_types(op, &nodes)?;
            Node::Op(op, nodes)
        }
        NOT | ABS | FLOOR | CEIL | TO_INT | TO_FLOAT | INT_COUNT => {
            arity(1, 1)?;
            let nodes = vec![build(&args[0])?];
            check_types(op, &nodes)?;
            Node::Op(op, nodes)
        }
        INT_LSCAN | INT_RSCAN => {
            arity(2, 2)?;
            let nodes = vec![build(&args[0])?, build(&args[1])?];
            check_types(op, &nodes)?;
            Node::Op(op, nodes)
        }
        META_DIGEST_MOD => {
            arity(1, 1)?;
            let m = int_arg(&args[0])?;
            if m <= 0 {
                return Err(rc::PARAMETER);
            }
            Node::DigestMod(m)
        }
        65..=META_RECORD_SIZE => {
            arity(0, 0)?;
            Node::Op(op, Vec::new())
        }
        REC_KEY => {
            arity(1, 1)?;
            Node::Key(int_arg(&args[0])?)
        }
        BIN => {
            arity(2, 2)?;
            let t = int_arg(&args[0])?;
            if !(T_NIL..=T_HLL).contains(&t) {
                return Err(rc::PARAMETER);
            }
            Node::Bin(t, name(&args[1])?)
        }
        BIN_TYPE => {
            arity(1, 1)?;
            Node::BinType(name(&args[0])?)
        }
        COND => {
            if args.len() < 3 || args.len() % 2 == 0 {
                return Err(rc::PARAMETER);
            }
            Node::Op(op, args.iter().map(build).collect::<Result<_, _>>()?)
        }
        LET => {
            if args.len() < 3 || args.len() % 2 == 0 {
                return Err(rc::PARAMETER);
            }
            let mut defs = Vec::new();
            for pair in args[..args.len() - 1].chunks(2) {
                defs.push((name(&pair[0])?, build(&pair[1])?));
            }
            Node::Let(defs, Box::new(build(&args[args.len() - 1])?))
        }
        VAR => {
            arity(1, 1)?;
            Node::Var(name(&args[0])?)
        }
        QUOTE => {
            arity(1, 1)?;
            Node::Lit(literal(&args[0])?)
        }
        CALL => {
            arity(4, 4)?;
            let t = int_arg(&args[0])?;
            let system = int_arg(&args[1])?;
            if system & !CALL_MODIFY_LOCAL != CALL_CDT {
                return Err(rc::UNSUPPORTED_FEATURE); // bit and HLL calls
            }
            if !matches!(args[2], Mp::Array(_)) {
                return Err(rc::PARAMETER);
            }
            // The op's arguments are expressions themselves (exp.c): an array is one to evaluate
            // (a list literal comes quoted), anything else is its own value.
            let op = match &args[2] {
                Mp::Array(items) => match items.as_slice() {
                    [Mp::Int(0xff), Mp::Array(_), Mp::Array(op)] => op,
                    _ => items,
                },
                _ => unreachable!(),
            };
            let exprs = op
                .iter()
                .enumerate()
                .skip(1)
                .filter(|(_, a)| matches!(a, Mp::Array(_)))
                .map(|(i, a)| Ok((i, build(a)?)))
                .collect::<Result<Vec<_>, u8>>()?;
            Node::Call(t, system & CALL_MODIFY_LOCAL != 0, args[2].clone(), exprs, Box::new(build(&args[3])?))
        }
        CMP_REGEX => {
            // [REGEX, flags, pattern (plain msgpack string), string expression]
            arity(3, 3)?;
            let flags = int_arg(&args[0])?;
            let Mp::Str(pattern) = &args[1] else {
                return Err(rc::PARAMETER);
            };
            let re = crate::regex::Regex::new(pattern, flags).map_err(|_| rc::PARAMETER)?;
            Node::Regex(re, Box::new(build(&args[2])?))
        }
        CMP_GEO => {
            // build_cmp_geo: both sides must be GeoJSON (a geo bin or a GeoJSON literal).
            arity(2, 2)?;
            let sides = [build(&args[0])?, build(&args[1])?];
            for side in &sides {
                match side {
                    Node::Bin(T_GEO, _) | Node::Lit(Val::Raw(particle::GEOJSON, _)) => {}
                    Node::Bin(..) | Node::Lit(_) => return Err(rc::PARAMETER),
                    _ => {}
                }
            }
            Node::Op(op, sides.into())
        }
        0 => {
            // unknown: evaluates to unknown (fails the expression where it is reached)
            arity(0, 0)?;
            Node::Lit(Val::Unknown)
        }
        100..=102 | 122 => return Err(rc::UNSUPPORTED_FEATURE),
        _ => return Err(rc::PARAMETER),
    })
}

/// The type a node is known to produce before any record is read (None: only known at run time).
fn static_type(n: &Node) -> Option<i64> {
    match n {
        Node::Lit(v) => Some(match v {
            Val::Nil => T_NIL,
            Val::Bool(_) => T_BOOL,
            Val::Int(_) => T_INT,
            Val::Float(_) => T_FLOAT,
            Val::Str(_) => T_STR,
            Val::Blob(_) => T_BLOB,
            Val::List(_) => T_LIST,
            Val::Raw(..) | Val::Unknown => return None,
        }),
        Node::Bin(t, _) | Node::Key(t) => Some(*t),
        Node::BinType(_) | Node::DigestMod(_) => Some(T_INT),
        Node::Op(op, args) => match *op {
            ADD..=23 | MIN | MAX | ABS => args.first().and_then(static_type),
            24 | 25 | FLOOR | CEIL | TO_FLOAT => Some(T_FLOAT),
            70 => Some(T_STR),          // set_name
            71 | 72 => Some(T_BOOL),    // key_exists, is_tombstone
            MOD | TO_INT | INT_AND..=INT_RSCAN | 65..=META_RECORD_SIZE => Some(T_INT),
            CMP_EQ..=IN_LIST | AND..=EXCLUSIVE => Some(T_BOOL),
            _ => None,
        },
        Node::Regex(..) => Some(T_BOOL),
        Node::Call(t, ..) if *t != T_NIL => Some(*t),
        _ => None,
    }
}

/// exp.c build_*: the argument types a numeric operator takes. Arguments whose type is only known
/// at run time pass here (a wrong one makes the expression unknown when evaluated).
fn check_types(op: i64, args: &[Node]) -> Result<(), u8> {
    let known: Vec<i64> = args.iter().filter_map(static_type).collect();
    let all = |t: i64| known.iter().all(|&k| k == t);
    let ok = match op {
        ADD..=23 | MIN | MAX | ABS => {
            known.iter().all(|&k| k == T_INT || k == T_FLOAT) && known.windows(2).all(|w| w[0] == w[1])
        }
        24 | 25 | FLOOR | CEIL | TO_INT => all(T_FLOAT),
        MOD | TO_FLOAT | INT_AND..=INT_COUNT => all(T_INT),
        INT_LSCAN | INT_RSCAN => {
            static_type(&args[0]).is_none_or(|t| t == T_INT) && static_type(&args[1]).is_none_or(|t| t == T_BOOL)
        }
        _ => true,
    };
    if ok { Ok(()) } else { Err(rc::PARAMETER) }
}

/// An expression operation (op 7 read / op 8 modify): `[expression, flags]`.
pub struct ExpOp {
    pub exp: Exp,
    pub flags: u64,
}

pub const FLAG_CREATE_ONLY: u64 = 1;
pub const FLAG_UPDATE_ONLY: u64 = 2;
pub const FLAG_ALLOW_DELETE: u64 = 4;
pub const FLAG_POLICY_NO_FAIL: u64 = 8;
pub const FLAG_EVAL_NO_FAIL: u64 = 16;

/// Parses an expression op's value (expop.c as_exp_op_parse).
pub fn parse_op(value: &[u8], modify: bool) -> Result<ExpOp, u8> {
    let Ok(Mp::Array(items)) = msgpack::decode(value) else {
        return Err(rc::PARAMETER);
    };
    if items.is_empty() || items.len() > 2 {
        return Err(rc::PARAMETER);
    }
    let flags = match items.get(1) {
        None => 0,
        Some(Mp::Int(f)) if *f >= 0 => *f as u64,
        _ => return Err(rc::PARAMETER),
    };
    let allowed = if modify { 31 } else { FLAG_EVAL_NO_FAIL };
    if flags & !allowed != 0 {
        return Err(rc::PARAMETER);
    }
    Ok(ExpOp { exp: Exp(build(&items[0])?), flags })
}

/// What an expression can see of a record.
pub struct RecCtx<'a> {
    pub rec: &'a Record,
    pub digest: &'a Digest,
}

impl Exp {
    /// True only when the filter evaluates to true (exp.c as_exp_matches_record).
    pub fn matches(&self, ctx: &RecCtx<'_>) -> bool {
        let mut vars = Vec::new();
        eval(&self.0, ctx, &mut vars) == Val::Bool(true)
    }
}

impl Exp {
    /// Evaluates to a bin value: Ok(None) is nil; Err(()) means it did not evaluate to a bin type.
    pub fn value(&self, ctx: &RecCtx<'_>) -> Result<Option<(u8, Vec<u8>)>, ()> {
        let mut vars = Vec::new();
        match eval(&self.0, ctx, &mut vars) {
            Val::Unknown => Err(()),
            Val::Nil => Ok(None),
            Val::Bool(b) => Ok(Some((particle::BOOL, vec![b as u8]))),
            Val::Int(i) => Ok(Some((particle::INTEGER, i.to_be_bytes().to_vec()))),
            Val::Float(f) => Ok(Some((particle::FLOAT, f.to_be_bytes().to_vec()))),
            Val::Str(b) => Ok(Some((particle::STRING, b))),
            Val::Blob(b) => Ok(Some((particle::BLOB, b))),
            v @ Val::List(_) => Ok(Some((particle::LIST, msgpack::to_bytes(&val_to_mp(&v))))),
            Val::Raw(t, b) => Ok(Some((t, b))),
        }
    }
}

fn bin_val(ptype: u8, data: &[u8]) -> Val {
    match ptype {
        particle::INTEGER if data.len() == 8 => Val::Int(i64::from_be_bytes(data.try_into().unwrap())),
        particle::FLOAT if data.len() == 8 => Val::Float(f64::from_be_bytes(data.try_into().unwrap())),
        particle::STRING => Val::Str(data.to_vec()),
        particle::BOOL if data.len() == 1 => Val::Bool(data[0] != 0),
        particle::BLOB | 7..=12 => Val::Blob(data.to_vec()),
        // Lists compare by value, like a quoted list literal.
        particle::LIST => match msgpack::decode(data).ok().and_then(|mp| literal(&mp).ok()) {
            Some(v @ Val::List(_)) => v,
            _ => Val::Raw(particle::LIST, data.to_vec()),
        },
        // Kept as its GeoJSON text (the flags and cells before it are the server's business).
        particle::GEOJSON => Val::Raw(particle::GEOJSON, crate::geo::particle_text(data).unwrap_or_default().to_vec()),
        t => Val::Raw(t, data.to_vec()),
    }
}

fn type_matches(t: i64, ptype: u8) -> bool {
    match t {
        T_BOOL => ptype == particle::BOOL,
        T_INT => ptype == particle::INTEGER,
        T_STR => ptype == particle::STRING,
        T_LIST => ptype == particle::LIST,
        T_MAP => ptype == particle::MAP,
        T_BLOB => ptype == particle::BLOB || (7..=12).contains(&ptype),
        T_FLOAT => ptype == particle::FLOAT,
        T_GEO => ptype == particle::GEOJSON,
        T_HLL => ptype == particle::HLL,
        _ => false,
    }
}

fn truth(v: &Val) -> Option<bool> {
    match v {
        Val::Bool(b) => Some(*b),
        _ => None,
    }
}

fn cmp(op: i64, a: &Val, b: &Val) -> Val {
    use std::cmp::Ordering::*;
    let ord = match (a, b) {
        (Val::Int(x), Val::Int(y)) => x.partial_cmp(y),
        (Val::Float(x), Val::Float(y)) => x.partial_cmp(y),
        (Val::Str(x), Val::Str(y)) | (Val::Blob(x), Val::Blob(y)) => x.partial_cmp(y),
        (Val::Bool(x), Val::Bool(y)) => x.partial_cmp(y),
        (Val::Nil, Val::Nil) => Some(Equal),
        (Val::Raw(t1, x), Val::Raw(t2, y)) if t1 == t2 && matches!(op, CMP_EQ | CMP_NE) => {
            return Val::Bool((x == y) == (op == CMP_EQ));
        }
        (Val::List(x), Val::List(y)) if matches!(op, CMP_EQ | CMP_NE) => return Val::Bool((x == y) == (op == CMP_EQ)),
        _ => None,
    };
    let Some(o) = ord else { return Val::Unknown };
    Val::Bool(match op {
        CMP_EQ => o == Equal,
        CMP_NE => o != Equal,
        CMP_GT => o == Greater,
        CMP_GE => o != Less,
        CMP_LT => o == Less,
        _ => o != Greater,
    })
}

fn arith(op: i64, vals: &[Val]) -> Val {
    if vals.iter().all(|v| matches!(v, Val::Int(_))) {
        let ints: Vec<i64> = vals.iter().map(|v| if let Val::Int(i) = v { *i } else { 0 }).collect();
        let first = ints[0];
        let rest = &ints[1..];
        let r = match op {
            ADD => Some(rest.iter().fold(first, |a, b| a.wrapping_add(*b))),
            21 => Some(if rest.is_empty() { first.wrapping_neg() } else { rest.iter().fold(first, |a, b| a.wrapping_sub(*b)) }),
            22 => Some(rest.iter().fold(first, |a, b| a.wrapping_mul(*b))),
            23 => rest.iter().try_fold(first, |a, b| a.checked_div(*b)),
            MOD if rest.len() == 1 => first.checked_rem(rest[0]),
            INT_AND => Some(rest.iter().fold(first, |a, b| a & b)),
            33 => Some(rest.iter().fold(first, |a, b| a | b)),
            34 => Some(rest.iter().fold(first, |a, b| a ^ b)),
            INT_NOT if rest.is_empty() => Some(!first),
            36 if rest.len() == 1 => Some(first.wrapping_shl(rest[0] as u32)),
            37 if rest.len() == 1 => Some(((first as u64).wrapping_shr(rest[0] as u32)) as i64),
            INT_ARSHIFT if rest.len() == 1 => Some(first.wrapping_shr(rest[0] as u32)),
            INT_COUNT if rest.is_empty() => Some(first.count_ones() as i64),
            MIN => ints.iter().min().copied(),
            MAX => ints.iter().max().copied(),
            _ => None,
        };
        return r.map_or(Val::Unknown, Val::Int);
    }
    if vals.iter().all(|v| matches!(v, Val::Float(_))) {
        let fl: Vec<f64> = vals.iter().map(|v| if let Val::Float(f) = v { *f } else { 0.0 }).collect();
        let first = fl[0];
        let rest = &fl[1..];
        let r = match op {
            ADD => Some(rest.iter().fold(first, |a, b| a + b)),
            21 => Some(if rest.is_empty() { -first } else { rest.iter().fold(first, |a, b| a - b) }),
            22 => Some(rest.iter().fold(first, |a, b| a * b)),
            23 => Some(rest.iter().fold(first, |a, b| a / b)),
            24 if rest.len() == 1 => Some(first.powf(rest[0])),
            25 if rest.len() == 1 => Some(first.log(rest[0])),
            MIN => fl.iter().copied().reduce(f64::min),
            MAX => fl.iter().copied().reduce(f64::max),
            _ => None,
        };
        return r.map_or(Val::Unknown, Val::Float);
    }
    Val::Unknown
}

fn eval(n: &Node, ctx: &RecCtx<'_>, vars: &mut Vec<(Vec<u8>, Val)>) -> Val {
    let r = ctx.rec;
    match n {
        Node::Lit(v) => v.clone(),
        Node::Bin(t, name) => match r.bin(name) {
            Some(b) if type_matches(*t, b.ptype) => bin_val(b.ptype, &b.data),
            _ => Val::Unknown,
        },
        Node::BinType(name) => Val::Int(r.bin(name).map_or(0, |b| b.ptype as i64)),
        Node::Key(t) => match r.key.as_deref().and_then(|k| k.split_first()) {
            Some((&pt, data)) if type_matches(*t, pt) => bin_val(pt, data),
            _ => Val::Unknown,
        },
        Node::DigestMod(m) => {
            Val::Int(u32::from_le_bytes(ctx.digest[16..20].try_into().unwrap()) as i64 % m)
        }
        Node::Call(t, modify, payload, exprs, target) => {
            let mut payload = payload.clone();
            if !exprs.is_empty() {
                let Mp::Array(items) = &mut payload else { return Val::Unknown };
                let op = match items.as_mut_slice() {
                    [Mp::Int(0xff), Mp::Array(_), Mp::Array(op)] => op,
                    items => items,
                };
                for (i, node) in exprs {
                    match eval(node, ctx, vars) {
                        Val::Unknown => return Val::Unknown,
                        v => op[*i] = val_to_mp(&v),
                    }
                }
            }
            let payload = msgpack::to_bytes(&payload);
            let (ptype, data) = match eval(target, ctx, vars) {
                v @ Val::List(_) => (particle::LIST, msgpack::to_bytes(&val_to_mp(&v))),
                Val::Raw(pt, bytes) if pt == particle::LIST || pt == particle::MAP => (pt, bytes),
                _ => return Val::Unknown,
            };
            let bin = crate::store::Bin { name: String::new(), ptype, data };
            let Ok(out) = crate::cdt::execute(Some(&bin), "", *modify, &payload) else {
                return Val::Unknown;
            };
            let v = if *modify {
                let b = out.new_bin.unwrap_or(bin);
                bin_val(b.ptype, &b.data)
            } else {
                match out.result {
                    Some((pt, data)) => bin_val(pt, &data),
                    None => Val::Nil,
                }
            };
            // The declared result type must match what the op produced.
            let ok = match (*t, &v) {
                (T_NIL, _) => true,
                (T_BOOL, Val::Bool(_)) | (T_INT, Val::Int(_)) | (T_STR, Val::Str(_)) | (T_LIST, Val::List(_)) => true,
                (T_BLOB, Val::Blob(_)) | (T_FLOAT, Val::Float(_)) => true,
                (T_LIST, Val::Raw(pt, _)) => *pt == particle::LIST,
                (T_MAP, Val::Raw(pt, _)) => *pt == particle::MAP,
                _ => false,
            };
            if ok { v } else { Val::Unknown }
        }
        Node::Regex(re, target) => match eval(target, ctx, vars) {
            Val::Str(s) => Val::Bool(re.is_match(&s)),
            _ => Val::Unknown,
        },
        Node::Var(name) => vars.iter().rev().find(|(n, _)| n == name).map_or(Val::Unknown, |(_, v)| v.clone()),
        Node::Let(defs, body) => {
            let depth = vars.len();
            for (name, e) in defs {
                let v = eval(e, ctx, vars);
                vars.push((name.clone(), v));
            }
            let out = eval(body, ctx, vars);
            vars.truncate(depth);
            out
        }
        Node::Op(op, args) => {
            let op = *op;
            match op {
                CMP_EQ..=CMP_LE => {
                    let (a, b) = (eval(&args[0], ctx, vars), eval(&args[1], ctx, vars));
                    if a == Val::Unknown || b == Val::Unknown { Val::Unknown } else { cmp(op, &a, &b) }
                }
                CMP_GEO => match (eval(&args[0], ctx, vars), eval(&args[1], ctx, vars)) {
                    (Val::Raw(particle::GEOJSON, a), Val::Raw(particle::GEOJSON, b)) => {
                        match (crate::geo::parse(&a), crate::geo::parse(&b)) {
                            (Ok(a), Ok(b)) => Val::Bool(crate::geo::matches(&a, &b)),
                            _ => Val::Unknown,
                        }
                    }
                    _ => Val::Unknown,
                },
                IN_LIST => match (eval(&args[0], ctx, vars), eval(&args[1], ctx, vars)) {
                    (Val::Unknown, _) | (_, Val::Unknown) => Val::Unknown,
                    (v, Val::List(items)) => Val::Bool(items.contains(&v)),
                    _ => Val::Unknown,
                },
                AND | OR => {
                    let short = op == OR;
                    let mut unknown = false;
                    for a in args {
                        match truth(&eval(a, ctx, vars)) {
                            Some(b) if b == short => return Val::Bool(short),
                            Some(_) => {}
                            None => unknown = true,
                        }
                    }
                    if unknown { Val::Unknown } else { Val::Bool(!short) }
                }
                NOT => truth(&eval(&args[0], ctx, vars)).map_or(Val::Unknown, |b| Val::Bool(!b)),
                EXCLUSIVE => {
                    let mut n_true = 0;
                    for a in args {
                        match truth(&eval(a, ctx, vars)) {
                            Some(true) => n_true += 1,
                            Some(false) => {}
                            None => return Val::Unknown,
                        }
                    }
                    Val::Bool(n_true == 1)
                }
                ABS => match eval(&args[0], ctx, vars) {
                    Val::Int(i) => i.checked_abs().map_or(Val::Unknown, Val::Int),
                    Val::Float(f) => Val::Float(f.abs()),
                    _ => Val::Unknown,
                },
                FLOOR | CEIL => match eval(&args[0], ctx, vars) {
                    Val::Float(f) => Val::Float(if op == FLOOR { f.floor() } else { f.ceil() }),
                    _ => Val::Unknown,
                },
                TO_INT => match eval(&args[0], ctx, vars) {
                    Val::Float(f) if f.is_finite() => Val::Int(f as i64),
                    _ => Val::Unknown,
                },
                TO_FLOAT => match eval(&args[0], ctx, vars) {
                    Val::Int(i) => Val::Float(i as f64),
                    _ => Val::Unknown,
                },
                COND => {
                    let last = args.len() - 1;
                    for pair in args[..last].chunks(2) {
                        match truth(&eval(&pair[0], ctx, vars)) {
                            Some(true) => return eval(&pair[1], ctx, vars),
                            Some(false) => {}
                            None => return Val::Unknown,
                        }
                    }
                    eval(&args[last], ctx, vars)
                }
                65..=META_RECORD_SIZE => meta(op, r),
                INT_LSCAN | INT_RSCAN => {
                    // The index (0 = most significant) of the first bit equal to `search`, scanning
                    // from the left or from the right; -1 when none is.
                    match (eval(&args[0], ctx, vars), eval(&args[1], ctx, vars)) {
                        (Val::Int(v), Val::Bool(search)) => {
                            let bit = |i: i64| ((v as u64) >> (63 - i)) & 1 == 1;
                            let mut idx = (0..64).filter(|&i| bit(i) == search);
                            let found = if op == INT_LSCAN { idx.next() } else { idx.next_back() };
                            Val::Int(found.unwrap_or(-1))
                        }
                        _ => Val::Unknown,
                    }
                }
                _ => {
                    let vals: Vec<Val> = args.iter().map(|a| eval(a, ctx, vars)).collect();
                    arith(op, &vals)
                }
            }
        }
    }
}

/// Back to msgpack (strings and blobs regain their particle-type byte).
fn val_to_mp(v: &Val) -> Mp {
    match v {
        Val::Unknown | Val::Nil => Mp::Nil,
        Val::Bool(b) => Mp::Bool(*b),
        Val::Int(i) => Mp::Int(*i),
        Val::Float(f) => Mp::Float(*f),
        Val::Str(b) => Mp::Str([&[particle::STRING][..], b].concat()),
        Val::Blob(b) => Mp::Bin([&[particle::BLOB][..], b].concat()),
        Val::List(items) => Mp::Array(items.iter().map(val_to_mp).collect()),
        // GeoJSON and HLL values are kept unpacked (their text / bytes): packed back with their type byte.
        Val::Raw(particle::GEOJSON, text) => Mp::Str([&[particle::GEOJSON][..], text].concat()),
        Val::Raw(particle::HLL, b) => Mp::Bin([&[particle::HLL][..], b].concat()),
        Val::Raw(_, bytes) => msgpack::decode(bytes).unwrap_or(Mp::Nil),
    }
}

fn meta(op: i64, r: &Record) -> Val {
    let lut_ms = r.lut / 1_000_000;
    match op {
        65 => Val::Int(0),                  // device_size: 0 for a memory namespace
        66 => Val::Int((lut_ms * 1_000_000) as i64), // last_update, ns since the Unix epoch
        67 => Val::Int((clock::now_ns() / 1_000_000).saturating_sub(lut_ms) as i64),
        68 => Val::Int(if r.void_time == 0 { -1 } else { ((r.void_time as u64 + clock::CITRUSLEAF_EPOCH) * 1_000_000_000) as i64 }),
        // cf_server_void_time_to_ttl: floored at 1 while the record lives through its void-time second.
        69 => Val::Int(if r.void_time == 0 { -1 } else { r.void_time.saturating_sub(clock::now_cl()).max(1) as i64 }),
        70 => Val::Str(r.set.clone().unwrap_or_default().into_bytes()),
        71 => Val::Bool(r.key.is_some()),
        72 => Val::Bool(false),
        _ => Val::Int(r.size() as i64), // memory_size, record_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Bin;

    fn rec() -> Record {
        Record {
            set: Some("s".into()),
            key: None,
            bins: vec![
                Bin { name: "a".into(), ptype: particle::INTEGER, data: 3i64.to_be_bytes().to_vec() },
                Bin { name: "t".into(), ptype: particle::STRING, data: b"x".to_vec() },
            ],
            generation: 1,
            void_time: 0,
            lut: 0,
        }
    }

    fn run(bytes: &[u8]) -> bool {
        let r = rec();
        parse(bytes).unwrap().matches(&RecCtx { rec: &r, digest: &[0u8; 20] })
    }

    #[test]
    fn compares_bins() {
        // [EQ, [BIN, INT, "a"], 3]
        assert!(run(&[0x93, 1, 0x93, 81, 2, 0xa1, b'a', 3]));
        assert!(!run(&[0x93, 1, 0x93, 81, 2, 0xa1, b'a', 4]));
        // missing bin -> unknown -> filtered
        assert!(!run(&[0x93, 2, 0x93, 81, 2, 0xa1, b'z', 4]));
        // [AND, [GT a 2], [EQ [BIN STR t] "x"]]
        assert!(run(&[0x93, 16, 0x93, 3, 0x93, 81, 2, 0xa1, b'a', 2, 0x93, 1, 0x93, 81, 3, 0xa1, b't', 0xa2, 3, b'x']));
        // [NOT unknown] stays unknown
        assert!(!run(&[0x92, 18, 0x93, 1, 0x93, 81, 2, 0xa1, b'z', 1]));
    }

    #[test]
    fn rejects_malformed_and_flags_unsupported() {
        assert_eq!(parse(&[0x93, 1, 0x93]).unwrap_err(), rc::PARAMETER);
        assert_eq!(parse(&[0x92, 100, 1]).unwrap_err(), rc::UNSUPPORTED_FEATURE); // 39 (INT_COUNT) is implemented now
        assert_eq!(parse(&[0x92, 8, 1]).unwrap_err(), rc::PARAMETER); // cmp_geo of a non-geo argument
        // [CALL, INT, BITS, [1], [BIN, BLOB, "b"]]: bit calls are not implemented
        assert_eq!(parse(&[0x95, 127, 2, 1, 0x91, 1, 0x93, 81, 6, 0xa1, b'b']).unwrap_err(), rc::UNSUPPORTED_FEATURE);
        assert_eq!(parse(&[0x91, 99]).unwrap_err(), rc::PARAMETER);
    }
}
