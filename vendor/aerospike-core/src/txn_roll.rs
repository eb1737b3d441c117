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

//! Transaction roll: orchestrates verify, commit, and abort for MRT.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::join_all;

use crate::batch::{BatchOperation, BatchRecord};
use crate::cluster::partition::Partition;
use crate::cluster::{Cluster, Node};
use crate::commands::batch_operate_command::BatchOperateCommand;
use crate::commands::buffer::{INFO4_MRT_ROLL_BACK, INFO4_MRT_ROLL_FORWARD};
use crate::commands::txn_close_command::TxnCloseCommand;
use crate::commands::txn_mark_roll_forward_command::TxnMarkRollForwardCommand;
use crate::commands::txn_roll_command::TxnRollCommand;
use crate::commands::txn_verify_command::TxnVerifyCommand;
use crate::errors::{Error, Result};
use crate::policy::{BatchPolicy, TxnRollPolicy, TxnVerifyPolicy, WritePolicy};
use crate::txn::{get_txn_monitor_key, AbortStatus, CommitErrorType, CommitStatus, Txn, TxnState};
use crate::{Key, ResultCode};

pub struct TxnRoll {
    cluster: Arc<Cluster>,
    txn: Arc<Txn>,
    verify_records: Vec<BatchRecord>,
    roll_records: Vec<BatchRecord>,
}

impl TxnRoll {
    pub const fn new(cluster: Arc<Cluster>, txn: Arc<Txn>) -> Self {
        TxnRoll {
            cluster,
            txn,
            verify_records: Vec::new(),
            roll_records: Vec::new(),
        }
    }

    /// Verify record versions, then set state to Verified.
    /// If verification fails, abort the transaction before returning an error.
    pub async fn verify(
        &mut self,
        verify_policy: &TxnVerifyPolicy,
        roll_policy: &TxnRollPolicy,
    ) -> Result<()> {
        // Verify/roll run as batch commands (one per node) using the batch policy.
        let verify_policy = &verify_policy.batch_policy;
        let roll_policy = &roll_policy.batch_policy;
        if let Err(err) = self.verify_record_versions(verify_policy).await {
            // Verification failed — roll back the transaction.
            self.txn.set_state(TxnState::Aborted);

            if let Err(_roll_err) = self.roll(roll_policy, INFO4_MRT_ROLL_BACK).await {
                return Err(self.make_commit_error(
                    CommitErrorType::VerifyFailAbortAbandoned,
                    self.txn.in_doubt(),
                    Some(err),
                ));
            }

            if self.txn.close_monitor() {
                let wp = write_policy_from_base(roll_policy);
                if let Some(txn_key) = get_txn_monitor_key(&self.txn) {
                    if let Err(_close_err) = self.close(&wp, &txn_key).await {
                        return Err(self.make_commit_error(
                            CommitErrorType::VerifyFailCloseAbandoned,
                            self.txn.in_doubt(),
                            Some(err),
                        ));
                    }
                }
            }

            return Err(self.make_commit_error(
                CommitErrorType::VerifyFail,
                self.txn.in_doubt(),
                Some(err),
            ));
        }

        self.txn.set_state(TxnState::Verified);
        Ok(())
    }

    /// Commit the transaction: mark roll forward, roll all writes, close monitor.
    pub async fn commit(&mut self, roll_policy: &TxnRollPolicy) -> Result<CommitStatus> {
        let roll_policy = &roll_policy.batch_policy;
        let wp = write_policy_from_base(roll_policy);

        // Whether the server told us the transaction had already been marked
        // roll-forward — by an earlier attempt whose in-doubt outcome turned
        // out to have landed. The commit then resolves as ALREADY_COMMITTED
        // (the C client's refinement) rather than as a failure.
        let mut already_committed = false;

        if self.txn.monitor_exists() {
            if let Some(txn_key) = get_txn_monitor_key(&self.txn) {
                match self.mark_roll_forward(&wp, &txn_key).await {
                    Ok(ResultCode::MrtCommitted) => already_committed = true,
                    Ok(_) => (),
                    Err(err) => {
                        // MRT_ABORTED from the server means it already aborted
                        // this transaction. Flip the client state to Aborted and
                        // clear the in-doubt flag so callers don't treat the
                        // failure as ambiguous.
                        let is_aborted = err.server_result_code() == Some(ResultCode::MrtAborted);

                        if is_aborted {
                            self.txn.set_in_doubt(false);
                            self.txn.set_state(TxnState::Aborted);
                            return Err(self.make_commit_error(
                                CommitErrorType::MarkRollForwardAbandoned,
                                false,
                                Some(err),
                            ));
                        }

                        // Propagate in-doubt: if the txn or this attempt was
                        // already in doubt, keep that flag on the commit failure.
                        let in_doubt = if self.txn.in_doubt() {
                            true
                        } else if err.in_doubt() || matches!(err.kind(), crate::ErrorKind::Timeout)
                        {
                            self.txn.set_in_doubt(true);
                            true
                        } else {
                            false
                        };

                        // In doubt means the server may still roll this
                        // transaction forward: lock the state so `abort` is
                        // refused and only a commit retry can resolve it. A
                        // clean failure stays Verified — abortable, releasing
                        // its record locks right away.
                        if in_doubt {
                            self.txn.mark_commit_failed();
                        }

                        return Err(self.make_commit_error(
                            CommitErrorType::MarkRollForwardAbandoned,
                            in_doubt,
                            Some(err),
                        ));
                    }
                }
            }
        }

        self.txn.set_state(TxnState::Committed);
        self.txn.set_in_doubt(false);

        // Roll-forward failure used to return Ok(RollForwardAbandoned) and
        // drop the error. Convenience wrappers then treated that Ok as a
        // successful commit while the writes were still provisional. Raise
        // instead so the cause (timeout, server code, node) reaches the
        // caller; CLOSE_ABANDONED below stays a success.
        //
        // The state stays Committed here — the commit point (the roll-forward
        // mark) is behind us and the server will finish the roll — so `abort`
        // is already refused as "already committed"; `mark_commit_failed`
        // would be a no-op on a terminal state and is not called.
        if let Err(err) = self.roll(roll_policy, INFO4_MRT_ROLL_FORWARD).await {
            let in_doubt = self.txn.in_doubt()
                || err.in_doubt()
                || matches!(err.kind(), crate::ErrorKind::Timeout);
            if in_doubt {
                self.txn.set_in_doubt(true);
            }
            return Err(self.make_commit_error(
                CommitErrorType::RollForwardAbandoned,
                in_doubt,
                Some(err),
            ));
        }

        if self.txn.close_monitor() {
            if let Some(txn_key) = get_txn_monitor_key(&self.txn) {
                if let Err(_err) = self.close(&wp, &txn_key).await {
                    return Ok(CommitStatus::CloseAbandoned);
                }
            }
        }

        if already_committed {
            return Ok(CommitStatus::AlreadyCommitted);
        }
        Ok(CommitStatus::Ok)
    }

    /// Abort the transaction: roll back all writes, close monitor.
    pub async fn abort(&mut self, roll_policy: &TxnRollPolicy) -> Result<AbortStatus> {
        let roll_policy = &roll_policy.batch_policy;
        self.txn.set_state(TxnState::Aborted);

        if self.roll(roll_policy, INFO4_MRT_ROLL_BACK).await.is_err() {
            return Ok(AbortStatus::RollBackAbandoned);
        }

        if self.txn.close_monitor() {
            let wp = write_policy_from_base(roll_policy);
            if let Some(txn_key) = get_txn_monitor_key(&self.txn) {
                if let Err(_err) = self.close(&wp, &txn_key).await {
                    return Ok(AbortStatus::CloseAbandoned);
                }
            }
        }

        Ok(AbortStatus::Ok)
    }

    /// Verify all record versions using one batch command per node (a single
    /// per-record command for one-key nodes), mirroring the Go client.
    /// Populates `self.verify_records` with per-key outcomes.
    async fn verify_record_versions(&mut self, policy: &BatchPolicy) -> Result<()> {
        let reads = self.txn.get_reads();
        if reads.is_empty() {
            return Ok(());
        }

        // Collect the verifiable reads (those that recorded a version).
        let to_verify: Vec<(Key, u64)> = reads
            .iter()
            .filter_map(|(k, v)| v.map(|ver| (k.clone(), ver)))
            .collect();

        if to_verify.is_empty() {
            return Ok(());
        }

        let keys: Vec<Key> = to_verify.iter().map(|(k, _)| k.clone()).collect();
        let mut records: Vec<BatchRecord> = keys
            .iter()
            .map(|k| BatchRecord::new(k.clone(), false))
            .collect();

        // `Arc<Node>` hashes and compares by node name, which never changes.
        #[allow(clippy::mutable_key_type)]
        let groups = self.group_by_node(&keys)?;
        let futures = groups.into_iter().map(|(node, idxs)| {
            let cluster = self.cluster.clone();
            let policy = policy.clone();
            let group: Vec<(usize, Key, u64)> = idxs
                .iter()
                .map(|&i| (i, to_verify[i].0.clone(), to_verify[i].1))
                .collect();
            async move { Self::run_verify_group(cluster, policy, node, group).await }
        });

        for group_result in join_all(futures).await {
            for (i, row) in group_result {
                records[i] = row;
            }
        }
        self.verify_records = records;

        // Verification passes when every record's version matched (`Ok`) or was
        // simply not verifiable (`KeyNotFound` / `FilteredOut`) — matching Go's
        // batch verify tolerance. Any other code (e.g. version mismatch) or a
        // missing response fails verification.
        let failure = self
            .verify_records
            .iter()
            .find(|r| {
                !matches!(
                    r.result_code(),
                    Some(ResultCode::Ok | ResultCode::KeyNotFoundError | ResultCode::FilteredOut)
                )
            })
            .map(BatchRecord::result_code);
        if let Some(code) = failure {
            return Err(match code {
                Some(rc) => Error::server_error_bare(rc),
                None => Error::timeout("Verify: no response for one or more records".to_string()),
            });
        }
        Ok(())
    }

    /// Groups keys by the node owning their (master) partition, returning
    /// node -> indices into `keys`.
    #[allow(clippy::mutable_key_type)]
    fn group_by_node(&self, keys: &[Key]) -> Result<HashMap<Arc<Node>, Vec<usize>>> {
        let mut groups: HashMap<Arc<Node>, Vec<usize>> = HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            let mut partition = Partition::for_write(key, crate::policy::Replica::Master);
            let node = partition.get_node(&self.cluster)?;
            groups.entry(node).or_default().push(i);
        }
        Ok(groups)
    }

    /// Runs verify for one node's key group: a single-record command for a
    /// one-key group, otherwise a batch verify. Returns the per-index rows.
    async fn run_verify_group(
        cluster: Arc<Cluster>,
        policy: BatchPolicy,
        node: Arc<Node>,
        group: Vec<(usize, Key, u64)>,
    ) -> Vec<(usize, BatchRecord)> {
        if group.len() == 1 {
            let (i, key, ver) = &group[0];
            let node_label = node.to_string();
            let mut cmd = TxnVerifyCommand::new(&policy.base_policy, cluster, key, *ver);
            let mut row = BatchRecord::new(key.clone(), false);
            match (cmd.execute().await, cmd.result_code) {
                (Ok(()), None | Some(ResultCode::Ok)) => row.set_ok(None),
                (_, Some(rc)) => row.set_error(Error::server_error(rc, node_label, None)),
                (Err(e), None) => row.set_error(e),
            }
            return vec![(*i, row)];
        }

        let ops: Vec<(BatchOperation, usize)> = group
            .iter()
            .map(|(i, key, ver)| {
                (BatchOperation::txn_verify(key.clone(), Some(*ver)), *i)
            })
            .collect();
        let cmd = BatchOperateCommand::new(policy, node, ops);
        match cmd.execute(cluster).await {
            Ok(done) => done
                .batch_ops
                .into_iter()
                .map(|(op, i)| (i, op.batch_record().clone()))
                .collect(),
            Err(e) => group
                .iter()
                .map(|(i, key, _)| {
                    let mut row = BatchRecord::new(key.clone(), false);
                    row.stamp_unanswered(&e, None);
                    (*i, row)
                })
                .collect(),
        }
    }

    /// Mark the transaction monitor record as roll-forward. On success returns
    /// the server's result code: `Ok`, or `MrtCommitted` when the monitor was
    /// already marked by an earlier attempt (the command accepts both).
    async fn mark_roll_forward(&self, policy: &WritePolicy, txn_key: &Key) -> Result<ResultCode> {
        let mut cmd = TxnMarkRollForwardCommand::new(policy, self.cluster.clone(), txn_key);
        cmd.execute().await?;
        Ok(cmd.result_code.unwrap_or(ResultCode::Ok))
    }

    /// Roll forward or back all written keys concurrently. Populates
    /// `self.roll_records` with per-key outcomes and `in_doubt` flags.
    async fn roll(&mut self, policy: &BatchPolicy, txn_attr: u8) -> Result<()> {
        let keys = self.txn.get_writes();
        if keys.is_empty() {
            return Ok(());
        }

        let mut records: Vec<BatchRecord> = keys
            .iter()
            .map(|k| BatchRecord::new(k.clone(), true))
            .collect();

        // `Arc<Node>` hashes and compares by node name, which never changes.
        #[allow(clippy::mutable_key_type)]
        let groups = self.group_by_node(&keys)?;
        let futures = groups.into_iter().map(|(node, idxs)| {
            let cluster = self.cluster.clone();
            let policy = policy.clone();
            let txn = self.txn.clone();
            let group: Vec<(usize, Key)> = idxs.iter().map(|&i| (i, keys[i].clone())).collect();
            async move { Self::run_roll_group(cluster, policy, node, txn, txn_attr, group).await }
        });

        for group_result in join_all(futures).await {
            for (i, row) in group_result {
                if row.in_doubt() {
                    self.txn.on_write_in_doubt(&row.key);
                }
                records[i] = row;
            }
        }
        self.roll_records = records;

        let failure = self
            .roll_records
            .iter()
            .find(|r| r.result_code() != Some(ResultCode::Ok))
            .map(BatchRecord::result_code);
        if let Some(code) = failure {
            let action = if txn_attr == INFO4_MRT_ROLL_FORWARD {
                "commit"
            } else {
                "abort"
            };
            return Err(match code {
                Some(rc) => Error::server_error_with_message(
                    rc,
                    format!("Failed to {action} one or more records"),
                ),
                None => Error::timeout(format!(
                    "Failed to {action}: no response for one or more records"
                )),
            });
        }
        Ok(())
    }

    /// Runs roll for one node's key group: single-record command for a one-key
    /// group, otherwise a batch roll. Returns the per-index rows, in-doubt set
    /// on the row's error where a write may have been applied.
    async fn run_roll_group(
        cluster: Arc<Cluster>,
        policy: BatchPolicy,
        node: Arc<Node>,
        txn: Arc<Txn>,
        roll_attr: u8,
        group: Vec<(usize, Key)>,
    ) -> Vec<(usize, BatchRecord)> {
        if group.len() == 1 {
            let (i, key) = &group[0];
            let node_label = node.to_string();
            let mut cmd = TxnRollCommand::new(&policy.base_policy, cluster, key, txn, roll_attr);
            let mut row = BatchRecord::new(key.clone(), true);
            match (cmd.execute().await, cmd.result_code) {
                (Ok(()), None | Some(ResultCode::Ok)) => row.set_ok(None),
                (outcome, Some(rc)) => {
                    let mut row_error = Error::server_error(rc, node_label, None);
                    if matches!(&outcome, Err(e) if e.is_client_timeout()) {
                        row_error.force_in_doubt();
                    }
                    row.set_error(row_error.chain_cause(outcome.err()));
                }
                (Err(e), None) => {
                    let mut row_error = e;
                    if row_error.is_client_timeout() {
                        row_error.force_in_doubt();
                    }
                    row.set_error(row_error);
                }
            }
            return vec![(*i, row)];
        }

        let ops: Vec<(BatchOperation, usize)> = group
            .iter()
            .map(|(i, key)| {
                (
                    BatchOperation::txn_roll(key.clone(), txn.clone(), roll_attr),
                    *i,
                )
            })
            .collect();
        let cmd = BatchOperateCommand::new(policy, node, ops);
        match cmd.execute(cluster).await {
            Ok(done) => done
                .batch_ops
                .into_iter()
                .map(|(op, i)| (i, op.batch_record().clone()))
                .collect(),
            // Whole node-group failed (e.g. timeout after retries): treat every
            // write in the group as in-doubt, matching Go's no-response rule.
            Err(e) => {
                let mut cause = e;
                cause.force_in_doubt();
                group
                    .iter()
                    .map(|(i, key)| {
                        let mut row = BatchRecord::new(key.clone(), true);
                        row.stamp_unanswered(&cause, None);
                        (*i, row)
                    })
                    .collect()
            }
        }
    }

    /// Close (delete) the transaction monitor record on the server and clear
    /// the client-side transaction state.
    async fn close(&self, policy: &WritePolicy, txn_key: &Key) -> Result<()> {
        let mut cmd = TxnCloseCommand::new(policy, self.cluster.clone(), txn_key);
        cmd.execute().await?;

        // Mirror the Java client: after successful close, wipe client-side
        // state so the Txn can't be accidentally reused with stale data.
        self.txn.clear();
        Ok(())
    }

    fn make_commit_error(
        &self,
        error_type: CommitErrorType,
        in_doubt: bool,
        source: Option<Error>,
    ) -> Error {
        Error::commit_failed(
            error_type,
            self.verify_records.clone(),
            self.roll_records.clone(),
            in_doubt,
            source,
        )
    }
}

fn write_policy_from_base(policy: &BatchPolicy) -> WritePolicy {
    let base = &policy.base_policy;
    let mut wp = WritePolicy::default();
    wp.base_policy.socket_timeout = base.socket_timeout;
    wp.base_policy.total_timeout = base.total_timeout;
    wp.base_policy.timeout_delay = base.timeout_delay;
    wp.base_policy.max_retries = base.max_retries;
    wp.base_policy.sleep_between_retries = base.sleep_between_retries;
    wp.base_policy.sleep_multiplier = base.sleep_multiplier;
    wp.base_policy.use_compression = base.use_compression;
    wp
}
