//! The return shapes of ops.yaml: one hand-written Rust -> Python converter per shape, each
//! `(py, executor output, &mut Span) -> PyResult<Py<PyAny>>`. Records come back as plain
//! tuples `(key, meta, bins)` like the official client.

use std::cell::UnsafeCell;

use aerospike_core::{BatchOperation, Key, Record, Value};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyList, PyString};
use pyo3::IntoPyObjectExt;

use crate::batch_records::{BatchRecord, BatchRecords};
use crate::errors::{NO_RESPONSE, result_code_value};
use crate::hooks::Span;

/// Record never expires: the official client reports ttl as 0xFFFFFFFF.
const TTL_NEVER: u32 = u32::MAX;

pub(crate) fn value_of<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Nil | Value::Infinity | Value::Wildcard => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(i) => i.into_bound_py_any(py)?,
        Value::Float(f) => f64::from(f).into_bound_py_any(py)?,
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::GeoJson(s) => crate::geo::to_python(py, s)?,
        Value::Blob(b) | Value::Hll(b) => PyBytes::new(py, b).into_any(),
        Value::List(l) | Value::MultiResult(l) => {
            let out = PyList::empty(py);
            for x in l {
                out.append(value_of(py, x)?)?;
            }
            out.into_any()
        }
        Value::HashMap(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                set_item(&d, &value_of(py, k)?, value_of(py, x)?)?;
            }
            d.into_any()
        }
        Value::OrderedMap(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                set_item(&d, &value_of(py, k)?, value_of(py, x)?)?;
            }
            d.into_any()
        }
        Value::SortedMap(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                set_item(&d, &value_of(py, k)?, value_of(py, x)?)?;
            }
            d.into_any()
        }
        // A map the server flags as order-preserving (MAP_RETURN_KEY_VALUE results, in hit order):
        // the official client shows it as the flat list [k1, v1, k2, v2, ...], and so do we.
        Value::KeyValueList(l) => {
            let out = PyList::empty(py);
            for (k, x) in l {
                out.append(value_of(py, k)?)?;
                out.append(value_of(py, x)?)?;
            }
            out.into_any()
        }
        _ => py.None().into_bound(py),
    })
}

/// A new tuple holding `items`. Filled in place: pyo3's generic `PyTuple::new` (iterator,
/// length checks) cost about twice as much per row tuple.
fn tuple<'py, const N: usize>(py: Python<'py>, items: [Bound<'py, PyAny>; N]) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: GIL held (token). PyTuple_New gives a new reference or NULL with the error set (then
    // `items` are released by their drop); PyTuple_SetItem steals each item's reference and cannot
    // fail on a fresh tuple of N slots at an index below N.
    unsafe {
        let t = Bound::from_owned_ptr_or_err(py, ffi::PyTuple_New(N as ffi::Py_ssize_t))?;
        for (i, it) in items.into_iter().enumerate() {
            ffi::PyTuple_SetItem(t.as_ptr(), i as ffi::Py_ssize_t, it.into_ptr());
        }
        Ok(t)
    }
}

/// A key tuple `(namespace, set, user key, digest)`, untracked by the cyclic GC when the user
/// key is an int, str, bytes or None: then nothing in it can hold a reference (str, None and the
/// digest's bytearray never do), which is when CPython's own collector would untrack it
/// (`_PyTuple_MaybeUntrack`), only after traversing it once. A query's 10,000 keys (a batch's
/// 200) then cost the first collection after the answer nothing.
fn key_tuple_of<'py>(py: Python<'py>, items: [Bound<'py, PyAny>; 4]) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: GIL held (token); the type checks read the object's type only.
    let atomic = unsafe {
        let uk = items[2].as_ptr();
        uk == ffi::Py_None() || ffi::PyLong_CheckExact(uk) != 0 || ffi::PyUnicode_CheckExact(uk) != 0 || ffi::PyBytes_CheckExact(uk) != 0
    };
    let t = tuple(py, items)?;
    if atomic {
        // SAFETY: GIL held; `t` is a tuple we just made (GC-tracked), untracking it is allowed.
        unsafe { ffi::PyObject_GC_UnTrack(t.as_ptr().cast()) };
    }
    Ok(t)
}

/// `d[k] = v`; `v` is handed over. The plain C call: pyo3's `set_item` converts both sides
/// generically first.
fn set_item<'py>(d: &Bound<'py, PyDict>, k: &Bound<'py, PyAny>, v: Bound<'py, PyAny>) -> PyResult<()> {
    // SAFETY: GIL held (the Bounds prove it); PyDict_SetItem takes its own references to k and v.
    if unsafe { ffi::PyDict_SetItem(d.as_ptr(), k.as_ptr(), v.as_ptr()) } < 0 {
        return Err(PyErr::fetch(d.py()));
    }
    Ok(())
}

/// The `(key, meta, bins)` tuple; `k` is the key the caller passed (keeps its user key).
pub fn record_tuple(py: Python<'_>, k: &Key, r: &Record) -> PyResult<Py<PyAny>> {
    Ok(Rows::new(py).record(k, r)?.unbind())
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

/// Names (namespaces, sets, bin names) recently made into Python strings, kept across answers:
/// a single-record call otherwise makes them anew each time. Shared str objects are immutable
/// and keep their cached hash for the dict insert. Bounded (replaced round-robin), so a workload
/// with ever-new names only churns it; the strings live until replaced (never at exit).
const NAMES: usize = 32;

struct NameCache {
    slots: [Option<(Box<str>, Py<PyString>)>; NAMES],
    next: usize,
}

/// Touched only with the GIL held. The extension is abi3, which free-threaded Pythons do not
/// load, so the GIL makes the access exclusive.
struct GilCell(UnsafeCell<NameCache>);

// SAFETY: see GilCell: every access holds the GIL, and no Python code runs while it is borrowed.
unsafe impl Sync for GilCell {}

static NAME_CACHE: GilCell = GilCell(UnsafeCell::new(NameCache { slots: [const { None }; NAMES], next: 0 }));

/// The Python str for `s`, shared with earlier answers when recently used.
#[inline]
pub(crate) fn name<'py>(py: Python<'py>, s: &str) -> Bound<'py, PyAny> {
    // SAFETY: GIL held (token), see GilCell; the borrow ends before anything can run Python code.
    let cache = unsafe { &*NAME_CACHE.0.get() };
    for (n, obj) in cache.slots.iter().flatten() {
        if n.len() == s.len() && n.as_bytes() == s.as_bytes() {
            return obj.bind(py).clone().into_any();
        }
    }
    new_name(py, s)
}

/// `name` for a name still in the reply's bytes: validated as UTF-8 only when not cached.
#[inline]
pub(crate) fn name_of_bytes<'py>(py: Python<'py>, b: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: as in `name`.
    let cache = unsafe { &*NAME_CACHE.0.get() };
    for (n, obj) in cache.slots.iter().flatten() {
        if n.as_bytes() == b {
            return Ok(obj.bind(py).clone().into_any());
        }
    }
    let s = std::str::from_utf8(b).map_err(|_| crate::errors::client(py, "Bad response: name is not UTF-8"))?;
    Ok(new_name(py, s))
}

/// A name not in the cache: made, and kept in place of the oldest.
#[cold]
#[inline(never)]
fn new_name<'py>(py: Python<'py>, s: &str) -> Bound<'py, PyAny> {
    let obj = PyString::new(py, s);
    let evicted = {
        // SAFETY: as in `name`; creating the str ran no Python code (str objects are not GC-tracked).
        let cache = unsafe { &mut *NAME_CACHE.0.get() };
        let i = cache.next;
        cache.next = (i + 1) % NAMES;
        cache.slots[i].replace((s.into(), obj.clone().unbind()))
    };
    drop(evicted); // after the borrow: releasing the old str is the only thing that frees memory here
    obj.into_any()
}

/// The ttl of a record that never expires, made once (ints are immutable).
fn ttl_never(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    static NEVER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    Ok(NEVER.get_or_try_init(py, || TTL_NEVER.into_py_any(py))?.bind(py).clone())
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

/// Converts the records of one answer (a batch, a query page, one record). Names come from
/// the shared name cache; "now" for the ttl is read once, when a record first needs it.
pub struct Rows<'py> {
    py: Python<'py>,
    now: Option<u64>,
    /// Keep bins whose answer is nil (operate with list/map operations, see operate_record).
    keep_nil: bool,
}

impl<'py> Rows<'py> {
    pub fn new(py: Python<'py>) -> Self {
        Rows { py, now: None, keep_nil: false }
    }

    pub fn py(&self) -> Python<'py> {
        self.py
    }

    /// (namespace, set or None, user key or None, digest as bytearray).
    pub fn key(&mut self, k: &Key) -> PyResult<Bound<'py, PyAny>> {
        self.key_tuple(k.namespace(), k.set_name(), k.user_key(), &k.digest())
    }

    /// The key tuple from its parts (a record's key need not be rebuilt as a `Key` first).
    fn key_tuple(&mut self, ns: &str, set: &str, user_key: Option<&Value>, digest: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        let [ns, set, uk] = self.key_head(ns, set, user_key)?;
        key_tuple_of(self.py, [ns, set, uk, PyByteArray::new(self.py, digest).into_any()])
    }

    /// A key tuple's namespace, set and user key.
    fn key_head(&mut self, ns: &str, set: &str, user_key: Option<&Value>) -> PyResult<[Bound<'py, PyAny>; 3]> {
        let py = self.py;
        let ns = name(py, ns);
        let set = if set.is_empty() { py.None().into_bound(py) } else { name(py, set) };
        let uk = match user_key {
            Some(v) => value_of(py, v)?,
            None => py.None().into_bound(py),
        };
        Ok([ns, set, uk])
    }

    pub fn meta(&mut self, r: &Record) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let d = PyDict::new(py);
        set_item(&d, pyo3::intern!(py, "gen").as_any(), r.generation.into_bound_py_any(py)?)?;
        let ttl = match r.expiration() {
            0 => ttl_never(py)?,
            e => {
                let now = *self.now.get_or_insert_with(unix_now);
                ttl_of(e, now).into_bound_py_any(py)?
            }
        };
        set_item(&d, pyo3::intern!(py, "ttl").as_any(), ttl)?;
        Ok(d.into_any())
    }

    pub fn bins(&mut self, r: &Record) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        if let Some(raw) = &r.raw_ops {
            return crate::wire_bins::bins(py, raw);
        }
        let d = PyDict::new(py);
        for (n, v) in &r.bins {
            // Several operations on one bin (operate) come back as a MultiResult; like the official
            // client, the bin holds the last operation's answer.
            let v = match v {
                Value::MultiResult(all) => all.last().unwrap_or(&Value::Nil),
                other => other,
            };
            if matches!(v, Value::Nil) && !self.keep_nil {
                continue; // a write op's empty answer: the official client leaves such bins out
            }
            set_item(&d, &name(py, n), value_of(py, v)?)?;
        }
        Ok(d.into_any())
    }

    /// The `(key, meta, bins)` tuple; `k` is the key the caller passed (keeps its user key).
    pub fn record(&mut self, k: &Key, r: &Record) -> PyResult<Bound<'py, PyAny>> {
        let key = self.key(k)?;
        self.record_with(key, r)
    }

    /// A raw_ops query record's `(key, meta, bins)`: aerospike-core (patch) puts the record's
    /// namespace and set before its operations, `[u32 length][namespace][u32 length][set][ops]`,
    /// and leaves the key's empty (two `String`s per record saved).
    pub fn raw_query_record(&mut self, r: &Record, raw: &[u8]) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        let (ns, rest) = crate::wire_bins::split_name(py, raw)?;
        let (set, ops) = crate::wire_bins::split_name(py, rest)?;
        let key = match &r.key {
            Some(k) => {
                let ns = name_of_bytes(py, ns)?;
                let set = if set.is_empty() { py.None().into_bound(py) } else { name_of_bytes(py, set)? };
                let uk = match k.user_key() {
                    Some(v) => value_of(py, v)?,
                    None => py.None().into_bound(py),
                };
                key_tuple_of(py, [ns, set, uk, PyByteArray::new(py, &k.digest()).into_any()])?
            }
            None => py.None().into_bound(py),
        };
        let meta = self.meta(r)?;
        let bins = crate::wire_bins::bins(py, ops)?;
        tuple(py, [key, meta, bins])
    }

    /// The `(key, meta, bins)` tuple with its key tuple already made (None for a query record
    /// the server sent without key).
    pub fn record_with(&mut self, key: Bound<'py, PyAny>, r: &Record) -> PyResult<Bound<'py, PyAny>> {
        let meta = self.meta(r)?;
        let bins = self.bins(r)?;
        tuple(self.py, [key, meta, bins])
    }
}

#[allow(dead_code)] // the `none` return shape of ops.yaml (no current operation)
pub fn none(py: Python<'_>, _v: (), _t: &mut Span) -> PyResult<Py<PyAny>> {
    Ok(py.None())
}

/// Writes and admin commands answer 0 (AEROSPIKE_OK), as the official client's do.
pub fn status(py: Python<'_>, _v: (), _t: &mut Span) -> PyResult<Py<PyAny>> {
    Ok(0i64.into_pyobject(py)?.into_any().unbind())
}

/// get: like the official client, the user key is the one the server returned (servers do not
/// send it on reads), else None; namespace, set and digest are the request's.

pub fn record(py: Python<'_>, v: (Key, Record), _t: &mut Span) -> PyResult<Py<PyAny>> {
    let (k, r) = v;
    let server_uk = r.key.as_ref().and_then(|rk| rk.user_key());
    let mut rows = Rows::new(py);
    let key = rows.key_tuple(k.namespace(), k.set_name(), server_uk, &k.digest())?;
    Ok(rows.record_with(key, &r)?.unbind())
}

/// select/operate: the key as passed (with its user key), like the official client.
pub fn keyed_record(py: Python<'_>, v: (Key, Record), _t: &mut Span) -> PyResult<Py<PyAny>> {
    record_tuple(py, &v.0, &v.1)
}

/// operate: as keyed_record; when the operations include a list/map/expression operation, a
/// write's empty answer is its bin with None (the official client asks the server to answer
/// every operation then, and shows those answers; without one, writes answer nothing).
pub fn operate_record(py: Python<'_>, v: (Key, Record, bool), _t: &mut Span) -> PyResult<Py<PyAny>> {
    let mut rows = Rows::new(py);
    rows.keep_nil = v.2;
    Ok(rows.record(&v.0, &v.1)?.unbind())
}

/// operate_ordered: `(key, meta, [(bin, answer), ...])`, the answers in operation order (several
/// operations on one bin come back as a MultiResult, consumed in order); writes' empty answers
/// are left out, as the official client does.
pub fn ordered_record(py: Python<'_>, v: (Key, Record, Vec<Option<String>>), _t: &mut Span) -> PyResult<Py<PyAny>> {
    let (k, r, order) = v;
    let mut rows = Rows::new(py);
    let key = rows.key(&k)?;
    let meta = rows.meta(&r)?;
    let out = PyList::empty(py);
    let mut used: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for bin in order.iter().flatten() {
        let Some(v) = r.bins.get(bin) else { continue };
        let n = used.entry(bin.as_str()).or_insert(0);
        let answer = match v {
            Value::MultiResult(all) => all.get(*n),
            other if *n == 0 => Some(other),
            _ => None,
        };
        *n += 1;
        match answer {
            None | Some(Value::Nil) => continue,
            Some(a) => out.append(tuple(py, [name(py, bin).into_any(), value_of(py, a)?])?)?,
        }
    }
    Ok(tuple(py, [key, meta, out.into_any()])?.unbind())
}

pub fn exists(py: Python<'_>, v: (Key, Option<Record>), _t: &mut Span) -> PyResult<Py<PyAny>> {
    let mut rows = Rows::new(py);
    let m = match &v.1 {
        Some(r) => rows.meta(r)?,
        None => py.None().into_bound(py),
    };
    Ok(tuple(py, [rows.key(&v.0)?, m])?.unbind())
}

pub fn batch_records(py: Python<'_>, ops: Vec<BatchOperation>, t: &mut Span) -> PyResult<Py<PyAny>> {
    batch_rows(py, ops, t, false)
}

/// batch_read: like batch_records; with `bins=[]` each record is `(key, meta)`.
pub fn batch_read_records(py: Python<'_>, v: (Vec<BatchOperation>, bool), t: &mut Span) -> PyResult<Py<PyAny>> {
    batch_rows(py, v.0, t, v.1)
}

fn batch_rows(py: Python<'_>, mut ops: Vec<BatchOperation>, t: &mut Span, header_only: bool) -> PyResult<Py<PyAny>> {
    let _gc = GcPause::new(py);
    let mut rows = Rows::new(py);
    let n = ops.len();
    // SAFETY: GIL held (token); a new list of n empty slots, or NULL with the error set. Every
    // slot is filled below before the list is handed out; on an early error the list is
    // released with some slots still empty, which list deallocation allows.
    let out = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyList_New(n as ffi::Py_ssize_t))? };
    let mut found = 0usize;
    let mut overall = 0i32;
    let ok = 0i32.into_bound_py_any(py)?;
    for (i, op) in ops.iter_mut().enumerate() {
        let rc = op.result_code().map_or(NO_RESPONSE, result_code_value);
        // Not found (2) and filtered out (27) are answers, not failures of the batch.
        if rc != 0 && overall == 0 && rc != 2 && rc != 27 {
            overall = rc;
        }
        let in_doubt = op.in_doubt();
        let rec = op.take_record();
        let k = &op.batch_record().key;
        let digest = k.digest();
        let [ns, set, uk] = rows.key_head(k.namespace(), k.set_name(), k.user_key())?;
        let record = match &rec {
            Some(r) => {
                found += 1;
                // The record's key tuple equals `.key` but, like the official client's, is its own
                // tuple with its own digest bytearray (mutable); namespace, set and user key are
                // immutable (a user key is an int, str or bytes) and shared by both.
                let uk = match k.user_key() {
                    Some(Value::Int(_) | Value::String(_) | Value::Blob(_)) | None => uk.clone(),
                    Some(v) => value_of(py, v)?,
                };
                let rk = key_tuple_of(py, [ns.clone(), set.clone(), uk, PyByteArray::new(py, &digest).into_any()])?;
                if header_only {
                    let meta = rows.meta(r)?;
                    tuple(py, [rk, meta])?
                } else {
                    rows.record_with(rk, r)?
                }
            }
            None => py.None().into_bound(py),
        };
        let key = key_tuple_of(py, [ns, set, uk, PyByteArray::new(py, &digest).into_any()])?;
        drop(rec); // its bin values are freed here, before the next row is converted
        let result = if rc == 0 { ok.clone() } else { rc.into_bound_py_any(py)? };
        let in_doubt = PyBool::new(py, in_doubt).to_owned().into_any().unbind();
        let row = BatchRecord::row(key.unbind(), result.unbind(), record.unbind(), in_doubt);
        let row = Bound::new(py, row)?;
        // SAFETY: `out` is the fresh list of n slots above and i < n; PyList_SetItem steals the
        // row's reference and cannot fail here.
        unsafe { ffi::PyList_SetItem(out.as_ptr(), i as ffi::Py_ssize_t, row.into_ptr()) };
    }
    drop(ops);
    t.records(found);
    let records = BatchRecords::of(out.unbind(), overall.into_py_any(py)?);
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

pub fn nodes(py: Python<'_>, v: Vec<(String, String, u16)>, _t: &mut Span) -> PyResult<Py<PyAny>> {
    let items: Vec<(String, u16)> = v.into_iter().map(|(_, a, p)| (a, p)).collect();
    Ok(items.into_pyobject(py)?.into_any().unbind())
}

pub fn node_names(py: Python<'_>, v: Vec<(String, String, u16)>, _t: &mut Span) -> PyResult<Py<PyAny>> {
    let out = pyo3::types::PyList::empty(py);
    for (name, address, port) in v {
        let d = pyo3::types::PyDict::new(py);
        d.set_item("address", address)?;
        d.set_item("port", port)?;
        d.set_item("node_name", name)?;
        out.append(d)?;
    }
    Ok(out.into_any().unbind())
}
