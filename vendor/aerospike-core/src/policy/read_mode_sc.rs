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

/// `ReadModeSc` is the read policy for SC (strong consistency) namespaces.
/// Determines SC read consistency options.
#[derive(Debug, PartialEq, Eq, Clone, Copy, Default)]
pub enum ReadModeSc {
    /// Ensures this client will only see an increasing sequence of record versions.
    /// Client only reads from master. This is the default.
    #[default]
    Session = 0,

    /// Ensures all clients will only see an increasing sequence of record versions.
    /// Client only reads from master.
    Linearize = 1,

    /// The client may read from master or any full (non-migrating) replica.
    /// Increasing sequence of record versions is not guaranteed.
    AllowReplica = 2,

    /// The client may read from master or any full (non-migrating) replica or from unavailable
    /// partitions. Increasing sequence of record versions is not guaranteed.
    AllowUnavailable = 3,
}

// Case-insensitive YAML/config parsing (mirrors the Go client's `ToUpper`).
#[cfg(feature = "dynamic-config")]
impl<'de> serde::Deserialize<'de> for ReadModeSc {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        match value.to_ascii_uppercase().as_str() {
            "SESSION" => Ok(ReadModeSc::Session),
            "LINEARIZE" => Ok(ReadModeSc::Linearize),
            "ALLOW_REPLICA" => Ok(ReadModeSc::AllowReplica),
            "ALLOW_UNAVAILABLE" => Ok(ReadModeSc::AllowUnavailable),
            other => Err(serde::de::Error::custom(format!(
                "invalid ReadModeSc value: {other}"
            ))),
        }
    }
}
