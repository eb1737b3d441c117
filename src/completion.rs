//! Awaitables for the async client: run on the loop runtime (`loop_runtime`) and resolved in
//! batches on the loop thread.
//!
//! Each call creates an `asyncio.Future` of the running loop and queues the operation on the
//! loop's `Queue`. The first call of a loop iteration schedules one `Flush` (`loop.call_soon`),
//! which spawns every queued operation on the runtime at once and starts the loop's `Pump`: while
//! the loop has operations in flight, a pass per loop iteration runs the runtime on the loop
//! thread (requests leave, replies are parsed) and resolves what finished. When an operation
//! finishes, its task pushes the raw outcome onto the queue; pushed from anywhere but this loop's
//! own pump (the helper thread drives the runtime while no loop pumps), it also writes one byte,
//! if the list was empty, to a socket pair whose read end the loop watches (`loop.add_reader`),
//! and the loop runs `Drain`. Both convert every outcome to Python, resolve its future and run
//! the future's callbacks (the awaiting tasks' steps) at once (`resolve`). `Sweep` aborts
//! operations whose future was cancelled.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use tokio::task::AbortHandle;

use crate::loop_runtime::{self, LoopRuntime};

/// An outcome waiting for the loop: converts itself and resolves its future.
trait Completion: Send {
    /// The future's address: the key of the operation's abort handle.
    fn key(&self) -> usize;
    /// Err only for what must stop the loop (KeyboardInterrupt or SystemExit from a callback).
    fn complete(self: Box<Self>, py: Python<'_>) -> PyResult<()>;
}

struct Outcome<T> {
    future: Py<PyAny>,
    result: PyResult<T>,
}

impl<T> Completion for Outcome<T>
where
    T: for<'a> IntoPyObject<'a> + Send,
{
    fn key(&self) -> usize {
        self.future.as_ptr() as usize
    }

    fn complete(self: Box<Self>, py: Python<'_>) -> PyResult<()> {
        let Outcome { future, result } = *self;
        // Converting first ends the operation's span even when nobody awaits the result any more.
        let value = result.and_then(|v| v.into_py_any(py));
        let Ok(c) = classes(py) else { return Ok(()) };
        resolve(py, c, future.bind(py), value)
    }
}

/// Resolves `future` and runs its done callbacks (usually the awaiting task's wake-up) right
/// here, instead of letting `set_result` schedule each through `loop.call_soon`: that Python
/// code and the loop's pass over its Handle cost more than the rest of the resolution. Drain is
/// itself a loop callback on the loop's thread, outside any task, so running a task step from it
/// is what the loop would do one iteration later. Like the loop, a callback's exception is
/// reported to the loop's exception handler, and KeyboardInterrupt and SystemExit propagate.
fn resolve(py: Python<'_>, c: &Classes, future: &Bound<'_, PyAny>, value: PyResult<Py<PyAny>>) -> PyResult<()> {
    // A cancelled future has no callbacks left (`_callbacks` is None) and refuses the result
    // (InvalidStateError): the result is dropped, which is all a cancelled caller expects. A
    // callback not taken here, for whatever reason, stays with the future, which then schedules
    // it itself as usual.
    let mut taken = Vec::new();
    if let Ok(cbs) = future.getattr(pyo3::intern!(py, "_callbacks")).and_then(|cbs| cbs.try_iter()) {
        for pair in cbs.flatten() {
            let Ok((cb, ctx)) = pair.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>() else { continue };
            if c.remove_done_callback.bind(py).call1((future, &cb)).is_ok() {
                taken.push((cb, ctx));
            }
        }
    }
    let _ = match value {
        Ok(v) => c.set_result.bind(py).call1((future, v)),
        Err(e) => c.set_exception.bind(py).call1((future, e.into_value(py))),
    };
    let mut fatal = None;
    for (cb, ctx) in taken {
        if let Err(e) = ctx.call_method1(pyo3::intern!(py, "run"), (&cb, future)) {
            if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py)
                || e.is_instance_of::<pyo3::exceptions::PySystemExit>(py)
            {
                fatal.get_or_insert(e);
            } else {
                report_callback_error(py, future, &cb, e);
            }
        }
    }
    fatal.map_or(Ok(()), Err)
}

/// What `asyncio.Handle` does with a callback's exception: hand it to the loop's handler.
fn report_callback_error(py: Python<'_>, future: &Bound<'_, PyAny>, cb: &Bound<'_, PyAny>, e: PyErr) {
    let report = || -> PyResult<()> {
        let context = PyDict::new(py);
        context.set_item("message", format!("Exception in callback {}", cb.repr()?))?;
        context.set_item("exception", e.value(py))?;
        context.set_item("future", future)?;
        future.call_method0("get_loop")?.call_method1("call_exception_handler", (context,))?;
        Ok(())
    };
    if let Err(e) = report() {
        e.write_unraisable(py, Some(cb));
    }
}

/// Work an operation hands to its loop before it finishes: run in order, ahead of its outcome, so
/// a long answer is converted piece by piece while the rest of it is still being read.
pub struct Sink(Arc<Queue>);

impl Sink {
    pub fn send(&self, work: impl FnOnce(Python<'_>) + Send + 'static) {
        self.0.push(Box::new(Piece(Box::new(work))));
    }
}

struct Piece(Box<dyn FnOnce(Python<'_>) + Send>);

impl Completion for Piece {
    fn key(&self) -> usize {
        0 // no future of its own: leaves the operation in flight
    }

    fn complete(self: Box<Self>, py: Python<'_>) -> PyResult<()> {
        (self.0)(py);
        Ok(())
    }
}

/// Runs an operation and pushes its outcome onto its loop's queue.
struct Report<F, T> {
    fut: F,
    to: Option<(Py<PyAny>, Arc<Queue>)>,
    _out: std::marker::PhantomData<fn() -> T>,
}

impl<F, T> Future for Report<F, T>
where
    F: Future<Output = PyResult<T>>,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        // SAFETY: `fut` is structurally pinned (never moved out); `to` is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        let result = std::task::ready!(fut.poll(cx));
        if let Some((future, queue)) = this.to.take() {
            queue.push(Box::new(Outcome { future, result }));
        }
        std::task::Poll::Ready(())
    }
}

/// An operation waiting for the next flush, already wrapped to report to its queue.
type Op = Pin<Box<dyn Future<Output = ()> + Send>>;

/// An operation started whose future is not resolved yet.
struct InFlight {
    future: Py<PyAny>,
    run: AbortHandle,
    /// The sweep round it was spawned in.
    round: u64,
}

/// Loop-thread bookkeeping: operations not yet spawned, and those in flight (keyed by the address
/// of their future) for the sweep that aborts the cancelled ones.
#[derive(Default)]
struct Submit {
    ops: Vec<(Py<PyAny>, Op)>,
    inflight: HashMap<usize, InFlight, AddrHash>,
    round: u64,
    sweeping: bool,
}

/// How often in-flight operations are checked for a cancelled future (`Sweep`).
const SWEEP_SECONDS: f64 = 0.05;

/// One event loop's queues and its wake-up socket pair.
struct Queue {
    done: Mutex<Vec<Box<dyn Completion>>>,
    submit: Mutex<Submit>,
    wake_tx: UnixStream,
    wake_rx: UnixStream,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Queue {
    fn push(&self, c: Box<dyn Completion>) {
        let was_empty = {
            let mut d = lock(&self.done);
            let was_empty = d.is_empty();
            d.push(c);
            was_empty
        };
        // This loop's own pump resolves it right after its pass: no wake-up needed.
        if was_empty && PUMPING.get() != self as *const Queue as usize {
            // A full socket buffer means a wake-up is already pending: nothing to do.
            let _ = (&self.wake_tx).write(&[1]);
        }
    }
}

thread_local! {
    /// The queue whose loop is pumping on this thread right now (its address), or 0.
    static PUMPING: Cell<usize> = const { Cell::new(0) };
}

/// Scheduled with `loop.call_soon` by the first call of an iteration: spawns the queued operations.
#[pyclass(module = "aerospike_py._aerospike", frozen)]
struct Flush {
    queue: Arc<Queue>,
    pump: Py<Pump>,
}

#[pymethods]
impl Flush {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        let ops = std::mem::take(&mut lock(&self.queue.submit).ops);
        if ops.is_empty() {
            return Ok(());
        }
        // A pass right away, which spawns them: the requests leave now, not one loop iteration
        // later.
        let pump = self.pump.bind(py);
        Pump::start(pump);
        Pump::pass(pump, ops)
    }
}

/// How long a pumping loop waits for a completion before it lets the helper drive.
const SPIN: Duration = Duration::from_micros(200);
/// Spins in a row that ended without a completion, after which a loop mostly stops spinning.
const MISSES: u32 = 4;
/// While spins miss, one pump start in this many still spins, to notice replies getting faster.
const PROBE: u32 = 64;

/// A loop's share in driving the loop runtime (`loop_runtime`): called once per loop iteration
/// (`loop.call_soon`) while the loop pumps, which it does while it has operations in flight and
/// they keep finishing. Against a server slow enough that spins keep missing (`MISSES`), a pump
/// stops after its first empty pass: the helper waits in `epoll_wait` instead of the loop
/// spinning through every round trip.
#[pyclass(module = "aerospike_py._aerospike", frozen)]
struct Pump {
    queue: Arc<Queue>,
    runtime: Arc<LoopRuntime>,
    call_soon: Py<PyAny>,
    /// `loop.call_later`, and the sweep it schedules while operations are in flight.
    call_later: Py<PyAny>,
    sweep: Py<PyAny>,
    /// Counted in the runtime's pumpers (the helper is not driving for us).
    pumping: AtomicBool,
    /// A call of this pump is scheduled on the loop (at most one at a time).
    scheduled: AtomicBool,
    /// Loop-thread state of the current spin.
    spin: Mutex<Spin>,
}

struct Spin {
    /// When a pass last resolved something (or the pump started).
    progress: Instant,
    /// How long the pump may go without a completion: SPIN, or zero while spins miss.
    budget: Duration,
    misses: u32,
    starts: u32,
}

impl Pump {
    /// Starts pumping if not yet (the next pass is up to the caller).
    fn start(slf: &Bound<'_, Pump>) {
        let p = slf.get();
        if !p.pumping.swap(true, Ordering::AcqRel) {
            let mut s = lock(&p.spin);
            s.starts = s.starts.wrapping_add(1);
            s.budget = if s.misses < MISSES || s.starts.is_multiple_of(PROBE) { SPIN } else { Duration::ZERO };
            s.progress = Instant::now();
            drop(s);
            p.runtime.enter();
        }
    }

    /// Spawns `ops` and runs the runtime for a moment on this thread (GIL released), resolves
    /// what finished, and schedules the next pass, or stops pumping when nothing is in flight or
    /// nothing finished for `SPIN`.
    fn pass(slf: &Bound<'_, Pump>, ops: Vec<(Py<PyAny>, Op)>) -> PyResult<()> {
        let py = slf.py();
        let p = slf.get();
        let me = Arc::as_ptr(&p.queue) as usize;
        let spawned = py.detach(|| {
            PUMPING.set(me);
            let spawned = p.runtime.pump(|| {
                ops.into_iter().map(|(future, op)| (future, tokio::spawn(op).abort_handle())).collect::<Vec<_>>()
            });
            PUMPING.set(0);
            spawned
        });
        // Noted before the drain, which takes finished operations out of the in-flight map.
        let tracked = if spawned.is_empty() { Ok(()) } else { p.track(py, spawned) };
        let resolved = drain(py, &p.queue);
        let idle = {
            let s = lock(&p.queue.submit);
            s.inflight.is_empty() && s.ops.is_empty()
        };
        let stalled = {
            let mut s = lock(&p.spin);
            if matches!(resolved, Ok(0)) {
                let stalled = s.progress.elapsed() >= s.budget;
                if stalled && !idle {
                    s.misses = s.misses.saturating_add(1);
                }
                stalled
            } else {
                s.progress = Instant::now();
                s.misses = 0;
                false
            }
        };
        if idle || stalled {
            p.stop();
        } else {
            Pump::schedule(slf)?;
        }
        resolved.map(|_| ()).and(tracked)
    }

    /// Notes operations just spawned as in flight, and starts the sweep if it is not running.
    fn track(&self, py: Python<'_>, spawned: Vec<(Py<PyAny>, AbortHandle)>) -> PyResult<()> {
        let start_sweep = {
            let mut s = lock(&self.queue.submit);
            let round = s.round;
            s.inflight.extend(
                spawned.into_iter().map(|(future, abort)| {
                    (future.as_ptr() as usize, InFlight { future, run: abort, round })
                }),
            );
            !std::mem::replace(&mut s.sweeping, true)
        };
        if start_sweep {
            self.call_later.bind(py).call1((SWEEP_SECONDS, self.sweep.bind(py)))?;
        }
        Ok(())
    }

    /// Schedules the next pass unless one is; if the loop refuses, stops pumping (the helper
    /// drives, and the next Drain or Flush starts the pump again).
    fn schedule(slf: &Bound<'_, Pump>) -> PyResult<()> {
        let p = slf.get();
        if p.scheduled.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        p.call_soon.bind(slf.py()).call1((slf,)).map(drop).inspect_err(|_| {
            p.scheduled.store(false, Ordering::Release);
            p.stop();
        })
    }

    fn stop(&self) {
        if self.pumping.swap(false, Ordering::AcqRel) {
            self.runtime.leave();
        }
    }
}

#[pymethods]
impl Pump {
    fn __call__(slf: &Bound<'_, Self>) -> PyResult<()> {
        slf.get().scheduled.store(false, Ordering::Release);
        if !slf.get().pumping.load(Ordering::Acquire) {
            return Ok(());
        }
        Pump::pass(slf, Vec::new())
    }
}

impl Drop for Pump {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Aborts the operations whose future was cancelled (asyncio gives no cheaper signal: a done
/// callback or a Future subclass would cost every operation). Runs every SWEEP_SECONDS while
/// operations are in flight and checks only those spawned before the previous run, so an
/// operation that ends within one interval is never looked at, and a cancelled one holds its
/// connection at most two intervals.
#[pyclass(module = "aerospike_py._aerospike", frozen)]
struct Sweep {
    queue: Arc<Queue>,
    call_later: Py<PyAny>,
}

#[pymethods]
impl Sweep {
    fn __call__(slf: &Bound<'_, Self>) -> PyResult<()> {
        let py = slf.py();
        let this = slf.get();
        let old: Vec<(usize, Py<PyAny>)> = {
            let mut s = lock(&this.queue.submit);
            let round = s.round;
            s.round += 1;
            s.inflight.iter().filter(|(_, f)| f.round < round).map(|(k, f)| (*k, f.future.clone_ref(py))).collect()
        };
        // Outside the lock: done() is a Python call. A future still in the map was not resolved
        // by Drain, so done() means cancelled.
        let done = &classes(py)?.done;
        let cancelled: Vec<usize> = old
            .iter()
            .filter(|(_, f)| done.bind(py).call1((f,)).and_then(|d| d.is_truthy()).unwrap_or(false))
            .map(|(k, _)| *k)
            .collect();
        let (removed, again) = {
            let mut s = lock(&this.queue.submit);
            let removed: Vec<InFlight> = cancelled.iter().filter_map(|k| s.inflight.remove(k)).collect();
            s.sweeping = !s.inflight.is_empty();
            (removed, s.sweeping)
        };
        for f in &removed {
            f.run.abort();
        }
        drop(removed);
        drop(old);
        if again {
            this.call_later.bind(py).call1((SWEEP_SECONDS, slf))?;
        }
        Ok(())
    }
}

/// Registered with `loop.add_reader`: resolves every queued outcome on the loop thread, and
/// starts the pump again while operations are in flight.
#[pyclass(module = "aerospike_py._aerospike", frozen)]
struct Drain {
    queue: Arc<Queue>,
    pump: Py<Pump>,
}

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        // Empty the socket before taking the list: a push after the take writes a new byte.
        let mut buf = [0u8; 256];
        while let Ok(n) = (&self.queue.wake_rx).read(&mut buf) {
            if n < buf.len() {
                break;
            }
        }
        let resolved = drain(py, &self.queue);
        if !lock(&self.queue.submit).inflight.is_empty() {
            Pump::start(self.pump.bind(py));
            Pump::schedule(self.pump.bind(py))?;
        }
        resolved.map(|_| ())
    }
}

/// Resolves every queued outcome; how many there were. Every outcome is resolved even after a
/// callback raised KeyboardInterrupt or SystemExit (the first is re-raised at the end): none may
/// be left unresolved.
fn drain(py: Python<'_>, queue: &Queue) -> PyResult<usize> {
    let batch = std::mem::take(&mut *lock(&queue.done));
    if batch.is_empty() {
        return Ok(0);
    }
    let n = batch.len();
    let finished: Vec<Option<InFlight>> = {
        let mut s = lock(&queue.submit);
        batch.iter().map(|c| s.inflight.remove(&c.key())).collect()
    };
    drop(finished);
    let mut fatal = None;
    for c in batch {
        if let Err(e) = c.complete(py) {
            fatal.get_or_insert(e);
        }
    }
    fatal.map_or(Ok(n), Err)
}

/// An event loop this thread has run operations on.
struct LoopEntry {
    event_loop: Py<PyAny>,
    epoch: u64,
    queue: Arc<Queue>,
    /// `loop.call_soon` and the flush it schedules, bound once.
    call_soon: Py<PyAny>,
    flush: Py<PyAny>,
    /// `{"loop": loop}`: the keyword arguments of every future of this loop.
    future_kwargs: Py<PyDict>,
}

/// The last loop seen running on this thread, with what identified it (see `running_loop`).
struct Fast {
    marker: Py<PyAny>,
    epoch: u64,
    entry: Rc<LoopEntry>,
}

thread_local! {
    static LOOPS: RefCell<Vec<Rc<LoopEntry>>> = const { RefCell::new(Vec::new()) };
    static FAST: RefCell<Option<Fast>> = const { RefCell::new(None) };
}

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The object asyncio keeps in the thread-state dict while a loop runs (borrowed; null when the
/// key is absent: other Python versions keep it elsewhere, which only disables the fast path).
fn running_marker(py: Python<'_>) -> *mut pyo3::ffi::PyObject {
    let key = pyo3::intern!(py, "__asyncio_running_event_loop__");
    // SAFETY: GIL held; both calls return borrowed references (or null) and we clear any error.
    unsafe {
        let dict = pyo3::ffi::PyThreadState_GetDict();
        if dict.is_null() {
            return std::ptr::null_mut();
        }
        let v = pyo3::ffi::PyDict_GetItemWithError(dict, key.as_ptr());
        if v.is_null() {
            pyo3::ffi::PyErr_Clear();
        }
        v
    }
}

/// The running loop (RuntimeError if none, like asyncio) and its queue.
///
/// `asyncio.get_running_loop()` costs a getpid() system call per call on CPython 3.10/3.11. The
/// loop is therefore cached per thread together with the marker object asyncio stores in the
/// thread state when a loop starts running (3.10/3.11: a new holder object per start and stop;
/// 3.12/3.13: the loop, or None once stopped), held strongly so its address cannot be reused.
/// The same marker (and the same fork epoch) means the same loop is still running.
fn running_loop(py: Python<'_>) -> PyResult<Rc<LoopEntry>> {
    let marker = running_marker(py);
    let now = crate::runtime::epoch();
    if !marker.is_null() {
        let hit = FAST.with(|f| {
            f.borrow()
                .as_ref()
                .filter(|f| f.marker.as_ptr() == marker && f.epoch == now)
                .map(|f| f.entry.clone())
        });
        if let Some(entry) = hit {
            return Ok(entry);
        }
    }
    let get = GET_RUNNING_LOOP.get_or_try_init(py, || -> PyResult<_> {
        Ok(py.import("asyncio")?.getattr("get_running_loop")?.unbind())
    })?;
    let event_loop = get.bind(py).call0()?;
    let known = LOOPS.with(|l| {
        l.borrow().iter().find(|e| e.epoch == now && e.event_loop.bind(py).is(&event_loop)).cloned()
    });
    let entry = match known {
        Some(e) => e,
        None => register(py, &event_loop, now)?,
    };
    if !marker.is_null() {
        // SAFETY: `marker` is a live borrowed reference (GIL held); this takes a strong one.
        let marker = unsafe { Bound::from_borrowed_ptr(py, marker) }.unbind();
        FAST.with(|f| *f.borrow_mut() = Some(Fast { marker, epoch: now, entry: entry.clone() }));
    }
    Ok(entry)
}

/// First use of a loop on this thread: its queue, wake-up reader and bound helpers.
fn register(py: Python<'_>, event_loop: &Bound<'_, PyAny>, epoch: u64) -> PyResult<Rc<LoopEntry>> {
    let (wake_tx, wake_rx) = UnixStream::pair()?;
    wake_tx.set_nonblocking(true)?;
    wake_rx.set_nonblocking(true)?;
    let queue = Arc::new(Queue {
        done: Mutex::new(Vec::new()),
        submit: Mutex::new(Submit::default()),
        wake_tx,
        wake_rx,
    });
    let runtime = loop_runtime::current()?;
    let call_soon = event_loop.getattr("call_soon")?.unbind();
    let call_later = event_loop.getattr("call_later")?.unbind();
    let sweep = Bound::new(py, Sweep { queue: queue.clone(), call_later: call_later.clone_ref(py) })?.into_any().unbind();
    let pump = Py::new(
        py,
        Pump {
            queue: queue.clone(),
            runtime,
            call_soon: call_soon.clone_ref(py),
            call_later,
            sweep,
            pumping: AtomicBool::new(false),
            scheduled: AtomicBool::new(false),
            spin: Mutex::new(Spin { progress: Instant::now(), budget: SPIN, misses: 0, starts: 0 }),
        },
    )?;
    let drain = Drain { queue: queue.clone(), pump: pump.clone_ref(py) };
    event_loop.call_method1("add_reader", (queue.wake_rx.as_raw_fd(), drain))?;
    let future_kwargs = PyDict::new(py);
    future_kwargs.set_item("loop", event_loop)?;
    let flush = Flush { queue: queue.clone(), pump };
    let entry = Rc::new(LoopEntry {
        event_loop: event_loop.clone().unbind(),
        epoch,
        call_soon,
        flush: Bound::new(py, flush)?.into_any().unbind(),
        future_kwargs: future_kwargs.unbind(),
        queue,
    });
    LOOPS.with(|l| {
        let mut l = l.borrow_mut();
        // Forget closed loops (their selector, and our registration with it, is gone) and those
        // of a parent process.
        l.retain(|e| {
            e.epoch == epoch && !e.event_loop.bind(py).call_method0("is_closed").and_then(|c| c.is_truthy()).unwrap_or(true)
        });
        l.push(entry.clone());
    });
    Ok(entry)
}

/// `asyncio.Future` and its unbound methods (they spare a bound-method object per call).
struct Classes {
    future: Py<PyAny>,
    set_result: Py<PyAny>,
    set_exception: Py<PyAny>,
    done: Py<PyAny>,
    remove_done_callback: Py<PyAny>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&'static Classes> {
    CLASSES.get_or_try_init(py, || {
        // The exact class: asyncio.Task has a fast path for it (a subclass costs ~10% more
        // instructions per operation). Any loop accepts it, as `loop.create_future` would return.
        let future = py.import("asyncio")?.getattr("Future")?;
        Ok(Classes {
            set_result: future.getattr("set_result")?.unbind(),
            set_exception: future.getattr("set_exception")?.unbind(),
            done: future.getattr("done")?.unbind(),
            remove_done_callback: future.getattr("remove_done_callback")?.unbind(),
            future: future.unbind(),
        })
    })
}

/// Turns a Rust future into an asyncio future of the running loop, run on the shared runtime.
/// The output is converted to Python on the loop thread, when the future is resolved.
pub fn awaitable<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    submit(py, running_loop(py)?, fut)
}

/// Like `awaitable`, for an operation that also hands pieces of work to the loop while it runs
/// (`make` gets the `Sink`).
pub fn awaitable_with_sink<'py, F, T>(py: Python<'py>, make: impl FnOnce(Sink) -> F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let entry = running_loop(py)?;
    let fut = make(Sink(entry.queue.clone()));
    submit(py, entry, fut)
}

fn submit<'py, F, T>(py: Python<'py>, entry: Rc<LoopEntry>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let future = classes(py)?.future.bind(py).call((), Some(entry.future_kwargs.bind(py)))?;
    let handle = future.clone().unbind();
    // One box: executor futures are large, and tokio would otherwise copy them while spawning
    // (an async block wrapping `fut` would also hold it twice: as capture and as awaited value).
    // Written straight into the allocation: a Report built on the stack first would be copied.
    let report: Box<Report<F, T>> =
        Box::write(Box::new_uninit(), Report { fut, to: Some((handle, entry.queue.clone())), _out: std::marker::PhantomData });
    let op: Op = Box::into_pin(report);
    let first = {
        let mut s = lock(&entry.queue.submit);
        s.ops.push((future.clone().unbind(), op));
        s.ops.len() == 1
    };
    if first {
        if let Err(e) = entry.call_soon.bind(py).call1((entry.flush.bind(py),)) {
            let op = lock(&entry.queue.submit).ops.pop();
            drop(op);
            return Err(e);
        }
    }
    Ok(future)
}

/// Hashes the addresses of live Python objects: unique while in the map, so no need for SipHash.
#[derive(Default, Clone, Copy)]
struct AddrHash;

struct AddrHasher(u64);

impl BuildHasher for AddrHash {
    type Hasher = AddrHasher;
    fn build_hasher(&self) -> AddrHasher {
        AddrHasher(0)
    }
}

impl Hasher for AddrHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        // Objects are 16-byte aligned; the multiply spreads the rest over the high bits.
        self.0 = ((n as u64) >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
