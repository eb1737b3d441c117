// Copyright 2015-2026 Aerospike, Inc.
//
// Portions may be licensed to Aerospike, Inc. under one or more contributor
// license agreements.
//
// Licensed under the Apache License, Version 2.0 (the "License"); you may not
// use this file except in compliance with the License. You may obtain a copy of
// the License at http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
// WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
// License for the specific language governing permissions and limitations under
// the License.

use crate::commands::QueryExplainCommand;
use std::fmt::Write as FmtWrite;
use std::path::Path;
use std::str;
use std::sync::Arc;
use std::vec::Vec;

use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};

use aerospike_rt::sleep;

use crate::batch::{BatchExecutor, BatchOperation};
use crate::cluster::{Cluster, Node};
use crate::commands::admin_command::AdminCommand;
use crate::commands::buffer::Buffer;
use crate::commands::{
    DeleteCommand, ExecuteUdfCommand, ExistsCommand, OperateCommand, QueryCommand, ReadCommand,
    ServerCommand, TouchCommand, WriteCommand,
};
use crate::errors::{Error, ErrorKind, Result};
use crate::expressions::Expression;
use crate::net::ToHosts;
use crate::operations::cdt_context::{to_base64, CdtContext};
use crate::operations::{Operation, OperationType};
use crate::policy::Policy;
use crate::policy::{
    AdminPolicy, BatchPolicy, ClientPolicy, QueryPolicy, ReadPolicy, TxnRollPolicy,
    TxnVerifyPolicy, WritePolicy,
};
use crate::query::plan::{QueryPlan, QueryWhereWire, FLAG_EXPLAIN, FLAG_HARD_HINT};
#[cfg(feature = "lua")]
use crate::query::ResultSet;
use crate::query::{CallbackCtx, PartitionFilter, PartitionTracker, QueryHandle, QuerySink};
use crate::task::{DropIndexTask, ExecuteTask, IndexTask, RegisterTask, UdfRemoveTask};
use crate::txn::{AbortStatus, CommitStatus, Txn, TxnState};
use crate::txn_roll::TxnRoll;
use crate::Version;
use crate::{
    BatchRecord, Bin, Bins, CollectionIndexType, IndexType, Key, Privilege, Record, Recordset,
    ResultCode, Role, Statement, UdfLang, User, Value,
};
use aerospike_rt::fs::File;
#[cfg(feature = "rt-tokio")]
use aerospike_rt::io::AsyncReadExt;
use aerospike_rt::time::Duration;
use aerospike_rt::Semaphore;
#[cfg(feature = "rt-async-std")]
use futures::AsyncReadExt;

const MAX_PERMITS: usize = 256;

/// Instantiate a Client instance to access an Aerospike database cluster and perform database
/// operations.
///
/// The client is thread-safe, and cloning it is cheap: every clone shares
/// the same cluster, connection pools and background tasks, so hand a clone
/// to each task or thread rather than opening a second client to the same
/// cluster. [`close`](Self::close) shuts that shared cluster down for every
/// clone.
///
/// Your application uses this class' API to perform database operations such as writing and
/// reading records, and selecting sets of records. Write operations include specialized
/// functionality such as append/prepend and arithmetic addition.
///
/// Each record may have multiple bins, unless the Aerospike server nodes are configured as
/// "single-bin". In "multi-bin" mode, partial records may be written or read by specifying the
/// relevant subset of bins.
///
/// # See also
///
/// * [`Client::new`] to create a client, [`Client::close`] to shut it down
/// * [`ClientPolicy`] for connection configuration
#[derive(Clone)]
pub struct Client {
    /// Cluster management object holding the cluster map and node connections.
    /// Reached through [`nodes`](Self::nodes), [`node_names`](Self::node_names),
    /// [`get_node`](Self::get_node) and [`random_node`](Self::random_node).
    pub(crate) cluster: Arc<Cluster>,
}

// The client crosses threads by virtue of its fields, never by assertion: a
// field that stops being thread-safe fails this line instead of compiling.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Client>();
};

/// Closes a query sink when dropped, so consumers are released whether the
/// producer task finished, failed or panicked. An explicit `close()` at the
/// end of the task used to leave a `Recordset` reader waiting forever after
/// a panic, because the recordset holds both ends of its channel.
struct CloseSinkOnExit(QuerySink);

impl Drop for CloseSinkOnExit {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl Client {
    /// Initializes Aerospike client with suitable hosts to seed the cluster map. The client policy
    /// is used to set defaults and size internal data structures. For each host connection that
    /// succeeds, the client will:
    ///
    /// - Add host to the cluster map
    /// - Request host's list of other nodes in cluster
    /// - Add these nodes to the cluster map
    ///
    /// In most cases, only one host is necessary to seed the cluster. The remaining hosts are
    /// added as future seeds in case of a complete network failure.
    ///
    /// If one connection succeeds, the client is ready to process database requests. If all
    /// connections fail and the policy's `fail_`
    ///
    /// The seed hosts to connect to (one or more) can be specified as a comma-separated list of
    /// hostnames or IP addresses with optional port numbers, e.g.
    ///
    /// ```text
    /// 10.0.0.1:3000,10.0.0.2:3000,10.0.0.3:3000
    /// ```
    ///
    /// Port 3000 is used by default if the port number is omitted for any of the hosts.
    ///
    /// # Arguments
    ///
    /// * `policy` — Client policy (timeouts, connection limits, authentication). An inconsistent
    ///   policy (a minimum pool larger than the maximum, a tend interval under 250 ms, TLS
    ///   for the login only without authentication) is rejected here with an error before
    ///   any connection is made.
    /// * `hosts` — Seed hosts; any type implementing [`ToHosts`] (e.g. string like `"host1:3000,host2:3000"`).
    ///
    /// # Returns
    ///
    /// `Ok(Client)` once the cluster is **routable**: a seed has connected,
    /// peer discovery has settled, and every known node has contributed to
    /// the partition table. The returned client can route its very first
    /// command — there is no window in which a command fails with "partition
    /// map empty".
    ///
    /// A healthy cluster reaches that state in a single tend cycle. Each tend
    /// costs real network round-trips, plus a `LOGIN` handshake per node on a
    /// security-enabled cluster, so construction takes as long as the cluster
    /// takes to converge — a degraded one may need several tends. It is not
    /// bounded by
    /// [`timeout`](field@ClientPolicy::timeout), which bounds individual info
    /// commands; see
    /// [`fail_if_not_connected`](field@ClientPolicy::fail_if_not_connected)
    /// to control failure instead.
    ///
    /// # Errors
    ///
    /// * Policy validation fails.
    /// * No seed host can be reached — the error names each seed and why it
    ///   failed.
    /// * Nodes are reachable but never produce a partition table, leaving the
    ///   cluster connected yet unroutable.
    ///
    /// The last two are suppressed by setting
    /// [`fail_if_not_connected`](field@ClientPolicy::fail_if_not_connected)
    /// to `false`, which returns a client whose commands fail until the tend
    /// loop converges.
    ///
    /// # Dynamic configuration
    ///
    /// When the `dynamic-config` feature is enabled and the
    /// `AEROSPIKE_CLIENT_CONFIG_URL` environment variable is set, `new`
    /// automatically loads that config file and refreshes it in the background.
    /// The value is a `scheme://path` DSN — e.g.
    /// `file:///etc/aerospike/config.yaml`; a bare path with no scheme is treated
    /// as `file://`. If the variable is unset or empty, dynamic configuration is
    /// off. Use [`new_with_config`](Self::new_with_config) to inject a provider
    /// explicitly instead of relying on the environment variable.
    ///
    /// # See also
    ///
    /// * [`close`](Self::close) to shut down the client
    /// * [`ClientPolicy`] for configuration options
    ///
    /// # Examples
    ///
    /// Using an environment variable to set the list of seed hosts.
    ///
    /// ```rust,edition2021
    /// use aerospike::{Client, ClientPolicy};
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// match Client::new(&ClientPolicy::default(), &hosts).await {
    ///     Ok(client) => { /* use client */ }
    ///     Err(e) => eprintln!("Failed to connect: {}", e),
    /// }
    /// # }
    /// ```
    pub async fn new(policy: &ClientPolicy, hosts: &(dyn ToHosts + Send + Sync)) -> Result<Self> {
        let client = Self::connect(policy, hosts).await?;

        // Auto-enable dynamic configuration when AEROSPIKE_CLIENT_CONFIG_URL is set.
        #[cfg(feature = "dynamic-config")]
        if let Some(provider) = crate::config::provider_from_env() {
            client.cluster.attach_dyn_config(provider).await;
        }

        Ok(client)
    }

    /// Like [`new`](Self::new) but with dynamic configuration enabled from an
    /// explicit [`ConfigProvider`](crate::config::ConfigProvider). Policy
    /// overrides from the provider are loaded immediately and then refreshed in
    /// the background; they layer on top of the policy passed to each operation.
    ///
    /// Use [`config::YamlFileProvider`](crate::config::YamlFileProvider) for a
    /// local YAML file, or implement `ConfigProvider` for another source.
    ///
    /// # Examples
    ///
    /// ```rust,ignore
    /// // Requires the `dynamic-config` feature.
    /// use std::sync::Arc;
    /// use aerospike::{Client, ClientPolicy};
    /// use aerospike::config::YamlFileProvider;
    ///
    /// let provider = Arc::new(YamlFileProvider::new("/etc/aerospike/config.yaml"));
    /// let client = Client::new_with_config(
    ///     &ClientPolicy::default(),
    ///     &"127.0.0.1:3000",
    ///     provider,
    /// ).await?;
    /// # Ok::<(), aerospike::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Same as [`new`](Self::new): policy validation, connectivity, or cluster
    /// discovery failures. A provider that fails its initial load does not fail
    /// construction — it is logged and retried on the next watch tick.
    #[cfg(feature = "dynamic-config")]
    pub async fn new_with_config(
        policy: &ClientPolicy,
        hosts: &(dyn ToHosts + Send + Sync),
        provider: std::sync::Arc<dyn crate::config::ConfigProvider>,
    ) -> Result<Self> {
        let client = Self::connect(policy, hosts).await?;
        client.cluster.attach_dyn_config(provider).await;
        Ok(client)
    }

    /// Validates the policy, resolves seed hosts, and brings up the cluster.
    /// Shared by [`new`](Self::new) and [`new_with_config`](Self::new_with_config).
    async fn connect(policy: &ClientPolicy, hosts: &(dyn ToHosts + Send + Sync)) -> Result<Self> {
        policy.validate()?;
        let hosts = hosts.to_hosts()?;
        let cluster = Cluster::new(policy.clone(), &hosts).await?;

        Ok(Client { cluster })
    }

    /// Closes the connection to the Aerospike cluster, for this client and
    /// every clone of it.
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::{Client, ClientPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.close().await {
    ///     Ok(()) => { /* disconnected */ }
    ///     Err(e) => eprintln!("Error closing client: {}", e),
    /// }
    /// # }
    /// ```
    pub async fn close(&self) -> Result<()> {
        self.cluster.close().await?;
        Ok(())
    }

    /// Returns `true` if the client is connected to any cluster nodes.
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::{Client, ClientPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// if client.is_connected() {
    ///     println!("Connected to cluster");
    /// }
    /// # }
    /// ```
    pub fn is_connected(&self) -> bool {
        self.cluster.is_connected()
    }

    /// Returns this client library's version string (e.g. `"3.0.0-alpha.1"`).
    #[must_use]
    pub const fn client_version() -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    /// Returns a list of the names of the active server nodes in the cluster.
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::{Client, ClientPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let names = client.node_names();
    /// println!("Nodes: {:?}", names);
    /// # }
    /// ```
    pub fn node_names(&self) -> Vec<String> {
        self.cluster
            .nodes()
            .iter()
            .map(|node| node.name().to_owned())
            .collect()
    }

    /// Return node given its name.
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::{Client, ClientPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.get_node("BB9020011AC420214") {
    ///     Ok(node) => println!("Node: {}", node.name()),
    ///     Err(e) => eprintln!("Node not found: {}", e),
    /// }
    /// # }
    /// ```
    pub fn get_node(&self, name: &str) -> Result<Arc<Node>> {
        self.cluster.get_node_by_name(name)
    }

    /// Send info commands to a randomly selected cluster node and return
    /// the parsed key/value response. The map preserves the server's
    /// response order — one entry per command, in request order.
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let policy = ClientPolicy::default();
    /// # let client = Client::new(&policy, &hosts).await.unwrap();
    /// let info = client
    ///     .info(&policy::AdminPolicy::default(), &["build", "edition"])
    ///     .await
    ///     .unwrap();
    /// println!("server build: {:?}", info.get("build"));
    /// # }
    /// ```
    pub async fn info(
        &self,
        policy: &AdminPolicy,
        commands: &[&str],
    ) -> Result<crate::IndexMap<String, String>> {
        let node = self.cluster.get_random_node()?;
        node.info(policy, commands).await
    }

    /// Returns a list of active server nodes in the cluster.
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::{Client, ClientPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let nodes = client.nodes();
    /// println!("{} node(s) in cluster", nodes.len());
    /// # }
    /// ```
    pub fn nodes(&self) -> Vec<Arc<Node>> {
        self.cluster.nodes()
    }

    /// The cluster name this client validates nodes against
    /// ([`ClientPolicy::cluster_name`]), or `None` when validation is off.
    pub fn cluster_name(&self) -> Option<String> {
        self.cluster.cluster_name()
    }

    /// A random active node, for commands that any node can answer.
    pub fn random_node(&self) -> Result<Arc<Node>> {
        self.cluster.get_random_node()
    }

    #[doc(hidden)] // test support, not a stable API
    pub fn partition_map_ready(&self) -> bool {
        self.cluster.partition_map_ready()
    }

    /// Whether `namespace` runs in strong-consistency mode on this cluster.
    ///
    /// Read from the cached partition map, so this is a synchronous lookup
    /// with no network I/O; it is cheap enough to call on every command, and
    /// language bindings do exactly that to pick an AP or SC policy per
    /// namespace. The answer follows the map, which the tend loop refreshes.
    ///
    /// Returns `Some(true)` for a strong-consistency namespace, `Some(false)`
    /// for an available-partition one, and `None` when the namespace is not in
    /// the partition map: an unknown namespace, or a map not yet populated.
    ///
    /// # Example
    ///
    /// ```rust,edition2021
    /// # use aerospike::{Client, ClientPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.is_strong_consistency("test") {
    ///     Some(true) => println!("test is a strong-consistency namespace"),
    ///     Some(false) => println!("test is an AP namespace"),
    ///     None => println!("no namespace named test"),
    /// }
    /// # }
    /// ```
    pub fn is_strong_consistency(&self, namespace: &str) -> Option<bool> {
        self.cluster.is_strong_consistency(namespace)
    }

    #[doc(hidden)] // test support, not a stable API
    pub fn partition_map_complete(&self) -> bool {
        self.cluster.partition_map_complete()
    }

    /// The cluster name the connected servers report (`cluster-name` info),
    /// discovered during tend regardless of whether
    /// `ClientPolicy::cluster_name` is set. `None` when the servers have no
    /// cluster name configured (or no node has been tended yet).
    ///
    /// Setting `ClientPolicy::cluster_name` still only *validates* nodes
    /// against a name; this accessor is how a caller learns the name without
    /// opting into that validation, for example to pick a per-cluster
    /// configuration block and fall back to a default when it is `None`.
    pub fn server_cluster_name(&self) -> Option<String> {
        self.cluster.server_cluster_name()
    }

    /// Enables periodic client metrics collection, (re)shaping per-node
    /// histograms to `policy`. While enabled the client records the Tier 0
    /// instruments (pool gauges, connection opened/closed, tend and node
    /// counts) and, if [`MetricsPolicy::operational`](crate::metrics::MetricsPolicy::operational)
    /// is set, the per-command latency, bytes, result-code, retry/error and
    /// connection-failure statistics. Read them with [`Client::metrics`].
    /// Collection is off by default.
    pub fn enable_metrics(&self, policy: crate::metrics::MetricsPolicy) {
        self.cluster.enable_metrics(policy);
    }

    /// Disables periodic client metrics collection.
    pub fn disable_metrics(&self) {
        self.cluster.disable_metrics();
    }

    /// Returns `true` if metrics collection is currently enabled.
    pub fn metrics_enabled(&self) -> bool {
        self.cluster.metrics_enabled()
    }

    /// Returns a snapshot of the cluster's collected statistics: per-node
    /// metrics keyed by host, a cluster-aggregated view (carrying the node
    /// labels), the total node count and the connection-pool gauges
    /// (open / in-use / in-pool / recovering) summed across nodes.
    ///
    /// Callable while collection is disabled: the pool gauges are read live
    /// from the pools on every call, while counters and histograms are
    /// whatever was accumulated when collection was last on (zero if never).
    pub fn metrics(&self) -> crate::metrics::ClusterMetrics {
        let nodes = self.cluster.metrics_copy();
        let policy = self.cluster.metrics_policy();
        let mut aggregated = crate::metrics::NodeMetricsSnapshot::new((*policy).clone());
        for snapshot in nodes.values() {
            // `aggregate` sums the stamped pool gauges along with the counters.
            aggregated.aggregate(snapshot);
        }
        aggregated.set_labels(self.cluster.node_labels());
        let gauges = aggregated.pool_gauges();

        crate::metrics::ClusterMetrics {
            nodes,
            cluster_aggregated: aggregated,
            total_nodes: self.cluster.nodes().len(),
            open_connections: gauges.total,
            connections_in_use: gauges.in_use(),
            connections_in_pool: gauges.in_pool,
            recover_queue_size: gauges.recovering,
            nodes_invalid: self.cluster.nodes_invalid_count(),
            exceeded_max_retries: self.cluster.max_retries_exceeded_count(),
            exceeded_total_timeout: self.cluster.total_timeout_exceeded_count(),
        }
    }

    /// Read the record for the specified key. Depending on the bins value provided, all record bins,
    /// only selected record bins, or only the record headers will be returned. The policy can be
    /// used to specify timeouts.
    ///
    /// # Arguments
    ///
    /// * `policy` — Read policy (timeouts, replica selection).
    /// * `key` — Record key (namespace, set, and key or digest).
    /// * `bins` — Which bins to return: [`Bins::All`], [`Bins::None`] (headers only), or a collection of bin names.
    ///
    /// # Returns
    ///
    /// `Ok(Record)` containing the requested bins (or headers only when using [`Bins::None`]). The record's key may be `None`; use the key you passed in for writes.
    ///
    /// # Errors
    ///
    /// * A server error with [`ResultCode::KeyNotFoundError`] (see
    ///   [`Error::server_result_code`](crate::Error::server_result_code)) if the record does not exist.
    /// * Other errors for network, timeout, or server failures.
    ///
    /// # Panics
    /// Panics if the return is invalid
    ///
    /// # See also
    ///
    /// * [`put`](Self::put), [`operate`](Self::operate), [`exists`](Self::exists),
    ///   [`batch`](Self::batch) (fetching many keys at once, prefer this over a loop of
    ///   individual [`get`](Self::get) calls)
    ///
    /// # Examples
    ///
    /// Fetch specified bins for a record with the given key.
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// match client.get(&ReadPolicy::default(), &key, ["a", "b"]).await {
    ///     Ok(record)
    ///         => println!("a={:?}", record.bins.get("a")),
    ///     Err(ref err) if err.server_result_code() == Some(ResultCode::KeyNotFoundError)
    ///         => println!("No such record: {}", key),
    ///     Err(err)
    ///         => println!("Error fetching record: {}", err),
    /// }
    /// # }
    /// ```
    ///
    /// Determine the remaining time-to-live of a record.
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// match client.get(&ReadPolicy::default(), &key, Bins::None).await {
    ///     Ok(record) => {
    ///         match record.time_to_live() {
    ///             None => println!("record never expires"),
    ///             Some(duration) => println!("ttl: {} secs", duration.as_secs()),
    ///         }
    ///     },
    ///     Err(ref err) if err.server_result_code() == Some(ResultCode::KeyNotFoundError)
    ///         => println!("No such record: {}", key),
    ///     Err(err)
    ///         => println!("Error fetching record: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn get(
        &self,
        policy: &ReadPolicy,
        key: &Key,
        bins: impl Into<Bins>,
    ) -> Result<Record> {
        let policy = self.cluster.resolve_read(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            txn.prepare_read(&key.namespace)?;
        }
        let bins = bins.into();
        let mut command = ReadCommand::new(policy, self.cluster.clone(), key, bins);
        command.execute().await?;
        Ok(command.record.unwrap())
    }

    /// Execute a batch of operations (read, write, delete, UDF — one per
    /// [`Key`]) in one call, writing each operation's result **into the
    /// operation itself**. Read results back through
    /// [`BatchOperation::record`]/[`take_record`](BatchOperation::take_record)/
    /// [`result_code`](BatchOperation::result_code)/[`in_doubt`](BatchOperation::in_doubt),
    /// or borrow the whole row via [`BatchOperation::batch_record`].
    ///
    /// No result vector is allocated, the operations are not cloned into the
    /// engine, and parsed records are never deep-copied — they are parsed
    /// straight into the caller's rows. The slice is reusable across calls; prior results are cleared
    /// on entry. Ordering is untouched, so result-to-operation correlation is
    /// positional.
    ///
    /// # Arguments
    ///
    /// * `policy` — Batch policy (timeouts, max concurrent nodes).
    /// * `ops` — Slice of [`BatchOperation`] items keyed by [`Key`]; results
    ///   land on these.
    ///
    /// # Errors
    ///
    /// * Returns an error if the batch request fails (e.g. timeout, cluster error).
    ///   Individual key-not-found is indicated by `record: None` in the corresponding [`BatchRecord`].
    ///
    /// Per-key outcomes (key not found, filtered out, a key the cluster
    /// cannot route) are **not** errors — they live on each row's result
    /// code, with `record()` returning `None`. An `Err` is returned for the
    /// first whole-node failure; every row still carries its own outcome,
    /// and rows a timeout left unanswered have `result_code() == None`. Rows
    /// answered before a timeout struck keep their results — the per-command
    /// policy deadlines bound the wait.
    ///
    /// # Performance
    ///
    /// If key routing assigns only a single key to a specific cluster node, the client automatically
    /// sends that request using the single-record protocol rather than the batch protocol.
    /// This optimization happens per node behind the scenes, so you don't need to manually check
    /// key counts or fall back to single-record calls like [`get`](Self::get) or [`put`](Self::put).
    ///
    /// # See also
    ///
    /// * [`BatchOperation`], [`BatchRecord`], [`get`](Self::get)
    ///
    /// `policy` is the batch-wide parent policy. A batch of reads takes
    /// [`BatchPolicy::default`]; a batch with writes, deletes or UDF calls
    /// should take [`BatchPolicy::write_default`], which does not retry.
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # extern crate aerospike;
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or(String::from("127.0.0.1:3000"));
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let bpolicy = BatchPolicy::default();
    /// let brp = BatchReadPolicy::default();
    /// let key1 = as_key!("test", "test", "key1");
    /// let key2 = as_key!("test", "test", "key2");
    ///
    /// let mut ops = vec![
    ///     BatchOperation::read(&brp, key1, Bins::All),
    ///     BatchOperation::read(&brp, key2, Bins::from(["a", "b"])),
    /// ];
    /// match client.batch(&bpolicy, &mut ops).await {
    ///     Ok(()) => {
    ///         for op in &ops {
    ///             match op.record() {
    ///                 Some(record) => println!("{:?} => {:?}", op.batch_record().key, record.bins),
    ///                 None => println!("No such record: {:?}", op.batch_record().key),
    ///             }
    ///         }
    ///     }
    ///     Err(err) => println!("Error executing batch request: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn batch(&self, policy: &BatchPolicy, ops: &mut [BatchOperation]) -> Result<()> {
        let policy = self.cluster.resolve_batch(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            crate::txn_monitor::add_keys_from_records(
                self.cluster.clone(),
                &policy.base_policy,
                txn,
                ops,
            )
            .await?;
        }
        let executor = BatchExecutor::new(self.cluster.clone());
        executor.execute(policy, ops).await
    }

    /// Execute a batch of operations, reporting each row to `on_row` as its
    /// result arrives — the reactive sibling of [`batch`](Self::batch).
    ///
    /// The batch owns `ops`. Every row's outcome reaches the hook **exactly
    /// once**: answered rows as they are parsed, on the node task, before
    /// the rest of the response is read; rows the server never answers
    /// (unroutable keys, a failed node, rows an abort left behind) once at
    /// the end, carrying the result code they were stamped with — or `None`
    /// if they were never sent. `on_row(index, row)` receives the row's
    /// position in `ops` and the row itself; return `false` to abort the
    /// remaining work.
    ///
    /// The hook is async and awaited inline, so it may do I/O — but while
    /// it runs, that node's response is not being read; keep per-row awaits
    /// short. Invocations run concurrently across nodes and serially within
    /// one. The hook must not panic. Dropping the returned future stops the
    /// batch: nothing fires afterwards, and running groups tear down.
    ///
    /// # Errors
    ///
    /// Per-key outcomes are not errors; they reach the hook on each row. An
    /// `Err` is the first whole-node failure. An abort from the hook is the
    /// caller's decision and returns `Ok(())`.
    pub async fn batch_foreach<F, Fut>(
        &self,
        policy: &BatchPolicy,
        ops: &mut [BatchOperation],
        on_row: F,
    ) -> Result<()>
    where
        F: Fn(usize, &BatchRecord) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = bool> + Send + 'static,
    {
        // Dropping this future — the caller lost interest — stops the hook
        // from firing again and lets running groups wind down.
        struct CancelOnDrop(Arc<crate::batch::BatchHook>);
        impl Drop for CancelOnDrop {
            fn drop(&mut self) {
                self.0.cancel();
            }
        }

        let policy = self.cluster.resolve_batch(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            crate::txn_monitor::add_keys_from_records(
                self.cluster.clone(),
                &policy.base_policy,
                txn,
                ops,
            )
            .await?;
        }

        let hook = Arc::new(crate::batch::BatchHook::new(
            Box::new(move |idx, row| Box::pin(on_row(idx, row))),
            ops.len(),
        ));
        let _guard = CancelOnDrop(Arc::clone(&hook));

        let executor = BatchExecutor::new(self.cluster.clone());
        executor.execute_foreach(policy, ops, hook).await
    }

    /// Write record bin(s). The policy specifies the transaction timeout, record expiration, and
    /// how the transaction is handled when the record already exists.
    ///
    /// # Arguments
    ///
    /// * `policy` — Write policy (timeout, expiration, generation, record-exists action).
    /// * `key` — Record key (namespace, set, key, or digest).
    /// * `bins` — Bins to write; bins not listed are left unchanged for an existing record.
    ///
    /// # Returns
    ///
    /// `Ok(())` on success.
    ///
    /// # Errors
    ///
    /// * Returns an error on write failure (e.g. generation conflict, cluster/network error).
    ///
    /// # See also
    ///
    /// * [`get`](Self::get), [`operate`](Self::operate), [`add`](Self::add), [`delete`](Self::delete),
    ///   [`batch`](Self::batch) (writing many keys at once, prefer this over a loop of
    ///   individual [`put`](Self::put) calls)
    ///
    /// # Examples
    ///
    /// Write a record with a single integer bin.
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// let bin = as_bin!("i", 42);
    /// match client.put(&WritePolicy::default(), &key, &vec![bin]).await {
    ///     Ok(()) => println!("Record written"),
    ///     Err(err) => println!("Error writing record: {}", err),
    /// }
    /// # }
    /// ```
    ///
    /// Write a record with an expiration of 10 seconds.
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// let bin = as_bin!("i", 42);
    /// let mut policy = WritePolicy::default();
    /// policy.expiration = policy::Expiration::Seconds(10);
    /// match client.put(&policy, &key, &vec![bin]).await {
    ///     Ok(()) => println!("Record written"),
    ///     Err(err) => println!("Error writing record: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn put(&self, policy: &WritePolicy, key: &Key, bins: &[Bin]) -> Result<()> {
        let policy = self.cluster.resolve_write(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            crate::txn_monitor::add_key(self.cluster.clone(), &policy.base_policy, txn, key)
                .await?;
        }
        let mut command = WriteCommand::new(
            policy,
            self.cluster.clone(),
            key,
            bins,
            OperationType::Write,
        );
        command.execute().await
    }

    /// Add integer bin values to existing record bin values. The policy specifies the transaction
    /// timeout, record expiration, and how the transaction is handled when the record already
    /// exists. This call only works for integer values.
    ///
    /// # Arguments
    ///
    /// * `policy` — Write policy (timeout, expiration, generation).
    /// * `key` — Record key.
    /// * `bins` — Bins with integer values to add to the current bin values.
    ///
    /// # Returns
    ///
    /// `Ok(())` on success.
    ///
    /// # Errors
    ///
    /// * Returns an error if the record does not exist, bins are not integers, or on cluster/network failure.
    ///
    /// # See also
    ///
    /// * [`put`](Self::put), [`operate`](Self::operate)
    ///
    /// # Examples
    ///
    /// Add two integer values to two existing bin values.
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// let bina = as_bin!("a", 1);
    /// let binb = as_bin!("b", 2);
    /// let bins = vec![bina, binb];
    /// match client.add(&WritePolicy::default(), &key, &bins).await {
    ///     Ok(()) => println!("Record updated"),
    ///     Err(err) => println!("Error writing record: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn add(&self, policy: &WritePolicy, key: &Key, bins: &[Bin]) -> Result<()> {
        let policy = self.cluster.resolve_write(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            crate::txn_monitor::add_key(self.cluster.clone(), &policy.base_policy, txn, key)
                .await?;
        }
        let mut command =
            WriteCommand::new(policy, self.cluster.clone(), key, bins, OperationType::Incr);
        command.execute().await
    }

    /// Append bin string values to existing record bin values. The policy specifies the
    /// transaction timeout, record expiration, and how the transaction is handled when the record
    /// already exists. This call only works for string values.
    ///
    /// # Arguments
    ///
    /// * `policy` — Write policy (timeout, expiration, generation).
    /// * `key` — Record key.
    /// * `bins` — Bins with string values to append to the current bin values.
    ///
    /// # Returns
    ///
    /// `Ok(())` on success.
    ///
    /// # Errors
    ///
    /// * Returns an error if the record does not exist, bins are not strings, or on cluster/network failure.
    ///
    /// # See also
    ///
    /// * [`prepend`](Self::prepend), [`put`](Self::put), [`operate`](Self::operate)
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// let bin = as_bin!("log", " new text");
    /// match client.append(&WritePolicy::default(), &key, &[bin]).await {
    ///     Ok(()) => println!("Appended"),
    ///     Err(err) => println!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn append(&self, policy: &WritePolicy, key: &Key, bins: &[Bin]) -> Result<()> {
        let policy = self.cluster.resolve_write(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            crate::txn_monitor::add_key(self.cluster.clone(), &policy.base_policy, txn, key)
                .await?;
        }
        let mut command = WriteCommand::new(
            policy,
            self.cluster.clone(),
            key,
            bins,
            OperationType::Append,
        );
        command.execute().await
    }

    /// Prepend bin string values to existing record bin values. The policy specifies the
    /// transaction timeout, record expiration, and how the transaction is handled when the record
    /// already exists. This call only works for string values.
    ///
    /// # Arguments
    ///
    /// * `policy` — Write policy (timeout, expiration, generation).
    /// * `key` — Record key.
    /// * `bins` — Bins with string values to prepend to the current bin values
    ///
    /// # Errors
    ///
    /// * Returns an error if the record does not exist, bins are not strings, or on cluster/network failure.
    ///
    /// # See also
    ///
    /// * [`append`](Self::append), [`put`](Self::put), [`operate`](Self::operate)
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// let bin = as_bin!("log", "prefix ");
    /// match client.prepend(&WritePolicy::default(), &key, &[bin]).await {
    ///     Ok(()) => println!("Prepended"),
    ///     Err(err) => println!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn prepend(&self, policy: &WritePolicy, key: &Key, bins: &[Bin]) -> Result<()> {
        let policy = self.cluster.resolve_write(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            crate::txn_monitor::add_key(self.cluster.clone(), &policy.base_policy, txn, key)
                .await?;
        }
        let mut command = WriteCommand::new(
            policy,
            self.cluster.clone(),
            key,
            bins,
            OperationType::Prepend,
        );
        command.execute().await
    }

    /// Delete record for a specified key. The policy specifies the transaction timeout.
    /// The call returns `true` if the record existed on the server before deletion.
    ///
    /// # Arguments
    ///
    /// * `policy` — Write policy (timeout, generation if applicable).
    /// * `key` — Record key to delete.
    ///
    /// # Returns
    ///
    /// `Ok(true)` if the record existed and was deleted; `Ok(false)` if it did not exist.
    ///
    /// # Errors
    ///
    /// * Returns an error on cluster/network failure or timeout.
    ///
    /// # See also
    ///
    /// * [`put`](Self::put), [`get`](Self::get), [`touch`](Self::touch),
    ///   [`batch`](Self::batch) (deleting many keys at once, prefer this over a loop of
    ///   individual [`delete`](Self::delete) calls)
    ///
    /// # Examples
    ///
    /// Delete a record.
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// match client.delete(&WritePolicy::default(), &key).await {
    ///     Ok(true) => println!("Record deleted"),
    ///     Ok(false) => println!("Record did not exist"),
    ///     Err(err) => println!("Error deleting record: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn delete(&self, policy: &WritePolicy, key: &Key) -> Result<bool> {
        let policy = self.cluster.resolve_write(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            crate::txn_monitor::add_key(self.cluster.clone(), &policy.base_policy, txn, key)
                .await?;
        }
        let mut command = DeleteCommand::new(policy, self.cluster.clone(), key);
        command.execute().await?;
        Ok(command.existed)
    }

    /// Reset record's time to expiration using the policy's expiration. Fail if the record does
    /// not exist.
    ///
    /// # Arguments
    ///
    /// * `policy` — Write policy (timeout, expiration value to set).
    /// * `key` — Record key.
    ///
    /// # Errors
    ///
    /// * Returns an error if the record does not exist or on cluster/network failure.
    ///
    /// # See also
    ///
    /// * [`put`](Self::put), [`delete`](Self::delete), [`get`](Self::get)
    ///
    /// # Examples
    ///
    /// Reset a record's time to expiration to the default ttl for the namespace.
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// let mut policy = WritePolicy::default();
    /// policy.expiration = policy::Expiration::NamespaceDefault;
    /// match client.touch(&policy, &key).await {
    ///     Ok(()) => println!("Record expiration updated"),
    ///     Err(err) => println!("Error writing record: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn touch(&self, policy: &WritePolicy, key: &Key) -> Result<()> {
        let policy = self.cluster.resolve_write(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            crate::txn_monitor::add_key(self.cluster.clone(), &policy.base_policy, txn, key)
                .await?;
        }
        let mut command = TouchCommand::new(policy, self.cluster.clone(), key);
        command.execute().await
    }

    /// Determine if a record key exists. The policy can be used to specify timeouts.
    ///
    /// # Arguments
    ///
    /// * `policy` — Read policy (timeouts, replica).
    /// * `key` — Record key to check.
    ///
    /// # Returns
    ///
    /// `Ok(true)` if the record exists; `Ok(false)` otherwise.
    ///
    /// # Errors
    ///
    /// * Returns an error on cluster/network failure or timeout.
    ///
    /// # See also
    ///
    /// * [`get`](Self::get), [`put`](Self::put)
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// match client.exists(&ReadPolicy::default(), &key).await {
    ///     Ok(true) => println!("Record exists"),
    ///     Ok(false) => println!("Record does not exist"),
    ///     Err(err) => println!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn exists(&self, policy: &ReadPolicy, key: &Key) -> Result<bool> {
        let policy = self.cluster.resolve_read(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            txn.prepare_read(&key.namespace)?;
        }
        let mut command = ExistsCommand::new(policy, self.cluster.clone(), key);
        command.execute().await?;
        Ok(command.exists)
    }

    /// Perform multiple read/write operations on a single key in one batch call.
    ///
    /// Operations on scalar values, lists, and maps can be performed in the same call.
    ///
    /// Operations execute in the order specified by the client application.
    ///
    /// # Arguments
    ///
    /// * `policy` — Write policy (timeout, expiration, generation).
    /// * `key` — Record key.
    /// * `ops` — Ordered list of operations (e.g., read, add, put, delete) from [`operations`](crate::operations).
    ///
    /// # Returns
    ///
    /// `Ok(Record)` containing the result of the read operations in the list (e.g. bins after apply). The record may be empty if no read ops were included.
    ///
    /// # Errors
    ///
    /// * Returns an error if any operation fails (e.g., key not found, generation conflict, cluster/network error).
    ///
    /// # Panics
    ///  Panics if the return is invalid
    ///
    /// # See also
    ///
    /// * [`get`](Self::get), [`put`](Self::put), [`operations`](crate::operations),
    ///   [`batch`](Self::batch) (running per-key operations across many keys at once, prefer
    ///   this over a loop of individual [`operate`](Self::operate) calls)
    ///
    /// # Examples
    ///
    /// Add an integer value to an existing record and then read the result, all in one database
    /// call.
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// let bin = as_bin!("a", 42);
    /// let ops = vec![
    ///     operations::add(&bin),
    ///     operations::get_bin("a"),
    /// ];
    /// match client.operate(&WritePolicy::default(), &key, &ops).await {
    ///     // One answer per op, in op order; the add answers nil.
    ///     Ok(record) => println!("The new value is {:?}", record.results.unwrap()[1]),
    ///     Err(err) => println!("Error writing record: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn operate(
        &self,
        policy: &WritePolicy,
        key: &Key,
        ops: &[Operation],
    ) -> Result<Record> {
        if ops.is_empty() {
            return Err(Error::server_error_with_message(
                ResultCode::ParameterError,
                "no operations defined",
            ));
        }
        let policy = self.cluster.resolve_write(policy);
        let policy = policy.as_ref();
        if let Some(txn) = &policy.base_policy.txn {
            crate::txn_monitor::add_key(self.cluster.clone(), &policy.base_policy, txn, key)
                .await?;
        }
        let mut command = OperateCommand::new(policy, self.cluster.clone(), key, ops);
        command.execute().await?;
        Ok(command.read_command.record.unwrap())
    }

    /// Register a package containing user-defined functions (UDF) with the cluster. This
    /// asynchronous server call will return before the command is complete. The client registers
    /// the UDF package with a single, random cluster node; from there a copy will get distributed
    /// to all other cluster nodes automatically.
    ///
    /// Lua is the only supported scripting language for UDFs at the moment.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `udf_body` — Raw UDF source bytes (e.g. Lua code).
    /// * `server_path` — Path name on the server (e.g. `"example.lua"`).
    /// * `language` — [`UdfLang`] (e.g. [`UdfLang::Lua`]).
    ///
    /// # Returns
    ///
    /// `Ok(RegisterTask)` to poll or wait for registration to complete across the cluster.
    ///
    /// # Errors
    ///
    /// * Returns an error if the info command fails (e.g. invalid UDF, cluster error).
    ///
    /// # See also
    ///
    /// * [`register_udf_from_file`](Self::register_udf_from_file), [`remove_udf`](Self::remove_udf), [`execute_udf`](Self::execute_udf), [`RegisterTask`]
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # extern crate aerospike;
    /// # use aerospike::*;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let code = r#"
    /// -- Validate value before writing.
    /// function writeWithValidation(r,name,value)
    ///   if (value >= 1 and value <= 10) then
    ///     if not aerospike:exists(r) then
    ///       aerospike:create(r)
    ///     end
    ///     r[name] = value
    ///     aerospike:update(r)
    ///   else
    ///       error("1000:Invalid value")
    ///   end
    /// end
    ///
    /// -- Set a particular bin only if record does not already exist.
    /// function writeUnique(r,name,value)
    ///   if not aerospike:exists(r) then
    ///     aerospike:create(r)
    ///     r[name] = value
    ///     aerospike:update(r)
    ///   end
    /// end
    /// "#;
    ///
    /// match client.register_udf(&AdminPolicy::default(), code.as_bytes(),
    ///                           "example.lua", UdfLang::Lua).await {
    ///     Ok(_task) => { /* wait for task or use it */ }
    ///     Err(err) => println!("Failed to register UDF: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn register_udf(
        &self,
        policy: &AdminPolicy,
        udf_body: &[u8],
        server_path: &str,
        language: UdfLang,
    ) -> Result<RegisterTask> {
        let udf_body = BASE64.encode(udf_body);

        let cmd = format!(
            "udf-put:filename={};content={};content-len={};udf-type={};",
            server_path,
            udf_body,
            udf_body.len(),
            language
        );
        let node = self.cluster.get_random_node()?;
        self.send_info_cmd(policy, node, &cmd, "Error registering UDF")
            .await?;

        Ok(RegisterTask::new(
            Arc::clone(&self.cluster),
            server_path.to_string(),
        ))
    }

    /// Register a package containing user-defined functions (UDF) with the cluster. This
    /// asynchronous server call will return before the command is complete. The client registers
    /// the UDF package with a single, random cluster node; from there a copy will get distributed
    /// to all other cluster nodes automatically.
    ///
    /// Lua is the only supported scripting language for UDFs at the moment.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `client_path` — Local file path to the UDF source file.
    /// * `server_path` — Path name on the server (e.g. `"example.lua"`).
    /// * `language` — [`UdfLang`] (e.g. [`UdfLang::Lua`]).
    ///
    /// # Returns
    ///
    /// `Ok(RegisterTask)` to poll or wait for registration to complete.
    ///
    /// # Errors
    ///
    /// * Returns an error if the file cannot be read or [`register_udf`](Self::register_udf) fails.
    ///
    /// # See also
    ///
    /// * [`register_udf`](Self::register_udf), [`remove_udf`](Self::remove_udf)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy, UdfLang};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.register_udf_from_file(
    ///     &AdminPolicy::default(),
    ///     "/path/to/my_udf.lua",
    ///     "my_udf.lua",
    ///     UdfLang::Lua,
    /// ).await {
    ///     Ok(task) => { /* wait for task.wait_till_complete(None).await */ }
    ///     Err(err) => eprintln!("Failed to register UDF from file: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn register_udf_from_file(
        &self,
        policy: &AdminPolicy,
        client_path: &str,
        server_path: &str,
        language: UdfLang,
    ) -> Result<RegisterTask> {
        let path = Path::new(client_path);
        let mut file = File::open(&path).await?;
        let mut udf_body: Vec<u8> = vec![];
        file.read_to_end(&mut udf_body).await?;

        self.register_udf(policy, &udf_body, server_path, language)
            .await
    }

    /// Remove a user-defined function (UDF) module from the server.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `server_path` — Server path of the UDF module (e.g. `"example.lua"`).
    ///
    /// # Returns
    ///
    /// `Ok(UdfRemoveTask)` to poll or wait for removal to complete across the cluster.
    ///
    /// # Errors
    ///
    /// * Returns an error if the info command fails (e.g., path not found, cluster error).
    ///
    /// # See also
    ///
    /// * [`register_udf`](Self::register_udf), [`execute_udf`](Self::execute_udf)
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.remove_udf(&AdminPolicy::default(), "example.lua").await {
    ///     Ok(task) => { /* wait for task.wait_till_complete(None).await */ }
    ///     Err(err) => eprintln!("Failed to remove UDF: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn remove_udf(
        &self,
        policy: &AdminPolicy,
        server_path: &str,
    ) -> Result<UdfRemoveTask> {
        let cmd = format!("udf-remove:filename={server_path};");
        let node = self.cluster.get_random_node()?;
        // Sample response: {"udf-remove:filename=server_path;": "ok"}
        self.send_info_cmd(policy, node, &cmd, "UDF Remove failed")
            .await?;

        Ok(UdfRemoveTask::new(
            Arc::clone(&self.cluster),
            server_path.to_string(),
        ))
    }

    /// Execute a user-defined function on the server and return the results. The function operates
    /// on a single record. The UDF package name is required to locate the UDF.
    ///
    /// # Arguments
    ///
    /// * `policy` — Write policy (timeout).
    /// * `key` — Record key the UDF operates on.
    /// * `server_path` — Server path of the UDF module (e.g. `"example.lua"`).
    /// * `function_name` — Name of the function to invoke.
    /// * `args` — Optional arguments to pass to the UDF (as [`Value`]s).
    ///
    /// # Returns
    ///
    /// `Ok(Some(Value))` with the UDF return value, or `Ok(None)` if the UDF returned nothing.
    ///
    /// # Errors
    ///
    /// * Returns an error if the UDF fails, the record/key is invalid, or on cluster/network failure. [`ErrorKind::UdfBadResponse`](crate::ErrorKind::UdfBadResponse) if the UDF returns a failure or invalid response.
    ///
    /// # Panics
    /// Panics if the return is invalid
    ///
    /// # See also
    ///
    /// * [`register_udf`](Self::register_udf), [`remove_udf`](Self::remove_udf)
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::*;
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let key = as_key!("test", "test", "mykey");
    /// match client.execute_udf(
    ///     &WritePolicy::default(),
    ///     &key,
    ///     "my_module",
    ///     "my_function",
    ///     &[as_val!(42)],
    /// ).await {
    ///     Ok(Some(val)) => println!("UDF returned: {:?}", val),
    ///     Ok(None) => println!("UDF returned nothing"),
    ///     Err(err) => println!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn execute_udf(
        &self,
        policy: &WritePolicy,
        key: &Key,
        package_name: &str,
        function_name: &str,
        args: &[Value],
    ) -> Result<Option<Value>> {
        let mut command = ExecuteUdfCommand::new(
            policy,
            self.cluster.clone(),
            key,
            package_name,
            function_name,
            args,
        );

        command.execute().await?;

        let record = command.read_command.record.unwrap();

        // User defined functions don't have to return a value.
        if record.bins.is_empty() {
            return Ok(None);
        }

        for (key, value) in &record.bins {
            if key.contains("SUCCESS") {
                return Ok(Some(value.clone()));
            } else if key.contains("FAILURE") {
                return Err(Error::udf_bad_response(value.to_string()));
            }
        }

        Err(Error::udf_bad_response("Invalid UDF return value"))
    }

    /// Execute a query on all server nodes and return a record iterator. The query executor puts
    /// records on a queue in separate threads. The calling thread concurrently pops records off
    /// the queue through the record iterator.
    ///
    /// # Arguments
    ///
    /// * `policy` — Query policy (timeouts, max records, record queue size, etc.).
    /// * `partition_filter` — Which partitions to query (e.g. [`PartitionFilter::all`], or by id/range/key for pagination).
    /// * `statement` — Namespace, set, bins, and filters ([`Statement`]).
    ///
    /// # Returns
    ///
    /// `Ok(Arc<Recordset>)` — a shared record set. Consume with [`Recordset::into_stream`] and iterate the stream for records. The recordset is closed when the stream is dropped or exhausted.
    ///
    /// # Delivery guarantee
    ///
    /// **At-least-once, loss-free.** Records flow through a bounded buffer
    /// between the node streams and the consumer, and the resume cursor
    /// advances only for records the consumer has actually taken out — so
    /// closing the recordset early and resuming from
    /// [`Recordset::partition_filter`] re-fetches anything undelivered,
    /// never skips it. Duplicates are possible in two narrow cases: a retry
    /// round re-fetching a range that still had buffered copies in flight,
    /// and a resume re-fetching records that one of several concurrent
    /// consumers delivered ahead of a sibling's gap; both are bounded by
    /// the in-flight window. For exactly-once delivery use
    /// [`query_foreach`](Self::query_foreach), which trades the buffer (and
    /// its slow-consumer isolation) for callback delivery with an atomic
    /// cursor commit.
    ///
    /// # Errors
    ///
    /// * Returns an error if the statement is invalid (an aggregation with an empty package or
    ///   function name, bins and operations both set) or initial partition assignment fails.
    ///
    /// # Panics
    /// Panics if the async block fails
    ///
    /// # See also
    ///
    /// * [`Statement`], [`PartitionFilter`], [`Recordset`]
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # extern crate aerospike;
    /// # use aerospike::*;
    /// # use futures::stream::StreamExt;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or(String::from("127.0.0.1:3000"));
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let stmt = Statement::new("test", "test", Bins::All);
    /// let mut qp = QueryPolicy::default();
    /// qp.max_records = 1000;
    /// let pf = PartitionFilter::all();
    ///
    /// match client.query(&qp, pf, stmt).await {
    ///     Ok(recordset) => {
    ///         let mut stream = recordset.into_stream();
    ///         let mut count = 0u64;
    ///         while let Some(result) = stream.next().await {
    ///             match result {
    ///                 Ok(_record) => count += 1,
    ///                 Err(err) => println!("Error executing query: {}", err),
    ///             }
    ///         }
    ///         println!("Records: {}", count);
    ///     }
    ///     Err(err) => println!("Failed to execute query: {}", err),
    /// }
    /// # }
    /// ```
    // Spawns the per-partition workers on the caller's runtime and may grow a
    // server round trip; the call shape must not change when it does.
    #[allow(clippy::unused_async)]
    pub async fn query(
        &self,
        policy: &QueryPolicy,
        partition_filter: PartitionFilter,
        statement: Statement,
    ) -> Result<Arc<Recordset>> {
        statement.validate()?;
        let statement = Arc::new(statement);

        let policy = self.cluster.resolve_query(policy);
        let policy = policy.as_ref();
        let nodes: Vec<Arc<Node>> = self.cluster.nodes();
        let t_policy = policy.clone();
        let tracker = PartitionTracker::new(&t_policy, partition_filter, &nodes)?;

        let recordset = Arc::new(Recordset::new(
            policy.record_queue_size,
            policy.max_records,
            usize::MAX, // will be reset later
            tracker.shared(),
        ));

        let sink = QuerySink::Channel(recordset.clone());
        let close_on_exit = CloseSinkOnExit(sink.clone());
        let cluster = self.cluster.clone();
        aerospike_rt::spawn(async move {
            Self::execute_query_timeout(cluster, &t_policy, tracker, statement, sink, None).await;
            drop(close_on_exit);
        });

        Ok(recordset)
    }

    /// Execute a scan or query, delivering records through `callback` instead
    /// of a [`Recordset`] stream.
    ///
    /// The callback is `async`, invoked **inline on the node streams,
    /// concurrently from up to one task per node**, with each record (or
    /// stream error) as a `Result<Record>`; its future resolving to `false`
    /// aborts the query. There is no channel and no buffering: the resume
    /// cursor is committed the moment an invocation's future resolves, so
    /// delivery is **exactly-once** — a cancelled query resumed from
    /// [`QueryHandle::partition_filter`] neither loses nor repeats a record.
    /// (The stream API, [`query`](Self::query), is at-least-once: loss-free,
    /// with bounded duplicates possible on retries and multi-consumer
    /// resumes.) The callback may await freely — a write, a channel send —
    /// but it runs on the node task: while its future is pending that node's
    /// stream does not read, so a slow callback backpressures the server
    /// directly. Never block the thread inside it. Invocations run
    /// concurrently — one at a time per node, in parallel across nodes.
    ///
    /// The returned [`QueryHandle`] can [`wait`](QueryHandle::wait) for
    /// completion or [`cancel`](QueryHandle::cancel); dropping it detaches,
    /// leaving the query running.
    // Spawns the per-partition workers on the caller's runtime and may grow a
    // server round trip; the call shape must not change when it does.
    #[allow(clippy::unused_async)]
    pub async fn query_foreach<F, Fut>(
        &self,
        policy: &QueryPolicy,
        partition_filter: PartitionFilter,
        statement: Statement,
        callback: F,
    ) -> Result<QueryHandle>
    where
        F: Fn(Result<Record>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = bool> + Send + 'static,
    {
        statement.validate()?;
        let statement = Arc::new(statement);

        let policy = self.cluster.resolve_query(policy);
        let policy = policy.as_ref();
        let nodes: Vec<Arc<Node>> = self.cluster.nodes();
        let t_policy = policy.clone();
        let tracker = PartitionTracker::new(&t_policy, partition_filter, &nodes)?;

        let ctx = Arc::new(CallbackCtx::new(
            Box::new(move |res| Box::pin(callback(res))),
            tracker.shared(),
        ));
        let sink = QuerySink::Callback(Arc::clone(&ctx));
        let close_on_exit = CloseSinkOnExit(sink.clone());
        let cluster = self.cluster.clone();
        let task = aerospike_rt::spawn(async move {
            Self::execute_query_timeout(cluster, &t_policy, tracker, statement, sink, None).await;
            drop(close_on_exit);
        });

        Ok(QueryHandle {
            ctx,
            task: Some(task),
        })
    }

    /// Phase 1 of internal server-led query selection (field `44` WHERE explain).
    ///
    /// Not part of the end-user query API; bindings use this to implement
    /// two-phase explain → execute inside a single query operation.
    ///
    /// **Caller responsibility:** the binding layer must gate on
    /// [`Version::supports_query_selection`](crate::Version::supports_query_selection)
    /// (via a cluster node's [`Node::version`](crate::Node::version)) before
    /// calling this method. This function does not re-check cluster capability.
    ///
    #[doc(hidden)]
    pub async fn query_explain(
        &self,
        policy: &QueryPolicy,
        namespace: &str,
        set_name: Option<&str>,
        ael: &str,
        index_name_hint: Option<&str>,
        explain_where_flags: Option<u8>,
    ) -> Result<QueryPlan> {
        if namespace.is_empty() {
            return Err(Error::invalid_argument("Empty namespace"));
        }
        if self.cluster.nodes().is_empty() {
            return Err(Error::no_more_connections());
        }

        let flags = explain_where_flags.unwrap_or(FLAG_EXPLAIN);
        if flags & FLAG_HARD_HINT != 0 && index_name_hint.is_none_or(str::is_empty) {
            return Err(Error::invalid_argument(
                "HARD_HINT requires a non-empty index name hint",
            ));
        }

        let explain_where_bytes = QueryWhereWire::for_explain_with_flags(flags, ael)?;
        let policy = self.cluster.resolve_query(policy);
        QueryExplainCommand::new(
            self.cluster.clone(),
            policy.as_ref(),
            namespace.to_owned(),
            set_name.map(str::to_owned),
            explain_where_bytes,
            index_name_hint.map(str::to_owned),
        )
        .execute()
        .await
    }

    /// Phase 2 of internal server-led query selection (execute using a server plan).
    ///
    /// Not part of the end-user query API; bindings call this after phase 1
    /// ([`Self::query_explain`]) with a plan that is not filtered out.
    ///
    /// **Caller responsibility:** capability gating via
    /// [`Version::supports_query_selection`](crate::Version::supports_query_selection);
    /// do not call with a filtered-out plan (orchestration belongs in the binding layer).
    #[doc(hidden)]
    // Spawns the per-partition workers on the caller's runtime and may grow a
    // server round trip; the call shape must not change when it does.
    #[allow(clippy::unused_async)]
    pub async fn query_with_plan(
        &self,
        policy: &QueryPolicy,
        partition_filter: PartitionFilter,
        mut statement: Statement,
        plan: QueryPlan,
    ) -> Result<Arc<Recordset>> {
        if plan.is_filtered_out() {
            return Err(Error::server_error_bare(ResultCode::FilteredOut));
        }

        statement.filter = plan.filter_for_execute()?;

        let execute_where = Some(Arc::from(plan.into_execute_where_bytes()));
        statement.validate()?;
        let statement = Arc::new(statement);

        let policy = self.cluster.resolve_query(policy);
        let policy = policy.as_ref();
        let nodes: Vec<Arc<Node>> = self.cluster.nodes();
        let t_policy = policy.clone();
        let tracker = PartitionTracker::new(&t_policy, partition_filter, &nodes)?;

        let recordset = Arc::new(Recordset::new(
            policy.record_queue_size,
            policy.max_records,
            usize::MAX, // will be reset later
            tracker.shared(),
        ));

        let sink = QuerySink::Channel(recordset.clone());
        let close_on_exit = CloseSinkOnExit(sink.clone());
        let cluster = self.cluster.clone();
        aerospike_rt::spawn(async move {
            Self::execute_query_timeout(
                cluster,
                &t_policy,
                tracker,
                statement,
                sink,
                execute_where,
            )
            .await;
            drop(close_on_exit);
        });

        Ok(recordset)
    }

    /// Execute a stream UDF aggregation query and return a [`ResultSet`]
    /// with the aggregated values (requires the `lua` feature).
    ///
    /// The named UDF must be registered on the server (see
    /// [`Client::register_udf`]) **and** its source must be available to
    /// the client: aggregations split the UDF's stream operations between
    /// server and client — each node runs the server-side portion
    /// (`map`/`filter`/`aggregate`) and streams one partial result per
    /// node back, and the client runs the remaining operations (from the
    /// first `reduce` onward) in an embedded Lua 5.4 interpreter to
    /// combine the partials into the final result.
    ///
    /// The client looks for `<package_name>.lua` in the directory set via
    /// [`crate::lua::set_lua_path`] (default `"udf"`), unless the source
    /// was registered in memory with [`crate::lua::register_package`].
    ///
    /// Retries are disabled for aggregation queries: a retried partition
    /// could feed duplicate partial results into the aggregation.
    ///
    /// # Arguments
    ///
    /// * `policy` — Query policy ([`QueryPolicy::record_queue_size`] also sizes the result queue).
    /// * `statement` — Namespace, set, bins, and filters ([`Statement`]).
    /// * `package_name` — UDF package (module) name.
    /// * `function_name` — Stream UDF function to invoke.
    /// * `function_args` — Optional arguments passed to the UDF function.
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::*;
    /// # use futures::StreamExt;
    /// # async fn example(client: &Client) -> Result<()> {
    /// aerospike::lua::set_lua_path("tests/udf");
    ///
    /// let stmt = Statement::new("test", "test", Bins::All);
    /// let rs = client
    ///     .query_aggregate(
    ///         &QueryPolicy::default(),
    ///         stmt,
    ///         "sum_example",
    ///         "sum_single_bin",
    ///         &[as_val!("score")],
    ///     )
    ///     .await?;
    /// let mut stream = rs.into_stream();
    /// while let Some(value) = stream.next().await {
    ///     println!("aggregation result: {:?}", value?);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "lua")]
    pub async fn query_aggregate(
        &self,
        policy: &QueryPolicy,
        mut statement: Statement,
        package_name: &str,
        function_name: &str,
        function_args: &[Value],
    ) -> Result<Arc<ResultSet>> {
        use futures::StreamExt;

        statement.set_aggregate_function(package_name, function_name, function_args);
        statement.validate()?;

        // Disable retries: a retried partition would re-send partial
        // results that were already fed into the aggregation.
        let mut policy = self.cluster.resolve_query(policy).into_owned();
        policy.base_policy.max_retries = 0;

        let result_set = Arc::new(ResultSet::new(policy.record_queue_size));
        let recordset = self
            .query(&policy, PartitionFilter::all(), statement)
            .await?;

        // Server partials -> Lua input stream. Sized like the Java
        // client's input queue.
        let (input_tx, input_rx) = async_channel::bounded::<Value>(500);
        // Lua output stream -> ResultSet pump.
        let (output_tx, output_rx) =
            async_channel::bounded::<Value>(policy.record_queue_size.max(1));
        // Completion/error signal from the Lua pipeline task.
        let (done_tx, done_rx) = async_channel::bounded::<Result<()>>(1);

        // The pipeline runs as an ordinary executor task: mlua's async API
        // makes `stream.read`/`stream.write` await points, so no OS thread
        // is tied up per aggregation.
        let package = package_name.to_owned();
        let function = function_name.to_owned();
        let args: Vec<Value> = function_args.to_vec();
        aerospike_rt::spawn(async move {
            use futures::FutureExt;
            // `output_tx` moves into the pipeline and is dropped when it
            // completes, which ends the output pump below.
            let result = std::panic::AssertUnwindSafe(crate::lua::run_aggregate_pipeline(
                &package, &function, args, input_rx, output_tx,
            ))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                Err(Error::client_error(
                    "Lua aggregation task panicked".to_string(),
                ))
            });
            let _ = done_tx.send(result).await;
        });

        // Pump 1: feed the per-record partial results from the server
        // nodes into the Lua input stream. Dropping `input_tx` closes the
        // input stream, which `stream_iterator` reads as end-of-stream.
        let feed_rs = result_set.clone();
        aerospike_rt::spawn(async move {
            let mut records = recordset.into_stream();
            while let Some(item) = records.next().await {
                let partial = item.and_then(Self::extract_aggregate_value);
                match partial {
                    Ok(value) => {
                        if input_tx.send(value).await.is_err() {
                            // Lua side went away (error/panic); done_rx reports it.
                            break;
                        }
                    }
                    Err(err) => {
                        let _ = feed_rs.push(Err(err)).await;
                        break;
                    }
                }
            }
        });

        // Pump 2: forward the Lua output values to the ResultSet, then
        // surface any pipeline error and close the set.
        let out_rs = result_set.clone();
        aerospike_rt::spawn(async move {
            while let Ok(value) = output_rx.recv().await {
                if out_rs.push(Ok(value)).await.is_err() {
                    break;
                }
            }
            match done_rx.recv().await {
                Ok(Err(err)) => {
                    let _ = out_rs.push(Err(err)).await;
                }
                Ok(Ok(())) => {}
                Err(_) => {
                    let _ = out_rs
                        .push(Err(Error::client_error(
                            "Lua aggregation task terminated unexpectedly".to_string(),
                        )))
                        .await;
                }
            }
            out_rs.close();
        });

        Ok(result_set)
    }

    /// Extract the aggregation partial result from a server record: a
    /// single bin named `SUCCESS` carries the value; `FAILURE` carries a
    /// server-side UDF error message.
    #[cfg(feature = "lua")]
    fn extract_aggregate_value(mut record: Record) -> Result<Value> {
        if let Some(value) = record.bins.swap_remove("SUCCESS") {
            return Ok(value);
        }
        if let Some(reason) = record.bins.swap_remove("FAILURE") {
            return Err(Error::server_error_with_message(
                ResultCode::QueryGeneric,
                format!("aggregation UDF failed on the server: {reason}"),
            ));
        }
        Err(Error::bad_response(format!(
            "aggregation record is missing the SUCCESS bin (bins: {:?})",
            record.bins.keys().collect::<Vec<_>>()
        )))
    }

    /// Apply the statement's operations to every matching record on the
    /// server. This method sends the command to all nodes and returns an
    /// `ExecuteTask` that can be used to monitor the progress of the
    /// background job.
    ///
    /// The statement's filter determines which records are affected. If no
    /// filter is specified, all records in the namespace/set are processed
    /// (scan mode). The operations come from
    /// [`Statement::set_operations`]; only write operations are allowed, and a
    /// statement without operations is rejected with `ParameterError`.
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::*;
    /// # async fn example(client: &Client) -> Result<()> {
    /// let wpolicy = WritePolicy::default();
    /// let mut statement = Statement::new("ns", "set", Bins::All);
    /// statement.set_operations([operations::put(&Bin::new("bin", Value::Int(42)))]);
    /// let task = client.query_operate(&wpolicy, statement).await?;
    /// task.wait_till_complete(None).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn query_operate(
        &self,
        write_policy: &WritePolicy,
        statement: Statement,
    ) -> Result<ExecuteTask> {
        if statement.operations.as_ref().is_none_or(Vec::is_empty) {
            return Err(Error::server_error_with_message(
                ResultCode::ParameterError,
                "no operations defined",
            ));
        }
        statement.validate()?;

        let nodes = self.cluster.nodes();
        if nodes.is_empty() {
            return Err(Error::connection("No connections available".to_string()));
        }

        let task_id: u64 = rand::random();
        let scan = statement.filter().is_none();

        let mut last_err: Option<Error> = None;
        for node in &nodes {
            let mut cmd = ServerCommand::new(
                node.clone(),
                write_policy,
                &statement,
                task_id,
                self.cluster.clone(),
            );
            if let Err(err) = cmd.execute().await {
                last_err = Some(err);
            }
        }

        if let Some(err) = last_err {
            return Err(err);
        }

        Ok(ExecuteTask::new(self.cluster.clone(), task_id, scan))
    }

    /// Apply a user-defined function to records matching the statement filter.
    /// Records are not returned to the client. This asynchronous server call
    /// returns before the command completes. Use the returned [`ExecuteTask`]
    /// to poll for completion.
    ///
    /// If no filter is specified on the statement, the UDF is applied to all
    /// records in the namespace/set (scan mode).
    ///
    /// # Arguments
    ///
    /// * `write_policy` — Policy for the background write operation.
    /// * `statement` — Namespace, set, and optional filters.
    /// * `package_name` — Server-side UDF package name (registered via [`Client::register_udf`]).
    /// * `function_name` — UDF function to invoke.
    /// * `args` — Optional arguments passed to the UDF function.
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::*;
    /// # async fn example(client: &Client) -> Result<()> {
    /// let wpolicy = WritePolicy::default();
    /// let statement = Statement::new("ns", "set", Bins::All);
    /// let task = client.query_execute_udf(
    ///     &wpolicy,
    ///     statement,
    ///     "my_udf_package",
    ///     "my_function",
    ///     &[as_val!(42)],
    /// ).await?;
    /// task.wait_till_complete(None).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn query_execute_udf(
        &self,
        write_policy: &WritePolicy,
        mut statement: Statement,
        package_name: &str,
        function_name: &str,
        args: &[Value],
    ) -> Result<ExecuteTask> {
        statement.set_aggregate_function(package_name, function_name, args);
        statement.validate()?;

        let nodes = self.cluster.nodes();
        if nodes.is_empty() {
            return Err(Error::connection("No connections available".to_string()));
        }

        let task_id: u64 = rand::random();
        let scan = statement.filter().is_none();

        let mut last_err: Option<Error> = None;
        for node in &nodes {
            let mut cmd = ServerCommand::new_udf(
                node.clone(),
                write_policy,
                &statement,
                task_id,
                self.cluster.clone(),
            );
            if let Err(err) = cmd.execute().await {
                last_err = Some(err);
            }
        }

        if let Some(err) = last_err {
            return Err(err);
        }

        Ok(ExecuteTask::new(self.cluster.clone(), task_id, scan))
    }

    async fn execute_query_timeout(
        cluster: Arc<Cluster>,
        policy: &QueryPolicy,
        tracker: PartitionTracker,
        statement: Arc<Statement>,
        sink: QuerySink,
        execute_where: Option<Arc<[u8]>>,
    ) {
        if policy.total_timeout() > 0 {
            let timed_sink = sink.clone();
            if aerospike_rt::timeout(
                Duration::from_millis(u64::from(policy.total_timeout())),
                Self::execute_query(
                    cluster,
                    policy,
                    tracker,
                    statement,
                    sink,
                    execute_where.clone(),
                ),
            )
            .await
            .is_err()
            {
                timed_sink
                    .fatal(Error::timeout("Timeout".to_string()))
                    .await;
            }
        } else {
            Self::execute_query(cluster, policy, tracker, statement, sink, execute_where).await;
        }
    }

    async fn execute_query(
        cluster: Arc<Cluster>,
        policy: &QueryPolicy,
        mut tracker: PartitionTracker,
        statement: Arc<Statement>,
        sink: QuerySink,
        execute_where: Option<Arc<[u8]>>,
    ) {
        let namespace = statement.namespace.clone();
        // Exponential backoff between whole-cluster retry rounds: the sleep
        // interval starts at `sleep_between_retries` and grows by
        // `sleep_multiplier` after each round, mirroring the Go client's
        // scan/query executors.
        let sleep_multiplier = policy.base_policy.sleep_multiplier();
        let mut sleep_interval = policy.base_policy.sleep_between_retries();
        loop {
            let mut timed_out = false;
            let mut faulted = false;
            {
                if let Err(e) = tracker.assign_partitions_to_nodes(&cluster, &namespace) {
                    sink.fatal(e).await;
                    tracker.partition_error();
                    return;
                }

                // Taken by value: each set is *moved* into its node's task and
                // comes back in the join value, so the compiler — not the
                // protocol's word — guarantees one writer at a time.
                let list = tracker.take_node_partitions();
                let mut handles = Vec::with_capacity(list.len());
                sink.set_instances(list.len() + 1); // +1 is for the async executor

                // used for join errors
                let err_sink = sink.clone();

                if sink.is_active() {
                    let semaphore = Arc::new(Semaphore::new(if policy.max_concurrent_nodes == 0 {
                        MAX_PERMITS
                    } else {
                        policy.max_concurrent_nodes
                    }));

                    for node_partition in list {
                        let semaphore = semaphore.clone();
                        let sink = sink.clone();
                        let policy = policy.clone();
                        let statement = statement.clone();
                        let cluster = cluster.clone();
                        let execute_where = execute_where.clone();
                        let handle = aerospike_rt::spawn(async move {
                            let permit = semaphore.acquire().await;
                            // QueryCommand handles both filtered queries
                            // and filterless scans — set_query writes
                            // the filter fields conditionally.
                            let mut cmd = QueryCommand::new(
                                &policy,
                                statement,
                                sink,
                                node_partition,
                                cluster,
                                execute_where,
                            );
                            let result = cmd.execute().await;

                            drop(permit);
                            // Handed back on every path, error included, so a
                            // failed node still reports what it read and which
                            // of its partitions need retrying.
                            (result, cmd.into_node_partitions())
                        });

                        handles.push(handle);
                    }

                    let mut returned = Vec::with_capacity(handles.len());
                    for outcome in futures::future::join_all(handles).await {
                        // Unwrap the runtime's join wrapper: tokio reports a
                        // panicked or cancelled task here, async-std propagates
                        // the panic instead.
                        #[cfg(feature = "rt-tokio")]
                        let outcome = match outcome {
                            Ok(outcome) => outcome,
                            Err(e) => {
                                // The task died holding its partition set;
                                // there is nothing to hand back.
                                err_sink.err(Error::client_error(e.to_string())).await;
                                continue;
                            }
                        };

                        let (result, node_partition) = outcome;
                        if result.is_ok() {
                            err_sink.note_served(&node_partition.node); // aerospike-py patch
                        }
                        returned.push(node_partition);
                        match result {
                            // Socket I/O errors now surface as Error::Connection (was Error::Io).
                            Err(e)
                                if matches!(
                                    e.kind(),
                                    ErrorKind::Timeout | ErrorKind::Io(_) | ErrorKind::Connection
                                ) =>
                            {
                                timed_out = true;
                            }
                            // A cancelled or aborted stream: its partitions
                            // still hold undelivered records, so the round
                            // must not be treated as cleanly complete — the
                            // cursor's `done` flag is a promise that a resume
                            // has nothing left to fetch.
                            Err(e) if matches!(e.kind(), ErrorKind::StreamTerminated) => {
                                faulted = true;
                                tracker.partition_error();
                                err_sink.err(e).await;
                            }
                            // A genuine error (a server rejection, say) ends
                            // the query as before: deterministic failures are
                            // not retried.
                            Err(e) => {
                                tracker.partition_error();
                                err_sink.err(e).await;
                            }
                            Ok(()) => (),
                        }
                    }
                    tracker.restore_node_partitions(returned);
                } else {
                    tracker.restore_node_partitions(list);
                }
            };

            let done = tracker.is_complete(policy, timed_out, faulted);
            match (done, sink.is_active()) {
                (Ok(true), _) | (Ok(_), false) => return,
                (Err(e), _) => {
                    tracker.partition_error();
                    sink.fatal(e).await;
                    return;
                }
                _ => (),
            }

            if let Some(interval) = sleep_interval {
                sleep(interval).await;
                sleep_interval = Some(crate::policy::next_retry_interval(
                    interval,
                    sleep_multiplier,
                ));
            }

            sink.reset_task_id();
        }
    }

    /// Sets XDR filter for a given datacenter name and namespace. The expression filter indicates
    /// which records XDR should ship to the datacenter.
    /// Pass nil as a filter to remove the current filter on the server.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `datacenter` — XDR datacenter name.
    /// * `namespace` — Namespace to apply the filter to.
    /// * `filter_expression` — Expression to filter which records are shipped; `None` to remove the current filter.
    ///
    /// # Errors
    ///
    /// * Returns an error if the info command fails (e.g., invalid expression, cluster error).
    ///
    /// # See also
    ///
    /// * [`Expression`](crate::expressions::Expression)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// // Remove XDR filter for a datacenter/namespace (pass None)
    /// match client.set_xdr_filter(
    ///     &AdminPolicy::default(),
    ///     "DC1",
    ///     "test",
    ///     None,
    /// ).await {
    ///     Ok(()) => { /* filter cleared */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn set_xdr_filter(
        &self,
        policy: &AdminPolicy,
        datacenter: &str,
        namespace: &str,
        filter_expression: Option<&Expression>,
    ) -> Result<()> {
        let node = self.cluster.get_random_node()?;

        let cmd = if let Some(expression) = filter_expression {
            let size = expression.size()?;
            let mut buf = Buffer::new(0);
            buf.resize_buffer(size)?;
            expression.pack(&mut Some(&mut buf))?;
            let exp_str = BASE64.encode(&buf.data_buffer);

            format!("xdr-set-filter:dc={datacenter};namespace={namespace};exp={exp_str}")
        } else {
            format!("xdr-set-filter:dc={datacenter};namespace={namespace};exp=null")
        };

        self.send_info_cmd(policy, node, &cmd, "Error setting XDR filter")
            .await
    }

    /// Removes all records in the specified namespace/set efficiently.
    ///
    /// This method is many orders of magnitude faster than deleting records one at a time. It
    /// requires Aerospike Server version 3.12 or later. See
    /// <https://www.aerospike.com/docs/reference/info#truncate> for further info.
    ///
    /// The `set_name` is optional; set to `""` to delete all sets in `namespace`.
    ///
    /// `before_nanos` optionally specifies a last update timestamp (lut); if it is greater than
    /// zero, only records with a lut less than `before_nanos` are deleted. Units are in
    /// nanoseconds since unix epoch (1970-01-01). Pass in zero to delete all records in the
    /// namespace/set regardless of last update time.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `namespace` — Namespace to truncate.
    /// * `set_name` — Set name, or `""` to truncate all sets in the namespace.
    /// * `before_nanos` — If greater than zero, only records with lut less than this (nanoseconds since epoch) are deleted; use `0` for all.
    ///
    /// # Errors
    ///
    /// * Returns an error if the truncate info command fails (e.g. cluster error, server version &lt; 3.12).
    ///
    /// # See also
    ///
    /// * [Truncate reference](https://www.aerospike.com/docs/reference/info#truncate)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// // Truncate all records in set "myset" in namespace "test"
    /// match client.truncate(&AdminPolicy::default(), "test", "myset", 0).await {
    ///     Ok(()) => { /* truncate completed */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn truncate(
        &self,
        policy: &AdminPolicy,
        namespace: &str,
        set_name: &str,
        before_nanos: i64,
    ) -> Result<()> {
        let mut cmd = String::with_capacity(160);
        if set_name.is_empty() {
            cmd.push_str("truncate-namespace:namespace=");
        } else {
            cmd.push_str("truncate:namespace=");
        }
        cmd.push_str(namespace);

        if !set_name.is_empty() {
            cmd.push_str(";set=");
            cmd.push_str(set_name);
        }

        if before_nanos > 0 {
            cmd.push_str(";lut=");
            write!(cmd, "{before_nanos}").unwrap();
        }

        let node = self.cluster.get_random_node()?;
        self.send_info_cmd(policy, node, &cmd, "Error truncating ns/set")
            .await
    }

    /// Creates a secondary index on a bin. This asynchronous server call
    /// returns before the command is complete.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `namespace` — Namespace for the index.
    /// * `set_name` — Set name (can be empty for namespace-wide).
    /// * `bin_name` — Bin to index.
    /// * `index_name` — Unique name for the index.
    /// * `index_type` — [`IndexType`] (e.g. Numeric, String).
    /// * `collection_index_type` — [`CollectionIndexType`] for list/map indexing.
    /// * `ctx` — Optional [`CdtContext`](crate::operations::CdtContext) for nested collection indexing.
    ///
    /// # Returns
    ///
    /// `Ok(IndexTask)` to poll or wait for index creation to complete (e.g. [`Task::wait_till_complete`](crate::Task::wait_till_complete)).
    ///
    /// # Errors
    ///
    /// * Returns an error if the index create command fails (e.g. index already exists, invalid params, cluster error).
    ///
    /// # See also
    ///
    /// * [`create_index_using_expression`](Self::create_index_using_expression), [`drop_index`](Self::drop_index), [`IndexTask`](crate::task::IndexTask)
    ///
    /// # Examples
    ///
    /// The following example creates an index `idx_foo_bar_baz`. The index is in namespace `foo`
    /// within set `bar` and bin `baz`:
    ///
    /// ```rust,edition2021
    /// # extern crate aerospike;
    /// # use aerospike::*;
    /// # use std::env;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = env::var("AEROSPIKE_HOSTS").unwrap_or(String::from("127.0.0.1:3000"));
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let policy = AdminPolicy::default();
    ///
    /// match client.create_index_on_bin(
    ///     &policy, "foo", "bar", "baz",
    ///     "idx_foo_bar_baz", IndexType::Numeric, CollectionIndexType::Default, None,
    /// ).await {
    ///     Err(err) => println!("Failed to create index: {}", err),
    ///     Ok(task) => { /* wait for task with task.wait_till_complete(None).await */ }
    /// }
    /// # }
    /// ```
    pub async fn create_index_on_bin(
        &self,
        policy: &AdminPolicy,
        namespace: &str,
        set_name: &str,
        bin_name: &str,
        index_name: &str,
        index_type: IndexType,
        collection_index_type: CollectionIndexType,
        ctx: Option<&[CdtContext]>,
    ) -> Result<IndexTask> {
        self.create_index(
            policy,
            namespace,
            set_name,
            bin_name,
            index_name,
            index_type,
            collection_index_type,
            None,
            ctx,
        )
        .await
    }

    /// Creates a secondary index using an expression. This asynchronous server call
    /// returns before the command is complete.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `namespace` — Namespace for the index.
    /// * `set_name` — Set name (can be empty for namespace-wide).
    /// * `index_name` — Unique name for the index.
    /// * `index_type` — [`IndexType`] (e.g. Numeric, String).
    /// * `collection_index_type` — [`CollectionIndexType`].
    /// * `expression` — [`Expression`](crate::expressions::Expression) defining the index (e.g. equality on a bin).
    ///
    /// # Returns
    ///
    /// `Ok(IndexTask)` to poll or wait for index creation to complete.
    ///
    /// # Errors
    ///
    /// * Returns an error if the index create command fails (e.g. index already exists, invalid expression, cluster error).
    ///
    /// # See also
    ///
    /// * [`create_index_on_bin`](Self::create_index_on_bin), [`drop_index`](Self::drop_index), [`crate::expressions`]
    ///
    /// # Examples
    ///
    /// The following example creates an index `idx_foo_bar_baz`. The index is in namespace `foo`
    /// within set `bar` with the expression `int_bin("a") == 500`:
    ///
    /// ```rust,edition2021
    /// # extern crate aerospike;
    /// # use aerospike::expressions::{eq, int_bin, int_val};
    /// # use aerospike::*;
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or(String::from("127.0.0.1:3000"));
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let policy = AdminPolicy::default();
    /// let expression = eq(int_bin("a".to_string()), int_val(500));
    /// match client.create_index_using_expression(
    ///     &policy, "foo", "bar", "idx_foo_bar_baz",
    ///     IndexType::Numeric, CollectionIndexType::Default, &expression,
    /// ).await {
    ///     Err(err) => println!("Failed to create index: {}", err),
    ///     Ok(task) => { /* wait for task with task.wait_till_complete(None).await */ }
    /// }
    /// # }
    /// ```
    pub async fn create_index_using_expression(
        &self,
        policy: &AdminPolicy,
        namespace: &str,
        set_name: &str,
        index_name: &str,
        index_type: IndexType,
        collection_index_type: CollectionIndexType,
        expression: &Expression,
    ) -> Result<IndexTask> {
        self.create_index(
            policy,
            namespace,
            set_name,
            "",
            index_name,
            index_type,
            collection_index_type,
            Some(expression),
            None,
        )
        .await
    }

    /// Creates a set index: a secondary index on record presence per set, with
    /// no bin, type, context or expression. This asynchronous server call
    /// returns before the index is built; wait on the returned task.
    ///
    /// Requires server 8.1.2+ ([`Version::supports_set_index`]). The server
    /// builds it through the sindex framework, so the `sindex-admin` role is
    /// enough — the older `set-config … enable-index=true` route needs
    /// `set-config`. Dropped with [`drop_index`](Self::drop_index) like any
    /// other index.
    ///
    /// # Errors
    ///
    /// `set_name` is required: a set index with no set is rejected here, before
    /// anything is sent. Server failures come back as the server reports them.
    ///
    /// ```rust,edition2021
    /// # extern crate aerospike;
    /// # use aerospike::*;
    /// # use std::env;
    ///
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = env::var("AEROSPIKE_HOSTS").unwrap_or(String::from("127.0.0.1:3000"));
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let policy = AdminPolicy::default();
    ///
    /// match client.create_set_index(&policy, "test", "demo", "demo_set_idx").await {
    ///     Err(err) => println!("Failed to create set index: {}", err),
    ///     Ok(task) => { /* wait for task with task.wait_till_complete(None).await */ }
    /// }
    /// # }
    /// ```
    pub async fn create_set_index(
        &self,
        policy: &AdminPolicy,
        namespace: &str,
        set_name: &str,
        index_name: &str,
    ) -> Result<IndexTask> {
        if set_name.is_empty() {
            return Err(Error::invalid_argument(
                "a set index requires a set name".to_string(),
            ));
        }
        self.create_index(
            policy,
            namespace,
            set_name,
            "",
            index_name,
            IndexType::Numeric,
            CollectionIndexType::Set,
            None,
            None,
        )
        .await
    }

    /// Creates a secondary index on a bin or using expression. This asynchronous server call
    /// returns before the command is complete.
    ///
    /// For internal use only. `bin_name` and expression cannot both be passed.
    async fn create_index(
        &self,
        policy: &AdminPolicy,
        namespace: &str,
        set_name: &str,
        bin_name: &str,
        index_name: &str,
        index_type: IndexType,
        collection_index_type: CollectionIndexType,
        expression: Option<&Expression>,
        ctx: Option<&[CdtContext]>,
    ) -> Result<IndexTask> {
        let mut cmd = String::with_capacity(1024);
        let node = self.cluster.get_random_node()?;
        let node_version = node.version();
        if node_version >= &Version::new(8, 1, 0, 0) {
            cmd.push_str("sindex-create:namespace=");
        } else {
            cmd.push_str("sindex-create:ns=");
        }
        cmd.push_str(namespace);

        if !set_name.is_empty() {
            cmd.push_str(";set=");
            cmd.push_str(set_name);
        }

        cmd.push_str(";indexname=");
        cmd.push_str(index_name);

        if collection_index_type == CollectionIndexType::Set {
            // A set index takes nothing else: the server rejects a bin, a type,
            // a context or an expression on it (`ERROR:4:type parameter is not
            // supported for set index`). The command is exactly what the Java
            // and Go clients send.
            if !bin_name.is_empty() || expression.is_some() || ctx.is_some_and(|c| !c.is_empty()) {
                return Err(Error::invalid_argument(
                    "a set index takes no bin, expression or context; use create_set_index"
                        .to_string(),
                ));
            }
            cmd.push_str(";indextype=set");
            self.send_info_cmd(policy, node, &cmd, "Create index failed")
                .await?;
            return Ok(IndexTask::new(
                Arc::clone(&self.cluster),
                namespace.to_string(),
                index_name.to_string(),
            ));
        }

        if let Some(ctx) = ctx {
            if !ctx.is_empty() {
                let ctx_str = to_base64(ctx)?;
                cmd.push_str(";context=");
                cmd.push_str(&ctx_str);
            }
        }

        if let Some(expression) = expression {
            let exp_str = expression.base64()?;
            cmd.push_str(";exp=");
            cmd.push_str(&exp_str);
        }

        if CollectionIndexType::Default != collection_index_type {
            cmd.push_str(";indextype=");
            let cit = format!("{collection_index_type}");
            cmd.push_str(&cit);
        }

        if bin_name.is_empty() {
            cmd.push_str(";type=");
        } else if node_version >= &Version::new(8, 1, 0, 0) {
            cmd.push_str(";bin=");
            cmd.push_str(bin_name);
            cmd.push_str(";type=");
        } else {
            cmd.push_str(";indexdata=");
            cmd.push_str(bin_name);
            cmd.push(',');
        }

        write!(cmd, "{index_type}").unwrap();

        self.send_info_cmd(policy, node, &cmd, "Create index failed")
            .await?;
        Ok(IndexTask::new(
            Arc::clone(&self.cluster),
            namespace.to_string(),
            index_name.to_string(),
        ))
    }

    /// Delete secondary index.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `namespace` — Namespace of the index.
    /// * `set_name` — Set name (can be empty for namespace-wide index).
    /// * `index_name` — Name of the index to drop.
    ///
    /// # Returns
    ///
    /// `Ok(DropIndexTask)` to poll or wait for index drop to complete across the cluster.
    ///
    /// # Errors
    ///
    /// * Returns an error if the drop command fails (e.g., index not found, cluster error).
    ///
    /// # See also
    ///
    /// * [`create_index_on_bin`](Self::create_index_on_bin), [`create_index_using_expression`](Self::create_index_using_expression), [`DropIndexTask`](crate::task::DropIndexTask)
    ///
    /// # Examples
    ///
    /// ```rust,edition2021
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.drop_index(&AdminPolicy::default(), "test", "myset", "idx_mybin").await {
    ///     Ok(task) => { /* wait for task.wait_till_complete(None).await */ }
    ///     Err(err) => eprintln!("Failed to drop index: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn drop_index(
        &self,
        policy: &AdminPolicy,
        namespace: &str,
        set_name: &str,
        index_name: &str,
    ) -> Result<DropIndexTask> {
        let node = self.cluster.get_random_node()?;
        let node_version = node.version();

        let mut cmd = String::with_capacity(100);

        if node_version >= &Version::new(8, 1, 0, 0) {
            cmd.push_str("sindex-delete:namespace=");
        } else {
            cmd.push_str("sindex-delete:ns=");
        }
        cmd.push_str(namespace);

        if !set_name.is_empty() {
            cmd.push_str(";set=");
            cmd.push_str(set_name);
        }

        cmd.push_str(";indexname=");
        cmd.push_str(index_name);

        self.send_info_cmd(policy, node, &cmd, "Drop index failed")
            .await?;
        Ok(DropIndexTask::new(
            Arc::clone(&self.cluster),
            namespace.to_string(),
            index_name.to_string(),
        ))
    }

    /// Sends an info command and turns a non-`ok` response into a server
    /// error prefixed with `context`. A transport failure on the way
    /// propagates untouched, as it does in the Java client.
    async fn send_info_cmd(
        &self,
        policy: &AdminPolicy,
        node: Arc<Node>,
        cmd: &str,
        context: &str,
    ) -> Result<()> {
        let response = node.info(policy, &[cmd]).await?;
        if let Some(response) = response.get(cmd) {
            if response != "ok" && !response.is_empty() {
                return Err(Error::info_command_failure(context, response));
            }
        }

        Ok(())
    }

    /// Creates a new user with password and roles. Clear-text password will be hashed using bcrypt
    /// before sending to server.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `user` — Username.
    /// * `password` — Clear-text password (hashed with bcrypt before send).
    /// * `roles` — List of role names to assign.
    ///
    /// # Errors
    ///
    /// * Returns an error if user creation fails (e.g. user exists, invalid roles, cluster error). Requires cluster security to be enabled.
    ///
    /// # See also
    ///
    /// * [`drop_user`](Self::drop_user), [`grant_roles`](Self::grant_roles), [`query_users`](Self::query_users)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.create_user(
    ///     &AdminPolicy::default(),
    ///     "newuser",
    ///     "password",
    ///     &["read-write"],
    /// ).await {
    ///     Ok(()) => { /* user created */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn create_user(
        &self,
        policy: &AdminPolicy,
        user: &str,
        password: &str,
        roles: &[&str],
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::create_user(policy, &cluster, user, password, roles).await
    }

    /// Creates a new user PKI user with roles. PKI users are authenticated via TLS and a certificate instead of a password.
    /// Supported by Aerospike Server v8.1+ Enterprise.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `user` — Username (typically matches certificate CN or SAN).
    /// * `roles` — List of role names to assign.
    ///
    /// # Errors
    ///
    /// * Returns an error if PKI user creation fails. Requires Enterprise server 8.1+ and PKI auth.
    ///
    /// # See also
    ///
    /// * [`create_user`](Self::create_user), [`drop_user`](Self::drop_user)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.create_pki_user(
    ///     &AdminPolicy::default(),
    ///     "pki_user",
    ///     &["read-write"],
    /// ).await {
    ///     Ok(()) => { /* PKI user created */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn create_pki_user(
        &self,
        policy: &AdminPolicy,
        user: &str,
        roles: &[&str],
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::create_user(policy, &cluster, user, "nopassword", roles).await
    }

    /// Removes a user from the cluster.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `user` — Username to remove.
    ///
    /// # Errors
    ///
    /// * Returns an error if the user does not exist or drop fails (cluster/security error).
    ///
    /// # See also
    ///
    /// * [`create_user`](Self::create_user), [`query_users`](Self::query_users)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.drop_user(&AdminPolicy::default(), "olduser").await {
    ///     Ok(()) => { /* user removed */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn drop_user(&self, policy: &AdminPolicy, user: &str) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::drop_user(policy, &cluster, user).await
    }

    /// Changes a user's password. Clear-text password will be hashed using bcrypt before sending to server.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `user` — Username whose password to change.
    /// * `password` — New clear-text password (hashed with bcrypt before send).
    ///
    /// # Errors
    ///
    /// * Returns an error if the user is not found, auth mode does not allow password change (e.g., PKI), or cluster error.
    ///
    /// # See also
    ///
    /// * [`create_user`](Self::create_user)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.change_password(
    ///     &AdminPolicy::default(),
    ///     "myuser",
    ///     "new_password",
    /// ).await {
    ///     Ok(()) => { /* password changed */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn change_password(
        &self,
        policy: &AdminPolicy,
        user: &str,
        password: &str,
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        let auth_mode = self.cluster.client_policy().auth_mode;
        match auth_mode {
            crate::AuthMode::Internal(u, _)
            | crate::AuthMode::External(u, _)
            | crate::AuthMode::ExternalInsecure(u, _)
                if u == user =>
            {
                AdminCommand::change_password(policy, &cluster, user, password).await
            }
            crate::AuthMode::Pki => Err(Error::client_error("Can't change PKI user's password")),
            _ => AdminCommand::set_password(policy, &cluster, user, password).await,
        }
    }

    /// Adds roles to user's list of roles.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `user` — Username.
    /// * `roles` — Role names to add.
    ///
    /// # Errors
    ///
    /// * Returns an error if the user or any role is invalid, or cluster/security error.
    ///
    /// # See also
    ///
    /// * [`revoke_roles`](Self::revoke_roles), [`query_users`](Self::query_users), [`create_role`](Self::create_role)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.grant_roles(
    ///     &AdminPolicy::default(),
    ///     "myuser",
    ///     &["read-write", "sys-admin"],
    /// ).await {
    ///     Ok(()) => { /* roles granted */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn grant_roles(
        &self,
        policy: &AdminPolicy,
        user: &str,
        roles: &[&str],
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::grant_roles(policy, &cluster, user, roles).await
    }

    /// Removes roles from user's list of roles.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `user` — Username.
    /// * `roles` — Role names to remove.
    ///
    /// # Errors
    ///
    /// * Returns an error if the user is not found or revoke fails (cluster/security error).
    ///
    /// # See also
    ///
    /// * [`grant_roles`](Self::grant_roles), [`query_users`](Self::query_users)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.revoke_roles(
    ///     &AdminPolicy::default(),
    ///     "myuser",
    ///     &["sys-admin"],
    /// ).await {
    ///     Ok(()) => { /* roles revoked */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn revoke_roles(
        &self,
        policy: &AdminPolicy,
        user: &str,
        roles: &[&str],
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::revoke_roles(policy, &cluster, user, roles).await
    }

    /// Retrieves users and their roles.
    /// If None is passed for the user argument, all users will be returned.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `user` — Specific username to query, or `None` to return all users.
    ///
    /// # Returns
    ///
    /// `Ok(Vec<User>)` — list of users with their roles.
    ///
    /// # Errors
    ///
    /// * Returns an error if the query fails (cluster/security error).
    ///
    /// # See also
    ///
    /// * [`query_roles`](Self::query_roles), [`create_user`](Self::create_user), [`User`]
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.query_users(&AdminPolicy::default(), None).await {
    ///     Ok(users) => println!("{} user(s)", users.len()),
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn query_users(&self, policy: &AdminPolicy, user: Option<&str>) -> Result<Vec<User>> {
        let cluster = self.cluster.clone();
        AdminCommand::query_users(policy, &cluster, user).await
    }

    /// Retrieves roles and their privileges.
    /// If None is passed for the role argument, all roles will be returned.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `role` — Specific role name to query, or `None` to return all roles.
    ///
    /// # Returns
    ///
    /// `Ok(Vec<Role>)` — list of roles with their privileges.
    ///
    /// # Errors
    ///
    /// * Returns an error if the query fails (cluster/security error).
    ///
    /// # See also
    ///
    /// * [`query_users`](Self::query_users), [`create_role`](Self::create_role), [`Role`]
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.query_roles(&AdminPolicy::default(), None).await {
    ///     Ok(roles) => println!("{} role(s)", roles.len()),
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn query_roles(&self, policy: &AdminPolicy, role: Option<&str>) -> Result<Vec<Role>> {
        let cluster = self.cluster.clone();
        AdminCommand::query_roles(policy, &cluster, role).await
    }

    /// Creates a user-defined role.
    /// Quotas require server security configuration "enable-quotas" to be set to true.
    /// Pass 0 for quota values for no limit.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `role_name` — Name of the role.
    /// * `privileges` — List of [`Privilege`] to grant.
    /// * `allowlist` — IP allowlist for the role (empty to allow all).
    /// * `read_quota` — Max reads per second (0 = no limit); requires enable-quotas.
    /// * `write_quota` — Max writes per second (0 = no limit); requires enable-quotas.
    ///
    /// # Errors
    ///
    /// * Returns an error if the role already exists, privileges are invalid, or cluster/security error.
    ///
    /// # See also
    ///
    /// * [`drop_role`](Self::drop_role), [`grant_privileges`](Self::grant_privileges), [`query_roles`](Self::query_roles)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy, Privilege, PrivilegeCode};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let privileges = [Privilege::new(PrivilegeCode::ReadWrite, None, None)];
    /// match client.create_role(
    ///     &AdminPolicy::default(),
    ///     "custom_role",
    ///     &privileges,
    ///     &[],
    ///     0,
    ///     0,
    /// ).await {
    ///     Ok(()) => { /* role created */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn create_role(
        &self,
        policy: &AdminPolicy,
        role_name: &str,
        privileges: &[Privilege],
        allowlist: &[&str],
        read_quota: u32,
        write_quota: u32,
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::create_role(
            policy,
            &cluster,
            role_name,
            privileges,
            allowlist,
            read_quota,
            write_quota,
        )
        .await
    }

    /// Removes a user-defined role.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `role_name` — Name of the role to remove.
    ///
    /// # Errors
    ///
    /// * Returns an error if the role does not exist or drop fails (cluster/security error).
    ///
    /// # See also
    ///
    /// * [`create_role`](Self::create_role), [`grant_roles`](Self::grant_roles)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.drop_role(&AdminPolicy::default(), "old_role").await {
    ///     Ok(()) => { /* role removed */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn drop_role(&self, policy: &AdminPolicy, role_name: &str) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::drop_role(policy, &cluster, role_name).await
    }

    /// Grants privileges to a user-defined role.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `role_name` — Role to modify.
    /// * `privileges` — [`Privilege`] list to add.
    ///
    /// # Errors
    ///
    /// * Returns an error if the role is not found, privileges are invalid, or cluster/security error.
    ///
    /// # See also
    ///
    /// * [`revoke_privileges`](Self::revoke_privileges), [`create_role`](Self::create_role), [`Privilege`]
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy, Privilege, PrivilegeCode};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let privileges = [Privilege::new(PrivilegeCode::Read, Some("test".to_string()), None)];
    /// match client.grant_privileges(
    ///     &AdminPolicy::default(),
    ///     "my_role",
    ///     &privileges,
    /// ).await {
    ///     Ok(()) => { /* privileges granted */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn grant_privileges(
        &self,
        policy: &AdminPolicy,
        role_name: &str,
        privileges: &[Privilege],
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::grant_privileges(policy, &cluster, role_name, privileges).await
    }

    /// Revokes privileges from a user-defined role.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `role_name` — Role to modify.
    /// * `privileges` — [`Privilege`] list to revoke.
    ///
    /// # Errors
    ///
    /// * Returns an error if the role is not found or revoke fails (cluster/security error).
    ///
    /// # See also
    ///
    /// * [`grant_privileges`](Self::grant_privileges), [`create_role`](Self::create_role)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy, Privilege, PrivilegeCode};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// let privileges = [Privilege::new(PrivilegeCode::Write, None, None)];
    /// match client.revoke_privileges(
    ///     &AdminPolicy::default(),
    ///     "my_role",
    ///     &privileges,
    /// ).await {
    ///     Ok(()) => { /* privileges revoked */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn revoke_privileges(
        &self,
        policy: &AdminPolicy,
        role_name: &str,
        privileges: &[Privilege],
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::revoke_privileges(policy, &cluster, role_name, privileges).await
    }

    /// Sets IP address allowlist for a role.
    /// If allowlist is nil or empty, it removes existing allowlist from role.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `role_name` — Role to modify.
    /// * `allowlist` — IP addresses/CIDRs allowed for this role; empty to remove allowlist.
    ///
    /// # Errors
    ///
    /// * Returns an error if the role is not found or the command fails (cluster/security error).
    ///
    /// # See also
    ///
    /// * [`create_role`](Self::create_role), [`set_quotas`](Self::set_quotas)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.set_allowlist(
    ///     &AdminPolicy::default(),
    ///     "my_role",
    ///     &["192.168.1.0/24", "10.0.0.1"],
    /// ).await {
    ///     Ok(()) => { /* allowlist set */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn set_allowlist(
        &self,
        policy: &AdminPolicy,
        role_name: &str,
        allowlist: &[&str],
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::set_allowlist(policy, &cluster, role_name, allowlist).await
    }

    /// Sets maximum reads/writes per second limits for a role.
    /// If a quota is zero, the limit is removed.
    /// Quotas require server security configuration "enable-quotas" to be set to true.
    /// Pass 0 for quota values for no limit.
    ///
    /// # Arguments
    ///
    /// * `policy` — Admin policy (timeout).
    /// * `role_name` — Role to modify.
    /// * `read_quota` — Max reads per second; 0 to remove limit.
    /// * `write_quota` — Max writes per second; 0 to remove limit.
    ///
    /// # Errors
    ///
    /// * Returns an error if the role is not found, quotas are not enabled on the server, or cluster/security error.
    ///
    /// # See also
    ///
    /// * [`create_role`](Self::create_role), [`set_allowlist`](Self::set_allowlist)
    ///
    /// # Examples
    ///
    /// ```rust,no_run
    /// # use aerospike::{Client, ClientPolicy, AdminPolicy};
    /// # #[tokio::main]
    /// # async fn main() {
    /// # let hosts = std::env::var("AEROSPIKE_HOSTS").unwrap_or_else(|_| "127.0.0.1:3000".to_string());
    /// # let client = Client::new(&ClientPolicy::default(), &hosts).await.unwrap();
    /// match client.set_quotas(
    ///     &AdminPolicy::default(),
    ///     "my_role",
    ///     1000,
    ///     500,
    /// ).await {
    ///     Ok(()) => { /* quotas set */ }
    ///     Err(err) => eprintln!("Error: {}", err),
    /// }
    /// # }
    /// ```
    pub async fn set_quotas(
        &self,
        policy: &AdminPolicy,
        role_name: &str,
        read_quota: u32,
        write_quota: u32,
    ) -> Result<()> {
        let cluster = self.cluster.clone();
        AdminCommand::set_quotas(policy, &cluster, role_name, read_quota, write_quota).await
    }

    /// Commit a multi-record transaction (MRT). This will verify record versions,
    /// mark the transaction as roll-forward, commit all written records, and close
    /// the transaction monitor.
    ///
    /// Uses default policies for verify and roll. Use
    /// [`commit_with_policies`](Self::commit_with_policies) to control timeouts
    /// and retries.
    ///
    /// # Arguments
    /// * `txn` - The transaction to commit (wrapped in `Arc`).
    ///
    /// # Returns
    /// `CommitStatus` indicating the outcome of the commit operation on success
    /// (`Ok`, `AlreadyCommitted`, `CloseAbandoned`), or `ErrorKind::Commit` with
    /// per-key records and an `in_doubt` flag on failure — including an
    /// abandoned roll-forward, whose writes are not yet visible.
    ///
    /// A failure with `in_doubt() == true` leaves the transaction in
    /// [`TxnState::CommitFailed`]: the server may still be rolling it
    /// forward, so [`abort`](Self::abort) is refused and the only recovery is
    /// to call `commit` again. If the retry finds the server already marked
    /// the transaction roll-forward, it completes the roll and returns
    /// `AlreadyCommitted`.
    pub async fn commit(&self, txn: &Arc<Txn>) -> Result<CommitStatus> {
        self.commit_with_policies(&TxnVerifyPolicy::default(), &TxnRollPolicy::default(), txn)
            .await
    }

    /// Commit a multi-record transaction with explicit verify and roll policies.
    pub async fn commit_with_policies(
        &self,
        verify_policy: &TxnVerifyPolicy,
        roll_policy: &TxnRollPolicy,
        txn: &Arc<Txn>,
    ) -> Result<CommitStatus> {
        // Apply any dynamic-config overrides for the txn_verify/txn_roll sections.
        let verify_policy = self.cluster.resolve_txn_verify(verify_policy);
        let verify_policy = verify_policy.as_ref();
        let roll_policy = self.cluster.resolve_txn_roll(roll_policy);
        let roll_policy = roll_policy.as_ref();

        let mut tr = TxnRoll::new(self.cluster.clone(), txn.clone());

        match txn.state() {
            TxnState::Open => {
                tr.verify(verify_policy, roll_policy).await?;
                tr.commit(roll_policy).await
            }
            // A verified transaction goes straight to the roll-forward mark.
            // That is also the only recovery path after an in-doubt commit
            // failure: the verify already passed, so the commit is retried.
            TxnState::Verified | TxnState::CommitFailed => tr.commit(roll_policy).await,
            TxnState::Committed => Ok(CommitStatus::AlreadyCommitted),
            TxnState::Aborted => Err(Error::server_error_with_message(
                ResultCode::MrtAborted,
                "Transaction already aborted",
            )),
        }
    }

    /// Abort a multi-record transaction (MRT). This will roll back all written
    /// records and close the transaction monitor.
    ///
    /// Uses a default policy for the roll. Use
    /// [`abort_with_policy`](Self::abort_with_policy) to control timeouts and
    /// retries.
    ///
    /// Abort is **refused** with `ClientResultCode::TxnFailed` after a commit
    /// failed with an in-doubt outcome ([`TxnState::CommitFailed`]): the
    /// server may still be rolling the transaction forward, and a rollback
    /// could discard writes it is committing. Retry [`commit`](Self::commit)
    /// instead.
    ///
    /// # Arguments
    /// * `txn` - The transaction to abort (wrapped in `Arc`).
    pub async fn abort(&self, txn: &Arc<Txn>) -> Result<AbortStatus> {
        self.abort_with_policy(&TxnRollPolicy::default(), txn).await
    }

    /// Abort a multi-record transaction with an explicit roll policy.
    pub async fn abort_with_policy(
        &self,
        roll_policy: &TxnRollPolicy,
        txn: &Arc<Txn>,
    ) -> Result<AbortStatus> {
        // Apply any dynamic-config override for the txn_roll section.
        let roll_policy = self.cluster.resolve_txn_roll(roll_policy);
        let roll_policy = roll_policy.as_ref();

        let mut tr = TxnRoll::new(self.cluster.clone(), txn.clone());

        match txn.state() {
            TxnState::Open | TxnState::Verified => tr.abort(roll_policy).await,
            // The roll-forward mark may have reached the server: rolling back
            // now could discard writes it is committing. Only a commit retry
            // can resolve the transaction from here.
            TxnState::CommitFailed => {
                Err(Error::txn_failed(crate::txn::COMMIT_FAILED_ABORT_MESSAGE))
            }
            TxnState::Committed => Err(Error::server_error_with_message(
                ResultCode::MrtCommitted,
                "Transaction already committed",
            )),
            TxnState::Aborted => Ok(AbortStatus::AlreadyAborted),
        }
    }
}
