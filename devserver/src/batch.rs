//! Batch index commands (fields 41 / 42): one sub-transaction per row, one reply message per row
//! carrying the row index in the transaction-ttl slot, then a LAST marker (as/src/base/batch.c).

use crate::cluster::Cluster;
use crate::proto::{self, Field, Msg, Op, ParseError, Reader, rc};
use crate::stats::{TxnKind, bump};
use crate::txn;

const BATCH_MSG_REPEAT: u8 = 0x1;
const BATCH_MSG_INFO: u8 = 0x2;
const BATCH_MSG_GEN: u8 = 0x4;
const BATCH_MSG_TTL: u8 = 0x8;
const BATCH_MSG_INFO4: u8 = 0x10;
/// Rows are flushed into a new proto frame past this many bytes.
const FRAME_CHUNK: usize = 512 * 1024;
/// batch.c BATCH_BLOCK_SIZE: row answers are gathered, and sent, in blocks of this size.
const BATCH_BLOCK: usize = 128 * 1024;
/// The server's default batch-max-requests is 5000 keys per node; we allow more but bound the parse.
const MAX_KEYS: u32 = 1_000_000;

#[derive(Clone)]
struct RowTemplate<'a> {
    info1: u8,
    info2: u8,
    info3: u8,
    info4: u8,
    generation: u32,
    /// Shared by the rows that repeat this one, which see a write's -2 -> 0 rewrite (batch.c).
    ttl: std::cell::Cell<u32>,
    fields: Vec<Field<'a>>,
    ops: Vec<Op<'a>>,
}

struct Row<'a> {
    index: u32,
    digest: &'a [u8],
    tpl: std::rc::Rc<RowTemplate<'a>>,
}

/// Parent flags (batch.c).
const REPORT_ALL_ERRORS: u8 = 0x4;
const REPORT_ERROR_REC: u8 = 0x8;

fn parse_rows<'a>(data: &'a [u8]) -> Result<(u8, Vec<Row<'a>>), ParseError> {
    let mut r = Reader::new(data);
    let n = r.u32()?;
    if n == 0 || n > MAX_KEYS {
        return Err(ParseError);
    }
    let flags = r.u8()?;
    let mut rows = Vec::with_capacity(n.min(10_000) as usize);
    let mut prev: Option<std::rc::Rc<RowTemplate<'a>>> = None;
    for _ in 0..n {
        let index = r.u32()?;
        let digest = r.bytes(20)?;
        let t = r.u8()?;
        let tpl = if t & BATCH_MSG_REPEAT != 0 {
            prev.clone().ok_or(ParseError)?
        } else {
            let (info1, info2, info3, info4);
            if t & BATCH_MSG_INFO != 0 {
                info1 = r.u8()?;
                info2 = r.u8()?;
                info3 = r.u8()?;
                info4 = if t & BATCH_MSG_INFO4 != 0 { r.u8()? } else { 0 };
            } else {
                // Original batch-index row: read attributes only, policies from the outer message.
                info1 = r.u8()?;
                info2 = 0;
                info3 = 0;
                info4 = 0;
            }
            let generation = if t & BATCH_MSG_GEN != 0 { r.u16()? as u32 } else { 0 };
            // as_batch_queue_task: a row without its own ttl gets 0, not the parent's.
            let ttl = std::cell::Cell::new(if t & BATCH_MSG_TTL != 0 { r.u32()? } else { 0 });
            let n_fields = r.u16()?;
            let n_ops = r.u16()?;
            let (fields, ops) = proto::parse_fields_ops(&mut r, n_fields, n_ops)?;
            std::rc::Rc::new(RowTemplate { info1, info2, info3, info4, generation, ttl, fields, ops })
        };
        prev = Some(tpl.clone());
        rows.push(Row { index, digest, tpl });
    }
    Ok((flags, rows))
}

/// Executes a batch and returns all reply frames.
pub fn execute(c: &Cluster, node: usize, m: &Msg<'_>) -> Vec<u8> {
    let stats = &c.nodes[node].stats;
    // The last batch field wins, as in as_batch_queue_task; none is a PARAMETER error.
    let data = m
        .fields
        .iter()
        .rev()
        .find(|f| f.kind == proto::FIELD_BATCH || f.kind == proto::FIELD_BATCH_WITH_SET)
        .map(|f| f.data)
        .unwrap_or(&[]);
    let error = |code: u8| {
        let mut out = Vec::new();
        let start = proto::begin_frame(&mut out);
        proto::write_msg(&mut out, proto::INFO3_LAST, code, 0, 0, 0, &[], &[]);
        proto::finish_frame(&mut out, start);
        out
    };
    // A malformed batch, or a row naming an unknown namespace, ends the whole batch with PARAMETER
    // before any row answers (as_batch_queue_task / as_batch_terminate).
    let (flags, rows) = match parse_rows(data) {
        Ok(r) => r,
        Err(_) => return error(rc::PARAMETER),
    };
    let ns_ok = |t: &RowTemplate<'_>| {
        t.fields.iter().find(|f| f.kind == proto::FIELD_NAMESPACE).is_some_and(|f| c.store.ns(f.data).is_some())
    };
    if rows.iter().any(|r| !ns_ok(&r.tpl)) {
        return error(rc::PARAMETER);
    }
    // A batch-level filter applies to every row that has none of its own.
    let outer_filter = m.field(proto::FIELD_FILTER_EXP);
    if let Some(Err(code)) = outer_filter.map(crate::exp::parse) {
        return error(code);
    }
    // Every row runs. Answers go into 128 KiB blocks (batch.c as_batch_reserve); without
    // respond-all-keys an error ends the answer: with REPORT_ERROR_REC the block holding it is the
    // last sent (and carries the block's last error), without it no unsent block goes out.
    let mut final_code = rc::OK;
    let mut blocks: Vec<Vec<u8>> = vec![Vec::new()];
    let mut block_error: Option<u8> = None;
    let mut stopped = false;
    for row in &rows {
        let t = &row.tpl;
        let mut fields = t.fields.clone();
        fields.push(Field { kind: proto::FIELD_DIGEST, data: row.digest });
        if let Some(f) = outer_filter.filter(|_| !t.fields.iter().any(|f| f.kind == proto::FIELD_FILTER_EXP)) {
            fields.push(Field { kind: proto::FIELD_FILTER_EXP, data: f });
        }
        let sub = Msg {
            info1: t.info1,
            info2: t.info2,
            info3: t.info3,
            info4: t.info4,
            generation: t.generation,
            record_ttl: t.ttl.get(),
            transaction_ttl: 0,
            fields,
            ops: t.ops.clone(),
        };
        let o = txn::execute(&c.store, &sub);
        if o.ttl_defaulted {
            t.ttl.set(0);
        }
        if o.result == rc::OK {
            bump(if o.kind == TxnKind::Read { &stats.batch_sub_read_success } else { &stats.batch_sub_write_success });
        }
        if stopped {
            continue;
        }
        let ops: Vec<proto::OutOp<'_>> =
            o.bins.iter().map(|b| proto::OutOp { name: &b.name, ptype: b.ptype, value: &b.data }).collect();
        let mut msg = Vec::new();
        proto::write_msg(&mut msg, 0, o.result, o.generation, o.void_time, row.index, &[], &ops);
        if blocks.last().is_some_and(|b| !b.is_empty() && b.len() + msg.len() > BATCH_BLOCK) {
            // The block is full and goes out, unless an error already ended the answer.
            if block_error.is_some() {
                stopped = true;
                continue;
            }
            blocks.push(Vec::new());
        }
        blocks.last_mut().map(|b| b.extend_from_slice(&msg));
        let is_error = !matches!(o.result, rc::OK | rc::NOT_FOUND | rc::FILTERED_OUT);
        if is_error && flags & REPORT_ALL_ERRORS == 0 {
            block_error = Some(o.result);
            final_code = o.result;
            if flags & REPORT_ERROR_REC == 0 {
                blocks.pop(); // this block was never sent
                stopped = true;
            }
        }
    }
    let mut out = Vec::with_capacity(64 + blocks.iter().map(Vec::len).sum::<usize>());
    let mut frame_start = proto::begin_frame(&mut out);
    for block in blocks {
        out.extend_from_slice(&block);
        if out.len() - frame_start > FRAME_CHUNK {
            proto::finish_frame(&mut out, frame_start);
            frame_start = proto::begin_frame(&mut out);
        }
    }
    proto::write_msg(&mut out, proto::INFO3_LAST, final_code, 0, 0, 0, &[], &[]);
    proto::finish_frame(&mut out, frame_start);
    out
}
