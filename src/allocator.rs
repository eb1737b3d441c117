//! The global allocator: mimalloc for small blocks, glibc's malloc (the system's) for large ones.
//!
//! Chosen when an async operation's small objects were made on a runtime worker and freed on the
//! loop thread: glibc's malloc paid arena locks and consolidation for that, and an async get or
//! put cost 15-20% more CPU with it than with mimalloc. Since the loop runtime
//! (`loop_runtime.rs`) they mostly stay on the loop thread, and mimalloc still costs 4-16% less
//! CPU per async get or put (README "Performance notes").
//! Large blocks (record values, reply buffers) stay on glibc's heap, where Python puts the
//! objects made from them: with every Rust block moved off it, glibc trimmed its heap's top after
//! each batch of 10 KiB records and faulted it back in on the next (README "Performance notes").

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// From this size on, a block is the system allocator's.
const LARGE: usize = 8 * 1024;

pub struct Allocator;

// SAFETY: every block is freed by the allocator that made it: both are chosen by the block's size,
// which the caller passes back unchanged to `dealloc` and `realloc`.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() < LARGE { unsafe { MiMalloc.alloc(layout) } } else { unsafe { System.alloc(layout) } }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() < LARGE { unsafe { MiMalloc.alloc_zeroed(layout) } } else { unsafe { System.alloc_zeroed(layout) } }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() < LARGE { unsafe { MiMalloc.dealloc(ptr, layout) } } else { unsafe { System.dealloc(ptr, layout) } }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (layout.size() < LARGE, new_size < LARGE) {
            (true, true) => unsafe { MiMalloc.realloc(ptr, layout, new_size) },
            (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
            _ => {
                // Crossing the line: a block of the other allocator, then the bytes moved over.
                // SAFETY: `new_size` with the old alignment is a valid layout (GlobalAlloc contract).
                let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                let new = unsafe { self.alloc(new_layout) };
                if !new.is_null() {
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                new
            }
        }
    }
}
