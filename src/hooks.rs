//! Glue the generated methods call around each executor: running it (sync: GIL released,
//! driving the client's own runtime; async: an awaitable), turning its result into Python, and
//! feeding the tracing hooks (through `Span`, an `OpTrace` or nothing for untraced ops).

use std::future::Future;
use std::panic::AssertUnwindSafe;

use aerospike_core::Key;
use aerospike_core::served::Served;
use futures::FutureExt;
use pyo3::prelude::*;

use crate::core::{Core, Driver};
use crate::errors::{self, OpError};
use crate::tracing::{ErrorFacts, OpSpec, OpTrace, Server};

/// A result converter: executor output -> Python object, may note facts on the span.
pub type Conv<T> = fn(Python<'_>, T, &mut Span) -> PyResult<Py<PyAny>>;

/// Runs one executor to completion for the sync client: GIL released for the whole round trip.
pub fn block<T: Send>(py: Python<'_>, core: &Core, fut: impl Future<Output = Result<T, OpError>> + Send) -> Result<T, OpError> {
    py.detach(|| run(core, fut))
}

/// As `block`, also reporting the node(s) that served the call (the patched aerospike-core's
/// `served` slot, vendor/PATCHES.md).
pub fn block_served<T: Send>(
    py: Python<'_>,
    core: &Core,
    fut: impl Future<Output = Result<T, OpError>> + Send,
) -> (Result<T, OpError>, Served) {
    let mut served = Served::default();
    let out = py.detach(|| {
        run(core, async {
            let (out, s) = aerospike_core::served::track(fut).await;
            served = s;
            out
        })
    });
    (out, served)
}

/// Runs `fut` on this thread, which drives the sync client's runtime until it completes.
pub fn run<T>(core: &Core, fut: impl Future<Output = Result<T, OpError>>) -> Result<T, OpError> {
    if crate::runtime::is_shut_down() {
        return Err(OpError::code(errors::CLIENT_ERROR, "the interpreter is shutting down"));
    }
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(OpError::code(
            errors::CLIENT_ERROR,
            "the sync Client cannot be called from inside the client's own runtime; use AsyncClient",
        ));
    }
    let Driver::Callers(rt) = &core.driver else {
        return Err(OpError::code(errors::CLIENT_ERROR, "internal error: a sync call on an AsyncClient connection"));
    };
    rt.block_on(AssertUnwindSafe(fut).catch_unwind())
        .unwrap_or_else(|p| Err(OpError::code(errors::CLIENT_ERROR, format!("internal error: {}", panic_text(&p)))))
}

/// Wraps an executor future for the async client so a panic becomes a ClientError.
pub async fn guarded<T>(fut: impl Future<Output = Result<T, OpError>>) -> Result<T, OpError> {
    AssertUnwindSafe(fut)
        .catch_unwind()
        .await
        .unwrap_or_else(|p| Err(OpError::code(errors::CLIENT_ERROR, format!("internal error: {}", panic_text(&p)))))
}

/// Runs code that holds the GIL (argument and result conversion) so that a panic in it raises a
/// ClientError instead of pyo3's PanicException: no input may surface a Rust panic.
pub fn unpanicked<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(errors::client(py, &format!("internal error: {}", panic_text(&p)))))
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".into()
    }
}

/// The tracing span of one call (None for operations ops.yaml marks `traced: false`).
pub struct Span(Option<OpTrace>);

impl Span {
    #[inline]
    pub fn begin(py: Python<'_>, spec: &'static OpSpec, server: &Server) -> Span {
        Span(Some(OpTrace::begin(py, spec, server)))
    }

    #[inline]
    pub fn none() -> Span {
        Span(None)
    }

    pub fn target_key(&mut self, k: &Key) {
        if let Some(t) = self.0.as_mut() {
            let set = k.set_name();
            t.target(Some(k.namespace()), if set.is_empty() { None } else { Some(set) }, None);
        }
    }

    /// Namespace/set when every key shares them, else None; plus the batch size.
    pub fn target_keys(&mut self, keys: &[Key]) {
        if let Some(t) = self.0.as_mut() {
            let first = keys.first();
            let ns = first.map(Key::namespace).filter(|ns| keys.iter().all(|k| k.namespace() == *ns));
            let set = first.map(Key::set_name).filter(|s| !s.is_empty() && keys.iter().all(|k| k.set_name() == *s));
            t.target(ns, set, Some(keys.len()));
        }
    }

    pub fn target_ns(&mut self, ns: &str, set: &str) {
        if let Some(t) = self.0.as_mut() {
            t.target(Some(ns), if set.is_empty() { None } else { Some(set) }, None);
        }
    }

    /// The node that served the call, when exactly one did (spans only: no lookup otherwise).
    #[inline]
    pub fn served(&mut self, served: &Served) {
        if let Some(t) = self.0.as_mut().filter(|t| t.is_tracing()) {
            if let Some(node) = served.node() {
                let host = node.host();
                t.peer(&host.name, host.port);
            }
        }
    }

    pub fn records(&mut self, n: usize) {
        if let Some(t) = self.0.as_mut() {
            t.records(n);
        }
    }

    /// Finishes the span for an exception about to be raised.
    pub fn fail(self, py: Python<'_>, e: PyErr) -> PyErr {
        if let Some(t) = self.0 {
            let v = e.value(py);
            let type_name = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            let code = v.getattr(pyo3::intern!(py, "code")).ok().and_then(|c| c.extract::<i32>().ok());
            let msg = v
                .getattr(pyo3::intern!(py, "msg"))
                .ok()
                .and_then(|m| m.extract::<String>().ok())
                .unwrap_or_else(|| v.str().map(|s| s.to_string()).unwrap_or_default());
            t.finish_err(&ErrorFacts { type_name: &type_name, result_code: code, message: &msg });
        }
        e
    }

    /// Converts an executor's outcome for Python and ends the span.
    pub fn deliver<T>(mut self, py: Python<'_>, out: Result<T, OpError>, conv: Conv<T>) -> PyResult<Py<PyAny>> {
        match out {
            Ok(v) => match unpanicked(py, || conv(py, v, &mut self)) {
                Ok(obj) => {
                    if let Some(t) = self.0 {
                        t.finish_ok();
                    }
                    Ok(obj)
                }
                Err(e) => Err(self.fail(py, e)),
            },
            Err(e) => {
                // The error names the node its last attempt went to (unless `served` said).
                if let (Some(t), OpError::Core(ce)) = (self.0.as_mut().filter(|t| !t.has_peer()), &e) {
                    if let Some((host, port)) = ce.node().and_then(crate::tracing::node_addr) {
                        t.peer(host, port);
                    }
                }
                let err = errors::to_pyerr(py, &e);
                Err(self.fail(py, err))
            }
        }
    }
}

/// An async executor's outcome, converted under the GIL when the event loop resolves its future
/// (src/completion.rs), so the result is built once, on the thread that already holds the GIL.
pub struct Deliver<T> {
    pub span: Span,
    pub out: Result<T, OpError>,
    pub conv: Conv<T>,
}

impl<'py, T> IntoPyObject<'py> for Deliver<T> {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.span.deliver(py, self.out, self.conv).map(|o| o.into_bound(py))
    }
}
