//! Devserver-private info commands (documented in devserver/README.md): list nodes, stop and
//! start a node, add and clear faults.

use std::sync::atomic::Ordering;

use crate::cluster::Cluster;
use crate::faults::{Action, OpKind, Rule};
use crate::info;

pub fn nodes_list(c: &Cluster) -> String {
    c.nodes
        .iter()
        .map(|n| {
            let state = match (c.is_alive(n.index), c.is_serving(n.index)) {
                (true, true) if c.is_hung(n.index) => "hung",
                (true, true) => "up",
                (true, false) => "refusing",
                _ => "down",
            };
            format!("{}:{}:{}:{}", n.index, n.name, n.port, state)
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// What a node-control command does to its node.
pub enum NodeAction {
    Stop,
    Start,
    Refuse,
    Hang,
}

/// `via` is the node this control request came through (its own connection stays open).
pub fn node_control(c: &Cluster, via: usize, params: &str, action: NodeAction) -> String {
    let p = info::parse_params(params);
    let Some(id) = p.get("id") else {
        return "ERROR:4:missing id".into();
    };
    let Some(i) = c.node_by_id(id) else {
        return "ERROR:4:unknown node".into();
    };
    let ok = match action {
        NodeAction::Stop => c.stop_node(i),
        NodeAction::Start => c.start_node(i),
        NodeAction::Refuse => c.refuse_node(i),
        NodeAction::Hang => c.hang_node(i),
    };
    if !ok {
        return "ERROR:4:node already in that state or last node".into();
    }
    // A client acting on the "ok" finds the change made: a stopped node's sockets closed (a
    // request sent afterwards never goes out on a socket the node is about to drop unanswered,
    // which a client must report as in doubt), a started node listening.
    let node = &c.nodes[i];
    match action {
        NodeAction::Stop | NodeAction::Refuse => {
            let own = usize::from(via == i);
            wait_until(|| node.stats.client_connections.load(Ordering::Relaxed) as usize <= own);
        }
        NodeAction::Start => wait_until(|| node.listening.load(Ordering::Relaxed)),
        NodeAction::Hang => {}
    }
    "ok".into()
}

/// Waits up to 2 s for `done`.
fn wait_until(done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let wait = || {
        while !done() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    };
    // block_in_place hands this worker's other tasks (the closing connections among them) to
    // another thread while it sleeps.
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(wait),
        _ => wait(),
    }
}

pub fn fault_add(c: &Cluster, name: &str, params: &str) -> String {
    let p = info::parse_params(params);
    let node = match p.get("node") {
        None => None,
        Some(id) => match c.node_by_id(id) {
            Some(i) => Some(i),
            None => return "ERROR:4:unknown node".into(),
        },
    };
    let op = match p.get("op").map(String::as_str).unwrap_or("any") {
        s => match OpKind::parse(s) {
            Some(o) => o,
            None => return "ERROR:4:bad op".into(),
        },
    };
    let remaining = match p.get("count") {
        None => None,
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n > 0 => Some(n),
            _ => return "ERROR:4:bad count".into(),
        },
    };
    let pct = match p.get("pct") {
        None => 100,
        Some(s) => match s.parse::<u8>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return "ERROR:4:bad pct".into(),
        },
    };
    let action = match name {
        "devserver-fault-delay" => match p.get("ms").and_then(|s| s.parse::<u64>().ok()) {
            Some(ms) if ms <= 600_000 => Action::DelayMs(ms),
            _ => return "ERROR:4:bad ms".into(),
        },
        "devserver-fault-drop" => Action::Drop,
        _ => match p.get("code").and_then(|s| s.parse::<u8>().ok()) {
            Some(code) => Action::Error(code),
            None => return "ERROR:4:bad code".into(),
        },
    };
    c.faults.add(Rule { node, op, action, remaining, pct });
    "ok".into()
}
