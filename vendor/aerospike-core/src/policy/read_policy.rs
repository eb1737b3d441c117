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

use super::{PolicyLike, ReadModeAp, ReadModeSc, Replica};
use crate::expressions::Expression;
use crate::policy::BasePolicy;
#[cfg(feature = "dynamic-config")]
use crate::policy::BasePolicyConfig;

/// `ReadPolicy` encapsulates parameters for transaction policy attributes
/// used in all database operation calls.
#[derive(Debug, Default, Clone, PartialEq)]
#[cfg_attr(feature = "dynamic-config", derive(aerospike_macro::Config))]
pub struct ReadPolicy {
    /// Base policy instance
    #[cfg_attr(feature = "dynamic-config", config(flatten))]
    pub base_policy: BasePolicy,

    /// aerospike-py patch: keep a found record's operations as the reply's bytes
    /// ([`Record::raw_ops`](crate::Record::raw_ops)) instead of parsing them into `bins`
    /// (`get` with bins; ignored for header-only reads and positional results).
    ///
    /// Default: false
    #[cfg_attr(feature = "dynamic-config", config(skip))]
    pub raw_ops: bool,
}

impl Default for BasePolicy {
    fn default() -> BasePolicy {
        BasePolicy {
            socket_timeout: 30000,
            total_timeout: 1000,
            timeout_delay: 0,
            max_retries: 2,
            sleep_between_retries: 0,
            sleep_multiplier: 1.0,
            read_mode_ap: ReadModeAp::One,
            read_mode_sc: ReadModeSc::Session,
            replica: Replica::default(),
            read_touch_ttl: super::ReadTouchTtl::ServerDefault,
            use_compression: false,
            compression_threshold: 128,
            filter_expression: None,
            txn: None,
            populate_positional_results: false,
            error_detail_verbosity: 0,
        }
    }
}

impl BasePolicy {
    /// The filter expression, if one is set.
    pub const fn filter_expression(&self) -> Option<&Expression> {
        self.filter_expression.as_ref()
    }
}

impl PolicyLike for ReadPolicy {
    fn base(&self) -> &BasePolicy {
        &self.base_policy
    }
}
