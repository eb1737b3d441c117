//! Single-record transactions: read, exists, write/operate, touch, delete.
//! Check order and result codes follow aerospike-server as/src/transaction/{read,write,delete}.c.

use crate::cdt;
use crate::clock;
use crate::exp;
use crate::particle;
use crate::proto::{self, rc, Msg};
use crate::stats::TxnKind;
use crate::store::{Bin, Digest, Namespace, Record, Store, partition_id};

pub const TTL_NEVER_EXPIRE: u32 = 0xFFFF_FFFF;
pub const TTL_DONT_UPDATE: u32 = 0xFFFF_FFFE;
pub const MAX_ALLOWED_TTL: u32 = 10 * 365 * 24 * 3600;
pub const BIN_NAME_MAX: usize = 15;

/// A bin in a reply (name may be empty for ops that answer without a bin).
#[derive(Debug, Clone)]
pub struct OutBin {
    pub name: Vec<u8>,
    pub ptype: u8,
    pub data: Vec<u8>,
}

impl OutBin {
    fn from_bin(b: &Bin) -> OutBin {
        OutBin { name: b.name.as_bytes().to_vec(), ptype: b.ptype, data: b.data.clone() }
    }
    fn null(name: &[u8]) -> OutBin {
        OutBin { name: name.to_vec(), ptype: particle::NULL, data: Vec::new() }
    }
}

#[derive(Debug)]
pub struct Outcome {
    pub kind: TxnKind,
    pub result: u8,
    pub generation: u32,
    pub void_time: u32,
    pub bins: Vec<OutBin>,
    /// A write turned the message's ttl -2 (don't update) into 0 (namespace default) because it
    /// created the record (write_master rewrites m->record_ttl; batch rows repeating the message see it).
    pub ttl_defaulted: bool,
}

impl Outcome {
    pub fn err(kind: TxnKind, result: u8) -> Outcome {
        Outcome { kind, result, generation: 0, void_time: 0, bins: Vec::new(), ttl_defaulted: false }
    }

    /// Encodes this outcome as a complete type-3 reply frame.
    pub fn to_frame(&self) -> Vec<u8> {
        let ops: Vec<proto::OutOp<'_>> =
            self.bins.iter().map(|b| proto::OutOp { name: &b.name, ptype: b.ptype, value: &b.data }).collect();
        proto::reply_frame(self.result, self.generation, self.void_time, &[], &ops)
    }
}

/// Write path when WRITE is set (split into delete by the DELETE bit), else read (thr_tsvc.c).
pub fn kind_of(m: &Msg<'_>) -> TxnKind {
    if m.info2 & proto::INFO2_WRITE != 0 {
        if m.info2 & proto::INFO2_DELETE != 0 { TxnKind::Delete } else { TxnKind::Write }
    } else {
        TxnKind::Read
    }
}

/// The digest field, which every single-record command carries.
pub fn digest_of(m: &Msg<'_>) -> Option<Digest> {
    m.field(proto::FIELD_DIGEST).and_then(|d| d.try_into().ok())
}

/// Runs one single-record command against the store.
pub fn execute(store: &Store, m: &Msg<'_>) -> Outcome {
    let kind = kind_of(m);
    // Checks in as_tsvc_process_transaction order.
    let Some(ns) = m.field(proto::FIELD_NAMESPACE).and_then(|n| store.ns(n)) else {
        return Outcome::err(kind, rc::NAMESPACE);
    };
    let Some(digest) = digest_of(m) else {
        return Outcome::err(kind, rc::PARAMETER);
    };
    if m.info2 & proto::INFO2_WRITE == 0 && m.info1 & proto::INFO1_READ == 0 {
        return Outcome::err(kind, rc::PARAMETER); // neither read nor write
    }
    let filter = match m.field(proto::FIELD_FILTER_EXP).map(exp::parse) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(code)) => return Outcome::err(kind, code),
    };
    let f = filter.as_ref();
    match kind {
        TxnKind::Read => read(ns, m, &digest, f),
        TxnKind::Write => write(ns, m, &digest, f),
        TxnKind::Delete => delete(ns, m, &digest, f),
    }
}

fn key_matches(m: &Msg<'_>, r: &Record) -> bool {
    match (m.field(proto::FIELD_KEY), &r.key) {
        (Some(sent), Some(stored)) => sent == stored.as_slice(),
        _ => true,
    }
}

/// set_name_check: reads and deletes may omit the set, but a named set must match.
fn set_matches(m: &Msg<'_>, r: &Record) -> bool {
    match m.field(proto::FIELD_SET).filter(|s| !s.is_empty()) {
        None => true,
        Some(s) => r.set.as_deref().map(str::as_bytes) == Some(s),
    }
}

/// EXP_READ: the expression's value under the op's name (expop.c).
fn exp_read(op: &proto::Op<'_>, r: &Record, digest: &Digest) -> Result<Option<OutBin>, u8> {
    let eop = exp::parse_op(op.value, false)?;
    match eop.exp.value(&exp::RecCtx { rec: r, digest }) {
        Ok(Some((ptype, data))) => Ok(Some(OutBin { name: op.name.to_vec(), ptype, data })),
        Ok(None) => Ok(Some(OutBin::null(op.name))),
        Err(()) if eop.flags & exp::FLAG_EVAL_NO_FAIL != 0 => Ok(None),
        Err(()) => Err(rc::OP_NOT_APPLICABLE),
    }
}

/// EXP_MODIFY: writes the expression's value into the bin, honouring the op's flags (expop.c).
fn exp_modify(op: &proto::Op<'_>, rec: &mut Record, digest: &Digest, name: &str) -> Result<(), u8> {
    let eop = exp::parse_op(op.value, true)?;
    let no_fail = eop.flags & exp::FLAG_POLICY_NO_FAIL != 0;
    let pos = rec.bins.iter().position(|b| b.name == name);
    if eop.flags & exp::FLAG_CREATE_ONLY != 0 && pos.is_some() {
        return if no_fail { Ok(()) } else { Err(rc::BIN_EXISTS) };
    }
    if eop.flags & exp::FLAG_UPDATE_ONLY != 0 && pos.is_none() {
        return if no_fail { Ok(()) } else { Err(rc::BIN_NOT_FOUND) };
    }
    let value = match eop.exp.value(&exp::RecCtx { rec, digest }) {
        Ok(v) => v,
        Err(()) if eop.flags & exp::FLAG_EVAL_NO_FAIL != 0 => return Ok(()),
        Err(()) => return Err(rc::OP_NOT_APPLICABLE),
    };
    match (value, pos) {
        (Some((ptype, data)), Some(i)) => rec.bins[i] = Bin { name: name.to_string(), ptype, data },
        (Some((ptype, data)), None) => rec.bins.push(Bin { name: name.to_string(), ptype, data }),
        (None, Some(i)) if eop.flags & exp::FLAG_ALLOW_DELETE != 0 => {
            rec.bins.swap_remove(i); // as_bin_remove: the last bin takes the slot
        }
        (None, None) if eop.flags & exp::FLAG_ALLOW_DELETE != 0 => {}
        (None, _) if no_fail => {}
        (None, _) => return Err(rc::OP_NOT_APPLICABLE),
    }
    Ok(())
}

/// A filter that does not evaluate to true filters the record out (AS_ERR_FILTERED_OUT).
fn filtered_out(filter: Option<&exp::Exp>, r: &Record, digest: &Digest) -> bool {
    filter.is_some_and(|f| !f.matches(&exp::RecCtx { rec: r, digest }))
}

fn read(ns: &Namespace, m: &Msg<'_>, digest: &Digest, filter: Option<&exp::Exp>) -> Outcome {
    let k = TxnKind::Read;
    let now = clock::now_cl();
    let mut part = ns.lock(partition_id(digest));
    let Some(r) = ns.live(&mut part, digest, now) else {
        return Outcome::err(k, rc::NOT_FOUND);
    };
    if !set_matches(m, r) {
        return Outcome::err(k, rc::PARAMETER);
    }
    // The answer carries the void time the read saw; a read touch only moves it afterwards.
    let void_time = r.void_time;
    if let Err(code) = read_touch(m.record_ttl, r, now) {
        return Outcome::err(k, code);
    }
    if filtered_out(filter, r, digest) {
        return Outcome::err(k, rc::FILTERED_OUT);
    }
    if !key_matches(m, r) {
        return Outcome::err(k, rc::KEY_MISMATCH);
    }
    let mut out = Outcome { kind: k, result: rc::OK, generation: r.generation as u32, void_time, bins: Vec::new(), ttl_defaulted: false };
    if m.info1 & proto::INFO1_GET_NO_BINS != 0 {
        return out;
    }
    if m.info1 & proto::INFO1_GET_ALL != 0 {
        out.bins = r.bins.iter().map(OutBin::from_bin).collect();
        return out;
    }
    if m.ops.is_empty() {
        return Outcome::err(k, rc::PARAMETER);
    }
    let respond_all = m.info2 & proto::INFO2_RESPOND_ALL_OPS != 0;
    for op in &m.ops {
        if op.name.len() > BIN_NAME_MAX || op.name.contains(&0) {
            return Outcome::err(k, rc::BIN_NAME);
        }
        if let Err(code) = read_op(op, r, digest, respond_all, &mut out.bins) {
            return Outcome::err(k, code);
        }
    }
    out
}

/// read_touch.c as_read_touch_check: a read's record_ttl is its read-touch-ttl-percent (0 = the
/// namespace default, which is 0 = never; -1 = never; above 100 is a PARAMETER error for a record
/// that expires). A read within that percentage of the last write's ttl from the record's end of
/// life resets the ttl to that write's ttl. The server queues the touch and does it just after
/// the read (no generation change); here it is done at once, which no client can tell apart.
fn read_touch(pct: u32, r: &mut Record, now: u32) -> Result<(), u8> {
    const NEVER_TOUCH: u32 = u32::MAX;
    if r.void_time == 0 || pct == 0 || pct == NEVER_TOUCH {
        return Ok(());
    }
    if pct > 100 {
        return Err(rc::PARAMETER);
    }
    let lut_cl = (r.lut / 1_000_000_000).saturating_sub(clock::CITRUSLEAF_EPOCH) as u32;
    let write_ttl = r.void_time.wrapping_sub(lut_cl);
    let threshold_ttl = (write_ttl as u64 * pct as u64 / 100) as u32;
    if now < r.void_time.wrapping_sub(threshold_ttl) {
        return Ok(());
    }
    let touched = now.wrapping_add(write_ttl);
    if touched > r.void_time {
        r.void_time = touched;
        r.lut = clock::now_ns();
    }
    Ok(())
}

/// One read op of a read or a scan/query projection (rw_utils.c process_bin_read_op and the
/// callers' rule): a value answers; no value answers nil only with respond-all-ops.
pub fn read_op(op: &proto::Op<'_>, r: &Record, digest: &Digest, respond_all: bool, out: &mut Vec<OutBin>) -> Result<(), u8> {
    let value = match op.op {
        proto::OP_READ => r.bin(op.name).map(OutBin::from_bin),
        proto::OP_EXP_READ => exp_read(op, r, digest)?.filter(|b| b.ptype != particle::NULL),
        proto::OP_CDT_READ => match r.bin(op.name) {
            None => None,
            Some(b) => cdt::execute(Some(b), &String::from_utf8_lossy(op.name), false, op.value)?
                .result
                .map(|(ptype, data)| OutBin { name: op.name.to_vec(), ptype, data }),
        },
        _ => return Err(rc::UNSUPPORTED_FEATURE),
    };
    match value {
        Some(b) => out.push(b),
        None if respond_all => out.push(OutBin::null(op.name)),
        None => {}
    }
    Ok(())
}

fn new_void_time(ttl: u32, existing: Option<&Record>, ns: &Namespace, now: u32) -> u32 {
    match ttl {
        TTL_NEVER_EXPIRE => 0,
        TTL_DONT_UPDATE => existing.map_or(0, |r| r.void_time),
        0 if ns.default_ttl == 0 => 0,
        0 => now + ns.default_ttl,
        t => now + t,
    }
}

fn generation_ok(m: &Msg<'_>, current: u16) -> bool {
    if m.info2 & proto::INFO2_GENERATION != 0 {
        return m.generation == current as u32;
    }
    if m.info2 & proto::INFO2_GENERATION_GT != 0 {
        return m.generation > current as u32;
    }
    true
}

fn next_generation(g: u16) -> u16 {
    // Generation is 16 bits on the server and skips 0 when it wraps.
    let n = g.wrapping_add(1);
    if n == 0 { 1 } else { n }
}

/// write_master_policies: checks on the op list made before the record is looked up.
/// Ok(must_not_create) or the result code.
fn write_policies(m: &Msg<'_>) -> Result<bool, u8> {
    if m.ops.is_empty() || m.ops.len() > 4096 {
        return Err(rc::PARAMETER);
    }
    let get_all = m.info1 & proto::INFO1_GET_ALL != 0;
    let respond_all = m.info2 & proto::INFO2_RESPOND_ALL_OPS != 0;
    let mut must_not_create = m.info3 & (proto::INFO3_UPDATE_ONLY | proto::INFO3_REPLACE_ONLY) != 0;
    let is_replace = m.info3 & (proto::INFO3_CREATE_OR_REPLACE | proto::INFO3_REPLACE_ONLY) != 0;
    let (mut has_read, mut has_read_all, mut response_bin) = (false, false, false);
    for op in &m.ops {
        if op.op == proto::OP_TOUCH {
            if is_replace {
                return Err(rc::PARAMETER);
            }
            must_not_create = true;
            continue;
        }
        if op.name.len() > BIN_NAME_MAX || op.name.contains(&0) {
            return Err(rc::BIN_NAME);
        }
        match op.op {
            proto::OP_WRITE if op.ptype == particle::NULL && is_replace => return Err(rc::PARAMETER),
            proto::OP_WRITE => {}
            proto::OP_INCR | proto::OP_APPEND | proto::OP_PREPEND | proto::OP_DELETE_ALL | proto::OP_BITS_MODIFY
            | proto::OP_CDT_MODIFY
                if is_replace =>
            {
                return Err(rc::PARAMETER);
            }
            proto::OP_HLL_MODIFY if is_replace => return Err(rc::PARAMETER),
            proto::OP_HLL_MODIFY | proto::OP_CDT_MODIFY => response_bin = true,
            proto::OP_READ if op.name.is_empty() && get_all => {
                if respond_all || has_read_all {
                    return Err(rc::PARAMETER);
                }
                has_read = true;
                has_read_all = true;
            }
            proto::OP_READ | proto::OP_BITS_READ | proto::OP_HLL_READ | proto::OP_CDT_READ | proto::OP_EXP_READ => {
                has_read = true;
                response_bin = true;
            }
            _ => {}
        }
    }
    if has_read && m.info1 & proto::INFO1_READ == 0 {
        return Err(rc::PARAMETER);
    }
    if has_read_all && response_bin {
        return Err(rc::PARAMETER);
    }
    if get_all && !has_read_all {
        return Err(rc::PARAMETER);
    }
    Ok(must_not_create)
}

fn write(ns: &Namespace, m: &Msg<'_>, digest: &Digest, filter: Option<&exp::Exp>) -> Outcome {
    let mut ttl_defaulted = false;
    let mut out = write_record(ns, m, digest, filter, &mut ttl_defaulted);
    out.ttl_defaulted = ttl_defaulted;
    out
}

fn write_record(ns: &Namespace, m: &Msg<'_>, digest: &Digest, filter: Option<&exp::Exp>, ttl_defaulted: &mut bool) -> Outcome {
    let k = TxnKind::Write;
    let must_not_create = match write_policies(m) {
        Ok(v) => v,
        Err(code) => return Outcome::err(k, code),
    };
    let now = clock::now_cl();
    let set = m.field(proto::FIELD_SET).filter(|s| !s.is_empty());
    let mut part = ns.lock(partition_id(digest));
    let existing = ns.live(&mut part, digest, now).map(|r| r.clone());
    let fail = |result: u8| match &existing {
        Some(r) => Outcome { kind: k, result, generation: r.generation as u32, void_time: r.void_time, bins: Vec::new(), ttl_defaulted: false },
        None => Outcome::err(k, result),
    };

    if must_not_create && existing.is_none() {
        return fail(rc::NOT_FOUND);
    }
    if m.info2 & proto::INFO2_CREATE_ONLY != 0 && existing.is_some() {
        return fail(rc::RECORD_EXISTS);
    }
    if !generation_ok(m, existing.as_ref().map_or(0, |r| r.generation)) {
        return fail(rc::GENERATION);
    }
    if existing.is_none() {
        // set_set_from_msg: creating a record in a set registers the set, even if the write fails later.
        if let Some(s) = set {
            if let Err(code) = ns.register_set(&String::from_utf8_lossy(s)) {
                return fail(code);
            }
        }
    }
    if let Some(r) = &existing {
        // set_name_check_on_update: an update must name the record's set exactly.
        if r.set.as_deref().map(str::as_bytes) != set {
            return fail(rc::PARAMETER);
        }
    }
    if let Some(r) = &existing {
        // Filters apply to records that exist; a create is never filtered (write_master).
        if filtered_out(filter, r, digest) {
            return fail(rc::FILTERED_OUT);
        }
        if !key_matches(m, r) {
            return fail(rc::KEY_MISMATCH);
        }
    }
    let mut ttl = m.record_ttl;
    if ttl == TTL_DONT_UPDATE && existing.is_none() {
        ttl = 0;
        *ttl_defaulted = true;
    }
    if !(ttl <= MAX_ALLOWED_TTL || ttl == TTL_NEVER_EXPIRE || ttl == TTL_DONT_UPDATE) {
        return fail(rc::PARAMETER);
    }
    let ttl_disallowed = ((ttl as i32) > 0 || (ttl == 0 && ns.default_ttl != 0)) && !ns.nsup;
    if ttl_disallowed {
        return fail(rc::FORBIDDEN);
    }

    let replace = m.info3 & (proto::INFO3_CREATE_OR_REPLACE | proto::INFO3_REPLACE_ONLY) != 0;
    let had_bins = existing.as_ref().is_some_and(|r| !r.bins.is_empty());
    let mut rec = match &existing {
        Some(r) => r.clone(),
        None => Record {
            set: set.map(|s| String::from_utf8_lossy(s).into_owned()),
            key: None,
            bins: Vec::new(),
            generation: 0,
            void_time: 0,
            lut: 0,
        },
    };
    if replace {
        rec.bins.clear();
    }
    if rec.key.is_none() {
        rec.key = m.field(proto::FIELD_KEY).map(|k| k.to_vec());
    }

    let respond_all = m.info2 & proto::INFO2_RESPOND_ALL_OPS != 0;
    let mut reads: Vec<OutBin> = Vec::new();
    for op in &m.ops {
        let name = match std::str::from_utf8(op.name) {
            Ok(n) => n,
            Err(_) => return fail(rc::PARAMETER),
        };
        let pos = rec.bins.iter().position(|b| b.name == name);
        match op.op {
            proto::OP_TOUCH => continue,
            proto::OP_WRITE => {
                if op.ptype == particle::NULL {
                    if let Some(i) = pos {
                        rec.bins.swap_remove(i); // as_bin_remove: the last bin takes the slot
                    }
                } else {
                    // An empty bin name is a name like any other (as_bin_name_check allows it).
                    if let Err(e) = particle::validate(op.ptype, op.value) {
                        return fail(e);
                    }
                    let data = match op.ptype {
                        particle::LIST | particle::MAP => match cdt::canonical_particle(op.value) {
                            Ok(d) => d,
                            Err(e) => return fail(e),
                        },
                        _ => op.value.to_vec(),
                    };
                    let b = Bin { name: name.to_string(), ptype: op.ptype, data };
                    match pos {
                        Some(i) => rec.bins[i] = b,
                        None => rec.bins.push(b),
                    }
                }
            }
            proto::OP_INCR | proto::OP_APPEND | proto::OP_PREPEND => {
                let cur = pos.map(|i| &rec.bins[i]);
                let res = if op.op == proto::OP_INCR {
                    particle::incr(cur, name, op.ptype, op.value)
                } else {
                    particle::concat(cur, name, op.ptype, op.value, op.op == proto::OP_APPEND)
                };
                match res {
                    Ok(b) => match pos {
                        Some(i) => rec.bins[i] = b,
                        None => rec.bins.push(b),
                    },
                    Err(e) => return fail(e),
                }
            }
            proto::OP_DELETE_ALL => rec.bins.clear(),
            proto::OP_EXP_READ => {
                // write_master answers every read op but OP_READ, nil when it has no value.
                match exp_read(op, &rec, digest) {
                    Ok(Some(b)) => reads.push(b),
                    Ok(None) => reads.push(OutBin::null(op.name)),
                    Err(code) => return fail(code),
                }
                continue;
            }
            proto::OP_EXP_MODIFY => {
                if let Err(code) = exp_modify(op, &mut rec, digest, name) {
                    return fail(code);
                }
            }
            proto::OP_CDT_READ | proto::OP_CDT_MODIFY => {
                let modify = op.op == proto::OP_CDT_MODIFY;
                match cdt::execute(pos.map(|i| &rec.bins[i]), name, modify, op.value) {
                    Ok(out) => {
                        if let Some(b) = out.new_bin {
                            match pos {
                                Some(i) => rec.bins[i] = b,
                                None => rec.bins.push(b),
                            }
                        }
                        // A read of a missing bin answers nothing (process_bin_read_op NOT_FOUND); a
                        // read of a present bin, like a modify with respond-all-ops, answers nil.
                        let answers_nil = respond_all || (!modify && pos.is_some());
                        match out.result {
                            Some((ptype, data)) => reads.push(OutBin { name: op.name.to_vec(), ptype, data }),
                            None if answers_nil => reads.push(OutBin::null(op.name)),
                            None => {}
                        }
                    }
                    Err(code) => return fail(code),
                }
                continue;
            }
            proto::OP_READ => {
                if name.is_empty() && m.info1 & proto::INFO1_GET_ALL != 0 {
                    reads.extend(rec.bins.iter().map(OutBin::from_bin));
                } else {
                    // process_bin_read_op: a missing bin answers only with respond-all-ops.
                    match rec.bins.iter().find(|b| b.name == name) {
                        Some(b) => reads.push(OutBin::from_bin(b)),
                        None if respond_all => reads.push(OutBin::null(op.name)),
                        None => {}
                    }
                }
                continue;
            }
            _ => return fail(rc::UNSUPPORTED_FEATURE),
        }
        if respond_all {
            reads.push(OutBin::null(op.name));
        }
    }

    if rec.bins.is_empty() {
        // Every bin gone: the write becomes a delete (write_master_apply).
        if existing.is_none() || !had_bins {
            return fail(rc::NOT_FOUND);
        }
        if m.info2 & proto::INFO2_DURABLE_DELETE != 0 {
            return fail(rc::ENTERPRISE_ONLY);
        }
        let old = part.records.remove(digest);
        ns.account(old.as_ref(), None);
        return Outcome { kind: k, result: rc::OK, generation: 0, void_time: 0, bins: reads, ttl_defaulted: false };
    }
    if rec.bins.len() > 32767 {
        return fail(rc::PARAMETER);
    }
    // The new void time is part of the flat record whose size is checked.
    rec.void_time = new_void_time(ttl, existing.as_ref(), ns, now);
    if rec.storage_size() > ns.max_record_size {
        return fail(rc::RECORD_TOO_BIG);
    }
    let delta = rec.size() as i64 - existing.as_ref().map_or(0, |r| r.size() as i64);
    if delta > 0 && ns.memory_limit > 0 {
        let used = ns.used_bytes.load(std::sync::atomic::Ordering::Relaxed);
        if used + delta > ns.memory_limit as i64 {
            return fail(rc::OUT_OF_SPACE);
        }
    }
    rec.generation = next_generation(rec.generation);
    rec.lut = clock::now_ns();
    let out = Outcome { kind: k, result: rc::OK, generation: rec.generation as u32, void_time: rec.void_time, bins: reads, ttl_defaulted: false };
    ns.account(existing.as_ref(), Some(&rec));
    part.records.insert(*digest, rec);
    out
}

fn delete(ns: &Namespace, m: &Msg<'_>, digest: &Digest, filter: Option<&exp::Exp>) -> Outcome {
    let k = TxnKind::Delete;
    if m.info2 & proto::INFO2_DURABLE_DELETE != 0 {
        // Durable deletes need tombstones, an Enterprise Edition feature (checked before the lookup).
        return Outcome::err(k, rc::ENTERPRISE_ONLY);
    }
    let mut part = ns.lock(partition_id(digest));
    // delete_ce.c delete_master / drop_master: CE deletes a record even once it has expired, until
    // the sweep (nsup) has removed it; set check, generation, filter, then key.
    let Some(r) = part.records.get(digest) else {
        return Outcome::err(k, rc::NOT_FOUND);
    };
    if !set_matches(m, r) {
        return Outcome::err(k, rc::PARAMETER);
    }
    if !generation_ok(m, r.generation) {
        return Outcome { kind: k, result: rc::GENERATION, generation: r.generation as u32, void_time: r.void_time, bins: Vec::new(), ttl_defaulted: false };
    }
    if filtered_out(filter, r, digest) {
        return Outcome::err(k, rc::FILTERED_OUT);
    }
    if !key_matches(m, r) {
        return Outcome::err(k, rc::KEY_MISMATCH);
    }
    let old = part.records.remove(digest);
    ns.account(old.as_ref(), None);
    Outcome::err(k, rc::OK)
}
