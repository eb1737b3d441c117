//! Fork and exit state shared by every client.
//!
//! A forked child inherits the parent's memory but none of its threads, so anything bound to the
//! parent's runtimes would hang forever. `os.register_at_fork` (set up in `__init__.py`) bumps
//! FORK_EPOCH in the child; runtimes are keyed by it (`loop_runtime::current`), and clients
//! created before the fork refuse to run (checked per call by comparing epochs: one atomic load).
//!
//! At interpreter exit (atexit, from `__init__.py`) the async runtime's helper thread is stopped
//! with the GIL released, so no thread is left to take the GIL while Python finalizes (which
//! would crash the process).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use pyo3::prelude::*;

static FORK_EPOCH: AtomicU64 = AtomicU64::new(0);
static SHUT_DOWN: AtomicBool = AtomicBool::new(false);

#[inline]
pub fn is_shut_down() -> bool {
    SHUT_DOWN.load(Ordering::Relaxed)
}

/// Stops the async runtime's helper before the interpreter finalizes (registered with atexit).
#[pyfunction]
pub fn _shutdown(py: Python<'_>) {
    SHUT_DOWN.store(true, Ordering::SeqCst);
    py.detach(crate::loop_runtime::shutdown);
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
}
