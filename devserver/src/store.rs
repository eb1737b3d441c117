//! In-memory record store: namespaces sharded into 4096 partitions, each behind its own lock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock};

use crate::clock;
use crate::sindex::SIndex;

pub const N_PARTITIONS: usize = 4096;
pub type Digest = [u8; 20];

/// Partition id rule of as_partition_getid: low 12 bits of the little-endian first two digest bytes.
pub fn partition_id(d: &Digest) -> usize {
    (u16::from_le_bytes([d[0], d[1]]) & 0x0FFF) as usize
}

#[derive(Clone, Debug)]
pub struct Bin {
    pub name: String,
    pub ptype: u8,
    pub data: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct Record {
    pub set: Option<String>,
    /// Stored user key as sent in the KEY field: particle type byte then value.
    pub key: Option<Vec<u8>>,
    pub bins: Vec<Bin>,
    pub generation: u16,
    /// Citrusleaf-epoch seconds; 0 = never expires.
    pub void_time: u32,
    /// Last update time, nanoseconds since the Unix epoch (used by truncate).
    pub lut: u64,
}

impl Record {
    /// as_record_is_expired (record.c): expired once its void time is in the past, so a record
    /// is still readable during its void-time second.
    pub fn is_expired(&self, now_cl: u32) -> bool {
        self.void_time != 0 && self.void_time < now_cl
    }

    pub fn bin(&self, name: &[u8]) -> Option<&Bin> {
        self.bins.iter().find(|b| b.name.as_bytes() == name)
    }

    /// Stored size (as_record_stored_size): the flat record with its end mark in 16-byte rblocks.
    /// Used for the memory limit, data_used_bytes and the record_size expression.
    pub fn size(&self) -> usize {
        self.storage_size().div_ceil(16) * 16
    }

    /// Size the server checks against max-record-size (drv_mem.c buffer_bins): the flat record
    /// (flat.c as_flat_record_size) plus the 4-byte end mark. List and map particles count as
    /// stored here, which is as the client sent them.
    pub fn storage_size(&self) -> usize {
        fn uintvar(n: usize) -> usize {
            match n {
                0..0x80 => 1,
                0x80..0x4000 => 2,
                0x4000..0x20_0000 => 3,
                0x20_0000..0x1000_0000 => 4,
                _ => 5,
            }
        }
        const FLAT_HEADER: usize = 35; // sizeof(as_flat_record)
        const END_MARK: usize = 4;
        let mut n = FLAT_HEADER + END_MARK;
        if self.void_time != 0 {
            n += 4;
        }
        if let Some(s) = &self.set {
            n += 1 + s.len();
        }
        if let Some(k) = &self.key {
            n += uintvar(k.len()) + k.len();
        }
        if !self.bins.is_empty() {
            n += uintvar(self.bins.len());
        }
        n + self.bins.iter().map(|b| 1 + b.name.len() + crate::particle::flat_size(b.ptype, &b.data)).sum::<usize>()
    }
}

pub struct Partition {
    pub records: HashMap<Digest, Record>,
}

pub struct Namespace {
    pub name: String,
    pub partitions: Vec<Mutex<Partition>>,
    pub used_bytes: AtomicI64,
    pub objects: AtomicI64,
    /// Records with a void time; the nsup sweep is skipped while there are none.
    pub expirable: AtomicI64,
    pub memory_limit: u64,
    pub default_ttl: u32,
    pub nsup: bool,
    pub max_record_size: usize,
    pub sindexes: RwLock<Vec<SIndex>>,
    /// Bumped on every truncate so running scans can notice.
    pub truncate_count: AtomicU64,
    /// The sets this namespace has ever held, in creation order (the server's set vmap: a set
    /// stays listed, empty, after its records go, until restart).
    pub sets: RwLock<Vec<SetInfo>>,
    /// The namespace-wide truncate threshold, ms since the citrusleaf epoch (0 = none).
    pub truncate_lut: AtomicU64,
}

pub struct SetInfo {
    pub name: String,
    /// Truncate threshold, ms since the citrusleaf epoch (0 = never truncated).
    pub truncate_lut: u64,
}

/// AS_SET_NAME_MAX_SIZE (64, with the terminator) and AS_SET_MAX_COUNT (datamodel.h).
const SET_NAME_MAX: usize = 63;
const SET_MAX_COUNT: usize = 4095;

impl Namespace {
    pub fn new(name: &str, memory_limit: u64, nsup: bool) -> Namespace {
        Namespace {
            name: name.to_string(),
            partitions: (0..N_PARTITIONS).map(|_| Mutex::new(Partition { records: HashMap::new() })).collect(),
            used_bytes: AtomicI64::new(0),
            objects: AtomicI64::new(0),
            expirable: AtomicI64::new(0),
            memory_limit,
            default_ttl: 0,
            nsup,
            max_record_size: 1024 * 1024,
            sindexes: RwLock::new(Vec::new()),
            truncate_count: AtomicU64::new(0),
            sets: RwLock::new(Vec::new()),
            truncate_lut: AtomicU64::new(0),
        }
    }

    pub fn lock(&self, pid: usize) -> MutexGuard<'_, Partition> {
        // A poisoned lock only means another task panicked mid-update; the map itself is still usable.
        self.partitions[pid].lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Accounts for a record replaced by another (either may be absent).
    pub fn account(&self, old: Option<&Record>, new: Option<&Record>) {
        let delta = new.map_or(0, |r| r.size() as i64) - old.map_or(0, |r| r.size() as i64);
        self.used_bytes.fetch_add(delta, Ordering::Relaxed);
        let dobj = new.is_some() as i64 - old.is_some() as i64;
        self.objects.fetch_add(dobj, Ordering::Relaxed);
        let dexp = new.is_some_and(|r| r.void_time != 0) as i64 - old.is_some_and(|r| r.void_time != 0) as i64;
        if dexp != 0 {
            self.expirable.fetch_add(dexp, Ordering::Relaxed);
        }
    }

    /// Removes the record if it has expired; returns the live record otherwise.
    pub fn live<'p>(&self, part: &'p mut Partition, d: &Digest, now_cl: u32) -> Option<&'p mut Record> {
        let expired = match part.records.get(d) {
            None => return None,
            Some(r) => r.is_expired(now_cl),
        };
        if expired {
            let old = part.records.remove(d);
            self.account(old.as_ref(), None);
            return None;
        }
        part.records.get_mut(d)
    }

    /// Registers a set a record is created in (as_namespace_get_create_set_w_len): PARAMETER for a
    /// name too long or past the sets limit.
    pub fn register_set(&self, name: &str) -> Result<(), u8> {
        if self.sets.read().unwrap_or_else(|e| e.into_inner()).iter().any(|s| s.name == name) {
            return Ok(());
        }
        let mut sets = self.sets.write().unwrap_or_else(|e| e.into_inner());
        if sets.iter().any(|s| s.name == name) {
            return Ok(());
        }
        if name.len() > SET_NAME_MAX || sets.len() >= SET_MAX_COUNT {
            return Err(crate::proto::rc::PARAMETER);
        }
        sets.push(SetInfo { name: name.to_string(), truncate_lut: 0 });
        Ok(())
    }

    /// Deletes records of `set` (all sets when None) last updated before `before_ns`, compared in
    /// whole milliseconds like the server (truncate.c): a record written in the truncate's own
    /// millisecond survives. As truncate_action_do, a set never written is left alone, and a
    /// threshold not above the current one changes nothing; the threshold is kept (truncate_lut).
    pub fn truncate(&self, set: Option<&str>, before_ns: u64) -> usize {
        let before_ms = before_ns / 1_000_000;
        let lut = before_ms.saturating_sub(clock::CITRUSLEAF_EPOCH * 1000);
        match set {
            Some(name) => {
                let mut sets = self.sets.write().unwrap_or_else(|e| e.into_inner());
                match sets.iter_mut().find(|s| s.name == name) {
                    Some(s) if lut > s.truncate_lut => s.truncate_lut = lut,
                    _ => return 0,
                }
            }
            None => {
                if self.truncate_lut.fetch_max(lut, Ordering::Relaxed) >= lut {
                    return 0;
                }
            }
        }
        let mut n = 0;
        for pid in 0..N_PARTITIONS {
            let mut part = self.lock(pid);
            let doomed: Vec<Digest> = part
                .records
                .iter()
                .filter(|(_, r)| r.lut / 1_000_000 < before_ms && set.is_none_or(|s| r.set.as_deref() == Some(s)))
                .map(|(d, _)| *d)
                .collect();
            for d in doomed {
                let old = part.records.remove(&d);
                self.account(old.as_ref(), None);
                n += 1;
            }
        }
        self.truncate_count.fetch_add(1, Ordering::Relaxed);
        n
    }

    /// Removes expired records (the nsup sweep).
    pub fn sweep_expired(&self) {
        if self.expirable.load(Ordering::Relaxed) <= 0 {
            return;
        }
        let now = clock::now_cl();
        for pid in 0..N_PARTITIONS {
            let mut part = self.lock(pid);
            if part.records.is_empty() {
                continue;
            }
            let doomed: Vec<Digest> =
                part.records.iter().filter(|(_, r)| r.is_expired(now)).map(|(d, _)| *d).collect();
            for d in doomed {
                let old = part.records.remove(&d);
                self.account(old.as_ref(), None);
            }
        }
    }

    /// (objects, bytes) per set name over the partitions `held` selects, for the `sets` info command.
    pub fn set_stats(&self, held: impl Fn(usize) -> bool) -> HashMap<String, (u64, u64)> {
        let now = clock::now_cl();
        let mut out: HashMap<String, (u64, u64)> = HashMap::new();
        for pid in (0..N_PARTITIONS).filter(|&p| held(p)) {
            let part = self.lock(pid);
            for r in part.records.values() {
                if r.is_expired(now) {
                    continue;
                }
                if let Some(s) = &r.set {
                    let e = out.entry(s.clone()).or_default();
                    e.0 += 1;
                    e.1 += r.size() as u64;
                }
            }
        }
        out
    }
}

pub struct Store {
    pub namespaces: Vec<Namespace>,
}

impl Store {
    pub fn new(names: &[String], memory_limit: u64, nsup: bool) -> Store {
        Store { namespaces: names.iter().map(|n| Namespace::new(n, memory_limit, nsup)).collect() }
    }

    pub fn ns(&self, name: &[u8]) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.name.as_bytes() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_id_uses_low_12_bits_little_endian() {
        let mut d = [0u8; 20];
        d[0] = 0x34;
        d[1] = 0xF2;
        assert_eq!(partition_id(&d), 0x234);
    }
}
