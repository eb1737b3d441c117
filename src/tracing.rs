//! Tracing hooks called by the generated client methods. This is the no-op stub: the tracing
//! helper replaces the bodies with OpenTelemetry spans; the API below is the contract.

use pyo3::prelude::*;

/// Static facts about one operation, generated from ops.yaml (one `static` per op).
pub struct OpSpec {
    pub name: &'static str,
    pub operation: &'static str,
}

/// One operation's span in the making. Send. Costs nothing when tracing is not initialised.
pub struct OpTrace {
    _spec: &'static OpSpec,
}

impl OpTrace {
    /// First thing in every generated method, GIL held, before argument conversion.
    #[inline]
    pub fn begin(_py: Python<'_>, spec: &'static OpSpec) -> OpTrace {
        OpTrace { _spec: spec }
    }
    /// After argument conversion: target namespace and set, batch size for batch ops.
    #[inline]
    pub fn target(&mut self, _namespace: Option<&str>, _set: Option<&str>, _batch_size: Option<usize>) {}
    /// Records returned (batch reads, query).
    #[inline]
    pub fn records(&mut self, _n: usize) {}
    /// The node that served the command, when known.
    #[inline]
    pub fn peer(&mut self, _address: &str, _port: u16) {}
    /// Ends the span when the result is ready for Python (after result conversion).
    #[inline]
    pub fn finish_ok(self) {}
    #[inline]
    pub fn finish_err(self, _err: &ErrorFacts<'_>) {}
}

pub struct ErrorFacts<'a> {
    pub type_name: &'a str,
    pub result_code: Option<i32>,
    pub message: &'a str,
}

#[pyfunction]
#[pyo3(signature = (*_args, **_kwargs))]
fn init_tracing(_args: &Bound<'_, pyo3::types::PyTuple>, _kwargs: Option<&Bound<'_, pyo3::types::PyDict>>) {}

#[pyfunction]
fn shutdown_tracing() {}

/// Adds init_tracing() / shutdown_tracing() (no-ops in the stub) to the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(init_tracing, m)?)?;
    m.add_function(wrap_pyfunction!(shutdown_tracing, m)?)?;
    Ok(())
}
