//! The sync `Client`'s runtime: one current-thread tokio runtime per connected client, driven by
//! the threads that call it.
//!
//! A blocked caller polls its operation and the runtime's I/O driver itself, so the reply wakes
//! the caller directly: no runtime worker sees it first and hands it over (with a multi-thread
//! runtime every call paid that wake-up of a worker plus a cross-thread hand-off). While the
//! reply is pending the caller spins on the driver (`epoll_wait` with no timeout) for up to
//! `SPIN`: on these VMs putting a thread to sleep and waking it costs more than most round trips.
//! Only one thread spins at a time, so waiting threads cannot starve the one driving I/O. A spin
//! that the reply does not end is pure waste (a server across a network, a slow operation): after
//! `MISSES` such spins in a row a client only spins on every `PROBE`th call, until one catches its
//! reply again.
//!
//! When calls from several threads overlap, only one of them can drive the runtime, and handing it
//! from caller to caller as each call ends stalls everybody's I/O between hand-offs. So while
//! calls overlap the ticker thread (below) drives the runtime for all of them, like the worker of a
//! multi-thread runtime, and gives it back once no call is left.
//!
//! aerospike-core spawns the cluster's tend task and connection-pool refills on the runtime the
//! client was created on; callers run them while they wait. When no call is running, a small
//! "ticker" thread runs them every `TICK` (one pass over ready tasks, I/O and timers, then it lets
//! go of the runtime at once, so a caller arriving meanwhile rarely waits for it).
//!
//! A current-thread runtime must not be dropped while a thread drives it or from inside one of
//! its tasks. The client's drop only flags the ticker, which holds the other reference and drops
//! the runtime on its own thread once its loop has ended.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::thread::Thread;
use std::time::{Duration, Instant};

use tokio::runtime::{Builder, Runtime};
use tokio::sync::Notify;

/// How long a waiting caller spins on the driver before it sleeps in `epoll_wait`.
const SPIN: Duration = Duration::from_micros(100);
/// Spins in a row that ended before the reply, after which a client mostly stops spinning.
const MISSES: u32 = 4;
/// While spins miss, one call in this many still spins, to notice replies getting faster.
const PROBE: u64 = 64;
/// How often the ticker runs spawned tasks while no caller is driving the runtime.
const TICK: Duration = Duration::from_millis(10);

/// Threads spinning right now, over every client (at most one spins; the others sleep).
static SPINNING: AtomicUsize = AtomicUsize::new(0);

struct Shared {
    rt: Runtime,
    /// Calls inside `block_on` now, and calls started so far (the ticker skips its pass when
    /// callers drove the runtime since the last one).
    in_flight: AtomicUsize,
    started: AtomicU64,
    /// Consecutive spins that ended before their reply arrived.
    misses: AtomicU32,
    stop: AtomicBool,
    /// Set while calls overlap: the ticker drives the runtime until `in_flight` drops to zero.
    contended: AtomicBool,
    /// Signalled when the last call of an overlap ends.
    drained: Notify,
}

pub struct CallerRuntime {
    shared: Arc<Shared>,
    ticker: Thread,
}

impl CallerRuntime {
    pub fn new() -> std::io::Result<CallerRuntime> {
        let rt = Builder::new_current_thread().enable_all().build()?;
        let shared = Arc::new(Shared {
            rt,
            in_flight: AtomicUsize::new(0),
            started: AtomicU64::new(0),
            misses: AtomicU32::new(0),
            stop: AtomicBool::new(false),
            contended: AtomicBool::new(false),
            drained: Notify::new(),
        });
        let mine = shared.clone();
        let ticker = std::thread::Builder::new()
            .name("aerospike-sync".into())
            .spawn(move || tick_until_stopped(mine))?
            .thread()
            .clone();
        Ok(CallerRuntime { shared, ticker })
    }

    /// Runs `fut` to completion on this thread, driving the runtime while it waits.
    /// Must not be called from inside a tokio runtime (the callers check).
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        let s = &self.shared;
        let nth = s.started.fetch_add(1, Ordering::Relaxed);
        let alone = s.in_flight.fetch_add(1, Ordering::AcqRel) == 0;
        if !alone && !s.contended.swap(true, Ordering::AcqRel) {
            self.ticker.unpark();
        }
        let fut = std::pin::pin!(fut);
        // Only a lone caller spins: in an overlap the ticker drives and the others just wait.
        let spin = alone && (s.misses.load(Ordering::Relaxed) < MISSES || nth.is_multiple_of(PROBE));
        let out = s.rt.block_on(SpinFirst { fut, until: if spin { None } else { Some(None) }, misses: &s.misses });
        if s.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 && s.contended.load(Ordering::Acquire) {
            s.drained.notify_one();
        }
        out
    }

    /// Runs `fut` on this runtime in the background (the next caller or tick drives it).
    pub fn spawn<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        drop(self.shared.rt.spawn(fut));
    }
}

impl Drop for CallerRuntime {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        self.ticker.unpark();
    }
}

fn tick_until_stopped(s: Arc<Shared>) {
    let mut seen = s.started.load(Ordering::Relaxed);
    while !s.stop.load(Ordering::Acquire) {
        std::thread::park_timeout(TICK);
        while s.contended.load(Ordering::Acquire) && !s.stop.load(Ordering::Acquire) {
            s.rt.block_on(drive_until_drained(&s));
            s.contended.store(false, Ordering::Release);
            // A call may have joined an overlap just before the flag was cleared.
            if s.in_flight.load(Ordering::Acquire) > 1 {
                s.contended.store(true, Ordering::Release);
            }
        }
        let now = s.started.load(Ordering::Relaxed);
        if now == seen && s.in_flight.load(Ordering::Relaxed) == 0 {
            s.rt.block_on(tokio::task::yield_now());
        }
        seen = now;
    }
    // Stopped: the client is gone (a close spawned by its drop has finished: that task held it).
    // `s` is the last reference now, so the runtime, with any task still pending, is dropped
    // here, outside every `block_on`.
}

/// Drives the runtime (from inside `block_on`) until no call is in flight.
async fn drive_until_drained(s: &Shared) {
    loop {
        let drained = s.drained.notified();
        let mut drained = std::pin::pin!(drained);
        drained.as_mut().enable();
        if s.in_flight.load(Ordering::Acquire) == 0 || s.stop.load(Ordering::Acquire) {
            return;
        }
        drained.await;
    }
}

/// Polls `fut`; while it is pending and this thread holds the spin slot, asks the runtime to
/// come straight back (poll I/O without sleeping) instead of parking, for up to `SPIN`.
struct SpinFirst<'a, F> {
    fut: Pin<&'a mut F>,
    /// End of this thread's spin, once it took the slot (`Some(None)`: not spinning).
    until: Option<Option<Instant>>,
    /// The client's count of spins in a row that missed their reply.
    misses: &'a AtomicU32,
}

impl<F: Future> Future for SpinFirst<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        if let Poll::Ready(v) = this.fut.as_mut().poll(cx) {
            if let Some(Some(_)) = this.until {
                this.misses.store(0, Ordering::Relaxed); // the spin caught the reply
            }
            this.release();
            return Poll::Ready(v);
        }
        let until = *this.until.get_or_insert_with(|| {
            (SPINNING.fetch_add(1, Ordering::Relaxed) == 0).then(|| Instant::now() + SPIN).or_else(|| {
                SPINNING.fetch_sub(1, Ordering::Relaxed);
                None
            })
        });
        if let Some(end) = until {
            if Instant::now() < end {
                // Defers our wake-up to after the driver's next non-blocking poll.
                let _ = std::pin::pin!(tokio::task::yield_now()).poll(cx);
            } else {
                this.misses.fetch_add(1, Ordering::Relaxed);
                this.release();
            }
        }
        Poll::Pending
    }
}

impl<F> SpinFirst<'_, F> {
    fn release(&mut self) {
        if let Some(Some(_)) = self.until {
            SPINNING.fetch_sub(1, Ordering::Relaxed);
            self.until = Some(None);
        }
    }
}

impl<F> Drop for SpinFirst<'_, F> {
    fn drop(&mut self) {
        self.release();
    }
}
