//! OpenTelemetry metrics of the database client semantic conventions, recorded without the SDK.
//!
//! Hot path: each (operation, namespace, set, server) has one pre-bound `Series` (leaked, found
//! through a per-thread cache of recently used ones, as the span names are), and recording a
//! call is a few relaxed atomic adds into its fixed buckets: no GIL, no lock, no allocation.
//! Failed calls go to a series per error type and status code (a locked map: the cold path).
//! Collection (the exporter's interval, `get_metrics()`) reads the atomics and the connection
//! pools of the live clients; `src/metrics_export.rs` encodes and ships the result.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Instant, SystemTime};

use crate::core::Core;
use crate::tracing::OpSpec;

/// db.client.operation.duration bucket boundaries (seconds), from the semantic conventions.
pub const DURATION_BOUNDS: [f64; 9] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0];
const DURATION_BOUNDS_NS: [u64; 9] =
    [1_000_000, 5_000_000, 10_000_000, 50_000_000, 100_000_000, 500_000_000, 1_000_000_000, 5_000_000_000, 10_000_000_000];
/// db.client.response.returned_rows bucket boundaries, from the semantic conventions.
pub const ROW_BOUNDS: [u64; 13] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/// Recording switch (on by default: `get_metrics()` needs no set-up; `set_metrics_enabled`).
static RECORDING: AtomicBool = AtomicBool::new(true);
/// At most this many series; later combinations are counted in one overflow series
/// (`otel.metric.overflow=true`, as the SDKs do) instead of growing without bound.
const MAX_SERIES: usize = 2000;

/// A histogram of N+1 buckets (N boundaries) with lock-free counts.
pub struct Buckets<const B: usize> {
    counts: [AtomicU64; B],
    sum: AtomicU64,
}

impl<const B: usize> Buckets<B> {
    const fn new() -> Self {
        Buckets { counts: [const { AtomicU64::new(0) }; B], sum: AtomicU64::new(0) }
    }

    #[inline]
    fn add(&self, bucket: usize, value: u64) {
        self.counts[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(value, Ordering::Relaxed);
    }

    /// (bucket counts, sum); the count is their total, so the two always agree.
    pub fn read(&self) -> ([u64; B], u64) {
        let mut c = [0u64; B];
        for (o, a) in c.iter_mut().zip(&self.counts) {
            *o = a.load(Ordering::Relaxed);
        }
        (c, self.sum.load(Ordering::Relaxed))
    }

    fn reset(&self) {
        for a in &self.counts {
            a.store(0, Ordering::Relaxed);
        }
        self.sum.store(0, Ordering::Relaxed);
    }
}

/// The attributes of one series (all `'static`: interned once, when the series is made).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Labels {
    pub operation: &'static str,
    pub namespace: Option<&'static str>,
    pub collection: Option<&'static str>,
    pub server: (&'static str, u16),
    /// error.type and db.response.status_code (failed calls only).
    pub error: Option<(&'static str, Option<i32>)>,
    pub overflow: bool,
}

pub struct Series {
    pub labels: Labels,
    /// Start of the cumulative period (ns since the epoch): creation, or the fork that reset it.
    pub start_ns: AtomicU64,
    /// db.client.operation.duration, in nanoseconds (exported as seconds).
    pub duration: Buckets<10>,
    /// db.client.response.returned_rows (operations marked `returned_rows`).
    pub rows: Option<Buckets<14>>,
}

static SERIES: Mutex<Option<HashMap<Labels, &'static Series>>> = Mutex::new(None);
static INTERNED: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);

/// A process-lifetime copy of `s` (one per distinct string: namespaces, sets, error types, hosts).
pub fn intern(s: &str) -> &'static str {
    let mut g = INTERNED.lock().unwrap_or_else(|p| p.into_inner());
    let set = g.get_or_insert_with(HashSet::new);
    if let Some(v) = set.get(s) {
        return v;
    }
    let v: &'static str = Box::leak(s.to_owned().into_boxed_str());
    set.insert(v);
    v
}

fn series_for(labels: Labels, rows: bool) -> &'static Series {
    let mut g = SERIES.lock().unwrap_or_else(|p| p.into_inner());
    let map = g.get_or_insert_with(HashMap::new);
    if let Some(s) = map.get(&labels) {
        return s;
    }
    let labels = if map.len() >= MAX_SERIES {
        Labels { operation: labels.operation, namespace: None, collection: None, server: labels.server, error: None, overflow: true }
    } else {
        labels
    };
    map.entry(labels).or_insert_with(|| {
        Box::leak(Box::new(Series {
            labels,
            start_ns: AtomicU64::new(unix_nanos(SystemTime::now())),
            duration: Buckets::new(),
            // The overflow series carries rows for every operation that may report them.
            rows: (rows || labels.overflow).then(Buckets::new),
        }))
    })
}

/// Every series made so far (collection).
pub fn all_series() -> Vec<&'static Series> {
    let g = SERIES.lock().unwrap_or_else(|p| p.into_inner());
    g.as_ref().map(|m| m.values().copied().collect()).unwrap_or_default()
}

/// A string's identity in a few machine words, read without a call: its length (plus one; 0:
/// absent) and two loads that together cover every byte of a string of up to 16 bytes (first and
/// last 8, 4 or single bytes: the trick of fast hash functions). Equal packs mean equal strings
/// up to 16 bytes; longer ones are compared in full once the packs match. Namespaces and set
/// names are short; a memcmp call per lookup cost more than the rest of it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Pack(u64, u64, usize);

#[inline]
fn pack(s: Option<&str>) -> Pack {
    let Some(s) = s else { return Pack(0, 0, 0) };
    let b = s.as_bytes();
    let n = b.len();
    let u64_at = |i: usize| u64::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6], b[i + 7]]);
    let u32_at = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    match n {
        0 => Pack(0, 0, 1),
        1..=3 => Pack(u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16, 0, n + 1),
        4..=7 => Pack(u32_at(0), u32_at(n - 4), n + 1),
        _ => Pack(u64_at(0), u64_at(n - 8), n + 1),
    }
}

struct Recent {
    op: *const u8,
    server: *const u8,
    port: u16,
    ns: Pack,
    set: Pack,
    series: &'static Series,
}

thread_local! {
    /// This thread's recently used success series, found by comparing pointers and packs.
    static RECENT: RefCell<Vec<Recent>> = const { RefCell::new(Vec::new()) };
}
const RECENT_MAX: usize = 16;

fn lookup(spec: &'static OpSpec, ns: Option<&str>, set: Option<&str>, server: (&'static str, u16)) -> &'static Series {
    let (nsp, setp) = (pack(ns), pack(set));
    let hit = RECENT.try_with(|r| {
        let r = r.try_borrow().ok()?;
        r.iter()
            .find(|e| {
                e.op == spec.operation.as_ptr()
                    && e.server == server.0.as_ptr()
                    && e.port == server.1
                    && e.ns == nsp
                    && e.set == setp
                    && (nsp.2 <= 17 || e.series.labels.namespace == ns)
                    && (setp.2 <= 17 || e.series.labels.collection == set)
            })
            .map(|e| e.series)
    });
    if let Ok(Some(s)) = hit {
        return s;
    }
    let labels = Labels {
        operation: spec.operation,
        namespace: ns.map(intern),
        collection: set.map(intern),
        server,
        error: None,
        overflow: false,
    };
    let s = series_for(labels, spec.returned_rows);
    let _ = RECENT.try_with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            if r.len() == RECENT_MAX {
                r.pop();
            }
            let e = Recent { op: spec.operation.as_ptr(), server: server.0.as_ptr(), port: server.1, ns: nsp, set: setp, series: s };
            r.insert(0, e);
        }
    });
    s
}

/// One call's measurement, from method entry to the result handed to Python.
pub struct OpMetric {
    start: Instant,
    spec: &'static OpSpec,
    server: (&'static str, u16),
    series: Option<&'static Series>,
    rows: Option<usize>,
}

impl OpMetric {
    #[inline]
    pub fn begin(spec: &'static OpSpec, server: (&'static str, u16)) -> Option<OpMetric> {
        if !RECORDING.load(Ordering::Relaxed) {
            return None;
        }
        Some(OpMetric { start: Instant::now(), spec, server, series: None, rows: None })
    }

    #[inline]
    pub fn target(&mut self, ns: Option<&str>, set: Option<&str>) {
        if self.series.is_none() {
            self.series = Some(lookup(self.spec, ns, set, self.server));
        }
    }

    #[inline]
    pub fn rows(&mut self, n: usize) {
        self.rows = Some(n);
    }

    #[inline]
    pub fn finish_ok(self) {
        let ns = self.start.elapsed().as_nanos() as u64;
        let series = match self.series {
            Some(s) => s,
            None => lookup(self.spec, None, None, self.server),
        };
        record(series, ns, self.rows);
    }

    #[cold]
    pub fn finish_err(self, error_type: &str, status: Option<i32>) {
        let ns = self.start.elapsed().as_nanos() as u64;
        let base = self.series.map(|s| s.labels);
        let labels = Labels {
            operation: self.spec.operation,
            namespace: base.and_then(|l| l.namespace),
            collection: base.and_then(|l| l.collection),
            server: self.server,
            error: Some((intern(error_type), status)),
            overflow: false,
        };
        let series = series_for(labels, self.spec.returned_rows);
        record(series, ns, None);
    }
}

#[inline]
fn record(series: &'static Series, ns: u64, rows: Option<usize>) {
    let b = DURATION_BOUNDS_NS.iter().position(|&le| ns <= le).unwrap_or(DURATION_BOUNDS_NS.len());
    series.duration.add(b, ns);
    if let (Some(h), Some(n)) = (&series.rows, rows) {
        let n = n as u64;
        let b = ROW_BOUNDS.iter().position(|&le| n <= le).unwrap_or(ROW_BOUNDS.len());
        h.add(b, n);
    }
}

// ---------------------------------------------------------------------------------------------
// Connection pools: read from aerospike-core's per-node gauges at collection time.

static CLIENTS: Mutex<Vec<Weak<Core>>> = Mutex::new(Vec::new());

/// A connected client whose nodes' pools are reported while it lives.
pub fn register_client(core: &Arc<Core>) {
    let mut g = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
    g.retain(|w| w.strong_count() > 0);
    g.push(Arc::downgrade(core));
}

/// One node's pool (summed over the clients connected to it).
pub struct Pool {
    /// db.client.connection.pool.name: the node's name and address, `NAME host:port`.
    pub name: String,
    pub idle: u64,
    pub used: u64,
    pub max: u64,
}

pub fn pools() -> Vec<Pool> {
    let cores: Vec<Arc<Core>> = {
        let mut g = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
        g.retain(|w| w.strong_count() > 0);
        g.iter().filter_map(Weak::upgrade).collect()
    };
    let mut out: Vec<Pool> = Vec::new();
    for core in cores {
        if !core.client.is_connected() {
            continue;
        }
        for node in core.client.nodes() {
            let host = node.host();
            let name = format!("{} {}:{}", node.name(), host.name, host.port);
            let g = node.pool_gauges();
            let max = node.client_policy().max_conns_per_node as u64;
            match out.iter_mut().find(|p| p.name == name) {
                Some(p) => {
                    p.idle += g.in_pool;
                    p.used += g.in_use();
                    p.max += max;
                }
                None => out.push(Pool { name, idle: g.in_pool, used: g.in_use(), max }),
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

// ---------------------------------------------------------------------------------------------
// Control

pub fn set_recording(on: bool) {
    RECORDING.store(on, Ordering::Relaxed);
}

pub fn recording() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

pub fn unix_nanos(t: SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

/// After fork() in the child: the parent's counts are not the child's; start from zero. Locks
/// another thread held at fork time stay held in the child: those are only tried.
pub fn reset_after_fork() {
    let now = unix_nanos(SystemTime::now());
    if let Ok(g) = SERIES.try_lock() {
        for s in g.as_ref().map(|m| m.values().copied().collect::<Vec<_>>()).unwrap_or_default() {
            s.duration.reset();
            if let Some(r) = &s.rows {
                r.reset();
            }
            s.start_ns.store(now, Ordering::Relaxed);
        }
    }
    if let Ok(mut g) = CLIENTS.try_lock() {
        g.clear();
    }
}
