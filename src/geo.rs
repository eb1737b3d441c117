//! GeoJSON values: `aerospike_py.GeoJSON` objects become GeoJSON particles (type 23) on the way
//! in, and GeoJSON particles come back as `GeoJSON` objects, as with the official client.

use aerospike_core::Value;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

struct Geo {
    class: Py<PyAny>,
    from_server: Py<PyAny>,
}

static GEO: PyOnceLock<Geo> = PyOnceLock::new();

fn geo(py: Python<'_>) -> PyResult<&'static Geo> {
    GEO.get_or_try_init(py, || {
        let m = py.import("aerospike_py.geospatial")?;
        Ok(Geo { class: m.getattr("GeoJSON")?.unbind(), from_server: m.getattr("_from_server")?.unbind() })
    })
}

/// The GeoJSON particle of `o` when it is a GeoJSON object; None for any other value.
pub fn value_of(o: &Bound<'_, PyAny>) -> PyResult<Option<Value>> {
    let py = o.py();
    if !o.is_instance(geo(py)?.class.bind(py))? {
        return Ok(None);
    }
    let text: String = o.call_method0("dumps")?.extract()?;
    Ok(Some(Value::GeoJson(text)))
}

/// A stored GeoJSON particle's text as a GeoJSON object.
pub fn to_python<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    geo(py)?.from_server.bind(py).call1((text,))
}
