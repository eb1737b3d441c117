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

#![warn(missing_docs)]
#![doc(test(attr(
    allow(unused_variables),
    allow(unused_assignments),
    allow(unused_mut),
    allow(unused_attributes),
    allow(dead_code),
    deny(warnings)
)))]
#![warn(clippy::all, clippy::pedantic, clippy::nursery)]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::checked_conversions,
    clippy::copy_iterator,
    clippy::fallible_impl_from,
    clippy::module_name_repetitions,
    clippy::must_use_candidate,
    clippy::needless_pass_by_value,
    clippy::similar_names,
    clippy::too_many_lines,
    unknown_lints,
    clippy::unseparated_literal_suffix,
    clippy::unused_self,
    clippy::use_self,
    clippy::missing_errors_doc,
    // Style calls this crate makes deliberately: an `if let`/`match` on an
    // Option with multi-line arms reads better than `map_or_else`; lock
    // guards are scoped by blocks rather than explicit `drop`s; policies are
    // built field by field after `default()`, as callers write them; and
    // `&Option<T>` parameters mirror the policy accessors that return them.
    clippy::option_if_let_else,
    clippy::significant_drop_tightening,
    clippy::significant_drop_in_scrutinee,
    clippy::field_reassign_with_default,
    clippy::ref_option,
    clippy::struct_field_names,
    // Integer -> f64 for averages, ratios and percentages is intended.
    clippy::cast_precision_loss,
    // Future sizes depend on the runtime's types (the async-std build trips
    // the threshold where tokio does not); boxing the batch and transaction
    // drivers would add an allocation per command.
    clippy::large_futures
)]
// The `doc_cfg` feature requires nightly Rust and only runs during docs.rs builds,
// triggered via `--cfg docsrs` in `aerospike-core/Cargo.toml`. When active, it
// automatically generates "Available on crate feature `x` only" badges for all
// `#[cfg(feature = "...")]` items.
//
// Note: As of nightly 1.92.0, `doc_auto_cfg` was merged into `doc_cfg`. Do not add
// manual `#[doc(cfg(...))]` attributes—they duplicate what `doc_cfg` infers and
// risk drifting out of sync with actual `#[cfg]` attributes.
#![cfg_attr(docsrs, feature(doc_cfg))]

//! A pure-rust client for the Aerospike `NoSQL` database.
//!
//! Aerospike is an enterprise-class, `NoSQL` database solution for real-time operational
//! applications, delivering predictable performance at scale, superior uptime, and high
//! availability at the lowest TCO compared to first-generation `NoSQL` and relational databases. For
//! more information please refer to <https://www.aerospike.com/>.
//!
//! # Installation
//!
//! Add this to your `Cargo.toml`:
//!
//! ```text
//! [dependencies]
//! aerospike = "3"
//! ```
//!
//! # Examples
//!
//! The following is a very simple example of CRUD operations in an Aerospike database.
//!
//! ```rust
//! use std::env;
//! use std::sync::Arc;
//! use std::time::Instant;
//!
//! use aerospike::{as_bin, as_key, Bins, Client, ClientPolicy, ReadPolicy, WritePolicy};
//! use aerospike::operations;
//!
//! let rt = tokio::runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let cpolicy = ClientPolicy::default();
//!     let hosts = env::var("AEROSPIKE_HOSTS")
//!         .unwrap_or_else(|_| String::from("127.0.0.1:3000"));
//!     let client = Client::new(&cpolicy, &hosts)
//!         .await
//!         .expect("Failed to connect to cluster");
//!     let client = Arc::new(client);
//!
//!     let now = Instant::now();
//!     for i in 0..2 {
//!         let client = Arc::clone(&client);
//!         let rpolicy = ReadPolicy::default();
//!         let wpolicy = WritePolicy::default();
//!         let key = as_key!("test", "test", i);
//!         let bins = [
//!             as_bin!("int", 123),
//!             as_bin!("str", "Hello, World!"),
//!         ];
//!
//!         client.put(&wpolicy, &key, &bins).await.unwrap();
//!         let rec = client.get(&rpolicy, &key, Bins::All).await;
//!         println!("Record: {}", rec.unwrap());
//!
//!         client.touch(&wpolicy, &key).await.unwrap();
//!         let rec = client.get(&rpolicy, &key, Bins::All).await;
//!         println!("Record: {}", rec.unwrap());
//!
//!         let rec = client.get(&rpolicy, &key, Bins::None).await;
//!         println!("Record Header: {}", rec.unwrap());
//!
//!         let exists = client.exists(&rpolicy, &key).await.unwrap();
//!         println!("exists: {}", exists);
//!
//!         let bin = as_bin!("int", 999);
//!         let ops = &vec![operations::put(&bin), operations::get()];
//!         let op_rec = client.operate(&wpolicy, &key, ops).await;
//!         println!("operate: {}", op_rec.unwrap());
//!
//!         let existed = client.delete(&wpolicy, &key).await.unwrap();
//!         println!("existed (should be true): {}", existed);
//!
//!         let existed = client.delete(&wpolicy, &key).await.unwrap();
//!         println!("existed (should be false): {}", existed);
//!     }
//!
//!     println!("total time: {:?}", now.elapsed());
//! });
//! ```

// `error_chain` can recurse deeply
#![recursion_limit = "1024"]
#![allow(clippy::too_many_arguments)]

#[macro_use]
extern crate log;

pub use batch::BatchDeletePolicy;
pub use batch::BatchOperation;
pub use batch::BatchReadPolicy;
pub use batch::BatchRecord;
pub use batch::BatchUdfPolicy;
pub use batch::BatchWritePolicy;
pub use bin::{Bin, Bins};
pub use client::Client;
pub use cluster::version_parser::Version;
pub use cluster::Node;
#[doc(hidden)] // wire-level particle codes; reachable, not documented API
pub use commands::particle_type::ParticleType;
pub use errors::{Error, ErrorKind, Result};
pub use expressions::ael::from_ael;
#[doc(hidden)] // AEL wire packing, for tooling
pub use expressions::ael::{pack_ael_server_filter, SERVER_COMPILED_AEL_EXPRESSION_OP};
pub use expressions::regex_flag::RegexFlags;
pub use key::Key;
pub use mapping::RecordMapper;
pub use metrics::{
    ClusterMetrics, CommandType, Labels, LatencyUnit, MetricsPolicy, NodeMetricsSnapshot,
    PoolGauges,
};
pub use net::Host;
pub use net::ToHosts;
pub use operations::{ListOrderType, ListPolicy, ListReturnType, ListSortFlags, ListWriteFlags};
pub use operations::{MapPolicy, MapReturnType, MapWriteFlags};
#[cfg(feature = "tls")]
pub use policy::TlsPolicy;
pub use policy::{
    AdminPolicy, AuthMode, BasePolicy, BatchPolicy, ClientPolicy, CommitLevel, Concurrency,
    Expiration, GenerationPolicy, QueryDuration, QueryPolicy, ReadModeAp, ReadModeSc,
    ReadPolicy, ReadTouchTtl, RecordExistsAction, Replica, TxnRollPolicy, TxnVerifyPolicy,
    WritePolicy,
};
pub use privilege::{Privilege, PrivilegeCode};
pub use query::{
    CollectionIndexType, EqFilterValue, IndexType, PartitionFilter, QueryHandle, RangeFilterValue,
    Recordset, Statement, UdfLang,
};
// Query-plan wire types: reachable for tooling and the integration tests,
// not part of the documented API.
#[doc(hidden)]
pub use query::{
    QueryPlan, QuerySelection, QueryWhereWire, FLAG_ENC_VARINT, FLAG_EXPLAIN, FLAG_HARD_HINT,
    FLAG_KNOWN, FLAG_REQUIRE_INDEX,
};
#[cfg(feature = "lua")]
pub use query::{ResultSet, ResultStream};
// The Citrusleaf epoch comes along because it is the origin `Record::new`'s
// `expiration` argument is counted from, and a caller building a record cannot
// state one without it.
pub use indexmap::IndexMap;
pub use record::{citrusleaf_epoch, Record, CITRUSLEAF_EPOCH_UNIX_SECS};
pub use result_code::{ClientResultCode, ResultCode};
pub use role::Role;
pub use sampler::Sampler;
pub use server_error::{ExpressionTrace, ServerErrorDetail};
pub use task::{DropIndexTask, ExecuteTask, IndexTask, RegisterTask, Task, UdfRemoveTask};
pub use txn::{
    AbortStatus, CommitErrorType, CommitStatus, Txn, TxnState, COMMIT_FAILED_ABORT_MESSAGE,
};
pub use user::User;
pub use value::{FloatValue, MapCollection, MapLike, Value};
pub use value::particle_to_value; // aerospike-py patch

#[macro_use]
pub mod errors;
#[macro_use]
mod value;
#[macro_use]
mod bin;
#[macro_use]
mod key;
mod batch;
mod client;
// aerospike-py patch: the node(s) that served a call (vendor/PATCHES.md).
pub mod served;
mod cluster;
pub(crate) mod commands;
mod common;
#[cfg(feature = "dynamic-config")]
pub mod config;
pub mod expressions;
mod flags;
mod locks;
#[cfg(feature = "lua")]
pub mod lua;
pub mod mapping;
pub mod metrics;
mod msgpack;
mod net;
pub mod operations;
pub mod policy;
mod privilege;
pub mod query;
mod record;
mod result_code;
mod role;
pub mod sampler;
pub mod server_error;
pub mod task;
pub mod txn;
pub(crate) mod txn_monitor;
pub(crate) mod txn_roll;
mod user;
#[cfg(test)]
pub(crate) mod xor_shift;

#[cfg(test)]
extern crate hex;
