// Copyright 2015-2026 Aerospike, Inc.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
// http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

use crate::Privilege;

/// Role allows granular access to database entities for users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// Role name.
    pub name: String,

    /// List of assigned privileges.
    pub privileges: Vec<Privilege>,

    /// The list of allowable IP addresses.
    pub allowlist: Vec<String>,

    /// Maximum reads per second limit for the role.
    pub read_quota: u32,

    /// Maximum writes per second limit for the role.
    pub write_quota: u32,
}
