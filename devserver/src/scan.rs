//! Partition scans and secondary-index queries, streamed back in frames (query.c, query_job.c).
//! Requested partitions are walked in partition-id order, each in descending digest order (so
//! digest resume works, index.c); each record goes out as one message with namespace/set/digest/key fields and the stream
//! ends with a LAST message. PARTITION_DONE messages are only sent for partitions a node cannot
//! serve, which never happens here since every node reads the shared store.

use std::io;

use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;

use crate::clock;
use crate::cluster::Cluster;
use crate::msgpack::{self, Mp};
use crate::particle;
use crate::proto::{self, Msg, Reader, rc};
use crate::stats::bump;
use crate::store::{Digest, N_PARTITIONS, Namespace, Record, partition_id};

const FRAME_CHUNK: usize = 256 * 1024;

/// A secondary-index filter: one bin, equality, integer range or a geo2dsphere region/point.
#[derive(Debug, Clone)]
pub enum Filter {
    IntRange { bin: Vec<u8>, lo: i64, hi: i64 },
    StrEq { bin: Vec<u8>, value: Vec<u8> },
    BlobEq { bin: Vec<u8>, value: Vec<u8> },
    /// Points within a region, or regions containing a point (geo.rs).
    Geo { bin: Vec<u8>, shape: crate::geo::Shape },
}

impl PartialEq for Filter {
    fn eq(&self, o: &Filter) -> bool {
        match (self, o) {
            (Filter::IntRange { bin, lo, hi }, Filter::IntRange { bin: b, lo: l, hi: h }) => bin == b && lo == l && hi == h,
            (Filter::StrEq { bin, value }, Filter::StrEq { bin: b, value: v }) => bin == b && value == v,
            (Filter::BlobEq { bin, value }, Filter::BlobEq { bin: b, value: v }) => bin == b && value == v,
            _ => false,
        }
    }
}

impl Filter {
    fn bin(&self) -> &[u8] {
        match self {
            Filter::IntRange { bin, .. } | Filter::StrEq { bin, .. } | Filter::BlobEq { bin, .. } | Filter::Geo { bin, .. } => bin,
        }
    }

    /// A filter sent with an index name and no bin reads the named index's bin.
    fn set_bin(&mut self, name: &[u8]) {
        match self {
            Filter::IntRange { bin, .. } | Filter::StrEq { bin, .. } | Filter::BlobEq { bin, .. } | Filter::Geo { bin, .. } => *bin = name.to_vec(),
        }
    }

    fn ktype(&self) -> &'static str {
        match self {
            Filter::IntRange { .. } => "numeric",
            Filter::StrEq { .. } => "string",
            Filter::BlobEq { .. } => "blob",
            Filter::Geo { .. } => "geo2dsphere",
        }
    }

    /// Whether the record's bin (or, for list/mapkeys/mapvalues indexes, any element) matches;
    /// with a context, the value the context selects inside the bin stands for the bin.
    /// With an expression index, the expression's value stands for the bin.
    fn matches(&self, r: &Record, d: &Digest, collection: u8, ctx: Option<&[Mp]>, exp: Option<&crate::exp::Exp>) -> bool {
        let value;
        let b = match exp {
            Some(e) => match e.value(&crate::exp::RecCtx { rec: r, digest: d }) {
                Ok(Some((ptype, mut data))) => {
                    if ptype == particle::GEOJSON {
                        // The value is the GeoJSON text; a particle has a header (flags, no cells) first.
                        data.splice(0..0, [0u8, 0, 0]);
                    }
                    value = crate::store::Bin { name: String::new(), ptype, data };
                    &value
                }
                _ => return false,
            },
            None => match r.bin(self.bin()) {
                Some(b) => b,
                None => return false,
            },
        };
        let value = match ctx {
            Some(ctx) => {
                if b.ptype != particle::LIST && b.ptype != particle::MAP {
                    return false;
                }
                match msgpack::decode(&b.data).ok().and_then(|v| crate::cdt::dig(&v, ctx)) {
                    Some(v) => v,
                    None => return false,
                }
            }
            None if collection == 0 => {
                return match self {
                    Filter::IntRange { lo, hi, .. } => {
                        b.ptype == particle::INTEGER
                            && b.data.len() == 8
                            && (*lo..=*hi).contains(&i64::from_be_bytes(b.data[..8].try_into().unwrap()))
                    }
                    Filter::StrEq { value, .. } => b.ptype == particle::STRING && &b.data == value,
                    Filter::BlobEq { value, .. } => b.ptype == particle::BLOB && &b.data == value,
                    Filter::Geo { shape, .. } => {
                        b.ptype == particle::GEOJSON
                            && crate::geo::particle_text(&b.data)
                                .and_then(|t| crate::geo::parse(t).ok())
                                .is_some_and(|c| crate::geo::matches(&c, shape))
                    }
                };
            }
            None => {
                let want = if collection == 1 { particle::LIST } else { particle::MAP };
                if b.ptype != want {
                    return false;
                }
                match msgpack::decode(&b.data) {
                    Ok(v) => v,
                    Err(_) => return false,
                }
            }
        };
        match (collection, value) {
            (0, v) => self.matches_element(&v),
            (1, Mp::Array(items)) => items.iter().any(|e| self.matches_element(e)),
            (2, Mp::Map(pairs)) => pairs.iter().any(|(k, _)| self.matches_element(k)),
            (3, Mp::Map(pairs)) => pairs.iter().any(|(_, v)| self.matches_element(v)),
            _ => false,
        }
    }

    fn matches_element(&self, e: &Mp) -> bool {
        match (self, e) {
            (Filter::IntRange { lo, hi, .. }, Mp::Int(i)) => (*lo..=*hi).contains(i),
            (Filter::StrEq { value, .. }, Mp::Str(s)) => s.split_first() == Some((&particle::STRING, value.as_slice())),
            (Filter::BlobEq { value, .. }, Mp::Str(s) | Mp::Bin(s)) => s.split_first() == Some((&particle::BLOB, value.as_slice())),
            (Filter::Geo { shape, .. }, Mp::Str(s)) => match s.split_first() {
                Some((&particle::GEOJSON, text)) => {
                    crate::geo::parse(text).ok().is_some_and(|c| crate::geo::matches(&c, shape))
                }
                _ => false,
            },
            _ => false,
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
        particle::BLOB => Ok(Filter::BlobEq { bin, value: begin.to_vec() }),
        // range_from_msg_geojson: the begin text is the query (the end repeats it); a text that
        // does not parse as a point or region fails the query.
        particle::GEOJSON => match crate::geo::parse(begin) {
            Ok(shape) if crate::geo::coverable(&shape) => Ok(Filter::Geo { bin, shape }),
            _ => Err(rc::PARAMETER),
        },
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
    parts.sort_by_key(|(p, _)| *p);
    if parts.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(rc::PARAMETER); // "bad or duplicate digest pid"
    }
    Ok(parts)
}

struct Plan<'a> {
    ns: &'a Namespace,
    set: Option<&'a [u8]>,
    filter: Option<Filter>,
    collection: u8,
    ctx: Option<Vec<Mp>>,
    exp: Option<crate::exp::Exp>,
    /// The expression of an expression index the filter reads.
    index_exp: Option<crate::exp::Exp>,
    /// Projection ops (reads): each record answers them like a read; none = every bin.
    ops: &'a [proto::Op<'a>],
    respond_all: bool,
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
            after.is_none_or(|a| **d < a)
                && !r.is_expired(now)
                && plan.set.is_none_or(|s| r.set.as_deref().map(str::as_bytes) == Some(s))
                && plan.filter.as_ref().is_none_or(|f| f.matches(r, d, plan.collection, plan.ctx.as_deref(), plan.index_exp.as_ref()))
                && plan.exp.as_ref().is_none_or(|e| e.matches(&crate::exp::RecCtx { rec: r, digest: d }))
        })
        .collect();
    // index.c reduces a partition from the largest digest down; a resume digest is exclusive.
    hits.sort_unstable_by(|a, b| b.0.cmp(a.0));
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
        // Counted before the projection, like query.c's sample count.
        n += 1;
        let mut projected = Vec::new();
        if !plan.no_bins && !plan.ops.is_empty() {
            for op in plan.ops {
                if crate::txn::read_op(op, r, d, plan.respond_all, &mut projected).is_err() {
                    projected.clear(); // a failing op skips the record (apply_ops_make_response)
                    break;
                }
            }
            // apply_ops_make_response: a record none of whose ops answers is not sent.
            if projected.is_empty() {
                continue;
            }
        }
        let ops: Vec<proto::OutOp<'_>> = if plan.no_bins {
            Vec::new()
        } else if plan.ops.is_empty() {
            r.bins.iter().map(|b| proto::OutOp { name: b.name.as_bytes(), ptype: b.ptype, value: &b.data }).collect()
        } else {
            projected.iter().map(|b| proto::OutOp { name: &b.name, ptype: b.ptype, value: &b.data }).collect()
        };
        proto::write_msg(out, 0, rc::OK, r.generation as u32, r.void_time, 0, &fields, &ops);
    }
    (n, false)
}

pub async fn execute(c: &Cluster, node: usize, m: &Msg<'_>, wr: &mut OwnedWriteHalf) -> io::Result<()> {
    let stats = &c.nodes[node].stats;
    let Some(ns) = m.field(proto::FIELD_NAMESPACE).and_then(|n| c.store.ns(n)) else {
        return wr.write_all(&error_reply(rc::NAMESPACE)).await;
    };
    if m.info2 & proto::INFO2_WRITE != 0 {
        // Background (write) scans are not implemented.
        return wr.write_all(&error_reply(rc::UNSUPPORTED_FEATURE)).await;
    }
    let exp_filter = match m.field(proto::FIELD_FILTER_EXP).map(crate::exp::parse) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(code)) => return wr.write_all(&error_reply(code)).await,
    };
    let set = m.field(proto::FIELD_SET).filter(|s| !s.is_empty());
    let mut filter = match m.field(proto::FIELD_INDEX_RANGE) {
        None => None,
        Some(data) => match parse_range(data) {
            Ok(f) => Some(f),
            Err(code) => return wr.write_all(&error_reply(code)).await,
        },
    };
    let collection = m.field(proto::FIELD_INDEX_TYPE).and_then(|t| t.first().copied()).unwrap_or(0);
    // A context (field 23) is the packed `[type, value, ...]` the index was created with.
    let ctx_field = m.field(proto::FIELD_INDEX_CONTEXT).filter(|c| !c.is_empty());
    let ctx = match ctx_field.map(msgpack::decode) {
        None => None,
        Some(Ok(Mp::Array(steps))) if !steps.is_empty() && steps.len() % 2 == 0 => Some(steps),
        Some(_) => return wr.write_all(&error_reply(rc::PARAMETER)).await,
    };
    let ctx_b64 = ctx_field.map(crate::b64::encode);
    let mut index_exp = None;
    if let Some(f) = &mut filter {
        bump(&stats.query_initiate);
        if collection > 3 {
            return wr.write_all(&error_reply(rc::UNSUPPORTED_FEATURE)).await;
        }
        let itype = ["default", "list", "mapkeys", "mapvalues"][collection as usize];
        // An expression (field 24) selects the index made on the same expression.
        let by_exp = m.field(proto::FIELD_INDEX_EXPRESSION).filter(|e| !e.is_empty()).map(crate::b64::encode);
        // find_sindex (query.c): a name sent by the client selects the index by name alone;
        // otherwise the definition must match (set exactly, bin, key type, default collection).
        // The lookup holds the index list's lock, so it answers before any await.
        let looked_up = {
            let sindexes = ns.sindexes.read().unwrap_or_else(|e| e.into_inner());
            let found = match m.field(proto::FIELD_INDEX_NAME).filter(|n| !n.is_empty()) {
                Some(name) => sindexes.iter().find(|i| i.name.as_bytes() == name),
                None => sindexes.iter().find(|i| {
                    i.itype == itype
                        && i.context == ctx_b64
                        && i.exp == by_exp
                        && (by_exp.is_some() || i.bin.as_bytes() == f.bin())
                        && i.ktype == f.ktype()
                        && i.set.as_deref().map(str::as_bytes) == set
                }),
            };
            found.map(|i| (i.bin.clone(), i.exp.clone()))
        };
        let Some((bin, exp)) = looked_up else {
            return wr.write_all(&error_reply(rc::SINDEX_NOT_FOUND)).await;
        };
        if f.bin().is_empty() && exp.is_none() {
            f.set_bin(bin.as_bytes());
        }
        index_exp = exp.as_deref().and_then(crate::b64::decode).and_then(|b| crate::exp::parse(&b).ok());
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
    let plan = Plan {
        ns,
        set,
        filter,
        collection,
        ctx,
        exp: exp_filter,
        index_exp,
        ops: if m.info1 & proto::INFO1_GET_ALL != 0 { &[] } else { &m.ops },
        respond_all: m.info2 & proto::INFO2_RESPOND_ALL_OPS != 0,
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
