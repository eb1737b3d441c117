//! aerospike-devserver: an in-memory, Aerospike-wire-compatible server for tests, demos and benchmarks.
//! See devserver/README.md for flags, control commands and what is deliberately left out.

mod b64;
mod batch;
mod cdt;
mod cdt_list;
mod cdt_map;
mod cdt_select;
mod clock;
mod cluster;
mod config;
mod control;
mod exp;
mod faults;
mod frame;
mod geo;
mod info;
mod info_fields;
mod msgpack;
mod particle;
mod proto;
mod regex;
mod scan;
mod server;
mod sindex;
mod stats;
mod store;
mod txn;

#[cfg(test)]
mod fuzz_tests;

use std::sync::Arc;
use std::time::Duration;

fn main() {
    let cfg = match config::Config::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(msg) if msg == "help" => {
            println!("{}", config::USAGE);
            return;
        }
        Err(msg) => {
            eprintln!("aerospike-devserver: {msg}\n{}", config::USAGE);
            std::process::exit(2);
        }
    };
    // Values and expressions nest up to msgpack::MAX_DEPTH levels and are parsed, compared and
    // evaluated recursively: give the workers room for that (address space; pages are touched only
    // as deep as a request goes).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(8 << 20)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(run(cfg));
}

async fn run(cfg: config::Config) {
    let store = store::Store::new(&cfg.namespaces, cfg.memory_limit, cfg.nsup);
    let c = Arc::new(cluster::Cluster::new(&cfg.host, cfg.port, cfg.nodes, store));
    // Bind every node before reporting readiness so a bad port fails fast.
    for i in 0..cfg.nodes {
        let addr = format!("{}:{}", cfg.host, c.nodes[i].port);
        if let Err(e) = std::net::TcpListener::bind(&addr) {
            eprintln!("aerospike-devserver: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    }
    for i in 0..cfg.nodes {
        tokio::spawn(server::run_node(c.clone(), i));
    }
    if cfg.nsup {
        let c2 = c.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let c3 = c2.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    for ns in &c3.store.namespaces {
                        ns.sweep_expired();
                    }
                })
                .await;
            }
        });
    }
    eprintln!(
        "aerospike-devserver: {} node(s) on {}:{}..{} namespaces {}",
        cfg.nodes,
        cfg.host,
        cfg.port,
        cfg.port as usize + cfg.nodes - 1,
        cfg.namespaces.join(",")
    );
    wait_for_signal().await;
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
