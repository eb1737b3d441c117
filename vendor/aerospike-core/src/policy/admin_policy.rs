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

/// Policy attributes used for user administration commands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AdminPolicy {
    /// User administration command socket timeout in milliseconds.
    pub timeout: u32,
}

impl AdminPolicy {
    pub(crate) const fn timeout(self) -> u32 {
        if self.timeout > 0 {
            self.timeout
        } else {
            3_000
        }
    }
}
