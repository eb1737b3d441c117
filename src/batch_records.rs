//! `BatchRecord` / `BatchRecords`: the batch result containers, shaped like the official client's
//! `aerospike_helpers.batch.records` (re-exported by `aerospike_py` and `aerospike_py._types`).
//! Native classes because a batch builds one per key: a Python `__init__` call per row cost
//! more than reading the row.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// One key's outcome in a batch: `.key`, `.result` (result code, 0 = ok), `.record`
/// (`(key, meta, bins)` or None), `.in_doubt`.
#[pyclass(module = "aerospike_py", subclass)]
pub struct BatchRecord {
    #[pyo3(get, set)]
    pub key: Py<PyAny>,
    #[pyo3(get, set)]
    pub result: Py<PyAny>,
    #[pyo3(get, set)]
    pub record: Py<PyAny>,
    #[pyo3(get, set)]
    pub in_doubt: Py<PyAny>,
}

/// A tuple of the fields equality compares (Python's tuple comparison: identity, then ==).
fn fields_eq(py: Python<'_>, a: [&Py<PyAny>; 3], b: [&Py<PyAny>; 3]) -> PyResult<bool> {
    PyTuple::new(py, a)?.eq(PyTuple::new(py, b)?)
}

#[pymethods]
impl BatchRecord {
    #[new]
    #[pyo3(signature = (key, result=None, record=None, in_doubt=None))]
    fn new(py: Python<'_>, key: Py<PyAny>, result: Option<Py<PyAny>>, record: Option<Py<PyAny>>, in_doubt: Option<Py<PyAny>>) -> Self {
        BatchRecord {
            key,
            result: result.unwrap_or_else(|| 0i32.into_pyobject(py).unwrap().into_any().unbind()),
            record: record.unwrap_or_else(|| py.None()),
            in_doubt: in_doubt.unwrap_or_else(|| pyo3::types::PyBool::new(py, false).to_owned().into_any().unbind()),
        }
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(o) = other.cast::<BatchRecord>() else { return Ok(py.NotImplemented()) };
        let o = o.borrow();
        let same = fields_eq(py, [&self.key, &self.result, &self.record], [&o.key, &o.result, &o.record])?;
        Ok(pyo3::types::PyBool::new(py, same).to_owned().into_any().unbind())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "BatchRecord(key={}, result={}, record={})",
            self.key.bind(py).repr()?,
            self.result.bind(py).repr()?,
            self.record.bind(py).repr()?
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let s = slf.borrow();
        let args = PyTuple::new(py, [&s.key, &s.result, &s.record, &s.in_doubt])?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }
}

/// A batch's outcome: `.batch_records` (one BatchRecord per key, in key order) and `.result`
/// (0, or the first per-record failure other than not-found).
#[pyclass(module = "aerospike_py", subclass)]
pub struct BatchRecords {
    #[pyo3(get, set)]
    pub batch_records: Py<PyAny>,
    #[pyo3(get, set)]
    pub result: Py<PyAny>,
}

#[pymethods]
impl BatchRecords {
    #[new]
    #[pyo3(signature = (batch_records=None, result=None))]
    fn new(py: Python<'_>, batch_records: Option<Py<PyAny>>, result: Option<Py<PyAny>>) -> Self {
        BatchRecords {
            batch_records: batch_records.filter(|b| !b.is_none(py)).unwrap_or_else(|| PyList::empty(py).into_any().unbind()),
            result: result.unwrap_or_else(|| 0i32.into_pyobject(py).unwrap().into_any().unbind()),
        }
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let Ok(o) = other.cast::<BatchRecords>() else { return Ok(py.NotImplemented()) };
        let o = o.borrow();
        let same = PyTuple::new(py, [&self.batch_records, &self.result])?.eq(PyTuple::new(py, [&o.batch_records, &o.result])?)?;
        Ok(pyo3::types::PyBool::new(py, same).to_owned().into_any().unbind())
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.batch_records.bind(py).len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.batch_records.bind(py).try_iter()?.into_any())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("BatchRecords({}, result={})", self.batch_records.bind(py).repr()?, self.result.bind(py).repr()?))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let s = slf.borrow();
        let args = PyTuple::new(py, [&s.batch_records, &s.result])?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }
}
