use pyo3::prelude::*;

pub mod tracing;

#[pymodule]
fn _aerospike(m: &Bound<'_, PyModule>) -> PyResult<()> {
    tracing::register(m)?;
    Ok(())
}
