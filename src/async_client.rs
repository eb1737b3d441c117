//! The asyncio `AsyncClient`. Its operation methods are generated from ops.yaml
//! (OUT_DIR/async_client_methods.rs); this file holds only the lifecycle they delegate to.

use std::sync::Arc;

use pyo3::prelude::*;

use crate::core::{Driver, Handle};
use crate::errors;
use crate::runtime;

/// asyncio Aerospike client: every I/O method returns an awaitable.
#[pyclass(module = "aerospike_py._aerospike", frozen)]
pub struct AsyncClient {
    pub(crate) handle: Arc<Handle>,
}

/// Hands a value back to Python as the result of an awaitable.
struct Ready(Py<PyAny>);

impl<'py> IntoPyObject<'py> for Ready {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.0.into_bound(py))
    }
}

impl AsyncClient {
    fn create(config: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(AsyncClient { handle: Arc::new(crate::hooks::unpanicked(config.py(), || Handle::new(config))?) })
    }

    /// Awaitable that connects (if not yet connected) and resolves to self.
    fn connect_impl(slf: Bound<'_, Self>, username: Option<String>, password: Option<String>) -> PyResult<Bound<'_, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let handle = this.handle.clone();
        let me: Py<PyAny> = slf.clone().into_any().unbind();
        let connected = handle.is_connected();
        let mut config = handle.config.clone();
        if let Some(u) = username {
            config.login(py, u, password.unwrap_or_default(), "connect")?;
        }
        crate::completion::awaitable(py, async move {
            if !connected {
                let client = config.connect().await.map_err(|e| Python::attach(|py| errors::to_pyerr(py, &e)))?;
                // The loop runtime, which this runs on: its helper thread runs the background closes.
                let core = config.core(client, Driver::Shared(tokio::runtime::Handle::current()));
                if let Some(old) = handle.set(Some(core)) {
                    if old.epoch == runtime::epoch() {
                        let _ = old.client.close().await;
                    }
                }
            }
            Ok(Ready(me))
        })
    }

    fn close_impl<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let old = self.handle.set(None);
        crate::completion::awaitable(py, async move {
            if let Some(core) = old {
                if core.epoch == runtime::epoch() {
                    core.client.close().await.map_err(|e| Python::attach(|py| errors::to_pyerr(py, &e.into())))?;
                } else {
                    std::mem::forget(core);
                }
            }
            Ok(Ready(Python::attach(|py| py.None())))
        })
    }
}

include!(concat!(env!("OUT_DIR"), "/async_client_methods.rs"));
