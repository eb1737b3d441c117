//! The return shapes of ops.yaml: one hand-written Rust -> Python converter per shape, each
//! `(py, executor output, &mut Span) -> PyResult<Py<PyAny>>`. Records come back as plain
//! tuples `(key, meta, bins)` like the official client.

use aerospike_core::{BatchOperation, Key, Record, Value};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyTuple};
use pyo3::IntoPyObjectExt;

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
    let set: Py<PyAny> = if k.set_name().is_empty() { py.None() } else { k.set_name().into_py_any(py)? };
    let uk = match k.user_key() {
        Some(v) => value(py, v)?,
        None => py.None(),
    };
    let digest = PyByteArray::new(py, &k.digest());
    Ok(PyTuple::new(py, [k.namespace().into_py_any(py)?, set, uk, digest.into_any().unbind()])?.into_any().unbind())
}

pub fn meta(py: Python<'_>, r: &Record) -> PyResult<Py<PyAny>> {
    let d = PyDict::new(py);
    d.set_item(pyo3::intern!(py, "gen"), r.generation)?;
    let ttl = match r.time_to_live() {
        None => TTL_NEVER,
        Some(t) => u32::try_from(t.as_secs()).unwrap_or(TTL_NEVER),
    };
    d.set_item(pyo3::intern!(py, "ttl"), ttl)?;
    Ok(d.into_any().unbind())
}

pub fn bins_of(py: Python<'_>, r: &Record) -> PyResult<Py<PyAny>> {
    let d = PyDict::new(py);
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
        d.set_item(name, value(py, v)?)?;
    }
    Ok(d.into_any().unbind())
}

/// The `(key, meta, bins)` tuple; `k` is the key the caller passed (keeps its user key).
pub fn record_tuple(py: Python<'_>, k: &Key, r: &Record) -> PyResult<Py<PyAny>> {
    Ok(PyTuple::new(py, [key(py, k)?, meta(py, r)?, bins_of(py, r)?])?.into_any().unbind())
}

pub fn none(py: Python<'_>, _v: (), _t: &mut Span) -> PyResult<Py<PyAny>> {
    Ok(py.None())
}

/// get: like the official client, the user key is the one the server returned (servers do not
/// send it on reads), else None; namespace, set and digest are the request's.
pub fn record(py: Python<'_>, v: (Key, Record), _t: &mut Span) -> PyResult<Py<PyAny>> {
    let (k, r) = v;
    let server_uk = r.key.as_ref().and_then(|rk| rk.user_key().cloned());
    let k = Key::with_digest(k.namespace(), k.set_name(), server_uk, k.digest());
    record_tuple(py, &k, &r)
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

struct BatchClasses {
    record: Py<PyAny>,
    records: Py<PyAny>,
}
static BATCH: PyOnceLock<BatchClasses> = PyOnceLock::new();

pub fn batch_records(py: Python<'_>, ops: Vec<BatchOperation>, t: &mut Span) -> PyResult<Py<PyAny>> {
    let cls = BATCH.get_or_try_init(py, || {
        let m = py.import("aerospike_py._types")?;
        Ok::<_, PyErr>(BatchClasses { record: m.getattr("BatchRecord")?.unbind(), records: m.getattr("BatchRecords")?.unbind() })
    })?;
    let out = PyList::empty(py);
    let mut found = 0usize;
    let mut overall = 0i32;
    for op in &ops {
        let br = op.batch_record();
        let rc = op.result_code().map_or(NO_RESPONSE, result_code_value);
        if rc != 0 && overall == 0 && rc != 2 {
            overall = rc;
        }
        let rec = match op.record() {
            Some(r) => {
                found += 1;
                record_tuple(py, &br.key, r)?
            }
            None => py.None(),
        };
        out.append(cls.record.call1(py, (key(py, &br.key)?, rc, rec, op.in_doubt()))?)?;
    }
    t.records(found);
    cls.records.call1(py, (out, overall))
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
