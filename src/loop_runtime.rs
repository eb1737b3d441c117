//! The async client's runtime: one current-thread tokio runtime, driven by the event loops that
//! have operations in flight and, while no loop drives it, by a helper thread.
//!
//! A loop with operations in flight "pumps": between its own callbacks it runs the runtime for a
//! moment (ready tasks, then a poll of the sockets that does not sleep), so its requests leave
//! and its replies are parsed on the loop thread, and their futures are resolved in the same pass
//! (`completion::Pump`). With a multi-thread runtime every operation crossed threads twice (loop
//! to worker to send, worker to loop with the outcome); on 2-core VMs those wake-ups and context
//! switches cost more than the operation (perf: two thirds of the workers' time in the kernel).
//!
//! A loop stops pumping when nothing is in flight, or when nothing finished for a while (a slow
//! server: `completion::SPIN`). Then the helper thread drives the runtime, sleeping in
//! `epoll_wait`, and outcomes reach the loop through its wake-up socket; the next completion or
//! submitted operation starts the pump again.
//!
//! One runtime per process (per fork epoch), because a tokio socket is driven by the runtime it
//! was created on and the client's connection pool is shared by every loop and thread: whichever
//! loop pumps runs every loop's ready tasks, and the helper guarantees the runtime is always
//! driven. Only one thread drives at a time; a pump that finds the runtime busy just returns.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::Thread;
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;

/// How often the helper runs the runtime once while loops pump but none has for that long (a
/// loop stuck in a long callback, or closed while pumping): timers and the cluster's tend task
/// keep going.
const WATCH: Duration = Duration::from_millis(10);

pub struct LoopRuntime {
    rt: Runtime,
    /// Loops pumping now; the helper drives only while this is zero.
    pumpers: AtomicUsize,
    /// Pump passes so far (the helper's watch).
    passes: AtomicU64,
    /// Tells the driving helper to give the runtime back (a loop started pumping, or stop).
    wanted: Notify,
    stop: AtomicBool,
    /// Set by the helper once it has stopped driving (`shutdown` waits for it).
    stopped: AtomicBool,
    helper: Thread,
}

impl LoopRuntime {
    fn start() -> std::io::Result<Arc<LoopRuntime>> {
        let rt = Builder::new_current_thread().enable_all().build()?;
        // The helper needs the Arc, and the Arc needs the helper's handle: hand it over after.
        let (tx, rx) = std::sync::mpsc::channel::<Arc<LoopRuntime>>();
        let helper = std::thread::Builder::new()
            .name("aerospike-async".into())
            .spawn(move || {
                if let Ok(s) = rx.recv() {
                    drive_while_no_loop_pumps(&s);
                    s.stopped.store(true, Ordering::Release);
                }
            })?
            .thread()
            .clone();
        let s = Arc::new(LoopRuntime { rt, pumpers: AtomicUsize::new(0), passes: AtomicU64::new(0), wanted: Notify::new(), stop: AtomicBool::new(false), stopped: AtomicBool::new(false), helper });
        let _ = tx.send(s.clone());
        Ok(s)
    }

    /// A loop starts pumping: the helper hands the runtime over.
    pub fn enter(&self) {
        self.pumpers.fetch_add(1, Ordering::AcqRel);
        self.wanted.notify_one();
    }

    /// A loop stops pumping: the last one hands the runtime back to the helper.
    pub fn leave(&self) {
        if self.pumpers.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.helper.unpark();
        }
    }

    /// Runs `spawn` inside the runtime, then ready tasks and a poll of the sockets that does not
    /// sleep, twice (the second pass runs the tasks the first poll woke); returns at once when
    /// another thread is driving. Tasks spawned from inside go straight to this thread's run
    /// queue: spawned from outside, each would wake the driver (a `write` to its eventfd).
    pub fn pump<T>(&self, spawn: impl FnOnce() -> T) -> T {
        self.passes.fetch_add(1, Ordering::Relaxed);
        self.rt.block_on(async {
            let out = spawn();
            tokio::task::yield_now().await;
            tokio::task::yield_now().await;
            out
        })
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        self.wanted.notify_one();
        self.helper.unpark();
    }
}

fn drive_while_no_loop_pumps(s: &LoopRuntime) {
    while !s.stop.load(Ordering::Acquire) {
        if s.pumpers.load(Ordering::Acquire) == 0 {
            s.rt.block_on(until_wanted(s));
            continue;
        }
        let seen = s.passes.load(Ordering::Relaxed);
        std::thread::park_timeout(WATCH);
        if s.passes.load(Ordering::Relaxed) == seen && s.pumpers.load(Ordering::Acquire) > 0 {
            s.pump(|| ());
        }
    }
}

async fn until_wanted(s: &LoopRuntime) {
    loop {
        let wanted = s.wanted.notified();
        let mut wanted = std::pin::pin!(wanted);
        wanted.as_mut().enable();
        if s.pumpers.load(Ordering::Acquire) > 0 || s.stop.load(Ordering::Acquire) {
            return;
        }
        wanted.await;
    }
}

static CURRENT: Mutex<Option<(u64, Arc<LoopRuntime>)>> = Mutex::new(None);

/// The runtime of the current fork epoch, started on first use.
pub fn current() -> std::io::Result<Arc<LoopRuntime>> {
    if crate::runtime::is_shut_down() {
        return Err(std::io::Error::other("the async runtime is shut down (interpreter exit)"));
    }
    let now = crate::runtime::epoch();
    let mut guard = CURRENT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((epoch, s)) = guard.as_ref() {
        if *epoch == now {
            return Ok(s.clone());
        }
    }
    if let Some(old) = guard.take() {
        std::mem::forget(old); // a parent's: its helper thread does not exist in this process
    }
    let s = LoopRuntime::start()?;
    *guard = Some((now, s.clone()));
    Ok(s)
}

/// At interpreter exit (from `runtime::_shutdown`, GIL released): the helper stops driving, so no
/// thread runs a task (which may take the GIL) while Python finalizes; waits up to 2 s for a task
/// it is running. The runtime itself is left as it is.
pub fn shutdown() {
    let s = CURRENT.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some((_, s)) = s {
        s.stop();
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        while !s.stopped.load(Ordering::Acquire) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::mem::forget(s);
    }
}
