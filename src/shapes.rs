//! The argument shapes of ops.yaml: one hand-written Python -> Rust converter per shape.
//!
//! Every converter has the same signature, `(core, Option<&PyAny>, arg name) -> PyResult<T>`, so
//! the generated methods call them uniformly; `None` / a missing optional argument arrives as
//! `None` (or Python None) and takes the shape's default. Errors name the argument.

use aerospike_core::operations::{self, Operation};
use aerospike_core::{
    AdminPolicy, BasePolicy, BatchDeletePolicy, BatchPolicy, BatchWritePolicy, Bin, Bins, CommitLevel, Expiration,
    GenerationPolicy, Host, Key, QueryPolicy, ReadModeAp, ReadModeSc, ReadPolicy, ReadTouchTtl, RecordExistsAction, Replica, Value,
    WritePolicy,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::constants as k;
use crate::core::Core;
use crate::errors::param;

type Arg<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

/// Treats Python None like an omitted argument.
#[inline]
fn given<'a, 'py>(obj: Arg<'a, 'py>) -> Option<&'a Bound<'py, PyAny>> {
    obj.filter(|o| !o.is_none())
}

fn required<'a, 'py>(obj: Arg<'a, 'py>, arg: &str) -> PyResult<&'a Bound<'py, PyAny>> {
    match given(obj) {
        Some(o) => Ok(o),
        None => {
            let py = obj.map(|o| o.py());
            match py {
                Some(py) => Err(param(py, arg, "is required")),
                None => Python::attach(|py| Err(param(py, arg, "is required"))),
            }
        }
    }
}

fn type_name(o: &Bound<'_, PyAny>) -> String {
    o.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

pub(crate) fn str_of(o: &Bound<'_, PyAny>, arg: &str) -> PyResult<String> {
    match o.cast::<PyString>() {
        Ok(s) => Ok(utf8(&s, arg)?.to_owned()),
        Err(_) => Err(param(o.py(), arg, format!("expected str, got {}", type_name(o)))),
    }
}

pub(crate) fn int_of(o: &Bound<'_, PyAny>, arg: &str) -> PyResult<i64> {
    if o.is_instance_of::<PyBool>() || !o.is_instance_of::<PyInt>() {
        return Err(param(o.py(), arg, format!("expected int, got {}", type_name(o))));
    }
    o.extract::<i64>().map_err(|_| param(o.py(), arg, "integer out of signed 64-bit range"))
}

fn u64_of(o: &Bound<'_, PyAny>, arg: &str) -> PyResult<u64> {
    let v = int_of(o, arg)?;
    u64::try_from(v).map_err(|_| param(o.py(), arg, format!("{v} is negative")))
}

pub(crate) fn u32_of(o: &Bound<'_, PyAny>, arg: &str) -> PyResult<u32> {
    let v = int_of(o, arg)?;
    u32::try_from(v).map_err(|_| param(o.py(), arg, format!("{v} out of range 0..=4294967295")))
}

pub(crate) fn bool_of(o: &Bound<'_, PyAny>, arg: &str) -> PyResult<bool> {
    if o.is_instance_of::<PyBool>() {
        return o.is_truthy();
    }
    if o.is_instance_of::<PyInt>() {
        return Ok(int_of(o, arg)? != 0);
    }
    Err(param(o.py(), arg, format!("expected bool, got {}", type_name(o))))
}

fn dict_of<'a, 'py>(o: &'a Bound<'py, PyAny>, arg: &str) -> PyResult<&'a Bound<'py, PyDict>> {
    o.cast::<PyDict>().map_err(|_| param(o.py(), arg, format!("expected dict, got {}", type_name(o))))
}

// ---------------------------------------------------------------- values

/// How deeply lists and maps may nest inside a value (and expression nodes inside an
/// expression). aerospike-core encodes, hashes, compares and drops values recursively, on runtime
/// threads with 2 MiB stacks; a Python value nested 100,000 deep (or one that contains itself)
/// would overflow them and kill the process, so it is refused here as a ParamError. The official
/// Python client sets no bound (it crashes the same way) and its C library compares and sizes
/// msgpack at most 256 levels deep (aerospike-common MSGPACK_COMPARE_MAX_DEPTH), so nothing useful
/// is lost at 512; a real server dies on an expression 100,000 deep.
pub const MAX_DEPTH: usize = 512;

/// The containers a value sits in, innermost first: kept on the stack while converting, read only
/// to name a cycle once the depth bound is hit.
struct Within<'a> {
    obj: *mut pyo3::ffi::PyObject,
    depth: usize,
    up: Option<&'a Within<'a>>,
}

impl<'a> Within<'a> {
    /// Enters container `o` below `up`, or the error for going past MAX_DEPTH.
    fn enter(o: &Bound<'_, PyAny>, arg: &str, up: Option<&'a Within<'a>>) -> PyResult<Within<'a>> {
        let depth = up.map_or(1, |u| u.depth + 1);
        if depth > MAX_DEPTH {
            let cyclic = std::iter::successors(up, |w| w.up).any(|w| w.obj == o.as_ptr());
            return Err(param(o.py(), arg, if cyclic {
                "value contains itself (a list or dict that is its own element cannot be stored)".to_string()
            } else {
                format!("value is nested deeper than {MAX_DEPTH} levels")
            }));
        }
        Ok(Within { obj: o.as_ptr(), depth, up })
    }
}

/// The text of a str, or a ParamError for one that is not valid Unicode (a lone surrogate).
pub(crate) fn utf8<'a>(s: &'a Bound<'_, PyString>, arg: &str) -> PyResult<&'a str> {
    s.to_str().map_err(|_| param(s.py(), arg, "str is not valid UTF-8 (it holds a lone surrogate)"))
}

/// Any Python value storable in a bin.
pub fn value_of(o: &Bound<'_, PyAny>, arg: &str) -> PyResult<Value> {
    value_in(o, arg, None)
}

fn value_in(o: &Bound<'_, PyAny>, arg: &str, up: Option<&Within<'_>>) -> PyResult<Value> {
    if o.is_none() {
        return Ok(Value::Nil);
    }
    if o.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(o.is_truthy()?));
    }
    if o.is_instance_of::<PyInt>() {
        return o
            .extract::<i64>()
            .map(Value::Int)
            .map_err(|_| param(o.py(), arg, "integer out of signed 64-bit range"));
    }
    if let Ok(s) = o.cast::<PyString>() {
        return Ok(Value::String(utf8(s, arg)?.to_owned()));
    }
    if o.is_instance_of::<PyFloat>() {
        return Ok(Value::from(o.extract::<f64>()?));
    }
    if let Ok(b) = o.cast::<PyBytes>() {
        return Ok(Value::Blob(b.as_bytes().to_vec()));
    }
    if let Ok(b) = o.cast::<PyByteArray>() {
        return Ok(Value::Blob(b.to_vec()));
    }
    if let Ok(l) = o.cast::<PyList>() {
        let here = Within::enter(o, arg, up)?;
        let mut out = Vec::with_capacity(l.len());
        for item in l.iter() {
            out.push(value_in(&item, arg, Some(&here))?);
        }
        return Ok(Value::List(out));
    }
    if let Ok(t) = o.cast::<PyTuple>() {
        let here = Within::enter(o, arg, up)?;
        let mut out = Vec::with_capacity(t.len());
        for item in t.iter() {
            out.push(value_in(&item, arg, Some(&here))?);
        }
        return Ok(Value::List(out));
    }
    if let Ok(d) = o.cast::<PyDict>() {
        let here = Within::enter(o, arg, up)?;
        let mut out = aerospike_core::IndexMap::with_capacity(d.len());
        for (kk, vv) in d.iter() {
            if kk.is_instance_of::<PyFloat>() && !kk.extract::<f64>()?.is_finite() {
                return Err(param(o.py(), arg, "map keys cannot be nan or inf"));
            }
            out.insert(value_in(&kk, arg, Some(&here))?, value_in(&vv, arg, Some(&here))?);
        }
        // aerospike_py.KeyOrderedDict goes as the official client sends it: a key-ordered map
        // (sorted, with the K-ordered flag), which the server compares and stores as such.
        if !d.is_exact_instance_of::<PyDict>() && d.get_type().name().is_ok_and(|n| n == "KeyOrderedDict") {
            return Ok(Value::SortedMap(out.into_iter().collect()));
        }
        return Ok(Value::OrderedMap(out));
    }
    if let Some(v) = crate::geo::value_of(o)? {
        return Ok(v);
    }
    // The official module's special values (aerospike_py._values), known by their class name.
    if let Ok(name) = o.get_type().name() {
        match name.to_str().unwrap_or_default() {
            "null" => return Ok(Value::Nil),
            "CDTInfinite" => return Ok(Value::Infinity),
            "CDTWildcard" => return Ok(Value::Wildcard),
            _ => {}
        }
    }
    Err(param(o.py(), arg, format!("unsupported value type {}", type_name(o))))
}

#[allow(dead_code)] // in the shape vocabulary; no current op takes a bare value
pub fn value(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Value> {
    match given(obj) {
        Some(o) => value_of(o, arg),
        None => Ok(Value::Nil),
    }
}

/// int or float, finite (increment offsets).
pub fn number(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Value> {
    let o = required(obj, arg)?;
    if o.is_instance_of::<PyFloat>() {
        let f = o.extract::<f64>()?;
        // ±inf is a float the server stores (the official client sends it); nan is refused.
        if f.is_nan() {
            return Err(param(o.py(), arg, "must be a number, not nan"));
        }
        return Ok(Value::from(f));
    }
    Ok(Value::Int(int_of(o, arg)?))
}

/// str or bytes (append/prepend).
pub fn text(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Value> {
    let o = required(obj, arg)?;
    if let Ok(s) = o.cast::<PyString>() {
        return Ok(Value::String(utf8(s, arg)?.to_owned()));
    }
    if let Ok(b) = o.cast::<PyBytes>() {
        return Ok(Value::Blob(b.as_bytes().to_vec()));
    }
    if let Ok(b) = o.cast::<PyByteArray>() {
        return Ok(Value::Blob(b.to_vec()));
    }
    Err(param(o.py(), arg, format!("expected str or bytes, got {}", type_name(o))))
}

// ---------------------------------------------------------------- keys and bins

pub fn key_of(o: &Bound<'_, PyAny>, arg: &str) -> PyResult<Key> {
    key_at(o, arg, None)
}

/// A key, `arg[index]` of a list when `index` is given. The argument's name is only formatted
/// when there is an error to report (batches convert a hundred keys per call).
fn key_at(o: &Bound<'_, PyAny>, arg: &str, index: Option<usize>) -> PyResult<Key> {
    let py = o.py();
    let name = || match index {
        Some(i) => format!("{arg}[{i}]"),
        None => arg.to_owned(),
    };
    let err = |what: String| param(py, &name(), what);
    // The argument's name only when a str is not UTF-8 (formatting it per key cost ~700
    // instructions, twice per key of a batch).
    let text = |s: &Bound<'_, PyString>| -> PyResult<String> {
        match s.to_str() {
            Ok(t) => Ok(t.to_owned()),
            Err(_) => Err(utf8(s, &name()).err().unwrap_or_else(|| err("str is not valid UTF-8".into()))),
        }
    };
    let t = o
        .cast::<PyTuple>()
        .map_err(|_| err(format!("expected a (namespace, set, key[, digest]) tuple, got {}", type_name(o))))?;
    let n = t.len();
    if !(3..=4).contains(&n) {
        return Err(err(format!("expected a tuple of 3 or 4 items, got {n}")));
    }
    let ns = t.get_item(0)?;
    let ns = match ns.cast::<PyString>() {
        Ok(s) => text(&s)?,
        Err(_) => return Err(param(py, &format!("{}[0] (namespace)", name()), format!("expected str, got {}", type_name(&ns)))),
    };
    if ns.is_empty() {
        return Err(err("namespace must not be empty".into()));
    }
    let set = t.get_item(1)?;
    let set = if set.is_none() {
        String::new()
    } else {
        match set.cast::<PyString>() {
            Ok(s) => text(&s)?,
            Err(_) => return Err(param(py, &format!("{}[1] (set)", name()), format!("expected str, got {}", type_name(&set)))),
        }
    };
    let uk = t.get_item(2)?;
    if !uk.is_none() {
        let v = if uk.is_instance_of::<PyBool>() {
            return Err(err("user key must be str, int or bytes, not bool".into()));
        } else if uk.is_instance_of::<PyInt>() {
            Value::Int(uk.extract::<i64>().map_err(|_| err("user key integer out of signed 64-bit range".into()))?)
        } else if let Ok(s) = uk.cast::<PyString>() {
            Value::String(text(s)?)
        } else if let Ok(b) = uk.cast::<PyBytes>() {
            Value::Blob(b.as_bytes().to_vec())
        } else if let Ok(b) = uk.cast::<PyByteArray>() {
            Value::Blob(b.to_vec())
        } else {
            return Err(err(format!("user key must be str, int or bytes, got {}", type_name(&uk))));
        };
        return Key::new(ns, set, v).map_err(|e| err(e.base_message()));
    }
    if n == 4 {
        let d = t.get_item(3)?;
        let bytes: Vec<u8> = if let Ok(b) = d.cast::<PyBytes>() {
            b.as_bytes().to_vec()
        } else if let Ok(b) = d.cast::<PyByteArray>() {
            b.to_vec()
        } else {
            return Err(err("digest must be 20 bytes".into()));
        };
        let digest: [u8; 20] = bytes.try_into().map_err(|_| err("digest must be exactly 20 bytes".into()))?;
        return Ok(Key::with_digest(ns, set, None, digest));
    }
    Err(err("user key is None and no digest given".into()))
}

pub fn key(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Key> {
    key_of(required(obj, arg)?, arg)
}

pub fn keys(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Vec<Key>> {
    let o = required(obj, arg)?;
    if let Ok(l) = o.cast::<PyList>() {
        let mut out = Vec::with_capacity(l.len());
        for (i, item) in l.iter().enumerate() {
            out.push(key_at(&item, arg, Some(i))?);
        }
        return Ok(out);
    }
    if let Ok(t) = o.cast::<PyTuple>() {
        let mut out = Vec::with_capacity(t.len());
        for (i, item) in t.iter().enumerate() {
            out.push(key_at(&item, arg, Some(i))?);
        }
        return Ok(out);
    }
    Err(param(o.py(), arg, format!("expected a list of keys, got {}", type_name(o))))
}

const MAX_BIN_NAME: usize = 15;

fn bin_name_of(o: &Bound<'_, PyAny>, arg: &str) -> PyResult<String> {
    // A bytearray of UTF-8 is a bin name too (the official client takes one).
    let mut name = match o.cast::<PyByteArray>() {
        Ok(b) => String::from_utf8(b.to_vec()).map_err(|_| param(o.py(), arg, "bin name is not UTF-8"))?,
        Err(_) => str_of(o, arg)?,
    };
    // The official client sends a bin name as a C string: it ends at the first NUL.
    if let Some(end) = name.find('\0') {
        name.truncate(end);
    }
    if name.len() > MAX_BIN_NAME {
        // BinNameError (21), as the official client reports it.
        // The official client's text (code and message), which its users match on.
        return Err(crate::errors::make(o.py(), 21, "A bin name should not exceed 15 characters limit", false));
    }
    Ok(name)
}

pub fn bin_name(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<String> {
    bin_name_of(required(obj, arg)?, arg)
}

/// The bin of an index: a str, or (as the official client takes it, as a C string) bytes or a
/// bytearray up to its first NUL.
/// The official index calls' ParamError texts for a missing or mistyped argument (users match on them).
fn index_arg_error<'py>(obj: Arg<'_, 'py>, msg: &str) -> PyErr {
    match obj {
        Some(o) => crate::errors::make(o.py(), crate::errors::PARAM_ERROR, msg, false),
        None => Python::attach(|py| crate::errors::make(py, crate::errors::PARAM_ERROR, msg, false)),
    }
}

/// An index call's namespace: a str.
pub fn index_ns(_c: &Core, obj: Arg, _arg: &'static str) -> PyResult<String> {
    match given(obj).map(|o| o.cast::<PyString>()) {
        Some(Ok(s)) => Ok(s.to_str()?.to_owned()),
        _ => Err(index_arg_error(obj, "Namespace should be a string")),
    }
}

/// An index call's set: a str, or None for the whole namespace.
pub fn index_set(_c: &Core, obj: Arg, _arg: &'static str) -> PyResult<String> {
    match given(obj).map(|o| o.cast::<PyString>()) {
        None => Ok(String::new()),
        Some(Ok(s)) => Ok(s.to_str()?.to_owned()),
        Some(Err(_)) => Err(index_arg_error(obj, "Set should be string, unicode or None")),
    }
}

/// An index name: a str.
pub fn index_name(_c: &Core, obj: Arg, _arg: &'static str) -> PyResult<String> {
    match given(obj).map(|o| o.cast::<PyString>()) {
        Some(Ok(s)) => Ok(s.to_str()?.to_owned()),
        _ => Err(index_arg_error(obj, "Index name should be string or unicode")),
    }
}

pub fn index_bin(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<String> {
    let Some(o) = given(obj) else { return Err(index_arg_error(obj, "Bin should be a string")) };
    // Too long a name goes to the server, which refuses it (InvalidRequest), as the official client sends it.
    if let Ok(s) = o.cast::<PyString>() {
        if s.to_str()?.len() > MAX_BIN_NAME && !s.to_str()?.contains('\0') {
            return Ok(s.to_str()?.to_owned());
        }
    }
    let raw: Option<Vec<u8>> = if let Ok(b) = o.cast::<PyBytes>() {
        Some(b.as_bytes().to_vec())
    } else {
        o.cast::<PyByteArray>().ok().map(|b| b.to_vec())
    };
    match raw {
        Some(bytes) => {
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            let name = std::str::from_utf8(&bytes[..end]).map_err(|_| param(o.py(), arg, "bin name is not valid UTF-8"))?;
            bin_name_of(&PyString::new(o.py(), name).into_any(), arg)
        }
        None => bin_name_of(o, arg),
    }
}

pub fn bins(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Vec<Bin>> {
    let o = required(obj, arg)?;
    let d = dict_of(o, arg)?;
    let mut out = Vec::with_capacity(d.len());
    for (kk, vv) in d.iter() {
        let name = bin_name_of(&kk, arg)?;
        out.push(Bin::new(name, value_of(&vv, arg)?));
    }
    Ok(out)
}

/// select's bin names: a list (None is refused, as by the official client).
pub fn bin_list(c: &Core, obj: Arg, arg: &'static str) -> PyResult<Bins> {
    let o = required(obj, arg)?;
    bin_names(c, Some(o), arg)
}

/// A list of bin names; None = all bins.
pub fn bin_names(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Bins> {
    let Some(o) = given(obj) else { return Ok(Bins::All) };
    if !(o.is_instance_of::<PyList>() || o.is_instance_of::<PyTuple>()) {
        return Err(param(o.py(), arg, format!("expected a list of bin names, got {}", type_name(o))));
    }
    let mut out = Vec::new();
    for item in o.try_iter()? {
        out.push(bin_name_of(&item?, arg)?);
    }
    Ok(Bins::Some(out))
}

/// remove_bin's bin names: each becomes a bin written with nil (which removes it).
pub fn bins_to_remove(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Vec<Bin>> {
    let o = required(obj, arg)?;
    if !(o.is_instance_of::<PyList>() || o.is_instance_of::<PyTuple>()) {
        return Err(param(o.py(), arg, format!("expected a list of bin names, got {}", type_name(o))));
    }
    let mut out = Vec::new();
    for item in o.try_iter()? {
        out.push(Bin::new(bin_name_of(&item?, arg)?, Value::Nil));
    }
    Ok(out)
}


pub fn string(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<String> {
    str_of(required(obj, arg)?, arg)
}

/// Optional str; None and "" both mean "none".
pub fn opt_string(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<String> {
    match given(obj) {
        Some(o) => str_of(o, arg),
        None => Ok(String::new()),
    }
}

/// truncate's set: None is the whole namespace; "" is refused as the server refuses `set=` (an
/// empty name must not turn into truncate-namespace).
pub fn truncate_set(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<String> {
    match given(obj) {
        None => Ok(String::new()),
        Some(o) => match str_of(o, arg)? {
            s if s.is_empty() => Err(crate::errors::make(o.py(), 4, "set: an empty set name is refused (None truncates the whole namespace)", false)),
            s => Ok(s),
        },
    }
}

pub fn int(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<i64> {
    match given(obj) {
        Some(o) => int_of(o, arg),
        None => Ok(0),
    }
}

/// An index datatype constant (INDEX_STRING / NUMERIC / GEO2DSPHERE / BLOB).
pub fn index_datatype(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<aerospike_core::IndexType> {
    use aerospike_core::IndexType;
    let o = required(obj, arg)?;
    Ok(match int_of(o, arg)? {
        k::INDEX_STRING => IndexType::String,
        k::INDEX_NUMERIC => IndexType::Numeric,
        k::INDEX_GEO2DSPHERE => IndexType::Geo2DSphere,
        k::INDEX_BLOB => IndexType::Blob,
        n => return Err(param(o.py(), arg, format!("invalid index datatype {n}"))),
    })
}

/// An index type constant (INDEX_TYPE_DEFAULT / LIST / MAPKEYS / MAPVALUES).
pub fn collection_type(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<aerospike_core::CollectionIndexType> {
    use aerospike_core::CollectionIndexType;
    let o = required(obj, arg)?;
    Ok(match int_of(o, arg)? {
        k::INDEX_TYPE_DEFAULT => CollectionIndexType::Default,
        k::INDEX_TYPE_LIST => CollectionIndexType::List,
        k::INDEX_TYPE_MAPKEYS => CollectionIndexType::MapKeys,
        k::INDEX_TYPE_MAPVALUES => CollectionIndexType::MapValues,
        n => return Err(param(o.py(), arg, format!("invalid index type {n}"))),
    })
}

/// A compiled expression (or an expression object, which stands for its compiled form).
pub fn expression(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<aerospike_core::expressions::Expression> {
    let o = required(obj, arg)?;
    // As the official index_expr_create: the compiled list only (an uncompiled one is a common slip).
    if !o.is_instance_of::<PyList>() {
        return Err(param(o.py(), arg, format!("expected a compiled expression (a list; call .compile()), got {}", type_name(o))));
    }
    crate::expressions::filter_of(o, arg)
}

/// A list of cdt_ctx items (may be empty).
pub fn ctx(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Vec<aerospike_core::operations::cdt_context::CdtContext>> {
    crate::cdt::ctx_list(required(obj, arg)?, arg)
}

/// An optional list of cdt_ctx items; None or omitted is no context.
pub fn opt_ctx(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Vec<aerospike_core::operations::cdt_context::CdtContext>> {
    given(obj).map(|o| crate::cdt::ctx_list(o, arg)).transpose().map(Option::unwrap_or_default)
}

/// truncate's cut-off: a non-negative int up to 2**64 - 1, as the official client takes it (a value
/// past i64 is far in the future, which the server refuses; it goes as the largest i64).
pub fn nanos(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<i64> {
    let o = required(obj, arg)?;
    if o.is_instance_of::<PyBool>() || !o.is_instance_of::<PyInt>() {
        return Err(param(o.py(), arg, format!("expected int, got {}", type_name(o))));
    }
    match o.extract::<u64>() {
        Ok(n) => Ok(i64::try_from(n).unwrap_or(i64::MAX)),
        Err(_) => Err(param(o.py(), arg, "must be an integer from 0 to 2**64 - 1")),
    }
}

/// An optional int; None when omitted.
pub fn opt_int(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Option<i64>> {
    given(obj).map(|o| int_of(o, arg)).transpose()
}

/// An optional ttl, checked like meta's.
pub fn opt_ttl(c: &Core, obj: Arg, arg: &'static str) -> PyResult<Option<i64>> {
    let ttl = opt_int(c, obj, arg)?;
    if let (Some(t), Some(o)) = (ttl, obj) {
        expiration(o.py(), t, arg)?;
    }
    Ok(ttl)
}

/// (address, port) of one node.
pub fn host(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Host> {
    let o = required(obj, arg)?;
    // "address:port", or a node name (port 0 here), as the official client takes them.
    if let Ok(text) = o.cast::<pyo3::types::PyString>() {
        let text = text.to_str()?;
        let Some((name, port)) = text.rsplit_once(':') else { return Ok(Host::new(text, 0)) };
        let port = port.parse::<u16>().map_err(|_| param(o.py(), arg, "port out of range"))?;
        return Ok(Host::new(name.trim_matches(|c| c == '[' || c == ']'), port));
    }
    let t = o.cast::<PyTuple>().map_err(|_| param(o.py(), arg, "expected an (address, port) tuple"))?;
    if t.len() < 2 {
        return Err(param(o.py(), arg, "expected an (address, port) tuple"));
    }
    let name = str_of(&t.get_item(0)?, arg)?;
    let port = int_of(&t.get_item(1)?, arg)?;
    let port = u16::try_from(port).map_err(|_| param(o.py(), arg, "port out of range"))?;
    Ok(Host::new(&name, port))
}

// ---------------------------------------------------------------- meta and policies

/// Record metadata for writes: {"ttl": seconds or TTL_*, "gen": expected generation}.
#[derive(Debug, Default, Clone, Copy)]
pub struct Meta {
    pub ttl: Option<i64>,
    pub generation: Option<u32>,
}

pub fn meta(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Meta> {
    let Some(o) = given(obj) else { return Ok(Meta::default()) };
    let d = dict_of(o, arg)?;
    let mut m = Meta::default();
    for (kk, vv) in d.iter() {
        let name = str_of(&kk, arg)?;
        // A bool is 0/1 here, as the official client takes it.
        let vv = if vv.is_instance_of::<PyBool>() { (vv.is_truthy()? as i64).into_pyobject(o.py())?.into_any() } else { vv };
        match name.as_str() {
            "ttl" => {
                let ttl = int_of(&vv, "meta.ttl")?;
                expiration(o.py(), ttl, "meta.ttl")?; // validated here, applied by the executor
                m.ttl = Some(ttl);
            }
            "gen" => m.generation = Some(u32_of(&vv, "meta.generation")?),
            _ => return Err(param(o.py(), arg, format!("unknown meta key {name:?} (expected ttl, gen)"))),
        }
    }
    Ok(m)
}

/// TTL seconds or a TTL_* constant (or the C API's -1/-2/-3) as an expiration; None for
/// TTL_CLIENT_DEFAULT (keep the policy's).
pub fn expiration_of(ttl: i64) -> Result<Option<Expiration>, String> {
    Ok(Some(match ttl {
        k::TTL_NAMESPACE_DEFAULT => Expiration::NamespaceDefault,
        k::TTL_NEVER_EXPIRE | -1 => Expiration::Never,
        k::TTL_DONT_UPDATE | -2 => Expiration::DontUpdate,
        k::TTL_CLIENT_DEFAULT | -3 => return Ok(None),
        t if t > 0 && t < k::TTL_CLIENT_DEFAULT => Expiration::Seconds(t as u32),
        t => return Err(format!("invalid ttl {t}")),
    }))
}

pub fn expiration(py: Python<'_>, ttl: i64, arg: &str) -> PyResult<Option<Expiration>> {
    expiration_of(ttl).map_err(|m| param(py, arg, m))
}

fn base_field(p: &mut BasePolicy, name: &str, v: &Bound<'_, PyAny>, arg: &str) -> PyResult<bool> {
    let (py, a) = (v.py(), format!("{arg}.{name}"));
    match name {
        "total_timeout" => p.total_timeout = u32_of(v, &a)?,
        "socket_timeout" => p.socket_timeout = u32_of(v, &a)?,
        "max_retries" => p.max_retries = u32_of(v, &a)? as usize,
        "timeout_delay" => p.timeout_delay = u32_of(v, &a)?,
        "sleep_between_retries" => p.sleep_between_retries = u32_of(v, &a)?,
        "compress" => p.use_compression = bool_of(v, &a)?,
        "read_mode_ap" => p.read_mode_ap = read_mode_ap(py, int_of(v, &a)?, &a)?,
        "read_mode_sc" => p.read_mode_sc = read_mode_sc(py, int_of(v, &a)?, &a)?,
        "replica" => p.replica = replica(py, int_of(v, &a)?, &a)?,
        "read_touch_ttl_percent" => p.read_touch_ttl = read_touch_ttl(py, int_of(v, &a)?, &a)?,
        // The official client's switch for its own pickled blobs: values are never unpickled here.
        "deserialize" => {}
        "expressions" if v.is_none() => p.filter_expression = None,
        "expressions" => p.filter_expression = Some(crate::expressions::filter_of(v, &a)?),
        _ => return Ok(false),
    }
    Ok(true)
}

/// 1..=100: reset the ttl on reads within that percentage of it; 0: the server's default; -1: never.
/// Anything else goes to the server, as the official client sends it, which refuses it (PARAMETER,
/// 4) on a record that expires (read_touch.c: every value above 100 alike, so 255 stands for them).
fn read_touch_ttl(_py: Python<'_>, v: i64, _arg: &str) -> PyResult<ReadTouchTtl> {
    Ok(match v {
        0 => ReadTouchTtl::ServerDefault,
        -1 => ReadTouchTtl::DontReset,
        n @ 1..=100 => ReadTouchTtl::Percent(n as u8),
        n @ 101..=255 => ReadTouchTtl::Percent(n as u8),
        _ => ReadTouchTtl::Percent(u8::MAX),
    })
}

fn each_field(
    o: &Bound<'_, PyAny>,
    arg: &str,
    mut f: impl FnMut(&str, &Bound<'_, PyAny>) -> PyResult<bool>,
) -> PyResult<()> {
    let d = dict_of(o, arg)?;
    for (kk, vv) in d.iter() {
        let name = str_of(&kk, arg)?;
        if !f(&name, &vv)? {
            return Err(param(o.py(), arg, format!("unknown policy key {name:?}")));
        }
    }
    Ok(())
}

pub fn apply_read(p: &mut ReadPolicy, o: &Bound<'_, PyAny>, arg: &str) -> PyResult<()> {
    each_field(o, arg, |name, v| {
        if name == "key" {
            // The official read policy has it too; a read sends the key's digest either way.
            send_key(v.py(), int_of(v, &format!("{arg}.key"))?, arg)?;
            return Ok(true);
        }
        base_field(&mut p.base_policy, name, v, arg)
    })
}

/// The aerospike-core value of one of ops.yaml's constants (`family` names them in the error).
fn constant<T: Copy>(py: Python<'_>, v: i64, arg: &str, family: &str, table: &[(i64, T)]) -> PyResult<T> {
    match table.iter().find(|(c, _)| *c == v) {
        Some((_, t)) => Ok(*t),
        None => Err(param(py, arg, format!("invalid {family} value {v}"))),
    }
}

fn exists_action(py: Python<'_>, v: i64, arg: &str) -> PyResult<RecordExistsAction> {
    use RecordExistsAction as A;
    let table = [
        (k::POLICY_EXISTS_IGNORE, A::Update),
        (k::POLICY_EXISTS_CREATE, A::CreateOnly),
        (k::POLICY_EXISTS_UPDATE, A::UpdateOnly),
        (k::POLICY_EXISTS_REPLACE, A::ReplaceOnly),
        (k::POLICY_EXISTS_CREATE_OR_REPLACE, A::Replace),
    ];
    constant(py, v, arg, "POLICY_EXISTS_*", &table)
}

fn gen_policy(py: Python<'_>, v: i64, arg: &str) -> PyResult<GenerationPolicy> {
    use GenerationPolicy as G;
    let table = [(k::POLICY_GEN_IGNORE, G::None), (k::POLICY_GEN_EQ, G::ExpectGenEqual), (k::POLICY_GEN_GT, G::ExpectGenGreater)];
    constant(py, v, arg, "POLICY_GEN_*", &table)
}

fn send_key(py: Python<'_>, v: i64, arg: &str) -> PyResult<bool> {
    constant(py, v, arg, "POLICY_KEY_*", &[(k::POLICY_KEY_DIGEST, false), (k::POLICY_KEY_SEND, true)])
}

fn commit_level(py: Python<'_>, v: i64, arg: &str) -> PyResult<CommitLevel> {
    let table = [(k::POLICY_COMMIT_LEVEL_ALL, CommitLevel::CommitAll), (k::POLICY_COMMIT_LEVEL_MASTER, CommitLevel::CommitMaster)];
    constant(py, v, arg, "POLICY_COMMIT_LEVEL_*", &table)
}

fn read_mode_ap(py: Python<'_>, v: i64, arg: &str) -> PyResult<ReadModeAp> {
    let table = [(k::POLICY_READ_MODE_AP_ONE, ReadModeAp::One), (k::POLICY_READ_MODE_AP_ALL, ReadModeAp::All)];
    constant(py, v, arg, "POLICY_READ_MODE_AP_*", &table)
}

fn read_mode_sc(py: Python<'_>, v: i64, arg: &str) -> PyResult<ReadModeSc> {
    use ReadModeSc as M;
    let table = [
        (k::POLICY_READ_MODE_SC_SESSION, M::Session),
        (k::POLICY_READ_MODE_SC_LINEARIZE, M::Linearize),
        (k::POLICY_READ_MODE_SC_ALLOW_REPLICA, M::AllowReplica),
        (k::POLICY_READ_MODE_SC_ALLOW_UNAVAILABLE, M::AllowUnavailable),
    ];
    constant(py, v, arg, "POLICY_READ_MODE_SC_*", &table)
}

fn replica(py: Python<'_>, v: i64, arg: &str) -> PyResult<Replica> {
    let table = [
        (k::POLICY_REPLICA_MASTER, Replica::Master),
        (k::POLICY_REPLICA_ANY, Replica::MasterProles),
        (k::POLICY_REPLICA_SEQUENCE, Replica::Sequence),
        (k::POLICY_REPLICA_PREFER_RACK, Replica::PreferRack),
        (k::POLICY_REPLICA_RANDOM, Replica::Random),
    ];
    constant(py, v, arg, "POLICY_REPLICA_*", &table)
}

pub fn apply_write(p: &mut WritePolicy, o: &Bound<'_, PyAny>, arg: &str) -> PyResult<()> {
    let py = o.py();
    each_field(o, arg, |name, v| {
        let a = format!("{arg}.{name}");
        match name {
            "key" => p.send_key = send_key(py, int_of(v, &a)?, &a)?,
            "exists" => p.record_exists_action = exists_action(py, int_of(v, &a)?, &a)?,
            "gen" => p.generation_policy = gen_policy(py, int_of(v, &a)?, &a)?,
            "commit_level" => p.commit_level = commit_level(py, int_of(v, &a)?, &a)?,
            "durable_delete" => p.durable_delete = bool_of(v, &a)?,
            "ttl" => {
                if let Some(e) = expiration(py, int_of(v, &a)?, &a)? {
                    p.expiration = e
                }
            }
            _ => return base_field(&mut p.base_policy, name, v, arg),
        }
        Ok(true)
    })
}

pub fn apply_batch(p: &mut BatchPolicy, o: &Bound<'_, PyAny>, arg: &str) -> PyResult<()> {
    each_field(o, arg, |name, v| {
        let a = format!("{arg}.{name}");
        match name {
            "allow_inline" => p.allow_inline = bool_of(v, &a)?,
            "allow_inline_ssd" => p.allow_inline_ssd = bool_of(v, &a)?,
            "respond_all_keys" => p.respond_all_keys = bool_of(v, &a)?,
            "concurrent" | "max_concurrent_threads" => {}
            _ => return base_field(&mut p.base_policy, name, v, arg),
        }
        Ok(true)
    })
}

pub fn apply_batch_write(p: &mut BatchWritePolicy, o: &Bound<'_, PyAny>, arg: &str) -> PyResult<()> {
    let py = o.py();
    each_field(o, arg, |name, v| {
        let a = format!("{arg}.{name}");
        match name {
            "key" => p.send_key = send_key(py, int_of(v, &a)?, &a)?,
            "exists" => p.record_exists_action = exists_action(py, int_of(v, &a)?, &a)?,
            "gen" => p.generation_policy = gen_policy(py, int_of(v, &a)?, &a)?,
            "commit_level" => p.commit_level = commit_level(py, int_of(v, &a)?, &a)?,
            "durable_delete" => p.durable_delete = bool_of(v, &a)?,
            "ttl" => {
                if let Some(e) = expiration(py, int_of(v, &a)?, &a)? {
                    p.expiration = e
                }
            }
            "expressions" if !v.is_none() => p.filter_expression = Some(crate::expressions::filter_of(v, &a)?),
            "expressions" => {}
            _ => return Ok(false),
        }
        Ok(true)
    })
}

pub fn apply_batch_remove(p: &mut BatchDeletePolicy, o: &Bound<'_, PyAny>, arg: &str) -> PyResult<()> {
    let py = o.py();
    each_field(o, arg, |name, v| {
        let a = format!("{arg}.{name}");
        match name {
            "key" => p.send_key = send_key(py, int_of(v, &a)?, &a)?,
            "gen" => p.generation_policy = gen_policy(py, int_of(v, &a)?, &a)?,
            "generation" => p.generation = u32_of(v, &a)?,
            "commit_level" => p.commit_level = commit_level(py, int_of(v, &a)?, &a)?,
            "durable_delete" => p.durable_delete = bool_of(v, &a)?,
            "expressions" if !v.is_none() => p.filter_expression = Some(crate::expressions::filter_of(v, &a)?),
            "expressions" => {}
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// Query and scan policy: max_records, records_per_second, include_bin_data and the common keys.
pub fn apply_query(p: &mut QueryPolicy, o: &Bound<'_, PyAny>, arg: &str) -> PyResult<()> {
    each_field(o, arg, |name, v| {
        let a = format!("{arg}.{name}");
        match name {
            "max_records" => p.max_records = u64_of(v, &a)?,
            "records_per_second" => p.records_per_second = u32_of(v, &a)?,
            "include_bin_data" => p.include_bin_data = bool_of(v, &a)?,
            "fail_on_cluster_change" | "short_query" => {}
            // QUERY_DURATION_LONG / SHORT / LONG_RELAX_AP; the official client's text otherwise.
            "expected_duration" => {
                p.expected_duration = match v.cast::<PyInt>().ok().filter(|_| !v.is_instance_of::<PyBool>()).and_then(|i| i.extract::<i64>().ok()) {
                    Some(0) => aerospike_core::QueryDuration::Long,
                    Some(1) => aerospike_core::QueryDuration::Short,
                    Some(2) => aerospike_core::QueryDuration::LongRelaxAp,
                    _ => return Err(crate::errors::make(v.py(), crate::errors::PARAM_ERROR, "expected_duration is invalid", false)),
                }
            }
            _ => return base_field(&mut p.base_policy, name, v, arg),
        }
        Ok(true)
    })
}

pub fn apply_admin(p: &mut AdminPolicy, o: &Bound<'_, PyAny>, arg: &str) -> PyResult<()> {
    each_field(o, arg, |name, v| {
        match name {
            "timeout" | "total_timeout" => p.timeout = u32_of(v, &format!("{arg}.{name}"))?,
            "send_as_is" => {}
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// A policy argument: the client's default for its kind, overridden by the keys the dict gives.
fn policy<P: Clone>(default: &P, obj: Arg, arg: &str, apply: fn(&mut P, &Bound<'_, PyAny>, &str) -> PyResult<()>) -> PyResult<P> {
    let mut p = default.clone();
    if let Some(o) = given(obj) {
        apply(&mut p, o, arg)?;
    }
    Ok(p)
}

pub fn read_policy(c: &Core, obj: Arg, arg: &'static str) -> PyResult<ReadPolicy> {
    policy(&c.policies.read, obj, arg, apply_read)
}

pub fn write_policy(c: &Core, obj: Arg, arg: &'static str) -> PyResult<WritePolicy> {
    policy(&c.policies.write, obj, arg, apply_write)
}

pub fn operate_policy(c: &Core, obj: Arg, arg: &'static str) -> PyResult<WritePolicy> {
    policy(&c.policies.operate, obj, arg, apply_write)
}

pub fn remove_policy(c: &Core, obj: Arg, arg: &'static str) -> PyResult<WritePolicy> {
    policy(&c.policies.remove, obj, arg, apply_write)
}

pub fn batch_policy(c: &Core, obj: Arg, arg: &'static str) -> PyResult<BatchPolicy> {
    policy(&c.policies.batch, obj, arg, apply_batch)
}

pub fn batch_write_policy(c: &Core, obj: Arg, arg: &'static str) -> PyResult<BatchWritePolicy> {
    policy(&c.policies.batch_write, obj, arg, apply_batch_write)
}

pub fn batch_remove_policy(c: &Core, obj: Arg, arg: &'static str) -> PyResult<BatchDeletePolicy> {
    policy(&c.policies.batch_remove, obj, arg, apply_batch_remove)
}

pub fn admin_policy(c: &Core, obj: Arg, arg: &'static str) -> PyResult<AdminPolicy> {
    policy(&c.policies.admin, obj, arg, apply_admin)
}

// ---------------------------------------------------------------- operations lists

/// A converted operate() list: the core operations plus what the batch path needs to know.
pub struct Ops {
    pub ops: Vec<Operation>,
    pub has_write: bool,
    /// ttl from a touch(ttl) operation, applied to the command's policy.
    pub ttl: Option<i64>,
    /// Each operation's bin name, in order (operate_ordered lists the answers in this order).
    pub bins: Vec<Option<String>>,
    /// A list, map or expression operation is among them (the server then answers every op).
    pub cdt: bool,
}

fn op_of(o: &Bound<'_, PyAny>, arg: &str, ttl: &mut Option<i64>) -> PyResult<(Operation, bool)> {
    let py = o.py();
    let d = dict_of(o, arg)?;
    let code = match d.get_item("op")? {
        Some(v) => int_of(&v, &format!("{arg}.op"))?,
        None => return Err(param(py, arg, "operation dict has no \"op\"")),
    };
    let bin = match d.get_item("bin")? {
        Some(b) if !b.is_none() => Some(bin_name_of(&b, &format!("{arg}.bin"))?),
        _ => None,
    };
    let val = d.get_item("val")?;
    let need_bin = |bin: Option<String>| bin.ok_or_else(|| param(py, arg, "operation needs a \"bin\""));
    fn need_val<'py>(py: Python<'py>, arg: &str, val: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        val.ok_or_else(|| param(py, arg, "operation needs a \"val\""))
    }
    Ok(match code {
        k::OPERATOR_READ => match bin {
            Some(b) => (operations::get_bin(b), false),
            None => (operations::get(), false),
        },
        k::OPERATOR_WRITE => {
            let v = value_of(&need_val(py, arg, val.clone())?, &format!("{arg}.val"))?;
            (operations::put(&Bin::new(need_bin(bin)?, v)), true)
        }
        k::OPERATOR_INCR => {
            let v = need_val(py, arg, val.clone())?;
            let a = format!("{arg}.val");
            let n = if v.is_instance_of::<PyFloat>() {
                let f = v.extract::<f64>()?;
                if f.is_nan() {
                    return Err(param(py, &a, "must be a number, not nan"));
                }
                Value::from(f)
            } else {
                Value::Int(int_of(&v, &a)?)
            };
            (operations::add(&Bin::new(need_bin(bin)?, n)), true)
        }
        k::OPERATOR_APPEND | k::OPERATOR_PREPEND => {
            let v = value_of(&need_val(py, arg, val.clone())?, &format!("{arg}.val"))?;
            let b = Bin::new(need_bin(bin)?, v);
            if code == k::OPERATOR_APPEND { (operations::append(&b), true) } else { (operations::prepend(&b), true) }
        }
        k::OPERATOR_TOUCH => {
            if let Some(v) = val.filter(|v| !v.is_none()) {
                let a = format!("{arg}.val");
                let t = int_of(&v, &a)?;
                expiration(py, t, &a)?;
                *ttl = Some(t);
            }
            (operations::touch(), true)
        }
        k::OPERATOR_DELETE => (operations::delete(), true),
        c if c > 1000 => return crate::cdt::op(c, d, need_bin(bin)?, arg),
        other => return Err(param(py, arg, format!("unsupported operation code {other}"))),
    })
}

pub fn operations(_c: &Core, obj: Arg, arg: &'static str) -> PyResult<Ops> {
    let o = required(obj, arg)?;
    if !(o.is_instance_of::<PyList>() || o.is_instance_of::<PyTuple>()) {
        return Err(param(o.py(), arg, format!("expected a list of operation dicts, got {}", type_name(o))));
    }
    let mut ops = Vec::new();
    let mut bins = Vec::new();
    let mut cdt = false;
    let mut has_write = false;
    let mut ttl = None;
    for (i, item) in o.try_iter()?.enumerate() {
        let item = item?;
        let (op, w) = op_of(&item, &format!("{arg}[{i}]"), &mut ttl)?;
        has_write |= w;
        ops.push(op);
        let d = item.cast::<PyDict>().ok();
        let bin = d.and_then(|d| d.get_item("bin").ok().flatten());
        bins.push(bin.and_then(|b| b.extract::<String>().ok()));
        let code = d.and_then(|d| d.get_item("op").ok().flatten()).and_then(|c| c.extract::<i64>().ok());
        // The official client asks the server to answer every operation when a map, bit, HLL or
        // expression operation is among them (the C client's respond_all_ops; list operations do
        // not count); then writes answer too, their bin holding None.
        cdt |= code.is_some_and(|c| c >= k::OP_MAP_SET_POLICY);
    }
    if ops.is_empty() {
        return Err(param(o.py(), arg, "needs at least one operation"));
    }
    Ok(Ops { ops, has_write, ttl, bins, cdt })
}
