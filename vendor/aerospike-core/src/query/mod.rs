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

//! Types and methods used for database queries and scans.
#![allow(clippy::missing_errors_doc)]

pub use self::filter::{EqFilterValue, Filter, RangeFilterValue};
pub use self::index_types::{CollectionIndexType, IndexType};
pub(crate) use self::node_partitions::NodePartitions;
pub use self::partition_filter::PartitionFilter;
// Hidden: reachable for language bindings that rebuild cursors; not API.
#[doc(hidden)]
pub use self::partition_status::PartitionStatus;
pub(crate) use self::partition_tracker::{PartitionTracker, TrackerShared};
#[doc(hidden)] // wire-level query-plan types, see the crate root
pub use self::plan::{
    QueryPlan, QuerySelection, QueryWhereWire, FLAG_ENC_VARINT, FLAG_EXPLAIN, FLAG_HARD_HINT,
    FLAG_KNOWN, FLAG_REQUIRE_INDEX,
};
pub use self::recordset::RecordStream;
pub use self::recordset::Recordset;
pub(crate) use self::recordset::{StreamEntry, RECORD_BATCH};
#[cfg(feature = "lua")]
pub use self::result_set::{ResultSet, ResultStream};
pub use self::sink::QueryHandle;
pub(crate) use self::sink::{CallbackCtx, QuerySink};
pub use self::statement::Statement;
pub use self::udf::UdfLang;

/// Query filter definitions and filter value traits.
pub mod filter;
mod index_types;
mod node_partitions;
mod partition_filter;
mod partition_status;
mod partition_tracker;
#[doc(hidden)]
pub mod plan;
mod recordset;
#[cfg(feature = "lua")]
mod result_set;
mod sink;
mod statement;
mod udf;
