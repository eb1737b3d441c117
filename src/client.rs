//! The synchronous `Client`. Its operation methods are generated from ops.yaml
//! (OUT_DIR/client_methods.rs); this file holds only the lifecycle they delegate to.

use pyo3::prelude::*;

use crate::caller_runtime::CallerRuntime;
use crate::core::{Driver, Handle, close_in_background};
use crate::errors;
use crate::hooks;
use crate::runtime;

/// Synchronous Aerospike client; safe to share between threads.
#[pyclass(module = "aerospike_py._aerospike", frozen)]
pub struct Client {
    pub(crate) handle: Handle,
}

impl Client {
    fn create(config: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Client { handle: hooks::unpanicked(config.py(), || Handle::new(config))? })
    }

    /// Connects (once; a connected client returns itself) and returns self.
    fn connect_impl(slf: Bound<'_, Self>, username: Option<String>, password: Option<String>) -> PyResult<Bound<'_, Self>> {
        let py = slf.py();
        let this = slf.get();
        if this.handle.is_connected() {
            return Ok(slf);
        }
        let mut config = this.handle.config.clone();
        if let Some(u) = username {
            config.login(py, u, password.unwrap_or_default(), "connect")?;
        }
        if runtime::is_shut_down() {
            return Err(errors::client(py, "the interpreter is shutting down"));
        }
        let rt = CallerRuntime::new().map_err(|e| errors::client(py, &format!("cannot start the client's runtime: {e}")))?;
        let client = py.detach(|| rt.block_on(config.connect())).map_err(|e| errors::to_pyerr(py, &e))?;
        if let Some(old) = this.handle.set(Some(config.core(client, Driver::Callers(rt)))) {
            close_in_background(old);
        }
        Ok(slf)
    }

    fn close_impl(&self, py: Python<'_>) -> PyResult<()> {
        if let Some(core) = self.handle.set(None) {
            if core.epoch != runtime::epoch() {
                // Inherited across fork: its runtime is gone; just forget it.
                std::mem::forget(core);
                return Ok(());
            }
            if runtime::is_shut_down() {
                return Ok(());
            }
            py.detach(|| hooks::run(&core, async { Ok(core.client.close().await?) }))
                .map_err(|e| errors::to_pyerr(py, &e))?;
        }
        Ok(())
    }
}

include!(concat!(env!("OUT_DIR"), "/client_methods.rs"));
