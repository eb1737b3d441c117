//! Awaitables for the async client, completed in batches on the event-loop thread.
//!
//! Each call creates an asyncio future on the running loop and spawns one tokio task. When the
//! task finishes it pushes its raw outcome onto the loop's completion queue and, only if that
//! queue was empty, writes one byte to a socket pair whose read end the loop watches
//! (`loop.add_reader`). The loop then runs `Drain`, which converts every queued outcome to Python
//! and resolves its future. Tokio threads therefore never take the GIL for a result, and one
//! wake-up serves every operation that completed meanwhile.

use std::cell::RefCell;
use std::future::Future;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// An outcome waiting for the loop: converts itself and resolves its future.
trait Completion: Send {
    fn complete(self: Box<Self>, py: Python<'_>);
}

struct Outcome<T> {
    future: Py<PyAny>,
    result: PyResult<T>,
}

impl<T> Completion for Outcome<T>
where
    T: for<'a> IntoPyObject<'a> + Send,
{
    fn complete(self: Box<Self>, py: Python<'_>) {
        let Outcome { future, result } = *self;
        // Converting first ends the operation's span even when nobody awaits the result any more.
        let value = result.and_then(|v| v.into_py_any(py));
        let future = future.bind(py);
        if future.call_method0(pyo3::intern!(py, "cancelled")).and_then(|c| c.is_truthy()).unwrap_or(true) {
            return; // cancelled: the result is dropped
        }
        let _ = match value {
            Ok(v) => future.call_method1(pyo3::intern!(py, "set_result"), (v,)),
            Err(e) => future.call_method1(pyo3::intern!(py, "set_exception"), (e.value(py),)),
        };
    }
}

/// One event loop's completion queue and its wake-up socket pair.
struct Queue {
    pending: Mutex<Vec<Box<dyn Completion>>>,
    wake_tx: UnixStream,
    wake_rx: UnixStream,
}

impl Queue {
    fn push(&self, c: Box<dyn Completion>) {
        let was_empty = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            let was_empty = p.is_empty();
            p.push(c);
            was_empty
        };
        if was_empty {
            // A full socket buffer means a wake-up is already pending: nothing to do.
            let _ = (&self.wake_tx).write(&[1]);
        }
    }
}

/// Registered with `loop.add_reader`: resolves every queued outcome on the loop thread.
#[pyclass(module = "aerospike_py._aerospike", frozen)]
struct Drain(Arc<Queue>);

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) {
        // Empty the socket before taking the queue: a push after the take writes a new byte.
        let mut buf = [0u8; 256];
        while let Ok(n) = (&self.0.wake_rx).read(&mut buf) {
            if n < buf.len() {
                break;
            }
        }
        let batch = std::mem::take(&mut *self.0.pending.lock().unwrap_or_else(|e| e.into_inner()));
        for c in batch {
            c.complete(py);
        }
    }
}

thread_local! {
    /// Queues of the event loops seen on this thread (usually one), keyed by the loop object.
    static QUEUES: RefCell<Vec<(Py<PyAny>, Arc<Queue>)>> = const { RefCell::new(Vec::new()) };
}

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The running loop (RuntimeError if none, like asyncio) and its completion queue.
fn running_loop(py: Python<'_>) -> PyResult<(Bound<'_, PyAny>, Arc<Queue>)> {
    let get = GET_RUNNING_LOOP.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
    })?;
    let event_loop = get.bind(py).call0()?;
    let found = QUEUES.with(|q| q.borrow().iter().find(|(l, _)| l.bind(py).is(&event_loop)).map(|(_, q)| q.clone()));
    if let Some(queue) = found {
        return Ok((event_loop, queue));
    }
    let (wake_tx, wake_rx) = UnixStream::pair()?;
    wake_tx.set_nonblocking(true)?;
    wake_rx.set_nonblocking(true)?;
    let queue = Arc::new(Queue { pending: Mutex::new(Vec::new()), wake_tx, wake_rx });
    event_loop.call_method1("add_reader", (queue.wake_rx.as_raw_fd(), Drain(queue.clone())))?;
    QUEUES.with(|q| {
        let mut q = q.borrow_mut();
        // Forget closed loops (their selector, and our registration with it, is gone).
        q.retain(|(l, _)| !l.bind(py).call_method0("is_closed").and_then(|c| c.is_truthy()).unwrap_or(true));
        q.push((event_loop.clone().unbind(), queue.clone()));
    });
    Ok((event_loop, queue))
}

/// Turns a Rust future into an asyncio future of the running loop, run on the shared runtime.
/// The output is converted to Python on the loop thread, when the future is resolved.
pub fn awaitable<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let (event_loop, queue) = running_loop(py)?;
    let future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
    let handle = future.clone().unbind();
    // Boxed: executor futures are large, and tokio would otherwise copy them while spawning.
    let fut = Box::pin(fut);
    crate::runtime::current().spawn(async move {
        let result = fut.await;
        queue.push(Box::new(Outcome { future: handle, result }));
    });
    Ok(future)
}
