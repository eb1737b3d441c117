//! Argument-count errors worded as the official client's (its methods parse their arguments with
//! the CPython C API: "get() missing required argument 'key' (pos 1)", "remove() takes at most 3
//! arguments (4 given)"); code written against it matches on these texts. PyO3's own wording differs,
//! so generated methods take required arguments as `Required` (default: missing) and a `*_extra` tuple.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// A required positional argument, or the mark that the caller left it out.
pub struct Required<'py>(Option<Bound<'py, PyAny>>);

impl<'py> Required<'py> {
    pub const fn missing() -> Self {
        Required(None)
    }

    /// The argument, or the official client's TypeError naming it and its position (1-based).
    #[inline]
    pub fn get(&self, method: &str, name: &str, pos: usize) -> PyResult<&Bound<'py, PyAny>> {
        self.0
            .as_ref()
            .ok_or_else(|| PyTypeError::new_err(format!("{method}() missing required argument '{name}' (pos {pos})")))
    }

    /// As `get`, but a missing argument is a ParamError (the official query() and scan() say so).
    #[inline]
    pub fn get_or_param(&self, method: &str, name: &str, _pos: usize) -> PyResult<&Bound<'py, PyAny>> {
        match &self.0 {
            Some(o) => Ok(o),
            None => Err(Python::attach(|py| crate::errors::param(py, name, format!("is required by {method}()")))),
        }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Required<'py> {
    type Error = PyErr;

    #[inline]
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Required(Some(ob.to_owned())))
    }
}

/// Positional arguments beyond the method's parameters: the official client's TypeError.
#[inline]
pub fn no_extra(method: &str, params: usize, extra: &Bound<'_, PyTuple>) -> PyResult<()> {
    if extra.is_empty() {
        return Ok(());
    }
    let given = params + extra.len();
    let plural = if params == 1 { "" } else { "s" };
    Err(PyTypeError::new_err(format!("{method}() takes at most {params} argument{plural} ({given} given)")))
}
