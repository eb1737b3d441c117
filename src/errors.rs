//! Error mapping: aerospike-core errors and bad input -> `aerospike_py.exception` classes.
//!
//! The classes live in Python (exception.py, with the official client's names and codes); the
//! code -> class table is imported once and cached, so raising costs no import.

use aerospike_core::{ClientResultCode, Error, ErrorKind, ResultCode};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

/// Official client codes for client-side failures.
pub const CLIENT_ERROR: i32 = -1;
pub const PARAM_ERROR: i32 = -2;
pub const NO_MORE_CONNECTIONS: i32 = -7;
pub const INVALID_NODE: i32 = -8;
pub const CONNECTION_ERROR: i32 = -10;
pub const MAX_RETRIES: i32 = -12;
pub const MAX_ERROR_RATE: i32 = -14;
pub const NO_RESPONSE: i32 = -15;
pub const TIMEOUT: i32 = 9;
pub const CLUSTER_ERROR: i32 = 11;
pub const RECORD_NOT_FOUND: i32 = 2;

/// Failure of one command, before it is turned into a Python exception.
#[derive(Debug)]
pub enum OpError {
    Core(Error),
    Code { code: i32, msg: String },
    /// A Python exception raised inside the operation (e.g. by a query callback).
    Py(PyErr),
}

impl OpError {
    pub fn code(code: i32, msg: impl Into<String>) -> Self {
        OpError::Code { code, msg: msg.into() }
    }

    /// (official result code, message, in_doubt)
    pub fn facts(&self) -> (i32, String, bool) {
        match self {
            OpError::Code { code, msg } => (*code, msg.clone(), false),
            OpError::Core(e) => (core_code(e), reported(e).base_message(), e.in_doubt()),
            OpError::Py(e) => (CLIENT_ERROR, e.to_string(), false),
        }
    }
}

impl From<Error> for OpError {
    fn from(e: Error) -> Self {
        OpError::Core(e)
    }
}

pub fn result_code_value(rc: ResultCode) -> i32 {
    match rc {
        ResultCode::Unknown(n) => i32::from(n),
        other => i32::from(u8::from(other)),
    }
}

/// The error to report for `e`: retries used up on a node that refuses connections (dead but still
/// in the partition map) or whose circuit breaker is open end, in aerospike-core, as a client
/// timeout wrapping that cause; the official client reports the cause (ConnectionError,
/// MaxErrorRateExceeded), not a timeout.
fn reported(e: &Error) -> &Error {
    match e.cause() {
        Some(c)
            if e.client_result_code() == Some(ClientResultCode::MaxRetriesExceeded)
                && matches!(c.kind(), ErrorKind::Connection | ErrorKind::MaxErrorRate) =>
        {
            c
        }
        _ => e,
    }
}

/// The official Python client's code for an aerospike-core error.
pub fn core_code(e: &Error) -> i32 {
    // Retries exhausted on a server failure (e.g. KEY_BUSY) arrive decorated as a client
    // timeout; like the official client, report the server's code.
    if !matches!(e.kind(), ErrorKind::Server { .. }) {
        if let Some(rc) = e.server_result_code() {
            return result_code_value(rc);
        }
    }
    let e = reported(e);
    match e.kind() {
        ErrorKind::Server { rc, .. } => result_code_value(*rc),
        ErrorKind::Timeout => TIMEOUT,
        ErrorKind::Connection | ErrorKind::ConnectionPoolEmpty | ErrorKind::Io(_) => CONNECTION_ERROR,
        ErrorKind::NoMoreConnections => NO_MORE_CONNECTIONS,
        ErrorKind::MaxErrorRate => MAX_ERROR_RATE,
        ErrorKind::InvalidNode => INVALID_NODE,
        ErrorKind::InvalidNamespace => 20,
        ErrorKind::InvalidArgument => PARAM_ERROR,
        _ => match e.result_code() {
            -11 => MAX_RETRIES,
            -15 => NO_RESPONSE,
            -16 => -16,
            c if c > 0 => c,
            _ => CLIENT_ERROR,
        },
    }
}

struct Classes {
    by_code: Py<PyDict>,
    client_error: Py<PyType>,
    server_error: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Classes> {
    CLASSES.get_or_try_init(py, || {
        let m = py.import("aerospike_py.exception")?;
        Ok::<_, PyErr>(Classes {
            by_code: m.getattr("_BY_CODE")?.cast_into::<PyDict>()?.unbind(),
            client_error: m.getattr("ClientError")?.cast_into::<PyType>()?.unbind(),
            server_error: m.getattr("ServerError")?.cast_into::<PyType>()?.unbind(),
        })
    })
}

/// The exception class for an official result code.
pub fn class_for(py: Python<'_>, code: i32) -> PyResult<Bound<'_, PyType>> {
    let c = classes(py)?;
    if let Some(cls) = c.by_code.bind(py).get_item(code)? {
        return Ok(cls.cast_into::<PyType>()?);
    }
    Ok(if code < 0 { c.client_error.bind(py).clone() } else { c.server_error.bind(py).clone() })
}

/// Builds the Python exception `cls(code, msg, None, None, in_doubt)`.
pub fn make(py: Python<'_>, code: i32, msg: &str, in_doubt: bool) -> PyErr {
    match class_for(py, code).and_then(|cls| cls.call1((code, msg, py.None(), py.None(), in_doubt))) {
        Ok(inst) => PyErr::from_value(inst),
        Err(e) => e,
    }
}

pub fn to_pyerr(py: Python<'_>, e: &OpError) -> PyErr {
    if let OpError::Py(e) = e {
        return e.clone_ref(py);
    }
    let (code, msg, in_doubt) = e.facts();
    make(py, code, &msg, in_doubt)
}

/// ParamError naming the offending argument.
pub fn param(py: Python<'_>, arg: &str, what: impl std::fmt::Display) -> PyErr {
    make(py, PARAM_ERROR, &format!("{arg}: {what}"), false)
}

pub fn client(py: Python<'_>, msg: &str) -> PyErr {
    make(py, CLIENT_ERROR, msg, false)
}
