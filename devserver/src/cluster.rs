//! The nodes of one dev server process: names, liveness, partition ownership and generations.
//! Ownership follows a per-partition succession list (rotated node order); the first two live nodes
//! in it are master and replica, as a real cluster's succession does. All nodes share one store, so
//! a record committed through any node stays readable whichever node takes over its partition.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::watch;

use crate::faults::Faults;
use crate::stats::NodeStats;
use crate::store::{N_PARTITIONS, Store};

pub const REPLICATION_FACTOR: usize = 2;

pub struct Node {
    pub index: usize,
    pub name: String,
    pub port: u16,
    pub stats: NodeStats,
    /// true while the node accepts and serves connections; listeners and connections watch it.
    pub running: watch::Sender<bool>,
    /// true while the node is in the cluster map (owns partitions, is listed as a peer). A node
    /// can be in the map yet not running: crashed, before the survivors notice (refuse_node).
    pub in_map: AtomicBool,
    /// true while the node accepts connections and reads requests but answers nothing (a process
    /// stopped with SIGSTOP, a wedged node): its sockets stay open (hang_node).
    pub hung: AtomicBool,
    /// true while the node's listener is bound (set by `server::run_node`).
    pub listening: AtomicBool,
}

pub struct Cluster {
    pub host: String,
    pub nodes: Vec<Arc<Node>>,
    pub store: Store,
    pub faults: Faults,
    /// Bumped on every membership change (partition, rebalance and peers generations follow it).
    generation: AtomicU64,
    /// owners[p] = node indexes holding partition p, master first.
    owners: RwLock<Vec<Vec<usize>>>,
    pub started: std::time::Instant,
    pub cluster_key: AtomicU64,
    /// The namespaces' replication-factor setting: 2, or 1 for a single-node server (whose
    /// reference config says 1; a real node reports its configured value, not the effective one).
    pub configured_replication: usize,
}

impl Cluster {
    pub fn new(host: &str, base_port: u16, n: usize, store: Store) -> Cluster {
        let nodes = (0..n)
            .map(|i| {
                let port = base_port + i as u16;
                Arc::new(Node {
                    index: i,
                    // Real node ids are 15 hex digits derived from the MAC and port; ours from the port.
                    name: format!("BB9{:08X}{:04X}", 0x7F00_0001u32, port),
                    port,
                    stats: NodeStats::default(),
                    running: watch::channel(true).0,
                    in_map: AtomicBool::new(true),
                    hung: AtomicBool::new(false),
                    listening: AtomicBool::new(false),
                })
            })
            .collect();
        let c = Cluster {
            host: host.to_string(),
            nodes,
            store,
            faults: Faults::default(),
            generation: AtomicU64::new(1),
            owners: RwLock::new(Vec::new()),
            started: std::time::Instant::now(),
            cluster_key: AtomicU64::new(0x3A5C_91D2_7E44),
            configured_replication: n.min(REPLICATION_FACTOR),
        };
        c.rebalance();
        c
    }

    /// Whether node `i` is in the cluster map (it may still refuse connections: is_serving).
    pub fn is_alive(&self, i: usize) -> bool {
        self.nodes[i].in_map.load(Ordering::Relaxed)
    }

    pub fn is_serving(&self, i: usize) -> bool {
        *self.nodes[i].running.borrow()
    }

    pub fn alive(&self) -> Vec<usize> {
        (0..self.nodes.len()).filter(|&i| self.is_alive(i)).collect()
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Relaxed)
    }

    fn rebalance(&self) {
        let n = self.nodes.len();
        let mut owners = Vec::with_capacity(N_PARTITIONS);
        for p in 0..N_PARTITIONS {
            let start = p % n;
            let list: Vec<usize> = (0..n)
                .map(|k| (start + k) % n)
                .filter(|&i| self.is_alive(i))
                .take(REPLICATION_FACTOR)
                .collect();
            owners.push(list);
        }
        *self.owners.write().unwrap_or_else(|e| e.into_inner()) = owners;
        self.generation.fetch_add(1, Ordering::Relaxed);
        self.cluster_key.fetch_add(0x1_0001, Ordering::Relaxed);
    }

    /// Effective replication factor: min(configured, cluster size).
    pub fn replication(&self) -> usize {
        self.alive().len().clamp(1, REPLICATION_FACTOR)
    }

    /// Bitmap (4096 bits, MSB first) of partitions where `node` holds replica position `pos`.
    pub fn ownership_bitmap(&self, node: usize, pos: usize) -> Vec<u8> {
        let owners = self.owners.read().unwrap_or_else(|e| e.into_inner());
        let mut bm = vec![0u8; N_PARTITIONS / 8];
        for (p, list) in owners.iter().enumerate() {
            if list.get(pos) == Some(&node) {
                bm[p >> 3] |= 0x80 >> (p & 7);
            }
        }
        bm
    }

    /// Whether node `node` holds partition `pid` (as master or replica).
    pub fn holds(&self, node: usize) -> Vec<bool> {
        let owners = self.owners.read().unwrap_or_else(|e| e.into_inner());
        owners.iter().map(|list| list.contains(&node)).collect()
    }

    /// (master, replica, never-expiring) record counts node `node` holds in namespace `ns`.
    pub fn node_objects(&self, node: usize, ns: &crate::store::Namespace) -> (u64, u64, u64) {
        let owners = self.owners.read().unwrap_or_else(|e| e.into_inner()).clone();
        let (mut master, mut prole, mut non_expirable) = (0u64, 0u64, 0u64);
        for (pid, list) in owners.iter().enumerate() {
            let Some(pos) = list.iter().position(|&i| i == node) else { continue };
            let part = ns.lock(pid);
            let n = part.records.len() as u64;
            if pos == 0 { master += n } else { prole += n }
            non_expirable += part.records.values().filter(|r| r.void_time == 0).count() as u64;
        }
        (master, prole, non_expirable)
    }

    #[cfg(test)]
    pub fn master_of(&self, pid: usize) -> Option<usize> {
        self.owners.read().unwrap_or_else(|e| e.into_inner())[pid].first().copied()
    }

    /// Stops a node: its listener closes and its connections drop; survivors take over.
    pub fn stop_node(&self, i: usize) -> bool {
        if i >= self.nodes.len() || !self.is_alive(i) {
            return false;
        }
        if self.alive().len() == 1 {
            return false; // keep at least one node serving
        }
        self.nodes[i].in_map.store(false, Ordering::Relaxed);
        self.nodes[i].running.send_replace(false);
        self.rebalance();
        true
    }

    pub fn is_hung(&self, i: usize) -> bool {
        self.nodes[i].hung.load(Ordering::Relaxed)
    }

    /// Starts a stopped node, or lets a refusing or hung one serve again.
    pub fn start_node(&self, i: usize) -> bool {
        if i < self.nodes.len() && self.nodes[i].hung.swap(false, Ordering::Relaxed) {
            return true; // held requests are answered now (late), as after SIGCONT
        }
        if i >= self.nodes.len() || (self.is_alive(i) && self.is_serving(i)) {
            return false;
        }
        self.nodes[i].running.send_replace(true);
        if !self.nodes[i].in_map.swap(true, Ordering::Relaxed) {
            self.rebalance();
        }
        true
    }

    /// A crashed node before the survivors notice (a real cluster's heartbeat timeout): it refuses
    /// new connections and drops its open ones, while the map still lists it as owner and peer.
    pub fn refuse_node(&self, i: usize) -> bool {
        if i >= self.nodes.len() || !self.is_alive(i) || !self.is_serving(i) {
            return false;
        }
        self.nodes[i].running.send_replace(false);
        true
    }

    /// A node that stops answering without closing anything: it keeps accepting connections and
    /// reading requests, answers none of them (info included, so tending stalls too) until
    /// `start_node`. The map still lists it.
    pub fn hang_node(&self, i: usize) -> bool {
        if i >= self.nodes.len() || !self.is_alive(i) || !self.is_serving(i) {
            return false;
        }
        !self.nodes[i].hung.swap(true, Ordering::Relaxed)
    }

    pub fn node_by_id(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name.eq_ignore_ascii_case(id) || n.index.to_string() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(n: usize) -> Cluster {
        Cluster::new("127.0.0.1", 3000, n, Store::new(&["test".to_string()], 0, true))
    }

    #[test]
    fn every_partition_has_one_master_and_replica() {
        let c = cluster(3);
        let masters: Vec<Vec<u8>> = (0..3).map(|i| c.ownership_bitmap(i, 0)).collect();
        for p in 0..N_PARTITIONS {
            let holders = masters.iter().filter(|bm| bm[p >> 3] & (0x80 >> (p & 7)) != 0).count();
            assert_eq!(holders, 1);
        }
        assert_eq!(c.replication(), 2);
    }

    #[test]
    fn stop_moves_partitions_and_bumps_generation() {
        let c = cluster(3);
        let g = c.generation();
        assert!(c.stop_node(1));
        assert!(c.generation() > g);
        assert!(c.ownership_bitmap(1, 0).iter().all(|&b| b == 0));
        for p in 0..N_PARTITIONS {
            assert_ne!(c.master_of(p), Some(1));
        }
        assert!(c.start_node(1));
        assert!(c.ownership_bitmap(1, 0).iter().any(|&b| b != 0));
    }

    #[test]
    fn refusing_keeps_the_map_and_start_restores_service() {
        let c = cluster(3);
        let (g, owned) = (c.generation(), c.ownership_bitmap(1, 0));
        assert!(c.refuse_node(1));
        assert!(!c.refuse_node(1));
        assert!(c.is_alive(1) && !c.is_serving(1));
        assert_eq!((c.generation(), c.ownership_bitmap(1, 0)), (g, owned));
        assert!(c.start_node(1));
        assert!(c.is_serving(1));
        assert_eq!(c.generation(), g);
    }

    #[test]
    fn hang_keeps_the_map_and_start_ends_it() {
        let c = cluster(3);
        let g = c.generation();
        assert!(c.hang_node(2));
        assert!(!c.hang_node(2));
        assert!(c.is_hung(2) && c.is_serving(2) && c.is_alive(2));
        assert!(c.start_node(2));
        assert!(!c.is_hung(2));
        assert_eq!(c.generation(), g);
    }
}
