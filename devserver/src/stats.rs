//! Per-node counters, reported by the `statistics` and `namespace/<ns>` info commands
//! (a filtered-out transaction counts apart from errors, as the server's *_filtered_out).

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct NodeStats {
    pub client_connections: AtomicU64,
    pub client_connections_opened: AtomicU64,
    pub client_connections_closed: AtomicU64,
    pub info_complete: AtomicU64,
    pub read_success: AtomicU64,
    pub read_not_found: AtomicU64,
    pub read_error: AtomicU64,
    pub read_filtered_out: AtomicU64,
    pub write_success: AtomicU64,
    pub write_error: AtomicU64,
    pub write_filtered_out: AtomicU64,
    pub delete_success: AtomicU64,
    pub delete_not_found: AtomicU64,
    pub delete_error: AtomicU64,
    pub delete_filtered_out: AtomicU64,
    pub batch_index_initiate: AtomicU64,
    pub batch_sub_read_success: AtomicU64,
    pub batch_sub_write_success: AtomicU64,
    pub scan_initiate: AtomicU64,
    pub query_initiate: AtomicU64,
    pub proto_errors: AtomicU64,
}

pub fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

pub fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

impl NodeStats {
    /// Counts the outcome of a single-record transaction of the given kind.
    pub fn record(&self, kind: TxnKind, result: u8) {
        use crate::proto::rc;
        let c = match (kind, result) {
            (TxnKind::Read, rc::OK) => &self.read_success,
            (TxnKind::Read, rc::NOT_FOUND) => &self.read_not_found,
            (TxnKind::Read, rc::FILTERED_OUT) => &self.read_filtered_out,
            (TxnKind::Write, rc::FILTERED_OUT) => &self.write_filtered_out,
            (TxnKind::Delete, rc::FILTERED_OUT) => &self.delete_filtered_out,
            (TxnKind::Read, _) => &self.read_error,
            (TxnKind::Write, rc::OK) => &self.write_success,
            (TxnKind::Write, _) => &self.write_error,
            (TxnKind::Delete, rc::OK) => &self.delete_success,
            (TxnKind::Delete, rc::NOT_FOUND) => &self.delete_not_found,
            (TxnKind::Delete, _) => &self.delete_error,
        };
        bump(c);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnKind {
    Read,
    Write,
    Delete,
}
