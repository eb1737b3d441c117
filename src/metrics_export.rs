//! Metrics out of the process: the OTLP push exporter (gRPC through `otlp_grpc`'s transport, or
//! http/protobuf), the Prometheus text exposition (`get_metrics()`, and a scrape endpoint for
//! OTEL_METRICS_EXPORTER=prometheus), and their Python functions. What is recorded and how:
//! `src/metrics.rs`. Export problems become one warning per outage through the tracing log pump.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use pyo3::prelude::*;

use crate::metrics::{self, DURATION_BOUNDS, Labels, Pool, ROW_BOUNDS, Series};
use crate::otlp_grpc::{bytes_field, fixed64, int_kv, message, message_sized, string_kv, tag, uint, varint};
use crate::tracing::{Events, LEVEL_INFO, LEVEL_WARNING, env, otlp_env_for};

const EXPORT_PATH: &str = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
const SCOPE: &str = "aerospike-py";

/// One series read at collection time.
struct Point {
    key: usize,
    labels: Labels,
    start_ns: u64,
    duration: ([u64; 10], u64),
    rows: Option<([u64; 14], u64)>,
}

struct Snapshot {
    time_ns: u64,
    points: Vec<Point>,
    pools: Vec<Pool>,
}

fn snapshot() -> Snapshot {
    let points = metrics::all_series()
        .into_iter()
        .map(|s: &'static Series| Point {
            key: std::ptr::from_ref(s) as usize,
            labels: s.labels,
            start_ns: s.start_ns.load(Ordering::Relaxed),
            duration: s.duration.read(),
            rows: s.rows.as_ref().map(|r| r.read()),
        })
        .filter(|p| p.duration.0.iter().sum::<u64>() > 0 || p.rows.is_some_and(|r| r.0.iter().sum::<u64>() > 0))
        .collect();
    Snapshot { time_ns: metrics::unix_nanos(SystemTime::now()), points, pools: metrics::pools() }
}

// ---------------------------------------------------------------------------------------------
// Prometheus text exposition (version 0.0.4)

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn prom_labels(l: &Labels) -> String {
    let mut s = String::from("db_system_name=\"aerospike\"");
    let _ = write!(s, ",db_operation_name=\"{}\"", escape(l.operation));
    if let Some(ns) = l.namespace {
        let _ = write!(s, ",db_namespace=\"{}\"", escape(ns));
    }
    if let Some(c) = l.collection {
        let _ = write!(s, ",db_collection_name=\"{}\"", escape(c));
    }
    let _ = write!(s, ",server_address=\"{}\",server_port=\"{}\"", escape(l.server.0), l.server.1);
    if let Some((ty, code)) = l.error {
        let _ = write!(s, ",error_type=\"{}\"", escape(ty));
        if let Some(c) = code {
            let _ = write!(s, ",db_response_status_code=\"{c}\"");
        }
    }
    if l.overflow {
        s.push_str(",otel_metric_overflow=\"true\"");
    }
    s
}

fn prom_histogram(out: &mut String, name: &str, labels: &str, counts: &[u64], bounds: &[String], sum: String) {
    let mut cum = 0u64;
    for (c, le) in counts.iter().zip(bounds.iter().map(String::as_str).chain(std::iter::once("+Inf"))) {
        cum += c;
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {cum}");
    }
    let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
    let _ = writeln!(out, "{name}_count{{{labels}}} {cum}");
}

fn prometheus_text() -> String {
    let snap = snapshot();
    let mut out = String::new();
    let dur_bounds: Vec<String> = DURATION_BOUNDS.iter().map(|b| b.to_string()).collect();
    let row_bounds: Vec<String> = ROW_BOUNDS.iter().map(|b| b.to_string()).collect();
    out.push_str("# HELP db_client_operation_duration_seconds Duration of database client operations.\n");
    out.push_str("# TYPE db_client_operation_duration_seconds histogram\n");
    for p in &snap.points {
        let sum = format!("{}", p.duration.1 as f64 / 1e9);
        prom_histogram(&mut out, "db_client_operation_duration_seconds", &prom_labels(&p.labels), &p.duration.0, &dur_bounds, sum);
    }
    out.push_str("# HELP db_client_response_returned_rows The number of rows returned by the operation.\n");
    out.push_str("# TYPE db_client_response_returned_rows histogram\n");
    for p in &snap.points {
        if let Some((counts, sum)) = &p.rows {
            if counts.iter().sum::<u64>() > 0 {
                prom_histogram(&mut out, "db_client_response_returned_rows", &prom_labels(&p.labels), counts, &row_bounds, sum.to_string());
            }
        }
    }
    out.push_str("# HELP db_client_connection_count The number of connections that are currently in state described by the state attribute.\n");
    out.push_str("# TYPE db_client_connection_count gauge\n");
    for pool in &snap.pools {
        let name = escape(&pool.name);
        let _ = writeln!(out, "db_client_connection_count{{db_client_connection_pool_name=\"{name}\",db_client_connection_state=\"idle\"}} {}", pool.idle);
        let _ = writeln!(out, "db_client_connection_count{{db_client_connection_pool_name=\"{name}\",db_client_connection_state=\"used\"}} {}", pool.used);
    }
    out.push_str("# HELP db_client_connection_max The maximum number of open connections allowed.\n");
    out.push_str("# TYPE db_client_connection_max gauge\n");
    for pool in &snap.pools {
        let _ = writeln!(out, "db_client_connection_max{{db_client_connection_pool_name=\"{}\"}} {}", escape(&pool.name), pool.max);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// OTLP protobuf (opentelemetry/proto/metrics/v1/metrics.proto, collector/metrics/v1)

const DELTA: u64 = 1;
const CUMULATIVE: u64 = 2;

fn otlp_attrs(o: &mut Vec<u8>, field: u8, l: &Labels) {
    string_kv(o, field, b"db.system.name", b"aerospike");
    string_kv(o, field, b"db.operation.name", l.operation.as_bytes());
    if let Some(ns) = l.namespace {
        str_attr(o, field, "db.namespace", ns);
    }
    if let Some(c) = l.collection {
        str_attr(o, field, "db.collection.name", c);
    }
    str_attr(o, field, "server.address", l.server.0);
    int_kv(o, field, b"server.port", i64::from(l.server.1));
    if let Some((ty, code)) = l.error {
        str_attr(o, field, "error.type", ty);
        if let Some(c) = code {
            str_attr(o, field, "db.response.status_code", &c.to_string());
        }
    }
    if l.overflow {
        message(o, u32::from(field), |o| {
            bytes_field(o, 1, b"otel.metric.overflow");
            message(o, 2, |o| {
                tag(o, 2, 0);
                o.push(1);
            });
        });
    }
}

/// A string KeyValue of any length (names and sets may be long).
fn str_attr(o: &mut Vec<u8>, field: u8, key: &str, val: &str) {
    if key.len() + val.len() < 100 {
        string_kv(o, field, key.as_bytes(), val.as_bytes());
    } else {
        message(o, u32::from(field), |o| {
            bytes_field(o, 1, key.as_bytes());
            message(o, 2, |o| bytes_field(o, 1, val.as_bytes()));
        });
    }
}

fn packed_fixed64(o: &mut Vec<u8>, field: u32, vals: impl Iterator<Item = u64> + Clone) {
    let n = vals.clone().count();
    tag(o, field, 2);
    varint(o, (n * 8) as u64);
    for v in vals {
        o.extend_from_slice(&v.to_le_bytes());
    }
}

/// HistogramDataPoint.
fn hist_point(o: &mut Vec<u8>, l: &Labels, start: u64, time: u64, counts: &[u64], sum: f64, bounds: &[f64]) {
    message_sized(o, 1, 2, |o| {
        fixed64(o, 2, start);
        fixed64(o, 3, time);
        fixed64(o, 4, counts.iter().sum());
        fixed64(o, 5, sum.to_bits());
        packed_fixed64(o, 6, counts.iter().copied());
        packed_fixed64(o, 7, bounds.iter().map(|b| b.to_bits()));
        otlp_attrs(o, 9, l);
    });
}

/// The points a push exporter sends: cumulative, or the change since the previous export.
struct Temporality {
    delta: bool,
    /// Per series: the values last exported and when.
    last: Mutex<HashMap<usize, (([u64; 10], u64), Option<([u64; 14], u64)>, u64)>>,
}

fn sub<const B: usize>(now: &([u64; B], u64), before: Option<&([u64; B], u64)>) -> ([u64; B], u64) {
    match before {
        None => *now,
        Some(b) => {
            let mut c = [0u64; B];
            for i in 0..B {
                c[i] = now.0[i].saturating_sub(b.0[i]);
            }
            (c, now.1.saturating_sub(b.1))
        }
    }
}

/// A histogram Metric message: name, description, unit, then its points and temporality.
fn histogram_metric(o: &mut Vec<u8>, name: &[u8], about: &[u8], unit: &[u8], temp: u64, points: impl FnOnce(&mut Vec<u8>)) {
    message_sized(o, 2, 3, |o| {
        bytes_field(o, 1, name);
        bytes_field(o, 2, about);
        bytes_field(o, 3, unit);
        message_sized(o, 9, 3, |o| {
            points(o);
            uint(o, 2, temp);
        });
    });
}

fn encode_request(resource: &[u8], snap: &Snapshot, temporality: &Temporality) -> Vec<u8> {
    // Under delta, each point covers the time since the previous export of that series.
    let mut points: Vec<(Labels, u64, ([u64; 10], u64), Option<([u64; 14], u64)>)> = Vec::new();
    {
        let mut last = temporality.last.lock().unwrap_or_else(|p| p.into_inner());
        for p in &snap.points {
            if temporality.delta {
                let prev = last.get(&p.key);
                let start = prev.map_or(p.start_ns, |x| x.2);
                let d = sub(&p.duration, prev.map(|x| &x.0));
                let r = p.rows.map(|r| sub(&r, prev.and_then(|x| x.1.as_ref())));
                last.insert(p.key, (p.duration, p.rows, snap.time_ns));
                if d.0.iter().sum::<u64>() > 0 || r.is_some_and(|r| r.0.iter().sum::<u64>() > 0) {
                    points.push((p.labels, start, d, r));
                }
            } else {
                points.push((p.labels, p.start_ns, p.duration, p.rows));
            }
        }
    }
    let temp = if temporality.delta { DELTA } else { CUMULATIVE };
    let time = snap.time_ns;
    let mut out = Vec::with_capacity(256 + points.len() * 300);
    message_sized(&mut out, 1, 3, |o| {
        message_sized(o, 1, 2, |o| o.extend_from_slice(resource));
        message_sized(o, 2, 3, |o| {
            message(o, 1, |o| {
                bytes_field(o, 1, SCOPE.as_bytes());
                bytes_field(o, 2, env!("CARGO_PKG_VERSION").as_bytes());
            });
            if !points.is_empty() {
                let (name, about) = (b"db.client.operation.duration", b"Duration of database client operations.");
                histogram_metric(o, name, about, b"s", temp, |o| {
                    for (l, start, d, _) in &points {
                        hist_point(o, l, *start, time, &d.0, d.1 as f64 / 1e9, &DURATION_BOUNDS);
                    }
                });
            }
            if points.iter().any(|p| p.3.is_some_and(|r| r.0.iter().sum::<u64>() > 0)) {
                let bounds: Vec<f64> = ROW_BOUNDS.iter().map(|b| *b as f64).collect();
                let name = b"db.client.response.returned_rows";
                let about = b"The actual number of records returned by the database operation.";
                histogram_metric(o, name, about, b"{row}", temp, |o| {
                    for (l, start, _, r) in &points {
                        if let Some(r) = r.filter(|r| r.0.iter().sum::<u64>() > 0) {
                            hist_point(o, l, *start, time, &r.0, r.1 as f64, &bounds);
                        }
                    }
                });
            }
            if !snap.pools.is_empty() {
                // UpDownCounters: non-monotonic cumulative sums (delta preference leaves them so).
                let number = |o: &mut Vec<u8>, pool: &str, state: Option<&str>, v: u64| {
                    message(o, 1, |o| {
                        fixed64(o, 2, time);
                        fixed64(o, 3, time);
                        tag(o, 6, 1);
                        o.extend_from_slice(&v.to_le_bytes());
                        str_attr(o, 7, "db.client.connection.pool.name", pool);
                        if let Some(s) = state {
                            string_kv(o, 7, b"db.client.connection.state", s.as_bytes());
                        }
                    });
                };
                message_sized(o, 2, 3, |o| {
                    bytes_field(o, 1, b"db.client.connection.count");
                    bytes_field(o, 2, b"The number of connections that are currently in state described by the state attribute.");
                    bytes_field(o, 3, b"{connection}");
                    message_sized(o, 7, 3, |o| {
                        for p in &snap.pools {
                            number(o, &p.name, Some("idle"), p.idle);
                            number(o, &p.name, Some("used"), p.used);
                        }
                        uint(o, 2, CUMULATIVE);
                    });
                });
                message_sized(o, 2, 3, |o| {
                    bytes_field(o, 1, b"db.client.connection.max");
                    bytes_field(o, 2, b"The maximum number of open connections allowed.");
                    bytes_field(o, 3, b"{connection}");
                    message_sized(o, 7, 3, |o| {
                        for p in &snap.pools {
                            number(o, &p.name, None, p.max);
                        }
                        uint(o, 2, CUMULATIVE);
                    });
                });
            }
        });
    });
    out
}

// ---------------------------------------------------------------------------------------------
// The push exporter and the scrape endpoint

enum Transport {
    Grpc(crate::otlp_grpc::GrpcExporter),
    Http { client: opentelemetry_http::hyper::HyperClient, url: String, headers: Vec<(String, String)> },
}

struct Exporter {
    transport: Transport,
    resource: Vec<u8>,
    temporality: Temporality,
    endpoint: String,
    timeout: Duration,
    events: Arc<Events>,
}

impl Exporter {
    async fn export(&self) -> Result<(), String> {
        let snap = snapshot();
        let body = encode_request(&self.resource, &snap, &self.temporality);
        let send = async {
            match &self.transport {
                Transport::Grpc(g) => g.send(EXPORT_PATH, body).await,
                Transport::Http { client, url, headers } => {
                    use opentelemetry_http::HttpClient as _;
                    let mut req = http::Request::post(url.as_str()).header("content-type", "application/x-protobuf");
                    for (k, v) in headers {
                        req = req.header(k.as_str(), v.as_str());
                    }
                    let req = req.body(bytes::Bytes::from(body)).map_err(|e| e.to_string())?;
                    let resp = client.send_bytes(req).await.map_err(|e| e.to_string())?;
                    if resp.status().is_success() {
                        Ok(())
                    } else {
                        Err(format!("HTTP {}", resp.status()))
                    }
                }
            }
        };
        let result = match tokio::time::timeout(self.timeout, send).await {
            Ok(r) => r,
            Err(_) => Err(format!("timed out after {:?}", self.timeout)),
        };
        self.report(&result);
        result
    }

    fn report(&self, result: &Result<(), String>) {
        let ev = &self.events;
        match result {
            Ok(()) => {
                if !ev.metrics_healthy.swap(true, Ordering::Relaxed) {
                    ev.push(LEVEL_INFO, format!("metric export to {} resumed", self.endpoint));
                }
            }
            Err(e) => {
                if ev.metrics_healthy.swap(false, Ordering::Relaxed) {
                    ev.push(
                        LEVEL_WARNING,
                        format!(
                            "metric export to {} failed ({e}); database operations are unaffected; no further \
                             warning until export succeeds again",
                            self.endpoint
                        ),
                    );
                }
            }
        }
    }
}

pub(crate) struct Active {
    exporter: Option<Arc<Exporter>>,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Arc<tokio::sync::Notify>,
}

static ACTIVE: Mutex<Option<Active>> = Mutex::new(None);

fn millis_env(name: &str, default: u64) -> Duration {
    Duration::from_millis(env(name).and_then(|v| v.parse::<u64>().ok()).unwrap_or(default))
}

fn headers(spec: &str) -> Vec<(String, String)> {
    spec.split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

/// Ok(None): OTEL_SDK_DISABLED=true or OTEL_METRICS_EXPORTER=none (recording goes on).
fn build() -> Result<Option<Active>, String> {
    if env("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    let kind = env("OTEL_METRICS_EXPORTER").unwrap_or_else(|| "otlp".to_owned()).to_ascii_lowercase();
    let stop = Arc::new(tokio::sync::Notify::new());
    let runtime = || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("otel-metrics")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the metrics runtime: {e}"))
    };
    match kind.as_str() {
        "none" => Ok(None),
        "prometheus" => {
            let rt = runtime()?;
            let host = env("OTEL_EXPORTER_PROMETHEUS_HOST").unwrap_or_else(|| "localhost".to_owned());
            let port = env("OTEL_EXPORTER_PROMETHEUS_PORT").and_then(|p| p.parse::<u16>().ok()).unwrap_or(9464);
            let listener = rt
                .block_on(tokio::net::TcpListener::bind((host.as_str(), port)))
                .map_err(|e| format!("cannot listen on {host}:{port} for Prometheus: {e}"))?;
            rt.spawn(serve_prometheus(listener, stop.clone()));
            Ok(Some(Active { exporter: None, runtime: Some(rt), stop }))
        }
        "otlp" => {
            let rt = runtime()?;
            let protocol = otlp_env_for("METRICS", "PROTOCOL").unwrap_or_else(|| "grpc".to_owned());
            let timeout = otlp_env_for("METRICS", "TIMEOUT")
                .and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_millis)
                .unwrap_or(Duration::from_secs(10));
            let mut endpoint = crate::tracing::resolved_endpoint_for("METRICS", &protocol);
            let transport = {
                let _guard = rt.enter();
                match protocol.as_str() {
                    "grpc" => {
                        let tls = if endpoint.starts_with("http://") { None } else { crate::tracing::tls_config_for("METRICS")? };
                        Transport::Grpc(crate::otlp_grpc::GrpcExporter::new(
                            &endpoint,
                            tls,
                            timeout,
                            otlp_env_for("METRICS", "HEADERS").as_deref(),
                            otlp_env_for("METRICS", "COMPRESSION").as_deref(),
                        )?)
                    }
                    "http/protobuf" => {
                        // The generic endpoint is a base URL; the signal's own is used as given.
                        if env("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT").is_none() {
                            endpoint = format!("{}/v1/metrics", endpoint.trim_end_matches('/'));
                        }
                        if !endpoint.starts_with("http://") {
                            return Err(format!("metrics over http/protobuf support http:// endpoints only, not {endpoint}"));
                        }
                        Transport::Http {
                            client: opentelemetry_http::hyper::HyperClient::with_default_connector(timeout, None),
                            url: endpoint.clone(),
                            headers: headers(&otlp_env_for("METRICS", "HEADERS").unwrap_or_default()),
                        }
                    }
                    other => {
                        return Err(format!(
                            "OTEL_EXPORTER_OTLP_PROTOCOL={other} is not supported by aerospike-py (grpc or http/protobuf)"
                        ));
                    }
                }
            };
            let pref = otlp_env_for("METRICS", "TEMPORALITY_PREFERENCE").unwrap_or_else(|| "cumulative".to_owned());
            let delta = match pref.to_ascii_lowercase().as_str() {
                "cumulative" => false,
                // Histograms are delta under both; the pool UpDownCounters stay cumulative.
                "delta" | "lowmemory" => true,
                other => {
                    return Err(format!(
                        "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE={other} is not supported (cumulative, delta or lowmemory)"
                    ));
                }
            };
            let exporter = Arc::new(Exporter {
                transport,
                resource: crate::otlp_grpc::encode_resource(&crate::tracing::resource()),
                temporality: Temporality { delta, last: Mutex::new(HashMap::new()) },
                endpoint,
                timeout,
                events: crate::tracing::current_events(),
            });
            let interval = millis_env("OTEL_METRIC_EXPORT_INTERVAL", 60_000).max(Duration::from_millis(1));
            let (ex, st) = (exporter.clone(), stop.clone());
            rt.spawn(async move {
                let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = tick.tick() => { let _ = ex.export().await; }
                        () = st.notified() => return,
                    }
                }
            });
            Ok(Some(Active { exporter: Some(exporter), runtime: Some(rt), stop }))
        }
        other => Err(format!("OTEL_METRICS_EXPORTER={other} is not supported by aerospike-py (otlp, prometheus or none)")),
    }
}

/// A minimal HTTP/1.1 endpoint answering every request with the text exposition.
async fn serve_prometheus(listener: tokio::net::TcpListener, stop: Arc<tokio::sync::Notify>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let conn = tokio::select! {
            c = listener.accept() => c,
            () = stop.notified() => return,
        };
        let Ok((mut sock, _)) = conn else { continue };
        tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            let mut n = 0;
            while n < buf.len() {
                match tokio::time::timeout(Duration::from_secs(5), sock.read(&mut buf[n..])).await {
                    Ok(Ok(0)) | Err(_) | Ok(Err(_)) => return,
                    Ok(Ok(k)) => n += k,
                }
                if buf[..n].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let body = prometheus_text();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = sock.write_all(head.as_bytes()).await;
            let _ = sock.write_all(body.as_bytes()).await;
        });
    }
}

fn glue(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("aerospike_py._tracing")
}

/// Start exporting metrics as the OTEL_* environment says. Thread-safe and idempotent; returns
/// whether an exporter runs (False for OTEL_SDK_DISABLED=true or OTEL_METRICS_EXPORTER=none).
#[pyfunction]
pub fn init_metrics(py: Python<'_>) -> PyResult<bool> {
    {
        let mut cur = ACTIVE.lock().unwrap_or_else(|p| p.into_inner());
        if cur.is_some() {
            return Ok(true);
        }
        // Not detached: the lock is held, and a thread waiting on it with the GIL would deadlock.
        match build() {
            Ok(Some(a)) => *cur = Some(a),
            Ok(None) => return Ok(false),
            Err(msg) => return Err(pyo3::exceptions::PyValueError::new_err(format!("init_metrics: {msg}"))),
        }
    }
    glue(py)?.call_method0("_install_metrics")?;
    Ok(true)
}

/// Export what is pending once more and stop. Bounded by the export timeout.
#[pyfunction]
pub fn shutdown_metrics(py: Python<'_>) -> PyResult<()> {
    if let Some(a) = take_active() {
        py.detach(move || finish(a));
    }
    if let Ok(glue) = glue(py) {
        let _ = glue.call_method0("_drain");
    }
    Ok(())
}

/// The running exporter, taken out (shutdown_tracing() finishes it beside the span exporter).
pub(crate) fn take_active() -> Option<Active> {
    ACTIVE.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// The last export (bounded by the export timeout), then the exporter's runtime stops. Blocking.
pub(crate) fn finish(mut a: Active) {
    a.stop.notify_waiters();
    a.stop.notify_one();
    if let (Some(rt), Some(ex)) = (&a.runtime, &a.exporter) {
        let _ = rt.block_on(ex.export());
    }
    if let Some(rt) = a.runtime.take() {
        rt.shutdown_background();
    }
}

/// The current metrics in the Prometheus text exposition format (cumulative, since start).
#[pyfunction]
fn get_metrics(py: Python<'_>) -> String {
    py.detach(prometheus_text)
}

/// Turns recording on or off (on by default). Off, an operation pays one atomic load.
#[pyfunction]
fn set_metrics_enabled(enabled: bool) {
    metrics::set_recording(enabled);
}

/// Export now (tests, demos): whether it succeeded. False when no OTLP exporter runs.
#[pyfunction]
fn _metrics_flush(py: Python<'_>) -> bool {
    let (rt, ex) = {
        let g = ACTIVE.lock().unwrap_or_else(|p| p.into_inner());
        match g.as_ref() {
            Some(Active { runtime: Some(rt), exporter: Some(ex), .. }) => (rt.handle().clone(), ex.clone()),
            _ => return false,
        }
    };
    py.detach(move || rt.block_on(ex.export()).is_ok())
}

/// After fork() in the child: leak the parent's exporter (its threads do not exist here) and
/// start a new one from the same environment; the child's counts start from zero.
#[pyfunction]
fn _metrics_after_fork_in_child(py: Python<'_>) -> PyResult<()> {
    let was_on = match ACTIVE.try_lock() {
        Ok(mut g) => g.take().map(std::mem::forget).is_some(),
        Err(_) => false,
    };
    if was_on {
        init_metrics(py)?;
    }
    Ok(())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(init_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(shutdown_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(get_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(set_metrics_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(_metrics_flush, m)?)?;
    m.add_function(wrap_pyfunction!(_metrics_after_fork_in_child, m)?)?;
    Ok(())
}
