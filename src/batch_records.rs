//! `BatchRecord` / `BatchRecords`: the batch result containers, shaped like the official client's
//! `aerospike_helpers.batch.records` (re-exported by `aerospike_py` and `aerospike_py._types`).
//! Native classes because a batch builds one per key: a Python `__init__` call per row cost
//! more than reading the row.
//!
//! Their attributes are plain member descriptors (`T_OBJECT_EX` slots, what `__slots__` makes),
//! installed on the types by `install_members`: Python reads and writes them in the object's
//! memory (3.11+ specialises `row.key` to a slot load), where pyo3's `#[pyo3(get, set)]`
//! getters cost a Rust call with a borrow check per read, about twice what the caller's
//! `{row.key[2]: row.record[2] for row in ...}` spends otherwise. Like a `__slots__` class an
//! attribute can be deleted (its slot is then NULL), so Rust reads them only through Python
//! (`getattr`), never from the fields, which it writes only when it makes the object.

use std::cell::UnsafeCell;
use std::ffi::CStr;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList, PyTuple, PyType};

/// One attribute slot: the object pointer a member descriptor reads and writes in place.
/// `UnsafeCell` because Python changes it behind the Rust object; `Option` (a nullable pointer,
/// same layout) because `del row.key` empties it.
#[repr(transparent)]
pub struct Slot(UnsafeCell<Option<Py<PyAny>>>);

// SAFETY: the pointer is only touched with the GIL held (by Python's descriptor code, and by
// Rust when the object is made or dropped, when nothing else can see it).
unsafe impl Sync for Slot {}

impl Slot {
    fn new(v: Py<PyAny>) -> Self {
        Slot(UnsafeCell::new(Some(v)))
    }
}

/// One key's outcome in a batch: `.key`, `.result` (result code, 0 = ok), `.record`
/// (`(key, meta, bins)` or None), `.in_doubt`.
#[pyclass(module = "aerospike_py", subclass)]
pub struct BatchRecord {
    key: Slot,
    result: Slot,
    record: Slot,
    in_doubt: Slot,
}

impl BatchRecord {
    /// A row as a batch answer makes it.
    pub fn row(key: Py<PyAny>, result: Py<PyAny>, record: Py<PyAny>, in_doubt: Py<PyAny>) -> Self {
        BatchRecord { key: Slot::new(key), result: Slot::new(result), record: Slot::new(record), in_doubt: Slot::new(in_doubt) }
    }
}

/// The named attributes of `o`, read as Python reads them (a deleted one raises AttributeError).
fn attrs<'py, const N: usize>(o: &Bound<'py, PyAny>, names: [&str; N]) -> PyResult<Bound<'py, PyTuple>> {
    let mut v = Vec::with_capacity(N);
    for n in names {
        v.push(o.getattr(n)?);
    }
    PyTuple::new(o.py(), v)
}

#[pymethods]
impl BatchRecord {
    #[new]
    #[pyo3(signature = (key, result=None, record=None, in_doubt=None))]
    fn new(py: Python<'_>, key: Py<PyAny>, result: Option<Py<PyAny>>, record: Option<Py<PyAny>>, in_doubt: Option<Py<PyAny>>) -> Self {
        BatchRecord::row(
            key,
            result.unwrap_or_else(|| 0i32.into_pyobject(py).unwrap().into_any().unbind()),
            record.unwrap_or_else(|| py.None()),
            in_doubt.unwrap_or_else(|| PyBool::new(py, false).to_owned().into_any().unbind()),
        )
    }

    /// Equal when key, result and record are (Python's tuple comparison: identity, then ==).
    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if !other.is_instance_of::<BatchRecord>() {
            return Ok(py.NotImplemented());
        }
        const EQ: [&str; 3] = ["key", "result", "record"];
        let same = attrs(slf.as_any(), EQ)?.eq(attrs(other, EQ)?)?;
        Ok(PyBool::new(py, same).to_owned().into_any().unbind())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let a = attrs(slf.as_any(), ["key", "result", "record"])?;
        Ok(format!("BatchRecord(key={}, result={}, record={})", a.get_item(0)?.repr()?, a.get_item(1)?.repr()?, a.get_item(2)?.repr()?))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let args = attrs(slf.as_any(), ["key", "result", "record", "in_doubt"])?;
        PyTuple::new(slf.py(), [slf.get_type().into_any(), args.into_any()])
    }
}

/// A batch's outcome: `.batch_records` (one BatchRecord per key, in key order) and `.result`
/// (0, or the first per-record failure other than not-found).
#[pyclass(module = "aerospike_py", subclass)]
pub struct BatchRecords {
    batch_records: Slot,
    result: Slot,
}

impl BatchRecords {
    pub fn of(batch_records: Py<PyAny>, result: Py<PyAny>) -> Self {
        BatchRecords { batch_records: Slot::new(batch_records), result: Slot::new(result) }
    }
}

#[pymethods]
impl BatchRecords {
    #[new]
    #[pyo3(signature = (batch_records=None, result=None))]
    fn new(py: Python<'_>, batch_records: Option<Py<PyAny>>, result: Option<Py<PyAny>>) -> Self {
        BatchRecords::of(
            batch_records.filter(|b| !b.is_none(py)).unwrap_or_else(|| PyList::empty(py).into_any().unbind()),
            result.unwrap_or_else(|| 0i32.into_pyobject(py).unwrap().into_any().unbind()),
        )
    }

    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if !other.is_instance_of::<BatchRecords>() {
            return Ok(py.NotImplemented());
        }
        const EQ: [&str; 2] = ["batch_records", "result"];
        let same = attrs(slf.as_any(), EQ)?.eq(attrs(other, EQ)?)?;
        Ok(PyBool::new(py, same).to_owned().into_any().unbind())
    }

    fn __len__(slf: &Bound<'_, Self>) -> PyResult<usize> {
        slf.getattr("batch_records")?.len()
    }

    fn __iter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        Ok(slf.getattr("batch_records")?.try_iter()?.into_any())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let a = attrs(slf.as_any(), ["batch_records", "result"])?;
        Ok(format!("BatchRecords({}, result={})", a.get_item(0)?.repr()?, a.get_item(1)?.repr()?))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let args = attrs(slf.as_any(), ["batch_records", "result"])?;
        PyTuple::new(slf.py(), [slf.get_type().into_any(), args.into_any()])
    }
}

/// Installs each `(name, slot)` of `sample` (an instance of `ty`) as a read/write member
/// descriptor of `ty` at the slot's offset in the object. The offset is measured on the
/// instance, so it is right for whatever layout pyo3 gives the class. The member definitions
/// must outlive the type: they are leaked (two classes, once per process).
fn install(ty: &Bound<'_, PyType>, sample: &Bound<'_, PyAny>, slots: &[(&'static CStr, *const Slot)]) -> PyResult<()> {
    let py = ty.py();
    let base = sample.as_ptr() as usize;
    for &(name, slot) in slots {
        let offset = (slot as usize).checked_sub(base).expect("slot inside its object");
        let def = Box::leak(Box::new(ffi::PyMemberDef {
            name: name.as_ptr(),
            type_code: ffi::Py_T_OBJECT_EX,
            offset: offset as ffi::Py_ssize_t,
            flags: 0,
            doc: std::ptr::null(),
        }));
        // SAFETY: GIL held; `ty` is a live type and `def` lives for the rest of the process.
        let descr = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyDescr_NewMember(ty.as_ptr().cast(), def))? };
        ty.setattr(name.to_str().expect("ASCII name"), descr)?;
    }
    Ok(())
}

/// Puts the member descriptors on both classes (module initialisation).
pub fn install_members(py: Python<'_>) -> PyResult<()> {
    let none = || py.None();
    let row = Bound::new(py, BatchRecord::row(none(), none(), none(), none()))?;
    {
        let r = row.borrow();
        install(
            &py.get_type::<BatchRecord>(),
            row.as_any(),
            &[(c"key", &r.key), (c"result", &r.result), (c"record", &r.record), (c"in_doubt", &r.in_doubt)],
        )?;
    }
    let recs = Bound::new(py, BatchRecords::of(none(), none()))?;
    let r = recs.borrow();
    install(&py.get_type::<BatchRecords>(), recs.as_any(), &[(c"batch_records", &r.batch_records), (c"result", &r.result)])
}
