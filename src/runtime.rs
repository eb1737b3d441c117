//! The one tokio runtime every client shares, made fork-aware.
//!
//! A forked child inherits the runtime's memory but none of its worker threads, so anything bound
//! to the parent's runtime would hang forever. `os.register_at_fork` (set up in `__init__.py`)
//! bumps FORK_EPOCH in the child; the next caller then builds a fresh runtime, and clients created
//! before the fork refuse to run (checked per call by comparing epochs: one atomic load).
//!
//! At interpreter exit (atexit, from `__init__.py`) the runtime is shut down with the GIL
//! released, so no worker or blocking-pool thread is left to take the GIL while Python
//! finalizes (which would crash the process).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use pyo3::prelude::*;
use tokio::runtime::{Builder, Handle, Runtime};

static FORK_EPOCH: AtomicU64 = AtomicU64::new(0);
static SHUT_DOWN: AtomicBool = AtomicBool::new(false);

enum State {
    Running { epoch: u64, rt: Runtime, handle: Handle },
    /// After `_shutdown`: the handle of the stopped runtime (spawns are dropped, never run).
    Stopped(Handle),
}

static RUNTIME: Mutex<Option<State>> = Mutex::new(None);

#[inline]
pub fn is_shut_down() -> bool {
    SHUT_DOWN.load(Ordering::Relaxed)
}

/// Stops the runtime before the interpreter finalizes (registered with atexit).
#[pyfunction]
pub fn _shutdown(py: Python<'_>) {
    SHUT_DOWN.store(true, Ordering::SeqCst);
    py.detach(crate::loop_runtime::shutdown);
    let state = RUNTIME.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(State::Running { rt, handle, .. }) = state {
        *RUNTIME.lock().unwrap_or_else(|p| p.into_inner()) = Some(State::Stopped(handle));
        // GIL released: a task may still drop Python objects or call back into Python (query foreach).
        py.detach(|| rt.shutdown_timeout(Duration::from_secs(2)));
    }
}

#[inline]
pub fn epoch() -> u64 {
    FORK_EPOCH.load(Ordering::Relaxed)
}

/// Called in the child after fork (registered from Python).
#[pyfunction]
pub fn _after_fork_in_child() {
    FORK_EPOCH.fetch_add(1, Ordering::SeqCst);
    crate::metrics::reset_after_fork(); // a child reports its own operations, from zero
    // The parent's runtime cannot be dropped safely here (its threads do not exist in the
    // child); leak it and let the next call build a new one.
    let mut guard = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(old) = guard.take() {
        std::mem::forget(old);
    }
}

/// The runtime of the current fork epoch, built on first use.
pub fn current() -> Handle {
    let now = epoch();
    let mut guard = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    match guard.as_ref() {
        Some(State::Running { epoch: e, handle, .. }) if *e == now => return handle.clone(),
        Some(State::Stopped(handle)) => return handle.clone(),
        _ => {}
    }
    if let Some(old) = guard.take() {
        std::mem::forget(old); // a pre-fork runtime: its threads do not exist here
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let rt = Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("aerospike-py")
        .enable_all()
        .build()
        .expect("failed to build the tokio runtime");
    let handle = rt.handle().clone();
    *guard = Some(State::Running { epoch: now, rt, handle: handle.clone() });
    handle
}
