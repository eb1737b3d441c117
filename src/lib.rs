use pyo3::prelude::*;

#[pymodule]
fn _aerospike(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
