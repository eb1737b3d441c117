//! aerospike-py's extension module `aerospike_py._aerospike`: a sync `Client` and an
//! `AsyncClient` over aerospike-core, their methods generated from ops.yaml by build.rs.

use pyo3::prelude::*;
use pyo3::types::PyByteArray;

#[global_allocator]
static ALLOCATOR: allocator::Allocator = allocator::Allocator;

mod allocator;
mod arity;
mod async_client;
mod batch_records;
mod caller_runtime;
mod cdt;
mod cdt_expressions;
mod client;
mod completion;
mod core;
mod errors;
mod executors;
mod expressions;
mod geo;
mod loop_runtime;
mod hooks;
mod metrics;
mod metrics_export;
mod otlp_grpc;
mod query;
mod results;
mod runtime;
mod shapes;
pub mod tracing;
mod wire_bins;

/// Generated from ops.yaml: one OpSpec per operation, the module constants.
#[allow(dead_code)] // untraced operations have specs too
mod specs {
    include!(concat!(env!("OUT_DIR"), "/specs.rs"));
}
pub(crate) use specs::constants;

/// The digest the server addresses a record by (like the official `aerospike.calc_digest`).
#[pyfunction]
#[pyo3(signature = (ns, set, key))]
fn calc_digest<'py>(py: Python<'py>, ns: &Bound<'py, PyAny>, set: &Bound<'py, PyAny>, key: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyByteArray>> {
    let t = pyo3::types::PyTuple::new(py, [ns, set, key])?;
    let k = shapes::key_of(t.as_any(), "key")?;
    Ok(PyByteArray::new(py, &k.digest()))
}

#[pymodule]
fn _aerospike(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<client::Client>()?;
    m.add_class::<async_client::AsyncClient>()?;
    m.add_class::<batch_records::BatchRecord>()?;
    m.add_class::<batch_records::BatchRecords>()?;
    batch_records::install_members(m.py())?;
    m.add_class::<query::Query>()?;
    m.add_class::<query::AsyncQuery>()?;
    m.add_class::<query::AsyncQueryIter>()?;
    m.add_function(wrap_pyfunction!(calc_digest, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::_after_fork_in_child, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::_shutdown, m)?)?;
    specs::register_constants(m)?;
    m.add("OPERATIONS", specs::OPERATIONS.to_vec())?;
    m.add("__api_md__", include_str!(concat!(env!("OUT_DIR"), "/api.md")))?;
    m.add("__ops_yaml__", include_str!(concat!(env!("OUT_DIR"), "/ops.yaml")))?;
    m.add("__stub__", include_str!(concat!(env!("OUT_DIR"), "/_aerospike.pyi")))?;
    tracing::register(m)?;
    metrics_export::register(m)?;
    Ok(())
}
