//! Built-in OpenTelemetry tracing: one CLIENT span per data operation, exported over OTLP/gRPC.
//!
//! Hot path (`OpTrace`): one relaxed atomic load when tracing is off; when on, the span is built
//! in Rust (parent read from Python's OTel context once, at call time) and handed to the SDK's
//! batch processor, whose own thread exports it. Nothing on the hot path calls Python logging:
//! exporter health changes are queued here and emitted by a Python thread (`_tracing.py`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use opentelemetry::trace::{
    Span as _, SpanContext, SpanId, SpanKind, Status, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer as _,
    TracerProvider as _,
};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_otlp::tonic_types::transport::{Certificate, ClientTlsConfig, Identity};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracer, SdkTracerProvider, SpanData, SpanExporter, SpanProcessor,
};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple};

/// Static description of one data operation (one per op, generated from ops.yaml).
pub struct OpSpec {
    pub name: &'static str,
    /// db.operation.name: the method name upper-cased (`BATCH_READ`), as the reference names it.
    pub operation: &'static str,
    /// Whether spans carry db.response.returned_rows and the returned_rows histogram is recorded
    /// (ops.yaml `returned_rows`).
    pub returned_rows: bool,
}

/// The logical server a client was configured with (its first seed host): `server.address`/
/// `server.port` of every span and metric. Built once per client; the address is interned, so a
/// span or a metric series holds a `&'static str`, never a copy.
#[derive(Clone, Copy)]
pub struct Server {
    pub address: &'static str,
    pub port: u16,
}

/// What the caller knows about a failed operation.
pub struct ErrorFacts<'a> {
    pub type_name: &'a str,
    pub result_code: Option<i32>,
    pub message: &'a str,
}

/// Fast-path switch: false until init_tracing() succeeds, false again after shutdown.
static ENABLED: AtomicBool = AtomicBool::new(false);
/// The live tracer (with its provider and runtime). Only locked with the GIL held, briefly.
static CURRENT: RwLock<Option<Arc<Active>>> = RwLock::new(None);
/// Exporter health messages waiting for the Python log pump.
static EVENTS: Mutex<Option<Arc<Events>>> = Mutex::new(None);
/// The last parent read: its Python SpanContext (immutable; held, so its identity cannot be
/// reused by another object) and our conversion of it.
static LAST_PARENT: Mutex<Option<(Py<PyAny>, SpanContext)>> = Mutex::new(None);
/// A Python TraceState seen empty (immutable, held): spans without trace state share one object
/// (the API's DEFAULT_TRACE_STATE), so an identity check replaces an attribute read and len().
static EMPTY_STATE: Mutex<Option<Py<PyAny>>> = Mutex::new(None);
/// `aerospike_py._tracing._parent_reader()`: None when opentelemetry-api cannot be imported.
static PARENT_READER: PyOnceLock<Option<ParentReader>> = PyOnceLock::new();

const SCOPE: &str = "aerospike-py";
const DEFAULT_SERVICE: &str = "aerospike-py";
const DEFAULT_ENDPOINT: &str = "http://localhost:4317";
const DEFAULT_HTTP_ENDPOINT: &str = "http://localhost:4318";

// ---------------------------------------------------------------------------------------------
// Per-operation span

struct Live {
    spec: &'static OpSpec,
    active: Arc<Active>,
    start: SystemTime,
    parent: Option<SpanContext>,
    span: Option<opentelemetry_sdk::trace::Span>,
    records: Option<usize>,
    server: Server,
    peer: Option<(String, u16)>,
}

/// One operation's span and metric data point, from method entry to result ready for Python.
/// Inert when both signals are off.
pub struct OpTrace {
    live: Option<Box<Live>>,
    metric: Option<crate::metrics::OpMetric>,
}

impl OpTrace {
    /// Method entry (GIL held): start time and the Python parent span, read synchronously.
    #[inline]
    pub fn begin(py: Python<'_>, spec: &'static OpSpec, server: &Server) -> OpTrace {
        let metric = crate::metrics::OpMetric::begin(spec, (server.address, server.port));
        if !ENABLED.load(Ordering::Relaxed) {
            return OpTrace { live: None, metric };
        }
        OpTrace { live: Self::begin_enabled(py, spec, server), metric }
    }

    #[cold]
    fn begin_enabled(py: Python<'_>, spec: &'static OpSpec, server: &Server) -> Option<Box<Live>> {
        let active = match CURRENT.read() {
            Ok(guard) => guard.as_ref()?.clone(),
            Err(_) => return None,
        };
        let start = SystemTime::now();
        let parent = python_parent(py);
        Some(Box::new(Live { spec, active, start, parent, span: None, records: None, server: *server, peer: None }))
    }

    /// Whether either signal is on for this call (lets callers skip gathering error facts when off).
    #[inline]
    pub fn is_live(&self) -> bool {
        self.live.is_some() || self.metric.is_some()
    }

    /// Whether a span is being made (the serving node is only looked up for spans).
    #[inline]
    pub fn is_tracing(&self) -> bool {
        self.live.is_some()
    }

    /// After argument conversion: builds the span (sampler sees these attributes) and binds the
    /// metric series of (operation, namespace, set).
    #[inline]
    pub fn target(&mut self, namespace: Option<&str>, set: Option<&str>, batch_size: Option<usize>) {
        if let Some(m) = self.metric.as_mut() {
            m.target(namespace, set);
        }
        if let Some(live) = self.live.as_deref_mut() {
            if live.span.is_none() {
                live.span = Some(start_span(live, namespace, set, batch_size));
            }
        }
    }

    /// Records returned to Python; kept only for operations ops.yaml marks `returned_rows`.
    pub fn records(&mut self, n: usize) {
        if let Some(m) = self.metric.as_mut() {
            m.rows(n);
        }
        if let Some(live) = self.live.as_deref_mut() {
            if live.spec.returned_rows {
                live.records = Some(n);
            }
        }
    }

    pub fn has_peer(&self) -> bool {
        self.live.as_ref().is_some_and(|l| l.peer.is_some())
    }

    /// The node that served the call (or that its last attempt went to, for an error).
    pub fn peer(&mut self, address: &str, port: u16) {
        if let Some(live) = self.live.as_deref_mut() {
            live.peer = Some((address.to_owned(), port));
        }
    }

    #[inline]
    pub fn finish_ok(self) {
        if let Some(m) = self.metric {
            m.finish_ok();
        }
        if let Some(mut live) = self.live {
            if let Some(span) = close(&mut live) {
                span.end();
            }
        }
    }

    pub fn finish_err(self, err: &ErrorFacts<'_>) {
        // Only codes the server answered with (positive); client-side codes are negative.
        let server_code = err.result_code.filter(|c| *c > 0);
        if let Some(m) = self.metric {
            m.finish_err(err.type_name, server_code);
        }
        if let Some(mut live) = self.live {
            let Some(span) = close(&mut live) else { return };
            span.set_attribute(KeyValue::new("error.type", err.type_name.to_owned()));
            if let Some(code) = server_code {
                span.set_attribute(KeyValue::new("db.response.status_code", code.to_string()));
            }
            span.set_status(Status::error(err.message.to_owned()));
            span.end();
        }
    }
}

fn start_span(
    live: &Live,
    namespace: Option<&str>,
    set: Option<&str>,
    batch_size: Option<usize>,
) -> opentelemetry_sdk::trace::Span {
    // Named after the Python method whatever the batch size (the reference's names win over the
    // semantic conventions' `BATCH ` prefix and their "a batch of one is that operation" rule).
    let op = live.spec.operation;
    let set = set.filter(|s| !s.is_empty());
    let (name, ns_value, set_value): (Cow<'static, str>, Option<Value>, Option<Value>) =
        match namespace.and_then(|ns| Names::get(op, ns, set)) {
            Some(n) => (Cow::Borrowed(n.name), Some(Value::from(n.ns)), n.set.map(Value::from)),
            None => (
                Cow::Owned(span_name(op, namespace, set)),
                namespace.map(|ns| Value::from(ns.to_owned())),
                set.map(|s| Value::from(s.to_owned())),
            ),
        };
    let mut attrs = Vec::with_capacity(8);
    attrs.push(KeyValue::new("db.system.name", "aerospike"));
    attrs.push(KeyValue::new("db.operation.name", op));
    if let Some(v) = ns_value {
        attrs.push(KeyValue::new("db.namespace", v));
    }
    if let Some(v) = set_value {
        attrs.push(KeyValue::new("db.collection.name", v));
    }
    if let Some(n) = batch_size.filter(|n| *n != 1) {
        attrs.push(KeyValue::new("db.operation.batch.size", n as i64));
    }
    attrs.push(KeyValue::new("server.address", live.server.address));
    attrs.push(KeyValue::new("server.port", live.server.port as i64));
    let parent_cx = match &live.parent {
        Some(sc) => Context::new().with_remote_span_context(sc.clone()),
        None => Context::new(),
    };
    live.active
        .tracer
        .span_builder(name)
        .with_kind(SpanKind::Client)
        .with_start_time(live.start)
        .with_attributes(attrs)
        .start_with_context(&live.active.tracer, &parent_cx)
}

/// "OP", "OP ns" or "OP ns.set". Built by hand: format! costs ~3x as many instructions.
fn span_name(op: &str, namespace: Option<&str>, set: Option<&str>) -> String {
    let mut name = String::with_capacity(op.len() + 2 + namespace.map_or(0, str::len) + set.map_or(0, str::len));
    name.push_str(op);
    if let Some(ns) = namespace {
        name.push(' ');
        name.push_str(ns);
        if let Some(s) = set {
            name.push('.');
            name.push_str(s);
        }
    }
    name
}

/// The span name of one (operation, namespace, set) with the namespace and set as slices of it,
/// kept for the process's life. The SDK takes a span name as `Cow<'static, str>`: a kept name
/// (and attribute values borrowed from it) costs no allocation per span here, nor a free on the
/// exporter thread (~500 instructions per span). At most MAX_NAMES distinct names are kept (a
/// few KiB in practice); spans beyond allocate their own, as before.
#[derive(Clone, Copy)]
struct Names {
    op: &'static str,
    name: &'static str,
    ns: &'static str,
    set: Option<&'static str>,
}

const MAX_NAMES: usize = 4096;
/// Every kept name, by (operation, namespace length, name): the name alone is ambiguous ("a.b.c").
type NamesKey = (&'static str, usize, String);
static ALL_NAMES: Mutex<Option<std::collections::HashMap<NamesKey, Names>>> = Mutex::new(None);

thread_local! {
    /// This thread's recently used names (looked up by comparing a few short strings, no lock).
    static RECENT_NAMES: RefCell<Vec<Names>> = const { RefCell::new(Vec::new()) };
}

impl Names {
    const RECENT: usize = 16;

    fn get(op: &'static str, ns: &str, set: Option<&str>) -> Option<Names> {
        RECENT_NAMES
            .try_with(|recent| {
                let mut recent = recent.try_borrow_mut().ok()?;
                if let Some(n) = recent.iter().find(|n| n.op == op && n.ns == ns && n.set == set) {
                    return Some(*n);
                }
                let n = Names::kept(op, ns, set)?;
                if recent.len() == Self::RECENT {
                    recent.pop();
                }
                recent.insert(0, n);
                Some(n)
            })
            .ok()
            .flatten()
    }

    /// The process-wide entry, made (and its name leaked) on first use while under MAX_NAMES.
    fn kept(op: &'static str, ns: &str, set: Option<&str>) -> Option<Names> {
        let name = span_name(op, Some(ns), set);
        let mut all = ALL_NAMES.lock().ok()?;
        let all = all.get_or_insert_with(Default::default);
        let key = (op, ns.len(), name);
        if let Some(n) = all.get(&key) {
            return Some(*n);
        }
        if all.len() >= MAX_NAMES {
            return None;
        }
        let name: &'static str = Box::leak(key.2.clone().into_boxed_str());
        let ns_start = op.len() + 1;
        let n = Names {
            op,
            name,
            ns: &name[ns_start..ns_start + ns.len()],
            set: set.map(|s| &name[name.len() - s.len()..]),
        };
        all.insert(key, n);
        Some(n)
    }
}

/// The span with the facts gathered after its start (started late if target() never ran).
/// Completed where it lies: the SDK span is a few hundred bytes, moving it out costs memcpys.
fn close(live: &mut Live) -> Option<&mut opentelemetry_sdk::trace::Span> {
    if live.span.is_none() {
        live.span = Some(start_span(live, None, None, None));
    }
    let records = live.records;
    let peer = live.peer.take();
    let span = live.span.as_mut()?;
    if let Some(n) = records {
        span.set_attribute(KeyValue::new("db.response.returned_rows", n as i64));
    }
    if let Some((addr, port)) = peer {
        span.set_attribute(KeyValue::new("network.peer.address", addr));
        span.set_attribute(KeyValue::new("network.peer.port", port as i64));
    }
    Some(span)
}

/// (host, port) from aerospike-core's node label of an error: "NAME: host:port" (a node's
/// Display) or "host:port". IPv6 hosts come unbracketed ("::1:3000"); the port is after the last ':'.
pub fn node_addr(label: &str) -> Option<(&str, u16)> {
    let addr = label.rsplit_once(": ").map_or(label, |(_, a)| a);
    let (host, port) = addr.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = port.parse::<u16>().ok()?;
    (!host.is_empty() && !host.contains(' ')).then_some((host, port))
}

/// How the active Python OTel span is found (decided once, see `_tracing._parent_reader`).
struct ParentReader {
    find: FindSpan,
    /// `opentelemetry.trace.SpanContext`: a span's `_context` of exactly this class is read
    /// directly; anything else goes through the public `get_span_context()`.
    span_context_type: Option<Py<PyAny>>,
}

enum FindSpan {
    /// The default contextvars runtime context: its ContextVar's bound `get` and the key the
    /// span is stored under.
    CtxVar { get: Py<PyAny>, key: Py<PyString> },
    /// Any other runtime context: `opentelemetry.trace.get_current_span`.
    Call(Py<PyAny>),
}

/// The active Python OTel span's context, or None (no package, no valid span, or any error).
fn python_parent(py: Python<'_>) -> Option<SpanContext> {
    let reader = PARENT_READER.get(py)?.as_ref()?;
    let span = match &reader.find {
        FindSpan::CtxVar { get, key } => {
            let ctx = get.bind(py).call0().ok()?;
            ctx.cast::<PyDict>().ok()?.get_item(key.bind(py)).ok()??
        }
        FindSpan::Call(get_current_span) => get_current_span.bind(py).call0().ok()?,
    };
    // The API's spans (SDK Span, NonRecordingSpan) keep their SpanContext in `_context`:
    // reading it skips a Python-level method call (~1/3 of the capture cost).
    let direct = reader.span_context_type.as_ref().and_then(|ty| {
        span.getattr(intern!(py, "_context"))
            .ok()
            .filter(|sc| sc.get_type().is(ty.bind(py)))
    });
    let (sc, exact) = match direct {
        Some(sc) => (sc, true),
        None => {
            let sc = span.call_method0(intern!(py, "get_span_context")).ok()?;
            let exact = reader.span_context_type.as_ref().is_some_and(|ty| sc.get_type().is(ty.bind(py)));
            (sc, exact)
        }
    };
    // Operations under the same parent (a request's DB calls) see the same SpanContext object.
    if let Ok(last) = LAST_PARENT.lock() {
        if let Some((obj, ctx)) = last.as_ref() {
            if obj.is(&sc) {
                return Some(ctx.clone());
            }
        }
    }
    let ctx = span_context_of(py, &sc, exact)?;
    if let Ok(mut last) = LAST_PARENT.lock() {
        let old = last.replace((sc.unbind(), ctx.clone()));
        drop(last);
        drop(old); // released outside the lock
    }
    Some(ctx)
}

/// Python SpanContext -> ours, None when it is not a valid span context. `exact`: `sc` is the
/// API's SpanContext class, whose `is_valid` guarantees 0 < span_id < 2**64 and
/// 0 < trace_id < 2**128 (then the ids need no range checks).
fn span_context_of(py: Python<'_>, sc: &Bound<'_, PyAny>, exact: bool) -> Option<SpanContext> {
    // SpanContext is a tuple: (trace_id, span_id, is_remote, trace_flags, trace_state, is_valid).
    let t = sc.cast::<PyTuple>().ok()?;
    // Borrowed items: the tuple holds them, no reference count traffic per item.
    if t.len() < 6 || !t.get_borrowed_item(5).ok()?.is_truthy().ok()? {
        return None;
    }
    let trace_id = u128_of(py, &*t.get_borrowed_item(0).ok()?, exact)?;
    let span_id = t.get_borrowed_item(1).ok()?;
    let span_id = u64_of(py, &span_id, exact)?;
    let flags = u8::try_from(u64_of(py, &*t.get_borrowed_item(3).ok()?, false)?).ok()?;
    let state = t.get_borrowed_item(4).ok()?;
    let trace_state = if trace_state_empty(py, &state) {
        TraceState::default()
    } else {
        state
            .call_method0(intern!(py, "to_header"))
            .ok()
            .and_then(|h| h.extract::<String>().ok())
            .and_then(|h| h.parse::<TraceState>().ok())
            .unwrap_or_default()
    };
    Some(SpanContext::new(
        TraceId::from_bytes(trace_id.to_be_bytes()),
        SpanId::from_bytes(span_id.to_be_bytes()),
        TraceFlags::new(flags),
        true,
        trace_state,
    ))
}

/// A Python int as u64 by direct C calls (None for anything else). `masked`: its low 64 bits,
/// for ids known to be in range (PyLong_AsUnsignedLongLong's overflow check costs ~4x that);
/// else None also for a negative or too big int.
fn u64_of(py: Python<'_>, v: &Bound<'_, PyAny>, masked: bool) -> Option<u64> {
    // SAFETY: `v` is a live object; the call only reads it and sets an exception on failure.
    unsafe {
        if pyo3::ffi::PyLong_Check(v.as_ptr()) == 0 {
            return None;
        }
        let n = if masked {
            pyo3::ffi::PyLong_AsUnsignedLongLongMask(v.as_ptr())
        } else {
            pyo3::ffi::PyLong_AsUnsignedLongLong(v.as_ptr())
        };
        if n == u64::MAX && PyErr::take(py).is_some() {
            return None;
        }
        Some(n)
    }
}

/// A Python int as u128: low 64 bits by mask, high 64 bits after one shift (range-checked
/// unless `in_range`).
fn u128_of(py: Python<'_>, v: &Bound<'_, PyAny>, in_range: bool) -> Option<u128> {
    let low = u64_of(py, v, true)?;
    // SAFETY: as in u64_of; the shift result is owned and released by Bound.
    unsafe {
        let shift = 64u32.into_pyobject(py).ok()?;
        let high = Bound::from_owned_ptr_or_opt(py, pyo3::ffi::PyNumber_Rshift(v.as_ptr(), shift.as_ptr()));
        let Some(high) = high else {
            let _ = PyErr::take(py);
            return None;
        };
        let high = u64_of(py, &high, in_range)?;
        Some((u128::from(high) << 64) | u128::from(low))
    }
}

/// Whether a Python TraceState has no entries: the shared empty object seen before (identity),
/// else its `_dict`'s size when it has one (a C call), else len() (a Python-level `__len__`).
fn trace_state_empty(py: Python<'_>, state: &Bound<'_, PyAny>) -> bool {
    if let Ok(known) = EMPTY_STATE.lock() {
        if known.as_ref().is_some_and(|k| k.is(state)) {
            return true;
        }
    }
    let len = match state.getattr(intern!(py, "_dict")).ok().and_then(|d| d.cast_into::<PyDict>().ok()) {
        Some(d) => d.len(),
        None => state.len().unwrap_or(0),
    };
    if len != 0 {
        return false;
    }
    // Mappings are immutable in the API (TraceState's methods return new objects).
    if let Ok(mut known) = EMPTY_STATE.lock() {
        let old = known.replace(state.clone().unbind());
        drop(known);
        drop(old); // released outside the lock
    }
    true
}

fn parent_reader(glue: &Bound<'_, PyModule>) -> Option<ParentReader> {
    let r = glue.call_method0("_parent_reader").ok()?;
    if r.is_none() {
        return None;
    }
    let t = r.cast::<PyTuple>().ok()?;
    let kind: String = t.get_item(0).ok()?.extract().ok()?;
    let class_at = |i: usize| t.get_item(i).ok().filter(|c| !c.is_none()).map(Bound::unbind);
    match kind.as_str() {
        "ctxvar" => Some(ParentReader {
            find: FindSpan::CtxVar {
                get: t.get_item(1).ok()?.unbind(),
                key: t.get_item(2).ok()?.cast_into::<PyString>().ok()?.unbind(),
            },
            span_context_type: class_at(3),
        }),
        "call" => Some(ParentReader { find: FindSpan::Call(t.get_item(1).ok()?.unbind()), span_context_type: class_at(2) }),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Provider, exporter and their runtime

struct Active {
    tracer: SdkTracer,
    provider: SdkTracerProvider,
    /// Taken out at shutdown: dropping a Runtime later, from whichever thread holds the last
    /// reference (possibly a worker of the client's runtime), would panic.
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    export_timeout: Duration,
}

/// Exporter health as seen by the exporter: one warning per outage, one info on recovery.
pub(crate) struct Events {
    queue: Mutex<Vec<(u8, String)>>,
    pub(crate) healthy: AtomicBool,
    /// The metrics exporter's health (src/metrics_export.rs), reported through the same pump.
    pub(crate) metrics_healthy: AtomicBool,
    /// Spans ended, handed to the exporter and exported or not: the SDK's queue keeps its own
    /// count of what it drops private, so the difference is ours to count (`tracing_stats`).
    spans_ended: AtomicU64,
    spans_exported: AtomicU64,
    spans_failed: AtomicU64,
}

/// Counts the spans that end (then hands them to the batch processor, which may drop them).
#[derive(Debug)]
struct Counted {
    inner: BatchSpanProcessor,
    events: Arc<Events>,
}

impl SpanProcessor for Counted {
    fn on_start(&self, span: &mut opentelemetry_sdk::trace::Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        self.events.spans_ended.fetch_add(1, Ordering::Relaxed);
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

pub(crate) const LEVEL_INFO: u8 = 20;
pub(crate) const LEVEL_WARNING: u8 = 30;

impl Events {
    pub(crate) fn push(&self, level: u8, msg: String) {
        if let Ok(mut q) = self.queue.lock() {
            if q.len() < 64 {
                q.push((level, msg));
            }
        }
    }
}

/// Wraps the OTLP exporter: runs each export on our runtime under OTEL_BSP_EXPORT_TIMEOUT and
/// reports health transitions (never per span, never through Python on this thread).
#[derive(Debug)]
struct WatchedExporter<E> {
    inner: Arc<E>,
    handle: tokio::runtime::Handle,
    timeout: Duration,
    endpoint: String,
    events: Arc<Events>,
}

/// The batch span processor (OTEL_BSP_* settings) over either transport's watched exporter.
fn batch_processor(exporter: impl SpanExporter + 'static) -> BatchSpanProcessor {
    BatchSpanProcessor::builder(exporter).with_batch_config(BatchConfigBuilder::default().build()).build()
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Events")
    }
}

impl<E: SpanExporter + Sync + 'static> SpanExporter for WatchedExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let batch_len = batch.len() as u64;
        let inner = self.inner.clone();
        let timeout = self.timeout;
        let task = self.handle.spawn(async move {
            match tokio::time::timeout(timeout, inner.export(batch)).await {
                Ok(r) => r,
                Err(_) => Err(OTelSdkError::Timeout(timeout)),
            }
        });
        let result = match task.await {
            Ok(r) => r,
            Err(e) => Err(OTelSdkError::InternalFailure(e.to_string())),
        };
        let counter = if result.is_ok() { &self.events.spans_exported } else { &self.events.spans_failed };
        counter.fetch_add(batch_len, Ordering::Relaxed);
        match &result {
            Ok(()) => {
                if !self.events.healthy.swap(true, Ordering::Relaxed) {
                    self.events
                        .push(LEVEL_INFO, format!("span export to {} resumed", self.endpoint));
                }
            }
            Err(e) => {
                if self.events.healthy.swap(false, Ordering::Relaxed) {
                    self.events.push(
                        LEVEL_WARNING,
                        format!(
                            "span export to {} failed ({e}); spans are dropped while the collector \
                             is unreachable, database operations are unaffected; no further warning \
                             until export succeeds again",
                            self.endpoint
                        ),
                    );
                }
            }
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.set_resource(resource);
        }
    }
}

pub(crate) fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Signal-specific variable first, then the generic OTLP one.
fn otlp_env(suffix: &str) -> Option<String> {
    otlp_env_for("TRACES", suffix)
}

/// As `otlp_env`, for a signal: TRACES or METRICS.
pub(crate) fn otlp_env_for(signal: &str, suffix: &str) -> Option<String> {
    env(&format!("OTEL_EXPORTER_OTLP_{signal}_{suffix}")).or_else(|| env(&format!("OTEL_EXPORTER_OTLP_{suffix}")))
}

fn export_timeout() -> Duration {
    otlp_env("TIMEOUT")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_secs(10))
}

fn resolved_endpoint(protocol: &str) -> String {
    resolved_endpoint_for("TRACES", protocol)
}

fn tls_config() -> Result<Option<ClientTlsConfig>, String> {
    tls_config_for("TRACES")
}

/// Endpoint as the exporter will resolve it (for messages and the TLS decision).
pub(crate) fn resolved_endpoint_for(signal: &str, protocol: &str) -> String {
    let default = if protocol == "grpc" {
        DEFAULT_ENDPOINT
    } else {
        DEFAULT_HTTP_ENDPOINT
    };
    let raw = otlp_env_for(signal, "ENDPOINT").unwrap_or_else(|| default.to_owned());
    if raw.contains("://") {
        raw
    } else if otlp_env_for(signal, "INSECURE").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        format!("http://{raw}")
    } else {
        format!("https://{raw}")
    }
}

/// OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE / CLIENT_KEY / CLIENT_CERTIFICATE: the crate reads none.
pub(crate) fn tls_config_for(signal: &str) -> Result<Option<ClientTlsConfig>, String> {
    let ca = otlp_env_for(signal, "CERTIFICATE");
    let cert = otlp_env_for(signal, "CLIENT_CERTIFICATE");
    let key = otlp_env_for(signal, "CLIENT_KEY");
    if ca.is_none() && cert.is_none() {
        return Ok(None);
    }
    let read = |p: &str| std::fs::read(p).map_err(|e| format!("cannot read {p}: {e}"));
    let mut tls = ClientTlsConfig::new();
    if let Some(ca) = ca {
        tls = tls.ca_certificate(Certificate::from_pem(read(&ca)?));
    } else {
        tls = tls.with_native_roots();
    }
    if let (Some(cert), Some(key)) = (cert, key) {
        tls = tls.identity(Identity::from_pem(read(&cert)?, read(&key)?));
    }
    Ok(Some(tls))
}

pub(crate) fn resource() -> Resource {
    let named = env("OTEL_SERVICE_NAME").is_some()
        || env("OTEL_RESOURCE_ATTRIBUTES")
            .is_some_and(|v| v.split(',').any(|kv| kv.trim_start().starts_with("service.name=")));
    let builder = Resource::builder();
    if named {
        builder.build()
    } else {
        builder.with_service_name(DEFAULT_SERVICE).build()
    }
}

/// Builds provider + exporter from the environment. Ok(None) when OTEL_SDK_DISABLED=true.
fn build_active() -> Result<Option<Active>, String> {
    if env("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    let exporter_kind = env("OTEL_TRACES_EXPORTER")
        .unwrap_or_else(|| "otlp".to_owned())
        .to_ascii_lowercase();
    let builder = SdkTracerProvider::builder().with_resource(resource());
    let export_timeout = export_timeout();
    let (provider, runtime) = match exporter_kind.as_str() {
        "none" => (builder.build(), None),
        "otlp" => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("otel-export")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the exporter runtime: {e}"))?;
            let protocol = otlp_env("PROTOCOL").unwrap_or_else(|| "grpc".to_owned());
            let endpoint = resolved_endpoint(&protocol);
            let bsp_timeout = env("OTEL_BSP_EXPORT_TIMEOUT")
                .and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_millis)
                .unwrap_or(Duration::from_secs(30));
            let events = current_events();
            let handle = runtime.handle().clone();
            // Both transports spawn their connection tasks on the runtime current at build time.
            let _guard = runtime.enter();
            let bsp = match protocol.as_str() {
                "grpc" => {
                    // Our own encoder (src/otlp_grpc.rs): a fraction of opentelemetry-otlp's CPU per span.
                    let tls = if endpoint.starts_with("http://") { None } else { tls_config()? };
                    let inner = crate::otlp_grpc::GrpcExporter::new(
                        &endpoint,
                        tls,
                        export_timeout,
                        otlp_env("HEADERS").as_deref(),
                        otlp_env("COMPRESSION").as_deref(),
                    )?;
                    batch_processor(WatchedExporter { inner: Arc::new(inner), handle, timeout: bsp_timeout, endpoint, events })
                }
                "http/protobuf" => {
                    let inner = opentelemetry_otlp::SpanExporter::builder()
                        .with_http()
                        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                        .with_timeout(export_timeout)
                        .build()
                        .map_err(|e| e.to_string())?;
                    batch_processor(WatchedExporter { inner: Arc::new(inner), handle, timeout: bsp_timeout, endpoint, events })
                }
                other => {
                    return Err(format!(
                        "OTEL_EXPORTER_OTLP_PROTOCOL={other} is not supported by aerospike-py (grpc or http/protobuf)"
                    ));
                }
            };
            drop(_guard);
            let counted = Counted { inner: bsp, events: current_events() };
            (builder.with_span_processor(counted).build(), Some(runtime))
        }
        other => {
            return Err(format!(
                "OTEL_TRACES_EXPORTER={other} is not supported by aerospike-py (use otlp or none)"
            ));
        }
    };
    let tracer = provider.tracer(SCOPE);
    Ok(Some(Active {
        tracer,
        provider,
        runtime: Mutex::new(runtime),
        export_timeout,
    }))
}

pub(crate) fn current_events() -> Arc<Events> {
    let mut guard = EVENTS.lock().unwrap_or_else(|p| p.into_inner());
    guard
        .get_or_insert_with(|| {
            Arc::new(Events {
                queue: Mutex::new(Vec::new()),
                healthy: AtomicBool::new(true),
                metrics_healthy: AtomicBool::new(true),
                spans_ended: AtomicU64::new(0),
                spans_exported: AtomicU64::new(0),
                spans_failed: AtomicU64::new(0),
            })
        })
        .clone()
}

fn glue(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("aerospike_py._tracing")
}

/// Start tracing (and the metrics exporter, `init_metrics`) from the OTEL_* environment.
/// Thread-safe and idempotent; returns whether tracing is on.
#[pyfunction]
fn init_tracing(py: Python<'_>) -> PyResult<bool> {
    crate::metrics_export::init_metrics(py)?;
    init_tracing_only(py)
}

fn init_tracing_only(py: Python<'_>) -> PyResult<bool> {
    let glue = glue(py)?;
    PARENT_READER.get_or_init(py, || parent_reader(&glue));
    {
        let mut cur = CURRENT.write().unwrap_or_else(|p| p.into_inner());
        if cur.is_some() {
            return Ok(true);
        }
        match build_active() {
            Ok(Some(active)) => {
                *cur = Some(Arc::new(active));
                ENABLED.store(true, Ordering::Release);
            }
            Ok(None) => return Ok(false),
            Err(msg) => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!("init_tracing: {msg}")));
            }
        }
    }
    glue.call_method0("_install")?;
    Ok(true)
}

/// Flush pending spans and metrics and stop both. Returns within the export timeouts even if the
/// collector is gone.
#[pyfunction]
fn shutdown_tracing(py: Python<'_>) -> PyResult<()> {
    let metrics = crate::metrics_export::take_active();
    let taken = {
        let mut cur = CURRENT.write().unwrap_or_else(|p| p.into_inner());
        ENABLED.store(false, Ordering::Release);
        cur.take()
    };
    // Both signals' last exports at once: a gone collector costs one export timeout, not two.
    py.detach(|| {
        let m = metrics.map(|a| std::thread::spawn(move || crate::metrics_export::finish(a)));
        if let Some(active) = taken {
            shutdown_active(active);
        }
        if let Some(h) = m {
            let _ = h.join();
        }
    });
    let last = LAST_PARENT.lock().ok().and_then(|mut g| g.take());
    drop(last);
    if let Ok(glue) = glue(py) {
        let _ = glue.call_method0("_drain");
    }
    Ok(())
}

fn shutdown_active(active: Arc<Active>) {
    // Operations still in flight hold clones; their spans are dropped by the SDK after shutdown.
    let _ = active.provider.shutdown_with_timeout(active.export_timeout);
    let rt = active.runtime.lock().ok().and_then(|mut g| g.take());
    if let Some(rt) = rt {
        rt.shutdown_background();
    }
}

/// After fork() in the child: the old runtime and exporter threads do not exist here. Leak the
/// old state (dropping it would join dead threads) and start afresh from the same environment.
#[pyfunction]
fn _tracing_after_fork_in_child(py: Python<'_>) -> PyResult<()> {
    {
        let mut ev = EVENTS.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = ev.take() {
            std::mem::forget(old);
        }
    }
    let was_on = {
        let mut cur = CURRENT.write().unwrap_or_else(|p| p.into_inner());
        ENABLED.store(false, Ordering::Release);
        match cur.take() {
            Some(old) => {
                std::mem::forget(old);
                true
            }
            None => false,
        }
    };
    if was_on {
        init_tracing_only(py)?;
    }
    Ok(())
}

/// What became of the spans this process recorded (since its first `init_tracing`, or its fork).
#[pyfunction]
fn tracing_stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let ev = current_events();
    let ended = ev.spans_ended.load(Ordering::Relaxed);
    let exported = ev.spans_exported.load(Ordering::Relaxed);
    let failed = ev.spans_failed.load(Ordering::Relaxed);
    let d = PyDict::new(py);
    d.set_item("spans_ended", ended)?;
    d.set_item("spans_exported", exported)?;
    d.set_item("spans_export_failed", failed)?;
    // Queued spans count here until exported; after shutdown_tracing() it is exactly the dropped.
    d.set_item("spans_queued_or_dropped", ended.saturating_sub(exported + failed))?;
    Ok(d)
}

/// Health messages for the Python log pump: [(logging level, message)].
#[pyfunction]
fn _tracing_take_events() -> Vec<(u8, String)> {
    let events = EVENTS.lock().ok().and_then(|g| g.clone());
    match events {
        Some(ev) => ev.queue.lock().map(|mut q| std::mem::take(&mut *q)).unwrap_or_default(),
        None => Vec::new(),
    }
}

/// Force-flush without stopping (tests, demos). GIL released; bounded by the SDK (5 s).
#[pyfunction]
fn _tracing_flush(py: Python<'_>) -> bool {
    let active = CURRENT.read().ok().and_then(|g| g.clone());
    match active {
        Some(a) => py.detach(move || a.provider.force_flush().is_ok()),
        None => false,
    }
}

static BENCH_SPEC: OpSpec = OpSpec {
    name: "bench",
    operation: "PUT",
    returned_rows: false,
};

/// Micro-benchmark of the hooks (bench/tracing_overhead.py): ns per iteration of `what`:
/// "hooks" = begin + target + finish_ok (no-op when tracing is off), "capture" = reading the
/// Python parent context only (the same parent again: cached), "capture-first" = reading a parent
/// not seen before.
#[pyfunction]
fn _tracing_bench(py: Python<'_>, what: &str, n: usize) -> PyResult<f64> {
    let server = Server { address: "127.0.0.1", port: 3000 };
    let t0 = std::time::Instant::now();
    match what {
        "hooks" => {
            for _ in 0..n {
                let mut t = OpTrace::begin(py, std::hint::black_box(&BENCH_SPEC), &server);
                t.target(Some("test"), Some("bench"), None);
                t.finish_ok();
            }
        }
        // The hooks with metrics recording forced on or off (tracing as it is): the metrics' own cost.
        "metrics-on" | "metrics-off" => {
            let was = crate::metrics::recording();
            crate::metrics::set_recording(what == "metrics-on");
            for _ in 0..n {
                let mut t = OpTrace::begin(py, std::hint::black_box(&BENCH_SPEC), &server);
                t.target(Some("test"), Some("bench"), None);
                t.finish_ok();
            }
            crate::metrics::set_recording(was);
        }
        "capture" => {
            for _ in 0..n {
                std::hint::black_box(python_parent(py));
            }
        }
        "capture-first" => {
            // A parent seen for the first time (the cache of the last parent emptied each time).
            for _ in 0..n {
                let last = LAST_PARENT.lock().ok().and_then(|mut g| g.take());
                drop(last);
                std::hint::black_box(python_parent(py));
            }
        }
        _ => {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "what: hooks, metrics-on, metrics-off, capture or capture-first",
            ));
        }
    }
    Ok(t0.elapsed().as_nanos() as f64 / n.max(1) as f64)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_tracing_bench, m)?)?;
    m.add_function(wrap_pyfunction!(init_tracing, m)?)?;
    m.add_function(wrap_pyfunction!(shutdown_tracing, m)?)?;
    m.add_function(wrap_pyfunction!(tracing_stats, m)?)?;
    m.add_function(wrap_pyfunction!(_tracing_after_fork_in_child, m)?)?;
    m.add_function(wrap_pyfunction!(_tracing_take_events, m)?)?;
    m.add_function(wrap_pyfunction!(_tracing_flush, m)?)?;
    Ok(())
}
