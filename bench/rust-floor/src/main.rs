//! Benchmark floor: the workloads of `bench/` on aerospike-core with no Python in the way.
//!
//! Speaks the same line protocol as `bench/worker.py` (one JSON request per stdin line, one JSON
//! reply per stdout line), so the orchestrator measures it exactly like the Python contenders.
//! `--runtime current` gives a current-thread tokio runtime (sequential latency floor),
//! `--runtime multi` a multi-thread one (throughput floor with N operations in flight).

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aerospike_core::operations;
use aerospike_core::{
    BatchOperation, BatchPolicy, BatchReadPolicy, Bin, Bins, Client, ClientPolicy, Key,
    PartitionFilter, QueryPolicy, ReadPolicy, Statement, Value, WritePolicy,
};
use futures::StreamExt;
use serde_json::{Value as Json, json};

const BATCH_SIZE: u64 = 100;

/// What one `run` request asks for; mirrors the fields `bench/worker.py` reads.
#[derive(Clone)]
struct Spec {
    workload: String,
    namespace: String,
    set: String,
    query_set: String,
    size: usize,
    keys: u64,
    query_count: u64, // expected records of a query, 0 = not checked
}

/// Per-process state: the client once connected, and the payload written by puts.
struct Floor {
    client: Option<Arc<Client>>,
    runtime_kind: String,
}

fn main() {
    let mut runtime_kind = String::from("current");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--runtime" {
            runtime_kind = args.next().unwrap_or_default();
        }
    }
    let rt = match runtime_kind.as_str() {
        "current" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        "multi" => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
        other => {
            eprintln!("unknown --runtime {other} (current|multi)");
            std::process::exit(2);
        }
    }
    .expect("tokio runtime");

    let mut floor = Floor {
        client: None,
        runtime_kind,
    };
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<Json>(&line) {
            Ok(req) => {
                if req["cmd"] == "quit" {
                    break;
                }
                rt.block_on(floor.handle(&req))
                    .unwrap_or_else(|e| json!({"ok": false, "error": e}))
            }
            Err(e) => json!({"ok": false, "error": format!("bad request: {e}")}),
        };
        let _ = writeln!(out, "{reply}");
        let _ = out.flush();
    }
    if let Some(c) = floor.client.take() {
        let _ = rt.block_on(c.close());
    }
}

fn spec_of(req: &Json) -> Result<Spec, String> {
    Ok(Spec {
        workload: field_str(req, "workload")?,
        namespace: field_str(req, "namespace")?,
        set: field_str(req, "set")?,
        query_set: req["query_set"].as_str().unwrap_or("").to_string(),
        size: field_u64(req, "size", 100) as usize,
        keys: field_u64(req, "keys", 1000).max(BATCH_SIZE + 1),
        query_count: field_u64(req, "query_count", 0),
    })
}

fn field_str(req: &Json, name: &str) -> Result<String, String> {
    req[name]
        .as_str()
        .map(String::from)
        .ok_or_else(|| format!("missing string field {name}"))
}

fn field_u64(req: &Json, name: &str, default: u64) -> u64 {
    req[name].as_u64().unwrap_or(default)
}

fn field_f64(req: &Json, name: &str, default: f64) -> f64 {
    req[name].as_f64().unwrap_or(default)
}

impl Floor {
    async fn handle(&mut self, req: &Json) -> Result<Json, String> {
        match req["cmd"].as_str().unwrap_or("") {
            "connect" => {
                let hosts = field_str(req, "hosts")?;
                let client = Client::new(&ClientPolicy::default(), &hosts)
                    .await
                    .map_err(|e| e.to_string())?;
                self.client = Some(Arc::new(client));
                Ok(
                    json!({"ok": true, "version": format!("aerospike-core 3 ({} runtime)", self.runtime_kind)}),
                )
            }
            "seed" => {
                let client = self.client()?;
                let (ns, set) = (field_str(req, "namespace")?, field_str(req, "set")?);
                let (count, size) = (
                    field_u64(req, "count", 0),
                    field_u64(req, "size", 100) as usize,
                );
                let payload = Value::Blob(vec![b'x'; size]);
                let policy = WritePolicy::default();
                for i in 0..count {
                    let key = Key::new(ns.as_str(), set.as_str(), Value::from(i as i64))
                        .map_err(|e| e.to_string())?;
                    let bins = [
                        Bin::new("v", payload.clone()),
                        Bin::new("n", Value::from(0i64)),
                    ];
                    client
                        .put(&policy, &key, &bins)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Ok(json!({"ok": true}))
            }
            "check" => {
                // One operation of the workload (batch and query answers are verified there), then
                // the payload length of record 0, which the orchestrator compares with the size.
                let client = self.client()?;
                let spec = spec_of(req)?;
                one_op(&client, &spec, &Value::Blob(vec![b'x'; spec.size]), 0).await?;
                let key = Key::new(
                    spec.namespace.as_str(),
                    spec.set.as_str(),
                    Value::from(0i64),
                )
                .map_err(|e| e.to_string())?;
                let rec = client
                    .get(&ReadPolicy::default(), &key, Bins::All)
                    .await
                    .map_err(|e| e.to_string())?;
                let len = match rec.bins.get("v") {
                    Some(Value::Blob(b)) => b.len(),
                    Some(Value::String(s)) => s.len(),
                    _ => 0,
                };
                Ok(json!({"ok": true, "v_len": len}))
            }
            "run" => {
                let client = self.client()?;
                let spec = spec_of(req)?;
                let conc = field_u64(req, "concurrency", 1).max(1) as usize;
                let warmup = Duration::from_secs_f64(field_f64(req, "warmup", 0.0));
                let seconds = Duration::from_secs_f64(field_f64(req, "seconds", 1.0));
                let min_ops = field_u64(req, "min_ops", 1);
                if !warmup.is_zero() {
                    measure(&client, &spec, conc, warmup, 1).await;
                }
                let cpu0 = cpu_seconds();
                let t0 = Instant::now();
                let m = measure(&client, &spec, conc, seconds, min_ops).await;
                let elapsed = t0.elapsed().as_secs_f64();
                let cpu = cpu_seconds() - cpu0;
                Ok(m.to_json(elapsed, cpu))
            }
            other => Err(format!("unknown cmd {other:?}")),
        }
    }

    fn client(&self) -> Result<Arc<Client>, String> {
        self.client
            .clone()
            .ok_or_else(|| "not connected".to_string())
    }
}

/// Latencies (ns) of successful operations, error count and the first error seen.
#[derive(Default)]
struct Measured {
    lat: Vec<u64>,
    errors: u64,
    first_error: Option<String>,
}

impl Measured {
    fn merge(&mut self, other: Measured) {
        self.lat.extend(other.lat);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn to_json(mut self, elapsed: f64, cpu: f64) -> Json {
        self.lat.sort_unstable();
        let pct = |p: f64| -> f64 {
            if self.lat.is_empty() {
                return 0.0;
            }
            let idx = ((self.lat.len() as f64 - 1.0) * p).round() as usize;
            self.lat[idx] as f64 / 1000.0
        };
        json!({
            "ok": true, "ops": self.lat.len(), "errors": self.errors, "first_error": self.first_error,
            "elapsed": elapsed, "cpu": cpu, "p50_us": pct(0.50), "p99_us": pct(0.99),
        })
    }
}

/// Runs `conc` loops (one inline when conc == 1) until `dur` has passed and `min_ops` were done.
async fn measure(
    client: &Arc<Client>,
    spec: &Spec,
    conc: usize,
    dur: Duration,
    min_ops: u64,
) -> Measured {
    let counter = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + dur;
    if conc == 1 {
        return op_loop(client.clone(), spec.clone(), counter, deadline, min_ops).await;
    }
    let mut tasks = Vec::with_capacity(conc);
    for _ in 0..conc {
        tasks.push(tokio::spawn(op_loop(
            client.clone(),
            spec.clone(),
            counter.clone(),
            deadline,
            min_ops,
        )));
    }
    let mut all = Measured::default();
    for t in tasks {
        match t.await {
            Ok(m) => all.merge(m),
            Err(e) => {
                all.errors += 1;
                all.first_error.get_or_insert(e.to_string());
            }
        }
    }
    all
}

async fn op_loop(
    client: Arc<Client>,
    spec: Spec,
    counter: Arc<AtomicU64>,
    deadline: Instant,
    min_ops: u64,
) -> Measured {
    let mut m = Measured::default();
    let payload = Value::Blob(vec![b'x'; spec.size]);
    loop {
        let i = counter.fetch_add(1, Ordering::Relaxed);
        if i >= min_ops && Instant::now() >= deadline {
            break;
        }
        let t = Instant::now();
        match one_op(&client, &spec, &payload, i).await {
            Ok(()) => m.lat.push(t.elapsed().as_nanos() as u64),
            Err(e) => {
                m.errors += 1;
                m.first_error.get_or_insert(e);
            }
        }
    }
    m
}

async fn one_op(client: &Client, spec: &Spec, payload: &Value, i: u64) -> Result<(), String> {
    let err = |e: aerospike_core::Error| e.to_string();
    let key_of = |k: u64| {
        Key::new(
            spec.namespace.as_str(),
            spec.set.as_str(),
            Value::from(k as i64),
        )
        .map_err(err)
    };
    match spec.workload.as_str() {
        "put" => {
            let bins = [
                Bin::new("v", payload.clone()),
                Bin::new("n", Value::from(i as i64)),
            ];
            client
                .put(&WritePolicy::default(), &key_of(i % spec.keys)?, &bins)
                .await
                .map_err(err)
        }
        "get" => client
            .get(&ReadPolicy::default(), &key_of(i % spec.keys)?, Bins::All)
            .await
            .map(drop)
            .map_err(err),
        "select" => client
            .get(&ReadPolicy::default(), &key_of(i % spec.keys)?, ["n"])
            .await
            .map(drop)
            .map_err(err),
        "exists" => match client
            .exists(&ReadPolicy::default(), &key_of(i % spec.keys)?)
            .await
        {
            Ok(true) => Ok(()),
            Ok(false) => Err("record missing".into()),
            Err(e) => Err(e.to_string()),
        },
        "operate" => {
            let ops = [operations::add(&Bin::new("n", Value::from(1i64)))];
            client
                .operate(&WritePolicy::default(), &key_of(i % spec.keys)?, &ops)
                .await
                .map(drop)
                .map_err(err)
        }
        "batch_read" => {
            let start = (i * BATCH_SIZE) % (spec.keys - BATCH_SIZE + 1);
            let brp = BatchReadPolicy::default();
            let mut ops = Vec::with_capacity(BATCH_SIZE as usize);
            for k in start..start + BATCH_SIZE {
                ops.push(BatchOperation::read(&brp, key_of(k)?, Bins::All));
            }
            client
                .batch(&BatchPolicy::default(), &mut ops)
                .await
                .map_err(err)?;
            let found = ops.iter().filter(|o| o.record().is_some()).count();
            if found as u64 != BATCH_SIZE {
                return Err(format!("batch found {found} of {BATCH_SIZE}"));
            }
            Ok(())
        }
        "query" => {
            let stmt = Statement::new(spec.namespace.as_str(), spec.query_set.as_str(), Bins::All);
            let rs = client
                .query(&QueryPolicy::default(), PartitionFilter::all(), stmt)
                .await
                .map_err(err)?;
            let mut stream = rs.into_stream();
            let mut n = 0usize;
            while let Some(r) = stream.next().await {
                r.map_err(err)?;
                n += 1;
            }
            if n == 0 || (spec.query_count > 0 && n as u64 != spec.query_count) {
                return Err(format!(
                    "query returned {n} records, expected {}",
                    spec.query_count
                ));
            }
            Ok(())
        }
        other => Err(format!("unknown workload {other}")),
    }
}

/// User + system CPU seconds of this whole process (all runtime threads).
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes into the zeroed struct we pass it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}
