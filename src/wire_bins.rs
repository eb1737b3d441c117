//! A record's bins straight from the reply's bytes. For get, select, batch reads and queries
//! aerospike-core (vendor patch, `raw_ops` in the read, batch and query policies) keeps each
//! row's operations as the wire bytes instead of parsing them into an IndexMap of String ->
//! Value; they are decoded here, under the GIL, into the Python dict, so a bin costs its Python
//! objects and nothing else.
//! Scalars are decoded in place; lists, maps, GeoJSON and anything rarer go through
//! aerospike-core's own decoder (`particle_to_value`) and the usual Value converter, so every
//! type reads back exactly as on the parsed path.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{OpError, client};

/// Wire particle types decoded here without aerospike-core (aerospike-core's `ParticleType`).
const NULL: u8 = 0;
const INTEGER: u8 = 1;
const FLOAT: u8 = 2;
const STRING: u8 = 3;
const BLOB: u8 = 4;
const BOOL: u8 = 17;

/// The bins dict of one row: `raw` is the row's operations as sent by the server, each
/// `[u32 size][u8 op][u8 particle type][u8 version][u8 name length][name][particle]` with
/// `size` counting from the op byte. Like the parsed path, a nil value leaves the bin out and a
/// later answer for the same name replaces the earlier one.
pub fn bins<'py>(py: Python<'py>, raw: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    let mut at = 0usize;
    while at < raw.len() {
        let head = raw.get(at..at + 8).ok_or_else(|| bad(py, "operation header truncated"))?;
        let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let ptype = head[5];
        let name_len = head[7] as usize;
        let end = (at + 4).checked_add(size).filter(|&e| e <= raw.len() && size >= 4 + name_len);
        let end = end.ok_or_else(|| bad(py, "operation longer than its row"))?;
        let name_bytes = &raw[at + 8..at + 8 + name_len];
        let particle = &raw[at + 8 + name_len..end];
        at = end;
        if ptype == NULL {
            continue;
        }
        let n = std::str::from_utf8(name_bytes).map_err(|_| bad(py, "bin name is not UTF-8"))?;
        let v = match value(py, ptype, particle)? {
            Some(v) => v,
            None => continue, // a nil from the full decoder (e.g. an empty GeoJSON): left out
        };
        // SAFETY: GIL held (token); PyDict_SetItem takes its own references to key and value.
        if unsafe { ffi::PyDict_SetItem(d.as_ptr(), crate::results::name(py, n).as_ptr(), v.as_ptr()) } < 0 {
            return Err(PyErr::fetch(py));
        }
    }
    Ok(d.into_any())
}

/// `[u32 length][name]` at the head of `raw`: the name's bytes and what follows.
pub fn split_name<'a>(py: Python<'_>, raw: &'a [u8]) -> PyResult<(&'a [u8], &'a [u8])> {
    let head = raw.get(..4).ok_or_else(|| bad(py, "record name truncated"))?;
    let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let name = raw.get(4..4 + len).ok_or_else(|| bad(py, "record name truncated"))?;
    Ok((name, &raw[4 + len..]))
}

fn bad(py: Python<'_>, what: &str) -> PyErr {
    client(py, &format!("Bad response: {what}"))
}

/// One particle as a Python object; None for a value the parsed path also leaves out (nil).
fn value<'py>(py: Python<'py>, ptype: u8, p: &[u8]) -> PyResult<Option<Bound<'py, PyAny>>> {
    // SAFETY (each arm): GIL held (token); the C constructors return a new reference or NULL
    // with the Python error set, which `from_owned_ptr_or_err` turns into Err.
    unsafe {
        let obj = match ptype {
            INTEGER if p.len() == 8 => {
                let i = i64::from_be_bytes(p.try_into().unwrap_or([0; 8]));
                ffi::PyLong_FromLongLong(i)
            }
            FLOAT if p.len() == 8 => {
                let f = f64::from_be_bytes(p.try_into().unwrap_or([0; 8]));
                ffi::PyFloat_FromDouble(f)
            }
            STRING => {
                let s = std::str::from_utf8(p).map_err(|_| bad(py, "string bin is not UTF-8"))?;
                ffi::PyUnicode_FromStringAndSize(s.as_ptr().cast(), s.len() as ffi::Py_ssize_t)
            }
            BLOB => ffi::PyBytes_FromStringAndSize(p.as_ptr().cast(), p.len() as ffi::Py_ssize_t),
            BOOL => {
                let b = p.first().is_some_and(|&b| b != 0);
                return Ok(Some(pyo3::types::PyBool::new(py, b).to_owned().into_any()));
            }
            _ => return slow(py, ptype, p),
        };
        Bound::from_owned_ptr_or_err(py, obj).map(Some)
    }
}

/// Lists, maps, GeoJSON, HLL and unknown types: aerospike-core's decoder, then the Value converter.
#[cold]
fn slow<'py>(py: Python<'py>, ptype: u8, p: &[u8]) -> PyResult<Option<Bound<'py, PyAny>>> {
    let v = aerospike_core::particle_to_value(ptype, p).map_err(|e| crate::errors::to_pyerr(py, &OpError::Core(e)))?;
    if matches!(v, aerospike_core::Value::Nil) {
        return Ok(None);
    }
    crate::results::value_of(py, &v).map(Some)
}
