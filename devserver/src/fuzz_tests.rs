//! Placeholder replaced by property tests below.
