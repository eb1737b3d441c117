//! The info protocol (proto type 1): newline-separated commands, each answered as
//! `<command as sent>\t<answer>\n` (thr_info.c handle_cmds). The devserver-private control
//! commands live in control.rs.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use crate::b64;
use crate::cluster::Cluster;
use crate::control;
use crate::sindex;
use crate::stats::get;

pub const BUILD: &str = "8.1.0.0";
const EDITION: &str = "Aerospike Community Edition";
const FEATURES: &str = "batch-any;batch-index;blob-bits;cdt-index;cdt-list;cdt-map;cluster-stable;float;geo;\
sindex-exists;peers;pipelining;pquery;pscans;query-show;relaxed-sc;replicas;replicas-all;replicas-master;\
replicas-max;truncate-namespace;udf";

/// Answers a whole info request body for node `node`.
pub fn handle(c: &Cluster, node: usize, body: &[u8]) -> Vec<u8> {
    crate::stats::bump(&c.nodes[node].stats.info_complete);
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    if body.is_empty() {
        for cmd in ["features", "node", "edition", "build", "version", "statistics", "services-alumni", "services", "partition-generation"] {
            let _ = writeln!(out, "{}\t{}", cmd, answer(c, node, cmd));
        }
        return out.into_bytes();
    }
    // Only complete (newline-terminated) commands are answered, as the server does.
    let mut rest: &str = &text;
    while let Some(i) = rest.find('\n') {
        let cmd = &rest[..i];
        rest = &rest[i + 1..];
        out.push_str(cmd);
        out.push('\t');
        out.push_str(&answer(c, node, cmd));
        out.push('\n');
    }
    out.into_bytes()
}

/// Parses `k=v;k=v` info parameters.
pub fn parse_params(s: &str) -> HashMap<String, String> {
    s.split(';')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('=').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect()
}

/// Splits `name[/args][:params]` as parse_cmd does.
fn split_cmd(cmd: &str) -> (&str, &str) {
    let cut = cmd.find([':', '/', ';']).unwrap_or(cmd.len());
    let name = &cmd[..cut];
    let params = if cut < cmd.len() { &cmd[cut + 1..] } else { "" };
    (name, params)
}

fn answer(c: &Cluster, node: usize, cmd: &str) -> String {
    let (name, params) = split_cmd(cmd);
    let me = &c.nodes[node];
    let generation = c.generation();
    match name {
        "node" => me.name.clone(),
        "build" => BUILD.into(),
        "version" => format!("{EDITION} build {BUILD}"),
        "edition" => EDITION.into(),
        "release" => format!("arch=x86_64;edition=community;os=devserver;sha=0;version={BUILD}"),
        "features" => FEATURES.into(),
        "cluster-name" => "null".into(),
        "cluster-stable" => format!("{:X}", c.cluster_key.load(Ordering::Relaxed)),
        "status" => "ok".into(),
        "compatibility-id" => "0".into(),
        "partition-generation" | "rebalance-generation" | "peers-generation" => generation.to_string(),
        "peers-clear-std" | "peers-clear-alt" | "alumni-clear-std" | "alumni-clear-alt" => peers(c, node),
        "peers-tls-std" | "peers-tls-alt" | "alumni-tls-std" | "alumni-tls-alt" | "service-tls-std"
        | "service-tls-alt" | "rack-ids" | "racks" | "roster" | "feature-key" => "ERROR:25:enterprise only".into(),
        "services" | "services-alumni" | "services-alternate" => services(c, node),
        "service" | "service-clear-std" | "service-clear-alt" => format!("{}:{}", c.host, me.port),
        "replicas" => replicas(c, node, true),
        "replicas-all" => replicas(c, node, false),
        "replicas-master" => c
            .store
            .namespaces
            .iter()
            .map(|ns| format!("{}:{}", ns.name, b64::encode(&c.ownership_bitmap(node, 0))))
            .collect::<Vec<_>>()
            .join(";"),
        "namespaces" => c.store.namespaces.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(";"),
        "namespace" => namespace_stats(c, node, params),
        "sets" => sets(c, node, params),
        "statistics" => statistics(c, node),
        "sindex-list" | "sindex" => sindex_list(c, params),
        "sindex-create" => sindex_create(c, params),
        "sindex-delete" => sindex_delete(c, params),
        "sindex-exists" => sindex_exists(c, params),
        "sindex-stat" => sindex_stat(c, params),
        "truncate" => truncate(c, params, false),
        "truncate-namespace" => truncate(c, params, true),
        "truncate-undo" | "truncate-namespace-undo" => "ok".into(),
        "udf-list" => String::new(),
        "udf-put" | "udf-get" | "udf-remove" => "ERROR:4:udf not supported by the dev server".into(),
        "user-agent-set" => "ok".into(),
        "query-show" => String::new(),
        "get-config" | "config-get" => "ERROR:4:not supported by the dev server".into(),
        "devserver-nodes" => control::nodes_list(c),
        "devserver-node-stop" => control::node_control(c, params, control::NodeAction::Stop),
        "devserver-node-start" => control::node_control(c, params, control::NodeAction::Start),
        "devserver-node-refuse" => control::node_control(c, params, control::NodeAction::Refuse),
        "devserver-fault-delay" | "devserver-fault-drop" | "devserver-fault-error" => control::fault_add(c, name, params),
        "devserver-fault-clear" => {
            c.faults.clear();
            "ok".into()
        }
        "devserver-fault-list" => c
            .faults
            .list()
            .iter()
            .map(|r| format!("{r:?}"))
            .collect::<Vec<_>>()
            .join(";"),
        _ => "ERROR:4:unrecognized command".into(),
    }
}

fn peers(c: &Cluster, node: usize) -> String {
    let list: Vec<String> = c
        .alive()
        .into_iter()
        .filter(|&i| i != node)
        .map(|i| format!("[{},,[{}:{}]]", c.nodes[i].name, c.host, c.nodes[i].port))
        .collect();
    format!("{},{},[{}]", c.generation(), c.nodes[node].port, list.join(","))
}

fn services(c: &Cluster, node: usize) -> String {
    c.alive()
        .into_iter()
        .filter(|&i| i != node)
        .map(|i| format!("{}:{}", c.host, c.nodes[i].port))
        .collect::<Vec<_>>()
        .join(";")
}

fn replicas(c: &Cluster, node: usize, with_regime: bool) -> String {
    let rf = c.replication();
    let bitmaps: Vec<String> = (0..rf).map(|pos| b64::encode(&c.ownership_bitmap(node, pos))).collect();
    c.store
        .namespaces
        .iter()
        .map(|ns| {
            if with_regime {
                format!("{}:0,{},{}", ns.name, rf, bitmaps.join(","))
            } else {
                format!("{}:{},{}", ns.name, rf, bitmaps.join(","))
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn namespace_stats(c: &Cluster, node: usize, params: &str) -> String {
    let Some(ns) = c.store.ns(params.as_bytes()) else {
        return "type=unknown".into(); // cmd_namespace answers this rather than an error
    };
    let s = &c.nodes[node].stats;
    let (master, prole) = c.node_objects(node, ns);
    let used = ns.used_bytes.load(Ordering::Relaxed).max(0);
    let rf = c.replication();
    let mut out = String::new();
    let _ = write!(
        out,
        "ns_cluster_size={};effective_replication_factor={};replication-factor=2;objects={};tombstones=0;\
         master_objects={};prole_objects={};data_used_bytes={};memory-limit={};stop_writes={};\
         default-ttl={};nsup-period={};allow-ttl-without-nsup=false;max-record-size={};\
         client_read_success={};client_read_not_found={};client_read_error={};\
         client_write_success={};client_write_error={};client_delete_success={};\
         client_delete_not_found={};client_delete_error={};batch_sub_read_success={};\
         batch_sub_write_success={};pi_query_initiated={};si_query_initiated={};storage-engine=memory",
        c.alive().len(),
        rf,
        master + prole,
        master,
        prole,
        used,
        ns.memory_limit,
        ns.memory_limit > 0 && used as u64 >= ns.memory_limit,
        ns.default_ttl,
        if ns.nsup { 120 } else { 0 },
        ns.max_record_size,
        get(&s.read_success),
        get(&s.read_not_found),
        get(&s.read_error),
        get(&s.write_success),
        get(&s.write_error),
        get(&s.delete_success),
        get(&s.delete_not_found),
        get(&s.delete_error),
        get(&s.batch_sub_read_success),
        get(&s.batch_sub_write_success),
        get(&s.scan_initiate),
        get(&s.query_initiate),
    );
    out
}

/// Per-set counts of the copies this node holds (namespace.c append_set_props: p_set->n_objects).
fn sets(c: &Cluster, node: usize, params: &str) -> String {
    let held = c.holds(node);
    let mut parts = params.split('/').filter(|p| !p.is_empty());
    let want_ns = parts.next();
    let want_set = parts.next();
    let mut out = String::new();
    for ns in &c.store.namespaces {
        if want_ns.is_some_and(|n| n != ns.name) {
            continue;
        }
        let stats = ns.set_stats(|p| held[p]);
        let mut names: Vec<&String> = stats.keys().collect();
        names.sort();
        for set in names {
            if want_set.is_some_and(|s| s != set) {
                continue;
            }
            let (objects, bytes) = stats[set];
            let n_sindex = ns
                .sindexes
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .filter(|i| i.set.as_deref() == Some(set.as_str()))
                .count();
            let _ = write!(
                out,
                "ns={}:set={}:objects={}:tombstones=0:data_used_bytes={}:truncate_lut=0:sindexes={}:\
                 index_populating=false:default-read-touch-ttl-pct=0:default-ttl=0:disable-eviction=false:\
                 enable-index=false:stop-writes-count=0:stop-writes-size=0;",
                ns.name, set, objects, bytes, n_sindex
            );
        }
    }
    if want_ns.is_some() && c.store.ns(want_ns.unwrap_or("").as_bytes()).is_none() {
        return "ns_type=unknown".into();
    }
    out
}

fn statistics(c: &Cluster, node: usize) -> String {
    let s = &c.nodes[node].stats;
    format!(
        "cluster_size={};cluster_key={:X};cluster_generation={};cluster_integrity=true;cluster_is_member=true;\
         uptime={};client_connections={};client_connections_opened={};client_connections_closed={};\
         info_complete={};batch_index_initiate={};proto_errors={}",
        c.alive().len(),
        c.cluster_key.load(Ordering::Relaxed),
        c.generation(),
        c.started.elapsed().as_secs(),
        get(&s.client_connections),
        get(&s.client_connections_opened),
        get(&s.client_connections_closed),
        get(&s.info_complete),
        get(&s.batch_index_initiate),
        get(&s.proto_errors),
    )
}

fn sindex_list(c: &Cluster, params: &str) -> String {
    let p = parse_params(params);
    let want = p.get("ns").or_else(|| p.get("namespace")).cloned().or_else(|| {
        // `sindex/<ns>` form.
        let s = params.trim_end_matches(';');
        (!s.is_empty() && !s.contains('=')).then(|| s.split('/').next().unwrap_or("").to_string())
    });
    let mut out = String::new();
    for ns in &c.store.namespaces {
        if want.as_ref().is_some_and(|w| *w != ns.name) {
            continue;
        }
        for idx in ns.sindexes.read().unwrap_or_else(|e| e.into_inner()).iter() {
            out.push_str(&idx.describe(&ns.name));
            out.push(';');
        }
    }
    // The server chomps the trailing separator.
    if out.ends_with(';') {
        out.pop();
    }
    out
}

fn sindex_create(c: &Cluster, params: &str) -> String {
    let p = parse_params(params);
    let (ns_name, idx) = match sindex::from_params(&p) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(ns) = c.store.ns(ns_name.as_bytes()) else {
        return "ERROR:4:namespace not found".into();
    };
    let mut list = ns.sindexes.write().unwrap_or_else(|e| e.into_inner());
    // sindex_manager.c: the definition is the key, the name its value.
    if let Some(named) = list.iter().find(|i| i.name == idx.name) {
        return if named.same_definition(&idx) {
            "ok".into()
        } else {
            "ERROR:200:'indexname' already exists with different definition".into()
        };
    }
    if let Some(same) = list.iter_mut().find(|i| i.same_definition(&idx)) {
        same.name = idx.name; // a new name for an existing definition renames it
        return "ok".into();
    }
    if list.len() >= 256 {
        return "ERROR:206:already at sindex definition limit".into();
    }
    list.push(idx);
    "ok".into()
}

fn find_ns_and_name(p: &std::collections::HashMap<String, String>) -> Option<(String, String)> {
    Some((p.get("namespace").or_else(|| p.get("ns"))?.clone(), p.get("indexname")?.clone()))
}

fn sindex_delete(c: &Cluster, params: &str) -> String {
    let p = parse_params(params);
    let Some((ns_name, name)) = find_ns_and_name(&p) else {
        return "ERROR:4:missing namespace or indexname".into();
    };
    // Deleting an unknown name is not an error, even in an unknown namespace: the server looks the
    // pair up in its SMD (sindex_manager.c as_sindex_manager_sindex_delete) and answers ok.
    if let Some(ns) = c.store.ns(ns_name.as_bytes()) {
        ns.sindexes.write().unwrap_or_else(|e| e.into_inner()).retain(|i| i.name != name);
    }
    "ok".into()
}

fn sindex_exists(c: &Cluster, params: &str) -> String {
    let p = parse_params(params);
    let Some((ns_name, name)) = find_ns_and_name(&p) else {
        return "ERROR:4:missing namespace or indexname".into();
    };
    let Some(ns) = c.store.ns(ns_name.as_bytes()) else {
        return "ERROR:20:namespace not found".into();
    };
    let exists = ns.sindexes.read().unwrap_or_else(|e| e.into_inner()).iter().any(|i| i.name == name);
    exists.to_string()
}

fn sindex_stat(c: &Cluster, params: &str) -> String {
    let p = parse_params(params);
    let (ns_name, name) = match find_ns_and_name(&p) {
        Some(v) => v,
        None => {
            // `sindex/<ns>/<name>` form.
            let mut it = params.split('/');
            match (it.next(), it.next()) {
                (Some(n), Some(i)) => (n.to_string(), i.to_string()),
                _ => return "ERROR:4:missing namespace or indexname".into(),
            }
        }
    };
    let Some(ns) = c.store.ns(ns_name.as_bytes()) else {
        return "ERROR:20:namespace not found".into();
    };
    if !ns.sindexes.read().unwrap_or_else(|e| e.into_inner()).iter().any(|i| i.name == name) {
        return "ERROR:201:no index".into();
    }
    "keys=0;entries=0;used_bytes=0;entries_per_bval=0;entries_per_rec=0;load_pct=100;load_time=0;stat_gc_recs=0".into()
}

fn truncate(c: &Cluster, params: &str, whole_ns: bool) -> String {
    let p = parse_params(params);
    let Some(ns_name) = p.get("namespace").or_else(|| p.get("ns")) else {
        return "ERROR:4:missing 'namespace'".into();
    };
    let set = if whole_ns {
        if p.contains_key("set") {
            return "ERROR:4:unexpected set name".into();
        }
        None
    } else {
        match p.get("set") {
            Some(s) => Some(s.as_str()),
            None => return "ERROR:4:missing 'set'".into(),
        }
    };
    let now = crate::clock::now_ns();
    let lut = match p.get("lut") {
        None => now,
        Some(s) => match s.parse::<u64>() {
            Ok(v) if v / 1_000_000 <= crate::clock::CITRUSLEAF_EPOCH * 1000 => {
                return "ERROR:4:would truncate to 0".into();
            }
            Ok(v) if v <= now => v,
            Ok(_) => return "ERROR:4:would truncate in the future".into(),
            Err(_) => return "ERROR:4:bad lut".into(),
        },
    };
    // The server records the command even for a namespace it does not have (SMD), so: ok.
    if let Some(ns) = c.store.ns(ns_name.as_bytes()) {
        ns.truncate(set, lut);
    }
    "ok".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn cluster() -> Cluster {
        Cluster::new("127.0.0.1", 3000, 2, Store::new(&["test".into(), "bar".into()], 0, true))
    }

    fn ask(c: &Cluster, cmds: &str) -> String {
        String::from_utf8(handle(c, 0, cmds.as_bytes())).unwrap()
    }

    #[test]
    fn echoes_command_and_answers() {
        let c = cluster();
        let out = ask(&c, "node\nbuild\nbogus\n");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], format!("node\t{}", c.nodes[0].name));
        assert_eq!(lines[1], "build\t8.1.0.0");
        assert_eq!(lines[2], "bogus\tERROR:4:unrecognized command");
    }

    #[test]
    fn peers_lists_the_other_node() {
        let c = cluster();
        let out = ask(&c, "peers-clear-std\n");
        assert!(out.contains(&format!("[{},,[127.0.0.1:3001]]", c.nodes[1].name)), "{out}");
    }

    #[test]
    fn sindex_lifecycle() {
        let c = cluster();
        assert_eq!(ask(&c, "sindex-create:namespace=test;set=s;indexname=i1;bin=a;type=numeric\n"), "sindex-create:namespace=test;set=s;indexname=i1;bin=a;type=numeric\tok\n");
        assert!(ask(&c, "sindex-create:namespace=test;set=s;indexname=i1;bin=a;type=numeric\n").ends_with("\tok\n"));
        assert!(ask(&c, "sindex-create:namespace=test;set=s;indexname=i1;bin=b;type=numeric\n").contains("ERROR:200"));
        assert!(ask(&c, "sindex-list:ns=test\n").contains("indexname=i1:set=s:bin=a:type=numeric"));
        assert!(ask(&c, "sindex-delete:namespace=test;indexname=i1\n").ends_with("\tok\n"));
        assert!(ask(&c, "sindex-delete:namespace=test;indexname=i1\n").ends_with("\tok\n"));
        assert!(ask(&c, "sindex-delete:namespace=no_such_ns;indexname=i1\n").ends_with("\tok\n"));
        assert!(!ask(&c, "sindex-list:ns=test\n").contains("i1"));
    }
}
