//! The return shapes of ops.yaml: one hand-written Rust -> Python converter per shape, each
//! `(py, executor output, &mut Span) -> PyResult<Py<PyAny>>`. Records come back as plain
//! tuples `(key, meta, bins)` like the official client.

use aerospike_core::{BatchOperation, Key, Record, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyList, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

use crate::batch_records::{BatchRecord, BatchRecords};
use crate::errors::{NO_RESPONSE, result_code_value};
use crate::hooks::Span;

/// Record never expires: the official client reports ttl as 0xFFFFFFFF.
const TTL_NEVER: u32 = u32::MAX;

pub fn value(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::Nil | Value::Infinity | Value::Wildcard => py.None(),
        Value::Bool(b) => b.into_py_any(py)?,
        Value::Int(i) => i.into_py_any(py)?,
        Value::Float(f) => f64::from(f).into_py_any(py)?,
        Value::String(s) | Value::GeoJson(s) => s.into_py_any(py)?,
        Value::Blob(b) | Value::Hll(b) => PyBytes::new(py, b).into_any().unbind(),
        Value::List(l) | Value::MultiResult(l) => {
            let out = PyList::empty(py);
            for x in l {
                out.append(value(py, x)?)?;
            }
            out.into_any().unbind()
        }
        Value::HashMap(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(value(py, k)?, value(py, x)?)?;
            }
            d.into_any().unbind()
        }
        Value::OrderedMap(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(value(py, k)?, value(py, x)?)?;
            }
            d.into_any().unbind()
        }
        Value::SortedMap(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(value(py, k)?, value(py, x)?)?;
            }
            d.into_any().unbind()
        }
        Value::KeyValueList(l) => {
            let d = PyDict::new(py);
            for (k, x) in l {
                d.set_item(value(py, k)?, value(py, x)?)?;
            }
            d.into_any().unbind()
        }
        _ => py.None(),
    })
}

/// (namespace, set or None, user key or None, digest as bytearray) like the official client.
pub fn key(py: Python<'_>, k: &Key) -> PyResult<Py<PyAny>> {
    Rows::new(py).key(k)
}

pub fn meta(py: Python<'_>, r: &Record) -> PyResult<Py<PyAny>> {
    Rows::new(py).meta(r)
}

/// The `(key, meta, bins)` tuple; `k` is the key the caller passed (keeps its user key).
pub fn record_tuple(py: Python<'_>, k: &Key, r: &Record) -> PyResult<Py<PyAny>> {
    Rows::new(py).record(k, r)
}

/// Remaining ttl as the official client reports it: 0xFFFFFFFF for never, at least 1 once due
/// (like aerospike-core's `Record::time_to_live`, with "now" read by the caller).
fn ttl_of(expiration: u32, now_unix: u64) -> u32 {
    if expiration == 0 {
        return TTL_NEVER;
    }
    let void_time = aerospike_core::CITRUSLEAF_EPOCH_UNIX_SECS + u64::from(expiration);
    let left = if void_time > now_unix { void_time - now_unix } else { 1 };
    u32::try_from(left).unwrap_or(TTL_NEVER)
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Holds off Python's cyclic GC while one answer's rows are built (the GIL is held throughout,
/// so no other Python code runs meanwhile). The new objects still count towards the next
/// collection, which then runs once, at the first allocation after, instead of every 700
/// objects over rows that cannot hold a cycle. Leaves a GC the user disabled disabled.
pub struct GcPause(bool);

impl GcPause {
    pub fn new(_py: Python<'_>) -> Self {
        // SAFETY: GIL held (the token proves it); both calls only flip the GC's enabled flag.
        GcPause(unsafe { pyo3::ffi::PyGC_Disable() } != 0)
    }
}

impl Drop for GcPause {
    fn drop(&mut self) {
        if self.0 {
            // SAFETY: dropped where it was made, GIL still held.
            unsafe { pyo3::ffi::PyGC_Enable() };
        }
    }
}

/// Bin names remembered per converter; a record set rarely has more distinct names.
const NAME_CACHE: usize = 32;

/// Converts the records of one answer (a batch, a query page, one record). Consecutive records
/// share their namespace, set and bin names: those Python strings are made once and shared (str
/// objects are immutable; a reused name also keeps its cached hash for the dict insert), and
/// "now" for the ttl is read once. The caches hold only the Python strings (compared through
/// their UTF-8), so a converter allocates nothing of its own.
pub struct Rows<'py> {
    py: Python<'py>,
    now: u64,
    ns: Option<Bound<'py, PyString>>,
    set: Option<Bound<'py, PyString>>,
    names: Vec<Bound<'py, PyString>>,
}

/// The string in `slot` when it is `s`, else a new one (then kept in `slot`).
fn shared<'py>(py: Python<'py>, slot: &mut Option<Bound<'py, PyString>>, s: &str) -> Py<PyAny> {
    match slot {
        Some(obj) if obj.to_str().is_ok_and(|t| t == s) => obj.clone().into_any().unbind(),
        _ => {
            let obj = PyString::new(py, s);
            *slot = Some(obj.clone());
            obj.into_any().unbind()
        }
    }
}

impl<'py> Rows<'py> {
    pub fn new(py: Python<'py>) -> Self {
        Rows { py, now: unix_now(), ns: None, set: None, names: Vec::new() }
    }

    pub fn py(&self) -> Python<'py> {
        self.py
    }

    fn name(&mut self, s: &str) -> Py<PyAny> {
        if let Some(obj) = self.names.iter().find(|n| n.to_str().is_ok_and(|t| t == s)) {
            return obj.clone().into_any().unbind();
        }
        let obj = PyString::new(self.py, s);
        if self.names.len() < NAME_CACHE {
            self.names.push(obj.clone());
        }
        obj.into_any().unbind()
    }

    /// (namespace, set or None, user key or None, digest as bytearray).
    pub fn key(&mut self, k: &Key) -> PyResult<Py<PyAny>> {
        self.key_of(k.namespace(), k.set_name(), k.user_key(), &k.digest())
    }

    /// The key tuple from its parts (a record's key need not be rebuilt as a `Key` first).
    pub fn key_of(&mut self, ns: &str, set: &str, user_key: Option<&Value>, digest: &[u8]) -> PyResult<Py<PyAny>> {
        let py = self.py;
        let ns = shared(py, &mut self.ns, ns);
        let set = if set.is_empty() { py.None() } else { shared(py, &mut self.set, set) };
        let uk = match user_key {
            Some(v) => value(py, v)?,
            None => py.None(),
        };
        let digest = PyByteArray::new(py, digest).into_any().unbind();
        Ok(PyTuple::new(py, [ns, set, uk, digest])?.into_any().unbind())
    }

    pub fn meta(&self, r: &Record) -> PyResult<Py<PyAny>> {
        let py = self.py;
        let d = PyDict::new(py);
        d.set_item(pyo3::intern!(py, "gen"), r.generation)?;
        d.set_item(pyo3::intern!(py, "ttl"), ttl_of(r.expiration(), self.now))?;
        Ok(d.into_any().unbind())
    }

    pub fn bins(&mut self, r: &Record) -> PyResult<Py<PyAny>> {
        let d = PyDict::new(self.py);
        for (name, v) in &r.bins {
            // Several operations on one bin (operate) come back as a MultiResult; like the official
            // client, the bin holds the last operation's answer.
            let v = match v {
                Value::MultiResult(all) => all.last().unwrap_or(&Value::Nil),
                other => other,
            };
            if matches!(v, Value::Nil) {
                continue; // a write op's empty answer: the official client leaves such bins out
            }
            d.set_item(self.name(name), value(self.py, v)?)?;
        }
        Ok(d.into_any().unbind())
    }

    /// The `(key, meta, bins)` tuple; `k` is the key the caller passed (keeps its user key).
    pub fn record(&mut self, k: &Key, r: &Record) -> PyResult<Py<PyAny>> {
        let key = self.key(k)?;
        self.record_with(key, r)
    }

    /// The `(key, meta, bins)` tuple with its key tuple already made (None for a query record
    /// the server sent without key).
    pub fn record_with(&mut self, key: Py<PyAny>, r: &Record) -> PyResult<Py<PyAny>> {
        let meta = self.meta(r)?;
        let bins = self.bins(r)?;
        Ok(PyTuple::new(self.py, [key, meta, bins])?.into_any().unbind())
    }
}

pub fn none(py: Python<'_>, _v: (), _t: &mut Span) -> PyResult<Py<PyAny>> {
    Ok(py.None())
}

/// get: like the official client, the user key is the one the server returned (servers do not
/// send it on reads), else None; namespace, set and digest are the request's.
pub fn record(py: Python<'_>, v: (Key, Record), _t: &mut Span) -> PyResult<Py<PyAny>> {
    let (k, r) = v;
    let server_uk = r.key.as_ref().and_then(|rk| rk.user_key());
    let mut rows = Rows::new(py);
    let key = rows.key_of(k.namespace(), k.set_name(), server_uk, &k.digest())?;
    rows.record_with(key, &r)
}

/// select/operate: the key as passed (with its user key), like the official client.
pub fn keyed_record(py: Python<'_>, v: (Key, Record), _t: &mut Span) -> PyResult<Py<PyAny>> {
    record_tuple(py, &v.0, &v.1)
}

pub fn exists(py: Python<'_>, v: (Key, Option<Record>), _t: &mut Span) -> PyResult<Py<PyAny>> {
    let m = match &v.1 {
        Some(r) => meta(py, r)?,
        None => py.None(),
    };
    Ok(PyTuple::new(py, [key(py, &v.0)?, m])?.into_any().unbind())
}

pub fn batch_records(py: Python<'_>, ops: Vec<BatchOperation>, t: &mut Span) -> PyResult<Py<PyAny>> {
    let _gc = GcPause::new(py);
    let mut rows = Rows::new(py);
    let out = PyList::empty(py);
    let mut found = 0usize;
    let mut overall = 0i32;
    let ok = 0i32.into_pyobject(py)?.into_any().unbind();
    for op in ops {
        let rc = op.result_code().map_or(NO_RESPONSE, result_code_value);
        if rc != 0 && overall == 0 && rc != 2 {
            overall = rc;
        }
        let in_doubt = op.in_doubt();
        let br = op.into_batch_record();
        let rec = match &br.record {
            Some(r) => {
                found += 1;
                rows.record(&br.key, r)?
            }
            None => py.None(),
        };
        let result = if rc == 0 { ok.clone_ref(py) } else { rc.into_pyobject(py)?.into_any().unbind() };
        let row = BatchRecord { key: rows.key(&br.key)?, result, record: rec, in_doubt: PyBool::new(py, in_doubt).to_owned().into_any().unbind() };
        out.append(Bound::new(py, row)?)?;
        // `br` (and its bin values) is freed here, before the next row is read.
    }
    t.records(found);
    let records = BatchRecords { batch_records: out.into_any().unbind(), result: overall.into_pyobject(py)?.into_any().unbind() };
    Ok(Bound::new(py, records)?.into_any().unbind())
}

pub fn info_all(py: Python<'_>, v: Vec<(String, Result<String, String>)>, _t: &mut Span) -> PyResult<Py<PyAny>> {
    let d = PyDict::new(py);
    for (node, res) in v {
        let pair = match res {
            Ok(s) => (py.None(), s.into_py_any(py)?),
            Err(e) => (e.into_py_any(py)?, py.None()),
        };
        d.set_item(node, pair)?;
    }
    Ok(d.into_any().unbind())
}

pub fn string(py: Python<'_>, v: String, _t: &mut Span) -> PyResult<Py<PyAny>> {
    v.into_py_any(py)
}
