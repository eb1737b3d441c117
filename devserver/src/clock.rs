//! Server clocks: the citrusleaf epoch (2010-01-01) for void times, and nanosecond last-update times.

use std::time::{SystemTime, UNIX_EPOCH};

pub const CITRUSLEAF_EPOCH: u64 = 1_262_304_000;

/// Seconds since the citrusleaf epoch.
pub fn now_cl() -> u32 {
    let s = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    s.saturating_sub(CITRUSLEAF_EPOCH) as u32
}

/// Nanoseconds since the Unix epoch.
pub fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}
