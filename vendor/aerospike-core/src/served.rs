//! aerospike-py patch: which node served a call, for the caller's telemetry (vendor/PATCHES.md).
//!
//! `track(fut)` runs a call with a slot that the command loops fill with the node of their last
//! attempt (single-key commands) or of each batch group. The slot is reached through a
//! thread-local pointer that `Track` sets around each poll of the call's future (what a tokio
//! task-local does, without tying the crate to one runtime). Outside `track` nothing is noted.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crate::cluster::Node;

/// The nodes that served one call: one node, or "several" (then no node is reported).
#[derive(Debug, Default, Clone)]
pub struct Served {
    node: Option<Arc<Node>>,
    several: bool,
    /// Slots of tasks this call spawned (batch groups run in parallel), merged at the end.
    spawned: Vec<Arc<Mutex<Served>>>,
}

impl Served {
    /// The node, when exactly one served the call.
    pub fn node(&self) -> Option<&Arc<Node>> {
        if self.several {
            None
        } else {
            self.node.as_ref()
        }
    }

    pub(crate) fn add(&mut self, node: Arc<Node>) {
        match &self.node {
            None => self.node = Some(node),
            Some(n) if Arc::ptr_eq(n, &node) => {}
            Some(_) => self.several = true,
        }
    }

    fn merge(&mut self, other: Served) {
        self.several |= other.several;
        if let Some(n) = other.node {
            self.add(n);
        }
    }

    fn settle(&mut self) {
        for s in std::mem::take(&mut self.spawned) {
            let inner = std::mem::take(&mut *s.lock().unwrap_or_else(|p| p.into_inner()));
            self.merge(inner);
        }
    }
}

thread_local! {
    static CURRENT: Cell<*const RefCell<Served>> = const { Cell::new(std::ptr::null()) };
}

/// Runs `fut` recording the node(s) that served it; see [`Served::node`].
pub fn track<F: Future>(fut: F) -> Track<F> {
    Track { fut, slot: RefCell::new(Served::default()) }
}

/// The future of [`track`]: the call's output and the nodes that served it.
pub struct Track<F> {
    // Declared first, so dropped first: a command loop ending inside it still finds the slot.
    fut: F,
    slot: RefCell<Served>,
}

impl<F: Future> Future for Track<F> {
    type Output = (F::Output, Served);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `fut` is never moved out of the pinned `Track` (structural pinning); `slot` is
        // not pinned and only borrowed.
        let this = unsafe { self.get_unchecked_mut() };
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        let slot: *const RefCell<Served> = &this.slot;
        // Restored on the way out, unwinding included.
        struct Restore(*const RefCell<Served>);
        impl Drop for Restore {
            fn drop(&mut self) {
                CURRENT.with(|c| c.set(self.0));
            }
        }
        let restore = Restore(CURRENT.with(|c| c.replace(slot)));
        let out = fut.poll(cx);
        drop(restore);
        match out {
            Poll::Ready(out) => {
                let mut served = this.slot.take();
                served.settle();
                Poll::Ready((out, served))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

fn with_current(f: impl FnOnce(&mut Served)) {
    CURRENT.with(|c| {
        let p = c.get();
        if !p.is_null() {
            // SAFETY: set only while the `Track` owning the slot is being polled on this thread
            // (it is pinned there); a nested borrow (none today) is skipped, not a panic.
            if let Ok(mut s) = unsafe { &*p }.try_borrow_mut() {
                f(&mut s);
            }
        }
    });
}

/// Notes the node a command's final attempt went to, or one group of a batch.
pub(crate) fn note(node: &Arc<Node>) {
    with_current(|s| s.add(node.clone()));
}

/// Wraps a future about to be spawned so that the nodes it notes count for the current call.
pub(crate) fn forward<F: Future>(fut: F) -> impl Future<Output = F::Output> {
    let mut shared = None;
    with_current(|s| {
        let slot = Arc::new(Mutex::new(Served::default()));
        s.spawned.push(slot.clone());
        shared = Some(slot);
    });
    async move {
        match shared {
            None => fut.await,
            Some(slot) => {
                let (out, served) = track(fut).await;
                slot.lock().unwrap_or_else(|p| p.into_inner()).merge(served);
                out
            }
        }
    }
}

/// Reports the last attempt's node of a single-key command when the command ends, however it
/// ends. The slot is the one current when the command started: the command's state lives inside
/// that `Track`'s future, which is dropped before the slot.
pub(crate) struct LastAttempt {
    slot: *const RefCell<Served>,
    node: Option<Arc<Node>>,
}

// SAFETY: the pointer is only dereferenced on drop, inside the `Track` that owns the slot (see
// above); the command future may move between threads with it, the `Track` moves along.
unsafe impl Send for LastAttempt {}
unsafe impl Sync for LastAttempt {}

impl LastAttempt {
    pub(crate) fn new() -> LastAttempt {
        LastAttempt { slot: CURRENT.with(Cell::get), node: None }
    }

    pub(crate) fn set(&mut self, node: &Arc<Node>) {
        if !self.slot.is_null() {
            self.node = Some(node.clone());
        }
    }
}

impl Drop for LastAttempt {
    fn drop(&mut self) {
        if let Some(n) = self.node.take() {
            // SAFETY: non-null only when made inside a `Track`, which outlives this (see `new`).
            if let Ok(mut s) = unsafe { &*self.slot }.try_borrow_mut() {
                s.add(n);
            }
        }
    }
}
