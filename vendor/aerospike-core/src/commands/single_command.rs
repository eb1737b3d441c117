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

use crate::cluster::partition::Partition;
use crate::cluster::{Cluster, Node};
use crate::commands::{self};
use crate::errors::{Error, Result};
use crate::net::Connection;
use crate::policy::{next_retry_interval, Policy};
use crate::{Key, ResultCode};
use aerospike_rt::sleep;
use aerospike_rt::time::Instant;

pub struct SingleCommand<'a> {
    cluster: Arc<Cluster>,
    pub key: &'a Key,
    pub partition: Partition<'a>,
}

impl<'a> SingleCommand<'a> {
    pub const fn new(cluster: Arc<Cluster>, key: &'a Key, partition: Partition<'a>) -> Self {
        SingleCommand {
            cluster,
            key,
            partition,
        }
    }

    pub const fn hint(&self) -> u8 {
        self.key.digest[0]
    }

    /// The cluster this command runs against. Exposed so concrete commands can
    /// surface it through [`Command::cluster`](crate::commands::Command::cluster)
    /// for cluster-wide metrics recording.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    pub fn get_node(&mut self) -> Result<Arc<Node>> {
        self.partition.get_node(&self.cluster)
    }

    pub const fn prepare_retry(&mut self, is_client_timeout: bool) {
        self.partition.prepare_retry(is_client_timeout);
    }

    pub async fn empty_socket(conn: &mut Connection) -> Result<()> {
        // There should not be any more bytes.
        // Empty the socket to be safe.
        let sz = conn.buffer.read_i64(None);
        let header_length = i64::from(conn.buffer.read_u8(None));
        let receive_size = ((sz & 0xFFFF_FFFF_FFFF) - header_length) as usize;

        // Read remaining message bytes.
        if receive_size > 0 {
            conn.buffer.resize_buffer(receive_size)?;
            conn.read_body(receive_size).await?;
        }

        Ok(())
    }

    /// Read the body of a failed single-record reply and return the server's
    /// error detail (field 45), if the policy asked for one. Call after
    /// `read_header`. The whole message is consumed either way, so the socket
    /// is clean for the next command.
    pub async fn read_error_detail(
        conn: &mut Connection,
    ) -> Result<Option<Box<crate::ServerErrorDetail>>> {
        conn.buffer.reset_offset();
        let sz = conn.buffer.read_u64(Some(0));
        let header_length = conn.buffer.read_u8(Some(8));
        let field_count = conn.buffer.read_u16(Some(26)) as usize;
        let receive_size = ((sz & 0xFFFF_FFFF_FFFF) - u64::from(header_length)) as usize;
        if receive_size == 0 {
            return Ok(None);
        }
        conn.buffer.resize_buffer(receive_size)?;
        conn.read_body(receive_size).await?;
        conn.buffer.reset_offset();
        Ok(conn.buffer.parse_response_fields(field_count).error_detail)
    }

    // EXECUTE
    //

    #[allow(clippy::option_if_let_else)]
    pub async fn execute(
        policy: &(dyn Policy + Send + Sync),
        cmd: &'a mut (dyn commands::Command + Send),
    ) -> Result<()> {
        // `total_timeout` is enforced per-IO via `Connection::deadline()` —
        // an outer wrapper here would just duplicate it under the global
        // Tokio time-driver mutex.
        Self::execute_command(policy, cmd).await
    }

    pub async fn execute_command(
        policy: &(dyn Policy + Send + Sync),
        cmd: &'a mut (dyn commands::Command + Send),
    ) -> Result<()> {
        let mut iterations: usize = 0;
        // Number of times the command was actually sent on the wire (matches
        // Java's `commandSentCounter`). Used to compute `in_doubt` on failure.
        let mut commands_sent: u32 = 0;
        let iterations_as_u32 = |n: usize| {
            if n > u32::MAX as usize {
                u32::MAX
            } else {
                n as u32
            }
        };
        let mut last_err: Option<Error> = None;
        let mut sub_errors: Vec<Error> = Vec::new();
        let mut last_node_addr: Option<String> = None;
        let is_write = cmd.is_write();

        // Metrics: captured once before the retry loop. `cmd_type`/`cmd_namespace`
        // attribute per-command-type and detailed per-namespace metrics;
        // `trans_start` measures total command latency; `last_node` lets the
        // terminal error paths attribute the failure to the node that served it.
        let cmd_type = cmd.command_type();
        let cmd_namespace: Option<String> = cmd.namespace().map(str::to_owned);
        let trans_start = Instant::now();
        let mut last_node: Option<Arc<Node>> = None;
        // aerospike-py patch: the final attempt's node, reported to `served` however the loop ends.
        let mut served = crate::served::LastAttempt::new();
        // Elapsed times go to the recorders as `Duration`; the resolution they
        // are bucketed in is the metrics policy's `latency_unit`, applied inside
        // `NodeMetrics` so no call site has to know it.
        //
        // The sampler is drawn ONCE for the whole call, here, before the retry
        // loop — never re-rolled per attempt (metrics.md §3.1.1). The draw comes
        // from the thread-local generator because no connection exists yet; the
        // decision itself (`metrics_on`) is derived from it against whichever
        // node serves an attempt, so a call whose retries move between nodes
        // gets one consistent answer.
        let sample_draw: u64 = rand::random();
        let mut metrics_on = false;

        // set timeout outside the loop
        let deadline = policy.deadline();
        let effective_attempt = policy.max_retries() + 1;
        // Retry backoff: the sleep interval starts at `sleep_between_retries`
        // and is multiplied by `sleep_multiplier` after each retry sleep
        // (matching the Go client). A multiplier <= 1.0 keeps it constant.
        let sleep_multiplier = policy.sleep_multiplier();
        let mut sleep_interval = policy.sleep_between_retries();
        // Consecutive waits spent on an empty connection pool while a
        // background task opens a connection (not part of the retry budget).
        let mut pool_empty_waits: usize = 0;

        // Finalizes an error before returning to the caller: applies `in_doubt`
        // per Java's rule and attaches retry context (iteration count, last
        // node, sub-error history).
        let finalize = |err: Error,
                        iterations: u32,
                        commands_sent: u32,
                        last_node_addr: Option<String>,
                        sub_errors: Vec<Error>|
         -> Error {
            err.set_in_doubt(is_write, commands_sent)
                .with_retry_context(iterations, last_node_addr.as_deref(), sub_errors)
        };

        // Execute command until successful, timed out or maximum iterations have been reached.
        //
        // `iterations` counts attempts *made so far* and is bumped only once
        // the loop commits to another attempt (below, after the budget and
        // deadline checks). Every error built at the top of the loop therefore
        // reports the true number of tries; a budget check that finds the
        // budget spent is not itself a try. Java stamps its exception the
        // same way, so `iteration` agrees with the reference: one attempt
        // under `max_retries = 0` reports 1, not 2.
        loop {
            // check for max retries
            if iterations >= effective_attempt {
                // first attempt isn't a retry
                if metrics_on {
                    if let Some(n) = &last_node {
                        n.metrics().incr_transaction_error();
                    }
                    if let Some(cluster) = cmd.cluster() {
                        cluster.incr_max_retries_exceeded();
                    }
                }
                let err = Error::max_retries_exceeded(format!("Timeout after {iterations} tries"));
                let tail = match last_err.take() {
                    Some(e) => e.wrap(err),
                    None => err,
                };
                return Err(finalize(
                    tail,
                    iterations_as_u32(iterations),
                    commands_sent,
                    last_node_addr,
                    sub_errors,
                ));
            }

            // Sleep before trying again, after the first iteration
            if iterations > 0 {
                // DO NOT retry for streaming commands here. They retry in their own execution logic.
                // DO NOT retry for any error other than network errors.
                if !cmd.can_retry() {
                    if metrics_on {
                        if let Some(n) = &last_node {
                            n.metrics().incr_transaction_error();
                        }
                    }
                    let err = Error::timeout("Timeout".to_string());
                    let tail = match last_err.take() {
                        Some(e) => e.wrap(err),
                        None => err,
                    };
                    return Err(finalize(
                        tail,
                        iterations_as_u32(iterations),
                        commands_sent,
                        last_node_addr,
                        sub_errors,
                    ));
                }

                // Advance the partition sequence for the retry. Only treat a
                // client-side timeout as a timeout for partition sequencing —
                // a server-reported TIMEOUT should still advance the sequence.
                let is_client_timeout = last_err
                    .as_ref()
                    .is_some_and(|e| matches!(e.kind(), crate::ErrorKind::Timeout));
                cmd.prepare_retry(is_client_timeout);

                if let Some(interval) = sleep_interval {
                    if let Some(deadline) = deadline {
                        if Instant::now() + interval > deadline {
                            // We will timeout anyway after sleep. break immediately.
                            break;
                        }
                    }
                    sleep(interval).await;
                    sleep_interval = Some(next_retry_interval(interval, sleep_multiplier));
                }
            }

            // check for command timeout
            if let Some(deadline) = deadline {
                if Instant::now() > deadline {
                    break;
                }
            }

            // Committing to another attempt: count it, and file the previous
            // attempt's error as a sub-error.
            iterations += 1;
            if let Some(prev) = last_err.take() {
                sub_errors.push(prev);
            }

            // set command node, so when you return a record it has the node
            let node = match cmd.get_node() {
                Ok(node) => node,
                // An unknown namespace (or a partition map that is still
                // empty) is not something a retry can fix within one
                // command's budget: retrying only buries the routing error
                // under MaxRetriesExceeded.
                Err(e)
                    if matches!(
                        e.kind(),
                        crate::ErrorKind::InvalidArgument | crate::ErrorKind::InvalidNamespace
                    ) =>
                {
                    return Err(e);
                }
                Err(e) => {
                    debug!("Error selecting node from the partition table: {e}");
                    last_err = Some(e);
                    continue;
                } // Node is currently inactive. Retry.
            };
            last_node_addr = Some(node.to_string());
            last_node = Some(node.clone());
            served.set(&node); // aerospike-py patch
            // Whether this call's operational metrics are recorded: the
            // call-level draw evaluated against this node's (cluster-wide)
            // sampler and tier flags. Same draw every attempt.
            metrics_on = node.metrics().should_sample_draw(sample_draw);

            // Per-node circuit breaker: if this node has tripped its
            // error-rate window, refuse the command outright (no socket
            // open, no retry on this node) and let the caller back off.
            // Mirrors Java `SyncCommand.executeCommand` calling
            // `node.validateErrorCount()` before `getConnection`.
            if let Err(err) = node.validate_error_count() {
                if metrics_on {
                    node.metrics().incr_circuit_breaker_hits();
                }
                last_err = Some(err);
                continue;
            }

            let aq_start = Instant::now();
            let mut conn = match node.get_connection(cmd.hint()) {
                Ok(conn) => conn,
                Err(err)
                    if err.is_pool_empty() && pool_empty_waits < commands::POOL_EMPTY_MAX_WAITS =>
                {
                    // A background task is opening a connection. This is a
                    // pacing wait, not a failure: it consumes neither the
                    // retry budget (`iterations` is rolled back, so writes
                    // with `max_retries == 0` still succeed on a cold pool)
                    // nor the node's error-rate breaker. Bounded by the
                    // command deadline (checked at the loop top) and by
                    // `POOL_EMPTY_MAX_WAITS` for deadline-less commands.
                    // (Deliberately not recorded into `last_err`: the loop
                    // top drains `last_err` into `sub_errors` every pass, and
                    // thousands of waits must not produce thousands of
                    // sub-error entries.)
                    iterations -= 1;
                    pool_empty_waits += 1;
                    sleep(commands::POOL_EMPTY_WAIT).await;
                    continue;
                }
                Err(err) => {
                    debug!("Node {node}: {err}");
                    node.incr_error_rate();
                    last_err = Some(err);
                    continue;
                }
            };
            if metrics_on {
                if let Some(ns) = cmd_namespace.as_deref() {
                    node.metrics()
                        .record_connection_aq(ns, cmd_type, aq_start.elapsed());
                }
            }

            conn.set_socket_timeout(deadline, policy.socket_timeout());
            conn.set_timeout_delay(cmd.can_recover_connection(), policy.timeout_delay());

            conn.buffer
                .set_compress(policy.use_compression(), policy.compression_threshold());
            cmd.prepare_buffer(&mut conn).await.map_err(|e| {
                // An argument the client refuses to encode is the caller's
                // mistake, not a buffer problem: surface it as-is so the
                // result code stays PARAMETER_ERROR, the way Java throws it
                // straight out of the command. Anything else (I/O, sizing)
                // gets the buffer context, which is where it is useful.
                if matches!(e.kind(), crate::ErrorKind::InvalidArgument) {
                    e
                } else {
                    e.chain_error("Failed to prepare send buffer")
                }
            })?;
            cmd.write_timeout(&mut conn)
                .await
                .map_err(|e| e.chain_error("Failed to set timeout for send buffer"))?;

            // Compress the buffer after timeout is written but before sending.
            if policy.use_compression() {
                conn.buffer
                    .compress()
                    .map_err(|e| e.chain_error("Failed to compress send buffer"))?;
            }

            // Send command.
            let write_result = cmd.write_buffer(&mut conn).await;
            // Bytes are accounted for whatever the outcome: the socket layer
            // counted exactly what left the client, including a partial write
            // before a timeout or I/O error.
            if metrics_on {
                if let Some(ns) = cmd_namespace.as_deref() {
                    node.metrics()
                        .record_bytes_sent(ns, cmd_type, conn.bytes_sent() as u64);
                }
            }
            if let Err(err) = write_result {
                // IO errors are considered temporary anomalies. Retry.
                // Close socket to flush out possible garbage. Do not put back in pool.
                conn.invalidate();
                debug!("Node {node}: {err}");
                node.incr_error_rate();
                if metrics_on {
                    node.metrics().incr_transaction_retry();
                }
                last_err = Some(err);
                continue;
            }
            commands_sent += 1;

            // Parse results.
            let parse_start = Instant::now();
            let parse_result = cmd.parse_result(&mut conn).await;
            // Same rule on the read side: a server error reply, a parse
            // failure or a partial read before a timeout all count exactly
            // the bytes that arrived.
            if metrics_on {
                if let Some(ns) = cmd_namespace.as_deref() {
                    node.metrics().record_bytes_received(
                        ns,
                        cmd_type,
                        conn.bytes_received() as u64,
                    );
                }
            }
            if parse_result.is_ok() {
                conn.forget_readable(); // aerospike-py patch: the reply was read whole
            }
            if let Err(err) = parse_result {
                // close the connection if the error is not safe to pool
                if !commands::keep_connection(&err) {
                    conn.invalidate();
                }

                // Record the server result code (if any) for this attempt.
                if metrics_on {
                    if let (Some(ns), Some(rc)) =
                        (cmd_namespace.as_deref(), err.server_result_code())
                    {
                        node.metrics().record_result_code(ns, cmd_type, rc);
                    }
                }

                // Retry on network errors (client side) and on explicit
                // server-side retriables (TIMEOUT / DEVICE_OVERLOAD / KEY_BUSY
                // / PARTITION_UNAVAILABLE) — matching Java's SyncCommand.
                if commands::should_retry(&err) {
                    // Bump the per-node breaker for the retriable
                    // error subset Java counts: TIMEOUT, DEVICE_OVERLOAD,
                    // KEY_BUSY, plus client-side network failures.
                    if commands::is_network_error(&err) || commands::is_retriable_server_error(&err)
                    {
                        node.incr_error_rate();
                    }
                    if metrics_on {
                        node.metrics().incr_transaction_retry();
                    }
                    last_err = Some(err);
                    continue;
                }

                if metrics_on {
                    node.metrics().incr_transaction_error();
                }
                return Err(finalize(
                    err,
                    iterations_as_u32(iterations),
                    commands_sent,
                    last_node_addr,
                    sub_errors,
                ));
            }

            // Command completed successfully. Record the OK result code, this
            // attempt's RPC latency (connection acquire → response parsed,
            // metrics.md §4.6), the parse cost, and the overall command
            // latency. Bytes were recorded above, outcome-independent.
            if metrics_on {
                if let Some(ns) = cmd_namespace.as_deref() {
                    node.metrics()
                        .record_result_code(ns, cmd_type, ResultCode::Ok);
                    node.metrics()
                        .record_latency(ns, cmd_type, aq_start.elapsed());
                    node.metrics()
                        .record_parse(ns, cmd_type, parse_start.elapsed());
                }
                node.metrics()
                    .record_command(cmd_type, trans_start.elapsed());
            }

            // allow the connection to be put back in the connection pool
            conn.reset_state();

            // command has completed successfully. Exit method.
            return Ok(());
        }

        if metrics_on {
            if let Some(n) = &last_node {
                n.metrics().incr_transaction_error();
            }
            if let Some(cluster) = cmd.cluster() {
                cluster.incr_total_timeout_exceeded();
            }
        }
        let err = Error::timeout(format!("Command timed out after {iterations} tries"));
        let tail = match last_err.take() {
            Some(e) => e.wrap(err),
            None => err,
        };
        Err(finalize(
            tail,
            iterations_as_u32(iterations),
            commands_sent,
            last_node_addr,
            sub_errors,
        ))
    }
}
