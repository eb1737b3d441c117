//! OTLP/gRPC span export that writes the protobuf wire format straight from the SDK's SpanData.
//!
//! opentelemetry-otlp converts every span into the generated opentelemetry-proto structs (one
//! String per attribute key and value) and prost then walks them to compute lengths and encode:
//! callgrind put that at ~19,000 instructions per span, most of full tracing's CPU. Encoding the
//! few fields our spans have directly costs a fraction of it. The request goes out through tonic
//! as raw bytes (a pass-through codec); configuration follows the OTLP exporter variables.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{SpanKind, Status};
use opentelemetry::{Array, InstrumentationScope, KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use tonic::codec::{Codec, CompressionEncoding, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};

const EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

#[derive(Debug, Clone)]
pub struct GrpcExporter {
    grpc: tonic::client::Grpc<Channel>,
    headers: MetadataMap,
    /// The encoded `Resource` message (set by the provider before the first export).
    resource: Vec<u8>,
}

impl GrpcExporter {
    /// Must run inside the exporter runtime (tonic spawns the connection's tasks there).
    pub fn new(
        endpoint: &str,
        tls: Option<ClientTlsConfig>,
        timeout: Duration,
        headers: Option<&str>,
        compression: Option<&str>,
    ) -> Result<GrpcExporter, String> {
        let mut ep = Endpoint::from_shared(endpoint.to_owned()).map_err(|e| format!("invalid endpoint {endpoint}: {e}"))?;
        let https = endpoint.starts_with("https://");
        if https {
            ep = ep
                .tls_config(tls.unwrap_or_else(|| ClientTlsConfig::new().with_native_roots()))
                .map_err(|e| format!("TLS for {endpoint}: {e}"))?;
        }
        let channel = ep.timeout(timeout).connect_lazy();
        let mut grpc = tonic::client::Grpc::new(channel);
        match compression.map(str::to_ascii_lowercase).as_deref() {
            None | Some("none") => {}
            Some("gzip") => grpc = grpc.send_compressed(CompressionEncoding::Gzip),
            Some(other) => return Err(format!("OTEL_EXPORTER_OTLP_COMPRESSION={other} is not supported (gzip or none)")),
        }
        Ok(GrpcExporter { grpc, headers: parse_headers(headers.unwrap_or("")), resource: Vec::new() })
    }
}

/// `key=value,key2=value2` with percent-encoded values (the OTLP exporter header format);
/// malformed entries are skipped, as the SDKs do.
fn parse_headers(spec: &str) -> MetadataMap {
    let mut map = MetadataMap::new();
    for item in spec.split(',') {
        let Some((k, v)) = item.split_once('=') else { continue };
        let (k, v) = (k.trim(), percent_decode(v.trim()));
        if let (Ok(key), Some(Ok(value))) =
            (MetadataKey::from_bytes(k.to_ascii_lowercase().as_bytes()), v.map(|v| MetadataValue::try_from(v.as_str())))
        {
            map.append(key, value);
        }
    }
    map
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl GrpcExporter {
    /// Sends one ready-encoded request to `path` (the metrics signal shares the transport).
    pub async fn send(&self, path: &'static str, body: Vec<u8>) -> Result<(), String> {
        let mut grpc = self.grpc.clone();
        grpc.ready().await.map_err(|e| format!("connection: {e}"))?;
        let mut req = tonic::Request::new(body);
        *req.metadata_mut() = self.headers.clone();
        match grpc.unary(req, PathAndQuery::from_static(path), RawCodec).await {
            Ok(_) => Ok(()),
            Err(status) => Err(format!("export failed: {:?} {}", status.code(), status.message())),
        }
    }
}

/// The encoded `Resource` message of `resource` (its attributes).
pub(crate) fn encode_resource(resource: &Resource) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in resource.iter() {
        message(&mut out, 1, |o| key_value(o, k.as_str(), v));
    }
    out
}

impl SpanExporter for GrpcExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let body = encode_request(&self.resource, &batch);
        drop(batch);
        let mut grpc = self.grpc.clone();
        grpc.ready()
            .await
            .map_err(|e| OTelSdkError::InternalFailure(format!("connection: {e}")))?;
        let mut req = tonic::Request::new(body);
        *req.metadata_mut() = self.headers.clone();
        let path = PathAndQuery::from_static(EXPORT_PATH);
        match grpc.unary(req, path, RawCodec).await {
            Ok(_) => Ok(()),
            Err(status) => Err(OTelSdkError::InternalFailure(format!(
                "export failed: {:?} {}",
                status.code(),
                status.message()
            ))),
        }
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = encode_resource(resource);
    }
}

/// Sends a ready-encoded message and ignores the reply's content (an ExportTraceServiceResponse,
/// whose partial-success details we do not report).
#[derive(Clone, Copy)]
struct RawCodec;

struct RawEncoder;
struct RawDecoder;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = ();
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;
    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        use bytes::BufMut;
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = ();
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<()>, tonic::Status> {
        use bytes::Buf;
        src.advance(src.remaining());
        Ok(Some(()))
    }
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format (field numbers from opentelemetry/proto/trace/v1/trace.proto,
// common/v1/common.proto, resource/v1/resource.proto, collector/trace/v1/trace_service.proto).

/// `v` as a protobuf varint in a stack buffer, and its length.
fn varint_bytes(mut v: u64) -> ([u8; 10], usize) {
    let mut b = [0u8; 10];
    let mut n = 0;
    while v >= 0x80 {
        b[n] = (v as u8) | 0x80;
        v >>= 7;
        n += 1;
    }
    b[n] = v as u8;
    (b, n + 1)
}

pub(crate) fn varint(out: &mut Vec<u8>, v: u64) {
    let (b, n) = varint_bytes(v);
    out.extend_from_slice(&b[..n]);
}

pub(crate) fn tag(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, (u64::from(field) << 3) | u64::from(wire));
}

pub(crate) fn bytes_field(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    tag(out, field, 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

pub(crate) fn fixed64(out: &mut Vec<u8>, field: u32, v: u64) {
    tag(out, field, 1);
    out.extend_from_slice(&v.to_le_bytes());
}

fn fixed32(out: &mut Vec<u8>, field: u32, v: u32) {
    tag(out, field, 5);
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn uint(out: &mut Vec<u8>, field: u32, v: u64) {
    if v != 0 {
        tag(out, field, 0);
        varint(out, v);
    }
}

/// A length-delimited sub-message, written in place after a one-byte length (the usual case:
/// under 128 bytes); a longer body is moved right to make room for its longer length varint.
pub(crate) fn message(out: &mut Vec<u8>, field: u32, body: impl FnOnce(&mut Vec<u8>)) {
    message_sized(out, field, 1, body);
}

/// As `message`, with `guess` bytes set aside for the length: a span (128 bytes to 16 KiB: 2)
/// or a whole batch (3) is then not moved after it is written (~1/10 of a span's encoding).
pub(crate) fn message_sized(out: &mut Vec<u8>, field: u32, guess: usize, body: impl FnOnce(&mut Vec<u8>)) {
    tag(out, field, 2);
    let start = out.len();
    out.extend_from_slice(&[0u8; 3][..guess]);
    body(out);
    let end = out.len();
    let len = (end - start - guess) as u64;
    if guess == 1 && len < 0x80 {
        out[start] = len as u8;
        return;
    }
    let (prefix, n) = varint_bytes(len);
    if n > guess {
        out.resize(end + n - guess, 0);
        out.copy_within(start + guess..end, start + n);
    } else if n < guess {
        out.copy_within(start + guess..end, start + n);
        out.truncate(end - (guess - n));
    }
    out[start..start + n].copy_from_slice(&prefix[..n]);
}

fn nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

fn any_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::String(s) => bytes_field(out, 1, s.as_str().as_bytes()),
        Value::Bool(b) => {
            tag(out, 2, 0);
            out.push(u8::from(*b));
        }
        Value::I64(i) => {
            tag(out, 3, 0);
            varint(out, *i as u64);
        }
        Value::F64(f) => fixed64(out, 4, f.to_bits()),
        Value::Array(a) => message(out, 5, |o| match a {
            Array::Bool(xs) => xs.iter().for_each(|x| message(o, 1, |o| any_value(o, &Value::Bool(*x)))),
            Array::I64(xs) => xs.iter().for_each(|x| message(o, 1, |o| any_value(o, &Value::I64(*x)))),
            Array::F64(xs) => xs.iter().for_each(|x| message(o, 1, |o| any_value(o, &Value::F64(*x)))),
            Array::String(xs) => xs.iter().for_each(|x| message(o, 1, |o| bytes_field(o, 1, x.as_str().as_bytes()))),
            other => message(o, 1, |o| bytes_field(o, 1, other.to_string().as_bytes())),
        }),
        other => bytes_field(out, 1, other.to_string().as_bytes()),
    }
}

pub(crate) fn key_value(out: &mut Vec<u8>, key: &str, v: &Value) {
    bytes_field(out, 1, key.as_bytes());
    message(out, 2, |o| any_value(o, v));
}

fn attributes(out: &mut Vec<u8>, field: u32, attrs: &[KeyValue]) {
    for kv in attrs {
        let key = kv.key.as_str().as_bytes();
        match &kv.value {
            Value::String(s) if short_kv(field, key, s.as_str().len()) => {
                string_kv(out, field as u8, key, s.as_str().as_bytes())
            }
            Value::I64(i) if short_kv(field, key, 10) => int_kv(out, field as u8, key, *i),
            v => message(out, field, |o| key_value(o, kv.key.as_str(), v)),
        }
    }
}

/// Whether a KeyValue message with this key and a value of up to `value_len` bytes has every
/// tag and length in one byte (our spans' attributes all do): then its framing is written
/// directly, in a few fixed-size copies, instead of nested `message` calls (~half the cost).
fn short_kv(field: u32, key: &[u8], value_len: usize) -> bool {
    field < 16 && key.len() + value_len < 100
}

/// KeyValue{key, value: AnyValue{string_value}} as field `field` (a one-byte tag).
pub(crate) fn string_kv(out: &mut Vec<u8>, field: u8, key: &[u8], val: &[u8]) {
    let any_len = 2 + val.len();
    let kv_len = 2 + key.len() + 2 + any_len;
    out.extend_from_slice(&[field << 3 | 2, kv_len as u8, 1 << 3 | 2, key.len() as u8]);
    out.extend_from_slice(key);
    out.extend_from_slice(&[2 << 3 | 2, any_len as u8, 1 << 3 | 2, val.len() as u8]);
    out.extend_from_slice(val);
}

/// KeyValue{key, value: AnyValue{int_value}} as field `field` (a one-byte tag).
pub(crate) fn int_kv(out: &mut Vec<u8>, field: u8, key: &[u8], v: i64) {
    let (num, n) = varint_bytes(v as u64);
    let any_len = 1 + n;
    let kv_len = 2 + key.len() + 2 + any_len;
    out.extend_from_slice(&[field << 3 | 2, kv_len as u8, 1 << 3 | 2, key.len() as u8]);
    out.extend_from_slice(key);
    out.extend_from_slice(&[2 << 3 | 2, any_len as u8, 3 << 3]);
    out.extend_from_slice(&num[..n]);
}

fn span(out: &mut Vec<u8>, s: &SpanData) {
    let sc = &s.span_context;
    bytes_field(out, 1, &sc.trace_id().to_bytes());
    bytes_field(out, 2, &sc.span_id().to_bytes());
    let state = sc.trace_state().header();
    if !state.is_empty() {
        bytes_field(out, 3, state.as_bytes());
    }
    if s.parent_span_id != opentelemetry::trace::SpanId::INVALID {
        bytes_field(out, 4, &s.parent_span_id.to_bytes());
    }
    bytes_field(out, 5, s.name.as_bytes());
    let kind = match s.span_kind {
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    };
    uint(out, 6, kind);
    fixed64(out, 7, nanos(s.start_time));
    fixed64(out, 8, nanos(s.end_time));
    attributes(out, 9, &s.attributes);
    uint(out, 10, u64::from(s.dropped_attributes_count));
    for e in s.events.iter() {
        message(out, 11, |o| {
            fixed64(o, 1, nanos(e.timestamp));
            bytes_field(o, 2, e.name.as_bytes());
            attributes(o, 3, &e.attributes);
            uint(o, 4, u64::from(e.dropped_attributes_count));
        });
    }
    uint(out, 12, u64::from(s.events.dropped_count));
    for l in s.links.iter() {
        message(out, 13, |o| {
            bytes_field(o, 1, &l.span_context.trace_id().to_bytes());
            bytes_field(o, 2, &l.span_context.span_id().to_bytes());
            let st = l.span_context.trace_state().header();
            if !st.is_empty() {
                bytes_field(o, 3, st.as_bytes());
            }
            attributes(o, 4, &l.attributes);
            uint(o, 5, u64::from(l.dropped_attributes_count));
            fixed32(o, 6, span_flags(l.span_context.trace_flags().to_u8(), l.span_context.is_remote()));
        });
    }
    uint(out, 14, u64::from(s.links.dropped_count));
    match &s.status {
        Status::Unset => {}
        Status::Ok => message(out, 15, |o| uint(o, 3, 1)),
        Status::Error { description } => message(out, 15, |o| {
            if !description.is_empty() {
                bytes_field(o, 2, description.as_bytes());
            }
            uint(o, 3, 2);
        }),
    }
    fixed32(out, 16, span_flags(sc.trace_flags().to_u8(), s.parent_span_is_remote));
}

/// SpanFlags: the W3C trace flags in the low byte, plus "is_remote is known" and its value.
fn span_flags(trace_flags: u8, remote: bool) -> u32 {
    u32::from(trace_flags) | 0x100 | if remote { 0x200 } else { 0 }
}

/// ExportTraceServiceRequest: one ResourceSpans, one ScopeSpans per run of spans sharing a scope.
fn encode_request(resource: &[u8], batch: &[SpanData]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + batch.len() * 400);
    message_sized(&mut out, 1, 3, |o| {
        message(o, 1, |o| o.extend_from_slice(resource));
        let mut i = 0;
        while i < batch.len() {
            let scope = &batch[i].instrumentation_scope;
            let run = batch[i..].iter().take_while(|s| same_scope(&s.instrumentation_scope, scope)).count();
            message_sized(o, 2, 3, |o| {
                message(o, 1, |o| {
                    bytes_field(o, 1, scope.name().as_bytes());
                    if let Some(v) = scope.version() {
                        bytes_field(o, 2, v.as_bytes());
                    }
                    attributes(o, 3, &scope.attributes().cloned().collect::<Vec<_>>());
                });
                for s in &batch[i..i + run] {
                    message_sized(o, 2, 2, |o| span(o, s));
                }
                if let Some(url) = scope.schema_url() {
                    bytes_field(o, 3, url.as_bytes());
                }
            });
            i += run;
        }
    });
    out
}

/// InstrumentationScope's own `==` sorts copies of both attribute lists (~170 instructions per
/// span here); scopes without attributes (ours) only need their names and versions compared.
fn same_scope(a: &InstrumentationScope, b: &InstrumentationScope) -> bool {
    if a.attributes().next().is_none() && b.attributes().next().is_none() {
        a.name() == b.name() && a.version() == b.version() && a.schema_url() == b.schema_url()
    } else {
        a == b
    }
}
