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

pub use self::connection::BufferedConn;
pub use self::connection::Connection;
pub use self::connection::ConnectionState;
pub use self::connection_pool::ConnectionPool;
pub use self::connection_pool::PooledConnection;
pub use self::connection_pool::{LoginOnly, TailVerdict};
pub use self::host::Host;
pub use self::host::ToHosts;

pub mod buffer_pool;
mod connection;
mod connection_pool;
pub mod host;
mod parser;
