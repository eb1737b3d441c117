//! The info protocol (proto type 1): newline-separated commands, each answered as
//! `<command as sent>\t<answer>\n` (thr_info.c handle_cmds). The devserver-private control
//! commands live in control.rs.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use crate::b64;
use crate::cluster::Cluster;
use crate::control;
use crate::info_fields::{self as fields, render};
use crate::sindex;
use crate::stats::get;

/// The Community Edition release whose behaviour the dev server follows (and answers as `build`).
pub const BUILD: &str = "8.1.2.0";
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
        "release" => format!("edition={EDITION};version={BUILD};os=devserver;arch=x86_64;sha=0"),
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
        // Deprecated in 8.1 but still answered (thr_info.c cmd_partitions).
        "partitions" => crate::store::N_PARTITIONS.to_string(),
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
        "get-config" | "config-get" => get_config(c, node, params),
        "devserver-nodes" => control::nodes_list(c),
        "devserver-node-stop" => control::node_control(c, node, params, control::NodeAction::Stop),
        "devserver-node-start" => control::node_control(c, node, params, control::NodeAction::Start),
        "devserver-node-refuse" => control::node_control(c, node, params, control::NodeAction::Refuse),
        "devserver-node-hang" => control::node_control(c, node, params, control::NodeAction::Hang),
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
    let mut out = String::new();
    let stats = namespace_values(c, node, ns);
    // The per-stripe storage statistics sit between the data_* and record_proto_* fields.
    let cut = fields::NAMESPACE_STATS.iter().position(|(k, _)| *k == "record_proto_uncompressed_pct").unwrap_or(0);
    render(&fields::NAMESPACE_STATS[..cut], &stats, &mut out);
    let used = ns.used_bytes.load(Ordering::Relaxed).max(0) as u64;
    for i in 0..fields::N_STRIPES {
        let share = used / fields::N_STRIPES as u64 + u64::from(i == 0) * (used % fields::N_STRIPES as u64);
        let _ = write!(
            out,
            ";storage-engine.stripe[{i}].used_bytes={share};storage-engine.stripe[{i}].free_wblocks=15;\
             storage-engine.stripe[{i}].writes=0;storage-engine.stripe[{i}].defrag_q=0;\
             storage-engine.stripe[{i}].defrag_reads=0;storage-engine.stripe[{i}].defrag_writes=0"
        );
    }
    render(&fields::NAMESPACE_STATS[cut..], &stats, &mut out);
    namespace_config(c, ns, &mut out);
    out
}

/// The statistics of `namespace/<ns>` the dev server keeps, by the server's field names.
fn namespace_values<'a>(c: &Cluster, node: usize, ns: &crate::store::Namespace) -> HashMap<&'a str, String> {
    let s = &c.nodes[node].stats;
    let (master, prole, non_expirable) = c.node_objects(node, ns);
    let used = ns.used_bytes.load(Ordering::Relaxed).max(0) as u64;
    let total = data_size(ns);
    let mut v: HashMap<&str, String> = HashMap::new();
    let mut set = |k: &'a str, x: String| {
        v.insert(k, x);
    };
    set("ns_cluster_size", c.alive().len().to_string());
    set("effective_replication_factor", c.replication().to_string());
    set("objects", (master + prole).to_string());
    set("master_objects", master.to_string());
    set("prole_objects", prole.to_string());
    set("non_expirable_objects", non_expirable.to_string());
    set("stop_writes", (ns.memory_limit > 0 && used >= ns.memory_limit).to_string());
    set("current_time", crate::clock::now_cl().to_string());
    set("truncate_lut", ns.truncate_lut.load(Ordering::Relaxed).to_string());
    set("index_used_bytes", ((master + prole) * 64).to_string());
    set("data_total_bytes", total.to_string());
    set("data_used_bytes", used.to_string());
    set("data_used_pct", (used * 100 / total).to_string());
    for (k, counter) in [
        ("client_read_success", &s.read_success),
        ("client_read_error", &s.read_error),
        ("client_read_not_found", &s.read_not_found),
        ("client_read_filtered_out", &s.read_filtered_out),
        ("client_write_success", &s.write_success),
        ("client_write_error", &s.write_error),
        ("client_write_filtered_out", &s.write_filtered_out),
        ("client_delete_success", &s.delete_success),
        ("client_delete_error", &s.delete_error),
        ("client_delete_not_found", &s.delete_not_found),
        ("client_delete_filtered_out", &s.delete_filtered_out),
        ("batch_sub_read_success", &s.batch_sub_read_success),
        ("batch_sub_write_success", &s.batch_sub_write_success),
        ("pi_query_long_basic_complete", &s.scan_initiate),
        ("si_query_long_basic_complete", &s.query_initiate),
    ] {
        set(k, get(counter).to_string());
    }
    v
}

/// storage-engine.data-size: the memory limit, or the 1 GiB a default memory namespace gets here.
fn data_size(ns: &crate::store::Namespace) -> u64 {
    if ns.memory_limit > 0 { ns.memory_limit } else { 1 << 30 }
}

/// A namespace's configuration (cfg_info.c): ends `namespace/<ns>` and answers
/// `get-config:context=namespace;id=<ns>`.
fn namespace_config(c: &Cluster, ns: &crate::store::Namespace, out: &mut String) {
    let mut v: HashMap<&str, String> = HashMap::new();
    v.insert("default-ttl", ns.default_ttl.to_string());
    // The sweep runs every second with nsup on (as a server configured with nsup-period 1).
    v.insert("nsup-period", if ns.nsup { "1" } else { "0" }.into());
    v.insert("max-record-size", ns.max_record_size.to_string());
    v.insert("replication-factor", c.configured_replication.to_string());
    v.insert("storage-engine.data-size", data_size(ns).to_string());
    let cut = fields::NAMESPACE_CONFIG.iter().position(|(k, _)| *k == "storage-engine").map_or(0, |i| i + 1);
    render(&fields::NAMESPACE_CONFIG[..cut], &v, out);
    for i in 0..fields::N_STRIPES {
        let _ = write!(out, ";storage-engine.stripe[{i}]=stripe-{i}");
    }
    render(&fields::NAMESPACE_CONFIG[cut..], &v, out);
}

/// `get-config[:context=service|network|namespace;id=<ns>]` (cfg_info.c as_cfg_info_cmd_get_config):
/// no context answers service and network.
fn get_config(c: &Cluster, node: usize, params: &str) -> String {
    let p = parse_params(params);
    let mut out = String::new();
    let mut service: HashMap<&str, String> = HashMap::new();
    service.insert("node-id", c.nodes[node].name.clone());
    let mut network: HashMap<&str, String> = HashMap::new();
    network.insert("service.port", c.nodes[node].port.to_string());
    network.insert("service.address", c.host.clone());
    network.insert("service.access-address", c.host.clone());
    match p.get("context").map(String::as_str) {
        None => {
            render(fields::SERVICE_CONFIG, &service, &mut out);
            render(fields::NETWORK_CONFIG, &network, &mut out);
        }
        Some("service") => render(fields::SERVICE_CONFIG, &service, &mut out),
        Some("network") => render(fields::NETWORK_CONFIG, &network, &mut out),
        Some("namespace") => {
            let Some(name) = p.get("id").or_else(|| p.get("namespace")) else {
                return "ERROR:20:missing 'namespace'".into();
            };
            let Some(ns) = c.store.ns(name.as_bytes()) else {
                return "ERROR:20:namespace not found on node".into();
            };
            namespace_config(c, ns, &mut out);
        }
        // Enterprise-only contexts answer nothing on Community Edition.
        Some("security") | Some("xdr") => {}
        Some(_) => return "ERROR:4:invalid context".into(),
    }
    out
}

/// `sets[/<ns>[/<set>]]` (thr_info.c cmd_sets, namespace.c as_namespace_get_set_info): every set
/// a namespace has held, in creation order, as `ns=..:set=..:props;`; one named set answers its
/// props alone (nothing when it never existed). Counts are the copies this node holds.
fn sets(c: &Cluster, node: usize, params: &str) -> String {
    let held = c.holds(node);
    let (want_ns, want_set) = match params.split_once('/') {
        Some((n, s)) => (Some(n), Some(s)),
        None => ((!params.is_empty()).then_some(params), None),
    };
    if want_ns.is_some_and(|n| c.store.ns(n.as_bytes()).is_none()) {
        return "ns_type=unknown".into();
    }
    let mut out = String::new();
    for ns in &c.store.namespaces {
        if want_ns.is_some_and(|n| n != ns.name) {
            continue;
        }
        let stats = ns.set_stats(|p| held[p]);
        let sindexes = ns.sindexes.read().unwrap_or_else(|e| e.into_inner());
        for set in ns.sets.read().unwrap_or_else(|e| e.into_inner()).iter() {
            if want_set.is_some_and(|s| s != set.name) {
                continue;
            }
            if want_set.is_none() {
                let _ = write!(out, "ns={}:set={}:", ns.name, set.name);
            }
            let (objects, bytes) = stats.get(&set.name).copied().unwrap_or((0, 0));
            let n_sindex = sindexes.iter().filter(|i| i.set.as_deref() == Some(set.name.as_str())).count();
            let _ = write!(
                out,
                "objects={}:tombstones=0:data_used_bytes={}:truncate_lut={}:sindexes={}:\
                 index_populating=false:truncating=false:default-read-touch-ttl-pct=0:default-ttl=0:\
                 disable-eviction=false:enable-index=false:stop-writes-count=0:stop-writes-size=0;",
                objects, bytes, set.truncate_lut, n_sindex
            );
        }
    }
    out
}

fn statistics(c: &Cluster, node: usize) -> String {
    let s = &c.nodes[node].stats;
    let alive = c.alive();
    // The principal is the cluster's highest node id (exchange.c).
    let principal = alive.iter().map(|&i| c.nodes[i].name.clone()).max().unwrap_or_default();
    let objects: u64 = c.store.namespaces.iter().map(|ns| {
        let (m, p, _) = c.node_objects(node, ns);
        m + p
    }).sum();
    let mut v: HashMap<&str, String> = HashMap::new();
    v.insert("cluster_size", alive.len().to_string());
    v.insert("cluster_key", format!("{:X}", c.cluster_key.load(Ordering::Relaxed)));
    v.insert("cluster_generation", c.generation().to_string());
    v.insert("cluster_principal", principal.clone());
    v.insert("paxos_principal", principal);
    v.insert("uptime", c.started.elapsed().as_secs().to_string());
    v.insert("time_since_rebalance", c.started.elapsed().as_secs().to_string());
    v.insert("objects", objects.to_string());
    for (k, counter) in [
        ("client_connections", &s.client_connections),
        ("client_connections_opened", &s.client_connections_opened),
        ("client_connections_closed", &s.client_connections_closed),
        ("info_complete", &s.info_complete),
        ("demarshal_error", &s.proto_errors),
        ("batch_index_initiate", &s.batch_index_initiate),
        ("batch_index_complete", &s.batch_index_initiate),
    ] {
        v.insert(k, get(counter).to_string());
    }
    let mut out = String::new();
    render(fields::STATISTICS, &v, &mut out);
    out
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
    // The server records the definition in its SMD whatever the namespace and answers ok; an
    // unknown namespace shows up when the client polls sindex-stat (ERROR:20).
    let Some(ns) = c.store.ns(ns_name.as_bytes()) else {
        return "ok".into();
    };
    if let Some(set) = &idx.set {
        let _ = ns.register_set(set); // sindex.c: an index's set exists from its creation
    }
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
        return "ERROR:20:namespace not found on node".into();
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
        return "ERROR:20:namespace not found on node".into();
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
    if ns_name.is_empty() {
        return "ERROR:20:namespace not found".into(); // as Aerospike 8.1 answers an empty name
    }
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
        assert_eq!(lines[1], format!("build\t{BUILD}"));
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
