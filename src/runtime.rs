//! The one tokio runtime every client shares, made fork-aware.
//!
//! A forked child inherits the runtime's memory but none of its worker threads, so anything bound
//! to the parent's runtime would hang forever. `os.register_at_fork` (set up in `__init__.py`)
//! bumps FORK_EPOCH in the child; the next caller then builds a fresh runtime, and clients created
//! before the fork refuse to run (checked per call by comparing epochs: one atomic load).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime as GenericRuntime};
use tokio::runtime::{Builder, Runtime};

static FORK_EPOCH: AtomicU64 = AtomicU64::new(0);
static RUNTIME: Mutex<Option<(u64, Arc<Runtime>)>> = Mutex::new(None);

#[inline]
pub fn epoch() -> u64 {
    FORK_EPOCH.load(Ordering::Relaxed)
}

/// Called in the child after fork (registered from Python).
#[pyfunction]
pub fn _after_fork_in_child() {
    FORK_EPOCH.fetch_add(1, Ordering::SeqCst);
    // The parent's runtime cannot be dropped safely here (its threads do not exist in the
    // child); leak it and let the next call build a new one.
    if let Ok(mut guard) = RUNTIME.lock() {
        if let Some(old) = guard.take() {
            std::mem::forget(old);
        }
    } else {
        RUNTIME.clear_poison();
    }
}

/// The runtime of the current fork epoch, built on first use.
pub fn current() -> Arc<Runtime> {
    let now = epoch();
    let mut guard = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((e, rt)) = guard.as_ref() {
        if *e == now {
            return rt.clone();
        }
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let rt = Arc::new(
        Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("aerospike-py")
            .enable_all()
            .build()
            .expect("failed to build the tokio runtime"),
    );
    *guard = Some((now, rt.clone()));
    rt
}

tokio::task_local! {
    static LOCALS: std::cell::OnceCell<TaskLocals>;
}

/// pyo3-async-runtimes' generic runtime over `current()`, so awaitables survive a fork too.
pub struct ForkRt;

impl GenericRuntime for ForkRt {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        current().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        current().spawn_blocking(f)
    }
}

impl ContextExt for ForkRt {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = std::cell::OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        LOCALS.try_with(|c| c.get().cloned()).unwrap_or_default()
    }
}

/// Turns a Rust future into a Python awaitable running on the shared runtime.
pub fn awaitable<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::generic::future_into_py::<ForkRt, _, _>(py, fut)
}
