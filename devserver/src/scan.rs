//! Partition scans and secondary-index queries, streamed back in frames.
//! Each requested partition is walked in digest order (so digest resume works), each record goes out
//! as one message with namespace/set/digest/key fields, a finished partition gets a PARTITION_DONE
//! message carrying its id in the generation slot, and the stream ends with a LAST message.

use std::io;

use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;

use crate::clock;
use crate::cluster::Cluster;
use crate::particle;
use crate::proto::{self, Msg, Reader, rc};
use crate::stats::bump;
use crate::store::{Digest, N_PARTITIONS, Namespace, Record, partition_id};

const FRAME_CHUNK: usize = 256 * 1024;

/// A secondary-index filter: one bin, equality or integer range.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    IntRange { bin: Vec<u8>, lo: i64, hi: i64 },
    StrEq { bin: Vec<u8>, value: Vec<u8> },
}

impl Filter {
    fn bin(&self) -> &[u8] {
        match self {
            Filter::IntRange { bin, .. } | Filter::StrEq { bin, .. } => bin,
        }
    }

    fn ktype(&self) -> &'static str {
        match self {
            Filter::IntRange { .. } => "numeric",
            Filter::StrEq { .. } => "string",
        }
    }

    fn matches(&self, r: &Record) -> bool {
        let Some(b) = r.bin(self.bin()) else { return false };
        match self {
            Filter::IntRange { lo, hi, .. } => {
                b.ptype == particle::INTEGER
                    && b.data.len() == 8
                    && (*lo..=*hi).contains(&i64::from_be_bytes(b.data[..8].try_into().unwrap()))
            }
            Filter::StrEq { value, .. } => b.ptype == particle::STRING && &b.data == value,
        }
    }
}

/// Parses the INDEX_RANGE field: count, then per range: name, particle type, begin, end.
pub fn parse_range(data: &[u8]) -> Result<Filter, u8> {
    let mut r = Reader::new(data);
    let bad = |_| rc::PARAMETER;
    let n = r.u8().map_err(bad)?;
    if n != 1 {
        return Err(rc::PARAMETER);
    }
    let name_len = r.u8().map_err(bad)? as usize;
    let bin = r.bytes(name_len).map_err(bad)?.to_vec();
    let ptype = r.u8().map_err(bad)?;
    let blen = r.u32().map_err(bad)? as usize;
    let begin = r.bytes(blen).map_err(bad)?;
    let elen = r.u32().map_err(bad)? as usize;
    let end = r.bytes(elen).map_err(bad)?;
    match ptype {
        particle::INTEGER => {
            let lo = i64::from_be_bytes(begin.try_into().map_err(|_| rc::PARAMETER)?);
            let hi = i64::from_be_bytes(end.try_into().map_err(|_| rc::PARAMETER)?);
            Ok(Filter::IntRange { bin, lo, hi })
        }
        particle::STRING => Ok(Filter::StrEq { bin, value: begin.to_vec() }),
        _ => Err(rc::UNSUPPORTED_FEATURE),
    }
}

fn error_reply(code: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let start = proto::begin_frame(&mut out);
    proto::write_msg(&mut out, proto::INFO3_LAST, code, 0, 0, 0, &[], &[]);
    proto::finish_frame(&mut out, start);
    out
}

/// Which partitions to walk, each with an optional digest to resume after.
fn requested_partitions(m: &Msg<'_>) -> Result<Vec<(usize, Option<Digest>)>, u8> {
    let mut parts = Vec::new();
    if let Some(pids) = m.field(proto::FIELD_PID_ARRAY) {
        if pids.len() % 2 != 0 {
            return Err(rc::PARAMETER);
        }
        for c in pids.chunks(2) {
            let pid = u16::from_le_bytes([c[0], c[1]]) as usize;
            if pid >= N_PARTITIONS {
                return Err(rc::PARAMETER);
            }
            parts.push((pid, None));
        }
    }
    if let Some(ds) = m.field(proto::FIELD_DIGEST_ARRAY) {
        if ds.len() % 20 != 0 {
            return Err(rc::PARAMETER);
        }
        for c in ds.chunks(20) {
            let d: Digest = c.try_into().unwrap();
            parts.push((partition_id(&d), Some(d)));
        }
    }
    if m.field(proto::FIELD_PID_ARRAY).is_none() && m.field(proto::FIELD_DIGEST_ARRAY).is_none() {
        parts.extend((0..N_PARTITIONS).map(|p| (p, None)));
    }
    Ok(parts)
}

struct Plan<'a> {
    ns: &'a Namespace,
    set: Option<&'a [u8]>,
    filter: Option<Filter>,
    bins: Option<Vec<&'a [u8]>>,
    no_bins: bool,
}

/// Encodes the matching records of one partition (after `after`), at most `limit`; returns (count, more_left).
fn walk_partition(plan: &Plan<'_>, pid: usize, after: Option<Digest>, limit: u64, out: &mut Vec<u8>) -> (u64, bool) {
    let now = clock::now_cl();
    let part = plan.ns.lock(pid);
    let mut hits: Vec<(&Digest, &Record)> = part
        .records
        .iter()
        .filter(|(d, r)| {
            after.is_none_or(|a| **d > a)
                && !r.is_expired(now)
                && plan.set.is_none_or(|s| r.set.as_deref().map(str::as_bytes) == Some(s))
                && plan.filter.as_ref().is_none_or(|f| f.matches(r))
        })
        .collect();
    hits.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut n = 0u64;
    for (d, r) in &hits {
        if limit > 0 && n >= limit {
            return (n, true);
        }
        let mut fields: Vec<(u8, &[u8])> = vec![(proto::FIELD_NAMESPACE, plan.ns.name.as_bytes())];
        if let Some(s) = &r.set {
            fields.push((proto::FIELD_SET, s.as_bytes()));
        }
        fields.push((proto::FIELD_DIGEST, &d[..]));
        if let Some(k) = &r.key {
            fields.push((proto::FIELD_KEY, k));
        }
        let ops: Vec<proto::OutOp<'_>> = if plan.no_bins {
            Vec::new()
        } else {
            r.bins
                .iter()
                .filter(|b| plan.bins.as_ref().is_none_or(|names| names.contains(&b.name.as_bytes())))
                .map(|b| proto::OutOp { name: b.name.as_bytes(), ptype: b.ptype, value: &b.data })
                .collect()
        };
        proto::write_msg(out, 0, rc::OK, r.generation as u32, r.void_time, 0, &fields, &ops);
        n += 1;
    }
    (n, false)
}

pub async fn execute(c: &Cluster, node: usize, m: &Msg<'_>, wr: &mut OwnedWriteHalf) -> io::Result<()> {
    let stats = &c.nodes[node].stats;
    let Some(ns) = m.field(proto::FIELD_NAMESPACE).and_then(|n| c.store.ns(n)) else {
        return wr.write_all(&error_reply(rc::NAMESPACE)).await;
    };
    if m.field(proto::FIELD_FILTER_EXP).is_some() || m.info2 & proto::INFO2_WRITE != 0 {
        // Expression filters and background (write) scans are not implemented.
        return wr.write_all(&error_reply(rc::UNSUPPORTED_FEATURE)).await;
    }
    let set = m.field(proto::FIELD_SET).filter(|s| !s.is_empty());
    let filter = match m.field(proto::FIELD_INDEX_RANGE) {
        None => None,
        Some(data) => match parse_range(data) {
            Ok(f) => Some(f),
            Err(code) => return wr.write_all(&error_reply(code)).await,
        },
    };
    if let Some(f) = &filter {
        bump(&stats.query_initiate);
        let collection = m.field(proto::FIELD_INDEX_TYPE).and_then(|t| t.first().copied()).unwrap_or(0);
        if collection != 0 || m.field(proto::FIELD_INDEX_CONTEXT).is_some() || m.field(proto::FIELD_INDEX_EXPRESSION).is_some() {
            return wr.write_all(&error_reply(rc::UNSUPPORTED_FEATURE)).await;
        }
        let wanted_name = m.field(proto::FIELD_INDEX_NAME);
        let found = ns.sindexes.read().unwrap_or_else(|e| e.into_inner()).iter().any(|i| {
            i.itype == "default"
                && i.bin.as_bytes() == f.bin()
                && i.ktype == f.ktype()
                && wanted_name.is_none_or(|n| n == i.name.as_bytes())
                && i.set.as_deref().is_none_or(|s| set == Some(s.as_bytes()))
        });
        if !found {
            return wr.write_all(&error_reply(rc::SINDEX_NOT_FOUND)).await;
        }
    } else {
        bump(&stats.scan_initiate);
    }
    let parts = match requested_partitions(m) {
        Ok(p) => p,
        Err(code) => return wr.write_all(&error_reply(code)).await,
    };
    let max_records = m
        .field(proto::FIELD_MAX_RECORDS)
        .and_then(|d| d.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0);
    let read_names: Vec<&[u8]> = m.ops.iter().filter(|o| o.op == proto::OP_READ).map(|o| o.name).collect();
    let plan = Plan {
        ns,
        set,
        filter,
        bins: (!read_names.is_empty() && m.info1 & proto::INFO1_GET_ALL == 0).then_some(read_names),
        no_bins: m.info1 & proto::INFO1_GET_NO_BINS != 0,
    };

    let mut out = Vec::with_capacity(FRAME_CHUNK + 4096);
    let mut start = proto::begin_frame(&mut out);
    let mut sent = 0u64;
    for (pid, after) in parts {
        let limit = if max_records > 0 { max_records - sent } else { 0 };
        if max_records > 0 && limit == 0 {
            break;
        }
        let (n, more) = walk_partition(&plan, pid, after, limit, &mut out);
        sent += n;
        if !more {
            proto::write_msg(&mut out, proto::INFO3_PARTITION_DONE, rc::OK, pid as u32, 0, 0, &[], &[]);
        }
        if out.len() - start > FRAME_CHUNK {
            proto::finish_frame(&mut out, start);
            wr.write_all(&out).await?;
            out.clear();
            start = proto::begin_frame(&mut out);
        }
        if more {
            break;
        }
    }
    proto::write_msg(&mut out, proto::INFO3_LAST, rc::OK, 0, 0, 0, &[], &[]);
    proto::finish_frame(&mut out, start);
    wr.write_all(&out).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_integer_range() {
        let mut d = vec![1u8, 3];
        d.extend_from_slice(b"age");
        d.push(particle::INTEGER);
        d.extend_from_slice(&8u32.to_be_bytes());
        d.extend_from_slice(&10i64.to_be_bytes());
        d.extend_from_slice(&8u32.to_be_bytes());
        d.extend_from_slice(&20i64.to_be_bytes());
        assert_eq!(parse_range(&d), Ok(Filter::IntRange { bin: b"age".to_vec(), lo: 10, hi: 20 }));
        assert!(parse_range(&d[..d.len() - 1]).is_err());
    }
}
