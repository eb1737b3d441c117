//! The official `aerospike-core` 3 client judges the dev server.
//!
//! Each test starts its own dev server binary on free loopback ports (killed on drop), or uses the
//! cluster named by `AEROSPIKE_HOSTS` (then the 3-node test is skipped). Expected values come from
//! the real server's behaviour, so the same tests pass against Aerospike 8.1 CE.

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use aerospike_core::operations;
use aerospike_core::query::Filter;
use aerospike_core::{
    as_bin, as_key, BatchDeletePolicy, BatchOperation, BatchPolicy, BatchReadPolicy,
    BatchWritePolicy, Bins, Client, ClientPolicy, CollectionIndexType, Expiration,
    GenerationPolicy, IndexType, Key, PartitionFilter, QueryPolicy, ReadPolicy,
    RecordExistsAction, ResultCode, Statement, Task, Value, WritePolicy,
};
use futures::StreamExt;

const NS: &str = "test";

/// A dev server process (or nothing, when AEROSPIKE_HOSTS names a real cluster).
struct Server {
    child: Option<Child>,
    hosts: String,
}

impl Server {
    /// `None` when the test needs a dev server cluster but AEROSPIKE_HOSTS is set.
    fn start(nodes: u16) -> Option<Server> {
        if let Ok(hosts) = std::env::var("AEROSPIKE_HOSTS") {
            if !hosts.trim().is_empty() {
                if nodes > 1 {
                    return None;
                }
                return Some(Server { child: None, hosts });
            }
        }
        let base = free_port_run(nodes);
        let child = Command::new(env!("CARGO_BIN_EXE_aerospike-devserver"))
            .args(["--port", &base.to_string(), "--nodes", &nodes.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dev server");
        let server = Server {
            child: Some(child),
            hosts: format!("127.0.0.1:{base}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        for port in base..base + nodes {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "dev server did not listen on {port}");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Some(server)
    }

    async fn client(&self) -> Client {
        Client::new(&ClientPolicy::default(), &self.hosts.as_str())
            .await
            .expect("connect official client")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A base port whose next `count` ports are free on loopback.
fn free_port_run(count: u16) -> u16 {
    for _ in 0..200 {
        let base = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if base.checked_add(count).is_none() {
            continue;
        }
        if (base..base + count).all(|p| TcpListener::bind(("127.0.0.1", p)).is_ok()) {
            return base;
        }
    }
    panic!("no run of free ports");
}

/// A set name no other test (or earlier run against a real cluster) uses.
fn unique_set(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("rs_{tag}_{}_{nanos:x}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

fn server_code<T: std::fmt::Debug>(res: aerospike_core::Result<T>) -> Option<ResultCode> {
    res.expect_err("expected a server error").server_result_code()
}

async fn scan_ids(client: &Client, set: &str, filter: PartitionFilter, stmt_filter: Option<Filter>) -> Vec<i64> {
    let mut stmt = Statement::new(NS, set, Bins::All);
    if let Some(f) = stmt_filter {
        stmt.set_filter(f);
    }
    let rs = client.query(&QueryPolicy::default(), filter, stmt).await.expect("query");
    let mut stream = rs.into_stream();
    let mut ids = Vec::new();
    while let Some(rec) = stream.next().await {
        let rec = rec.expect("record");
        match rec.bins.get("id") {
            Some(Value::Int(i)) => ids.push(*i),
            other => panic!("record without int id bin: {other:?}"),
        }
    }
    ids.sort_unstable();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_get_exists_touch_delete() {
    let server = Server::start(1).unwrap();
    let client = server.client().await;
    let set = unique_set("kv");
    let key = as_key!(NS, set.as_str(), "k1");
    let wp = WritePolicy::default();
    let rp = ReadPolicy::default();

    client
        .put(&wp, &key, &[as_bin!("i", 42), as_bin!("s", "str"), as_bin!("f", 1.5)])
        .await
        .unwrap();
    let rec = client.get(&rp, &key, Bins::All).await.unwrap();
    assert_eq!(rec.generation, 1);
    assert_eq!(rec.bins.get("i"), Some(&Value::from(42)));
    assert_eq!(rec.bins.get("s"), Some(&Value::from("str")));
    assert_eq!(rec.bins.get("f"), Some(&Value::from(1.5)));

    let only = client.get(&rp, &key, Bins::from(["s"])).await.unwrap();
    assert_eq!(only.bins.len(), 1);
    assert!(client.exists(&rp, &key).await.unwrap());

    let mut touch = WritePolicy::default();
    touch.expiration = Expiration::Seconds(1000);
    client.touch(&touch, &key).await.unwrap();
    let rec = client.get(&rp, &key, Bins::None).await.unwrap();
    assert_eq!(rec.generation, 2);
    let ttl = rec.time_to_live().expect("ttl set").as_secs();
    assert!((990..=1000).contains(&ttl), "ttl {ttl}");

    assert!(client.delete(&wp, &key).await.unwrap());
    assert!(!client.delete(&wp, &key).await.unwrap());
    assert!(!client.exists(&rp, &key).await.unwrap());
    assert_eq!(server_code(client.get(&rp, &key, Bins::All).await), Some(ResultCode::KeyNotFoundError));
    assert_eq!(server_code(client.touch(&wp, &key).await), Some(ResultCode::KeyNotFoundError));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operate_add_append_read_touch_delete() {
    let server = Server::start(1).unwrap();
    let client = server.client().await;
    let set = unique_set("op");
    let key = as_key!(NS, set.as_str(), 7);
    let wp = WritePolicy::default();

    let ops = [
        operations::put(&as_bin!("n", 10)),
        operations::add(&as_bin!("n", 5)),
        operations::append(&as_bin!("s", "b")),
        operations::prepend(&as_bin!("s", "a")),
        operations::get_bin("n"),
        operations::get_bin("s"),
    ];
    let rec = client.operate(&wp, &key, &ops).await.unwrap();
    // One positional answer per op (write ops answer nil: the client asks for respond-all-ops).
    assert_eq!(
        rec.results.as_deref(),
        Some(&[Value::Nil, Value::Nil, Value::Nil, Value::Nil, Value::from(15), Value::from("ab")][..])
    );
    assert_eq!(rec.generation, 1);

    let rec = client.operate(&wp, &key, &[operations::touch(), operations::get()]).await.unwrap();
    assert_eq!(rec.generation, 2);
    assert_eq!(rec.bins.len(), 2);

    // Increment of a string bin: AS_ERR_INCOMPATIBLE_TYPE (particle_string.c / write.c).
    let bad = client.operate(&wp, &key, &[operations::add(&as_bin!("s", 1))]).await;
    assert_eq!(server_code(bad), Some(ResultCode::BinTypeError));

    client.operate(&wp, &key, &[operations::delete()]).await.unwrap();
    assert!(!client.exists(&ReadPolicy::default(), &key).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generation_and_exists_policies_report_server_codes() {
    let server = Server::start(1).unwrap();
    let client = server.client().await;
    let set = unique_set("gen");
    let key = as_key!(NS, set.as_str(), "g");
    client.put(&WritePolicy::default(), &key, &[as_bin!("a", 1)]).await.unwrap();

    let mut gen_eq = WritePolicy::default();
    gen_eq.generation_policy = GenerationPolicy::ExpectGenEqual;
    gen_eq.generation = 5;
    let res = client.put(&gen_eq, &key, &[as_bin!("a", 2)]).await;
    assert_eq!(server_code(res), Some(ResultCode::GenerationError));
    gen_eq.generation = 1;
    client.put(&gen_eq, &key, &[as_bin!("a", 2)]).await.unwrap();

    let mut create = WritePolicy::default();
    create.record_exists_action = RecordExistsAction::CreateOnly;
    let res = client.put(&create, &key, &[as_bin!("a", 3)]).await;
    assert_eq!(server_code(res), Some(ResultCode::KeyExistsError));

    let mut update_only = WritePolicy::default();
    update_only.record_exists_action = RecordExistsAction::UpdateOnly;
    let missing = as_key!(NS, set.as_str(), "missing");
    let res = client.put(&update_only, &missing, &[as_bin!("a", 1)]).await;
    assert_eq!(server_code(res), Some(ResultCode::KeyNotFoundError));

    let mut replace_only = WritePolicy::default();
    replace_only.record_exists_action = RecordExistsAction::ReplaceOnly;
    client.put(&replace_only, &key, &[as_bin!("b", 9)]).await.unwrap();
    let rec = client.get(&ReadPolicy::default(), &key, Bins::All).await.unwrap();
    assert_eq!(rec.bins.len(), 1);
    assert_eq!(rec.bins.get("b"), Some(&Value::from(9)));
    assert_eq!(rec.generation, 3);

    // Durable delete is an Enterprise feature (rw_utils_ce.c validate_delete_durability).
    let mut durable = WritePolicy::default();
    durable.durable_delete = true;
    assert_eq!(server_code(client.delete(&durable, &key).await), Some(ResultCode::EnterpriseOnly));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_read_write_delete_operate_per_record_results() {
    let server = Server::start(1).unwrap();
    let client = server.client().await;
    let set = unique_set("batch");
    let wp = WritePolicy::default();
    let keys: Vec<Key> = (0..6).map(|i| as_key!(NS, set.as_str(), i)).collect();
    for (i, k) in keys.iter().enumerate().take(4) {
        client.put(&wp, k, &[as_bin!("id", i as i64), as_bin!("s", format!("s{i}"))]).await.unwrap();
    }

    // Reads: 0..3 exist, 4 and 5 do not.
    let brp = BatchReadPolicy::default();
    let mut reads: Vec<BatchOperation> = keys.iter().map(|k| BatchOperation::read(&brp, k.clone(), Bins::All)).collect();
    client.batch(&BatchPolicy::default(), &mut reads).await.unwrap();
    for (i, op) in reads.iter().enumerate() {
        if i < 4 {
            assert_eq!(op.result_code(), Some(ResultCode::Ok), "row {i}");
            assert_eq!(op.record().unwrap().bins.get("id"), Some(&Value::from(i as i64)));
        } else {
            assert_eq!(op.result_code(), Some(ResultCode::KeyNotFoundError), "row {i}");
            assert!(op.record().is_none());
        }
    }

    // Mixed write / create-only conflict / delete / delete-missing / read-ops.
    let bwp = BatchWritePolicy::default();
    let mut create_only = BatchWritePolicy::default();
    create_only.record_exists_action = RecordExistsAction::CreateOnly;
    let bdp = BatchDeletePolicy::default();
    let mut mixed = vec![
        BatchOperation::write(&bwp, keys[0].clone(), vec![operations::add(&as_bin!("id", 100)), operations::get_bin("id")]),
        BatchOperation::write(&create_only, keys[1].clone(), vec![operations::put(&as_bin!("x", 1))]),
        BatchOperation::delete(&bdp, keys[2].clone()),
        BatchOperation::delete(&bdp, keys[5].clone()),
        BatchOperation::read_ops(&brp, keys[3].clone(), vec![operations::get_bin("s")]),
        BatchOperation::write(&create_only, keys[4].clone(), vec![operations::put(&as_bin!("id", 4))]),
    ];
    client.batch(&BatchPolicy::write_default(), &mut mixed).await.unwrap();
    let codes: Vec<Option<ResultCode>> = mixed.iter().map(|op| op.result_code()).collect();
    assert_eq!(
        codes,
        vec![
            Some(ResultCode::Ok),
            Some(ResultCode::KeyExistsError),
            Some(ResultCode::Ok),
            Some(ResultCode::KeyNotFoundError),
            Some(ResultCode::Ok),
            Some(ResultCode::Ok),
        ]
    );
    assert_eq!(mixed[0].record().unwrap().operation_result(1), Some(&Value::from(100)));
    assert_eq!(mixed[4].record().unwrap().bins.get("s"), Some(&Value::from("s3")));

    let rp = ReadPolicy::default();
    assert!(!client.exists(&rp, &keys[2]).await.unwrap());
    assert!(client.exists(&rp, &keys[4]).await.unwrap());
    let one = client.get(&rp, &keys[1], Bins::All).await.unwrap();
    assert!(one.bins.get("x").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_scan_returns_exactly_the_requested_partitions() {
    let server = Server::start(1).unwrap();
    let client = server.client().await;
    let set = unique_set("scan");
    let wp = WritePolicy::default();
    let mut by_partition = Vec::new();
    for i in 0..80i64 {
        let key = as_key!(NS, set.as_str(), i);
        by_partition.push((key.partition_id(), i));
        client.put(&wp, &key, &[as_bin!("id", i)]).await.unwrap();
    }

    let all = scan_ids(&client, &set, PartitionFilter::all(), None).await;
    assert_eq!(all, (0..80).collect::<Vec<_>>());

    let low = scan_ids(&client, &set, PartitionFilter::by_range(0, 2048), None).await;
    let high = scan_ids(&client, &set, PartitionFilter::by_range(2048, 2048), None).await;
    let want_low: Vec<i64> = {
        let mut v: Vec<i64> = by_partition.iter().filter(|(p, _)| *p < 2048).map(|(_, i)| *i).collect();
        v.sort_unstable();
        v
    };
    assert_eq!(low, want_low);
    assert_eq!(low.len() + high.len(), 80);
    let union: BTreeSet<i64> = low.iter().chain(high.iter()).copied().collect();
    assert_eq!(union.len(), 80);

    let (pid, id) = by_partition[17];
    let one = scan_ids(&client, &set, PartitionFilter::by_id(pid), None).await;
    assert!(one.contains(&id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secondary_index_range_and_equality_queries() {
    let server = Server::start(1).unwrap();
    let client = server.client().await;
    let set = unique_set("six");
    let wp = WritePolicy::default();
    for i in 0..50i64 {
        let key = as_key!(NS, set.as_str(), i);
        client
            .put(&wp, &key, &[as_bin!("id", i), as_bin!("tag", format!("t{}", i % 4))])
            .await
            .unwrap();
    }
    let admin = aerospike_core::AdminPolicy::default();
    let num_ix = format!("{set}_id");
    let str_ix = format!("{set}_tag");
    let task = client
        .create_index_on_bin(&admin, NS, &set, "id", &num_ix, IndexType::Numeric, CollectionIndexType::Default, None)
        .await
        .unwrap();
    task.wait_till_complete(Some(Duration::from_secs(20))).await.unwrap();
    let task = client
        .create_index_on_bin(&admin, NS, &set, "tag", &str_ix, IndexType::String, CollectionIndexType::Default, None)
        .await
        .unwrap();
    task.wait_till_complete(Some(Duration::from_secs(20))).await.unwrap();

    let range = scan_ids(&client, &set, PartitionFilter::all(), Some(Filter::range("id", 10, 19))).await;
    assert_eq!(range, (10..20).collect::<Vec<_>>());
    let eq = scan_ids(&client, &set, PartitionFilter::all(), Some(Filter::equal("tag", "t3"))).await;
    assert_eq!(eq, (0..50).filter(|i| i % 4 == 3).collect::<Vec<_>>());

    client.drop_index(&admin, NS, &set, &num_ix).await.unwrap();
    client.drop_index(&admin, NS, &set, &str_ix).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_node_cluster_routes_every_key_to_one_master() {
    let Some(server) = Server::start(3) else {
        eprintln!("AEROSPIKE_HOSTS is set: no dev server cluster, skipping");
        return;
    };
    let client = server.client().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.nodes().len() < 3 {
        assert!(Instant::now() < deadline, "client saw {} nodes", client.nodes().len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let names: BTreeSet<String> = client.nodes().iter().map(|n| n.name().to_string()).collect();
    assert_eq!(names.len(), 3);

    let set = unique_set("cluster");
    let wp = WritePolicy::default();
    let rp = ReadPolicy::default();
    for i in 0..150i64 {
        client.put(&wp, &as_key!(NS, set.as_str(), i), &[as_bin!("id", i)]).await.unwrap();
    }
    for i in 0..150i64 {
        let rec = client.get(&rp, &as_key!(NS, set.as_str(), i), Bins::All).await.unwrap();
        assert_eq!(rec.bins.get("id"), Some(&Value::from(i)));
    }
    // Every record exactly once across the three nodes' partitions.
    let all = scan_ids(&client, &set, PartitionFilter::all(), None).await;
    assert_eq!(all, (0..150).collect::<Vec<_>>());

    // Per node, the server's own record count: masters sum to what we wrote.
    let mut masters = 0u64;
    for node in client.nodes() {
        let info = node
            .info(&aerospike_core::AdminPolicy::default(), &[&format!("namespace/{NS}")])
            .await
            .unwrap();
        let text = info.values().next().cloned().unwrap_or_default();
        let master = text
            .split(';')
            .find_map(|kv| kv.strip_prefix("master_objects="))
            .expect("master_objects in namespace info");
        masters += master.parse::<u64>().unwrap();
    }
    assert_eq!(masters, 150);

    // A batch spanning all nodes.
    let brp = BatchReadPolicy::default();
    let mut reads: Vec<BatchOperation> =
        (0..150i64).map(|i| BatchOperation::read(&brp, as_key!(NS, set.as_str(), i), Bins::All)).collect();
    client.batch(&BatchPolicy::default(), &mut reads).await.unwrap();
    assert!(reads.iter().all(|op| op.result_code() == Some(ResultCode::Ok)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_and_truncate() {
    let server = Server::start(1).unwrap();
    let client = server.client().await;
    let admin = aerospike_core::AdminPolicy::default();
    let info = client.info(&admin, &["build", "namespaces"]).await.unwrap();
    let build = info.get("build").expect("build answered");
    assert!(build.split('.').next().unwrap().parse::<u32>().is_ok(), "build {build}");
    assert!(info.get("namespaces").unwrap().split(';').any(|ns| ns == NS));

    let set = unique_set("trunc");
    let wp = WritePolicy::default();
    for i in 0..20i64 {
        client.put(&wp, &as_key!(NS, set.as_str(), i), &[as_bin!("id", i)]).await.unwrap();
    }
    // Truncate-to-now spares records written in its own millisecond (server truncate.c).
    tokio::time::sleep(Duration::from_millis(50)).await;
    client.truncate(&admin, NS, &set, 0).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = scan_ids(&client, &set, PartitionFilter::all(), None).await;
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "{} records left after truncate", left.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!client.exists(&ReadPolicy::default(), &as_key!(NS, set.as_str(), 3)).await.unwrap());
}
