//! Blocking wait for the sync client: polls the operation on the calling thread (inside the
//! shared runtime's context) and, when it is pending, spins briefly before parking.
//!
//! The reply is read by a runtime worker, which then wakes this thread. Parking right away (what
//! `Runtime::block_on` does) adds a futex sleep and wake-up to every call; a server reply usually
//! arrives within tens of microseconds, so a short spin on an atomic flag catches most of them.
//! Only one thread spins at a time: with many threads waiting, spinners would take the CPU the
//! runtime workers need to read the replies.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long to spin before parking (then the thread sleeps until woken).
const SPIN: Duration = Duration::from_micros(SPIN_US);
const SPIN_US: u64 = 100;

/// Threads spinning right now (at most one spins; the others park at once).
static SPINNING: AtomicUsize = AtomicUsize::new(0);

struct Flag {
    woken: AtomicBool,
    thread: Thread,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        // Cheap when the thread is spinning (no futex call unless it is parked).
        self.thread.unpark();
    }
}

/// Runs `fut` to completion on this thread with `rt` as the current runtime.
pub fn block_on<F: Future>(rt: &tokio::runtime::Handle, fut: F) -> F::Output {
    let _ctx = rt.enter();
    let flag = Arc::new(Flag { woken: AtomicBool::new(false), thread: std::thread::current() });
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        let mut spin = SPINNING.fetch_add(1, Ordering::Relaxed) == 0;
        if !spin {
            SPINNING.fetch_sub(1, Ordering::Relaxed);
        }
        let start = Instant::now();
        let mut spins = 0u32;
        while !flag.woken.swap(false, Ordering::Acquire) {
            if spin && (spins < 64 || start.elapsed() < SPIN) {
                spins += 1;
                std::thread::yield_now(); // lets a runtime worker have this core if it needs it
                continue;
            }
            if spin {
                spin = false;
                SPINNING.fetch_sub(1, Ordering::Relaxed);
            }
            std::thread::park(); // may return spuriously: the flag is checked again
        }
        if spin {
            SPINNING.fetch_sub(1, Ordering::Relaxed);
        }
    }
}
