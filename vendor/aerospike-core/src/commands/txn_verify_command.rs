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

use std::sync::Arc;

use crate::cluster::{Cluster, Node};
use crate::commands::{Command, SingleCommand};
use crate::errors::{Error, Result};
use crate::net::Connection;
use crate::policy::{BasePolicy, Policy};
use crate::{Key, ResultCode};

pub struct TxnVerifyCommand<'a> {
    single_command: SingleCommand<'a>,
    policy: &'a BasePolicy,
    version: u64,
    /// Result code reported by the server on the last attempt. `None` until
    /// a response is parsed.
    pub result_code: Option<ResultCode>,
}

impl<'a> TxnVerifyCommand<'a> {
    pub fn new(policy: &'a BasePolicy, cluster: Arc<Cluster>, key: &'a Key, version: u64) -> Self {
        let partition = crate::cluster::partition::Partition::for_write(key, policy.replica);
        TxnVerifyCommand {
            single_command: SingleCommand::new(cluster, key, partition),
            policy,
            version,
            result_code: None,
        }
    }

    pub async fn execute(&mut self) -> Result<()> {
        SingleCommand::execute(self.policy, self).await
    }
}

#[async_trait::async_trait]
impl Command for TxnVerifyCommand<'_> {
    fn cluster(&self) -> Option<&Cluster> {
        Some(self.single_command.cluster())
    }

    async fn write_timeout(&mut self, conn: &mut Connection) -> Result<()> {
        conn.buffer.write_timeout(self.policy.server_timeout());
        Ok(())
    }

    async fn write_buffer(&mut self, conn: &mut Connection) -> Result<()> {
        conn.flush().await
    }

    async fn prepare_buffer(&mut self, conn: &mut Connection) -> Result<()> {
        conn.buffer
            .set_txn_verify(self.policy, self.single_command.key, self.version)
    }

    fn get_node(&mut self) -> Result<Arc<Node>> {
        self.single_command.get_node()
    }

    fn hint(&self) -> u8 {
        self.single_command.hint()
    }

    fn can_retry(&mut self) -> bool {
        true
    }

    fn can_recover_connection(&mut self) -> bool {
        true
    }

    fn prepare_retry(&mut self, is_client_timeout: bool) {
        self.single_command.prepare_retry(is_client_timeout);
    }

    async fn parse_result(&mut self, conn: &mut Connection) -> Result<()> {
        if let Err(err) = conn.read_header().await {
            debug!("Parse result error: {err}");
            return Err(err);
        }

        conn.buffer.reset_offset();
        let result_code = ResultCode::from(conn.buffer.read_u8(Some(13)));
        self.result_code = Some(result_code);

        // `Ok` means the version matched. `KeyNotFoundError` / `FilteredOut`
        // are tolerated at the transaction level (the record is simply not
        // verifiable) and are not a hard verify failure — mirroring the Go
        // batch verify path. Any other code (e.g. a version mismatch) is a real
        // verify failure. The caller inspects `result_code` for the outcome.
        if !matches!(
            result_code,
            ResultCode::Ok | ResultCode::KeyNotFoundError | ResultCode::FilteredOut
        ) {
            let detail = SingleCommand::read_error_detail(conn).await?;
            return Err(Error::server_error(result_code, conn.addr.clone(), detail));
        }

        SingleCommand::empty_socket(conn).await
    }
}
