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

use std::ops::{Deref, DerefMut, Drop};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::commands::admin_command::SessionInfo;
use crate::errors::{Error, Result};
use crate::metrics::{CloseReason, NodeMetrics, OpenFailure};
use crate::net::connection::{ConnectPhase, IdleStatus};
use crate::net::{Connection, ConnectionState, Host};
use crate::policy::ClientPolicy;
use aerospike_rt::time::Instant;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Why one `try_make_conn` attempt failed. Only the authentication phase is
/// worth distinguishing: under `for_login_only` it is the one failure a fresh
/// TLS login can fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AttemptFailure {
    /// The server rejected the session token (expired or revoked).
    Auth,
    /// Anything else: connect, TLS handshake, timeout.
    Other,
}

/// Per-node context for
/// [`ClientPolicy::for_login_only`](crate::ClientPolicy::for_login_only): the
/// data plane runs in cleartext, so the credential exchange has to happen
/// somewhere else. `tls_host` is the node's TLS address, kept for exactly
/// that — logging in again over TLS when the session token expires or is
/// rejected. `session` is the token obtained during node validation, seeded
/// so the first pooled connection does not have to log in at all.
#[derive(Debug, Clone)]
pub struct LoginOnly {
    /// The node's TLS address; only ever used for the credential exchange.
    pub tls_host: Host,
    /// Token from node validation, if validation obtained one.
    pub session: Option<SessionInfo>,
}

#[derive(Debug)]
struct SharedQueue {
    connections: Mutex<VecDeque<Connection>>,
    // Total number of connections associated with the queue.
    // These connections may be in flight and not in the queue.
    reserved: AtomicUsize,
    /// Connections currently handed to a background timeout-recovery task
    /// (they keep their `reserved` slot meanwhile). Read at snapshot time as
    /// the `connections_recovering` gauge.
    recovering: AtomicUsize,
    capacity: usize,
    host: Host,
    policy: ClientPolicy,
    hashed_pass: Option<String>,
    /// Latest session token produced by a successful LOGIN against this
    /// host. Subsequent connections in the same pool authenticate via
    /// AUTHENTICATE with the token instead of paying for a full login.
    /// Cleared on token rejection (server restart / token revocation).
    session: Mutex<Option<SessionInfo>>,
    /// Set when the data plane is cleartext but the login is not
    /// ([`ClientPolicy::for_login_only`](crate::ClientPolicy::for_login_only)).
    /// `None` on every ordinary pool.
    login_only: Option<LoginOnly>,
    /// Per-node metrics sink. Connection-lifecycle counters are recorded here
    /// (no-op when metrics are disabled). `None` in unit tests.
    metrics: Option<Arc<NodeMetrics>>,
    /// The owning cluster's tiered buffer pool; attached to every
    /// connection this queue creates. `None` when pooling is disabled.
    buffer_pool: Option<Arc<crate::net::buffer_pool::TieredBufferPool>>,
}

#[derive(Debug)]
pub struct Queue(Arc<SharedQueue>);

impl Queue {
    /// Creates a connection pool with a fixed capacity.
    pub fn with_capacity(
        capacity: usize,
        host: Host,
        policy: ClientPolicy,
        login_only: Option<LoginOnly>,
        metrics: Option<Arc<NodeMetrics>>,
        buffer_pool: Option<Arc<crate::net::buffer_pool::TieredBufferPool>>,
    ) -> Self {
        // `ClientPolicy::validate` already proved the password hashable.
        let hashed_pass = policy.hashed_pass().ok().flatten();
        let session = Mutex::new(login_only.as_ref().and_then(|l| l.session.clone()));
        let shared = SharedQueue {
            connections: Mutex::new(VecDeque::with_capacity(capacity)),
            reserved: AtomicUsize::new(0),
            recovering: AtomicUsize::new(0),
            capacity,
            host,
            policy,
            hashed_pass,
            session,
            login_only,
            metrics,
            buffer_pool,
        };
        Queue(Arc::new(shared))
    }

    /// Per-node metrics sink for this queue, if any.
    fn metrics(&self) -> Option<&Arc<NodeMetrics>> {
        self.0.metrics.as_ref()
    }

    /// Checks if the queue has capacity for another connection.
    /// If so, it will increase the reserved value by one and return true.
    /// Otherwise, return false.
    pub fn reserve_capacity(&self) -> bool {
        let capacity = self.0.capacity;
        self.0
            .reserved
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |reserved| {
                (reserved < capacity).then_some(reserved + 1)
            })
            .is_ok()
    }

    /// Decreases the reserved value by one, opening up capacity for more connections.
    #[cfg(test)]
    fn reserved(&self) -> usize {
        self.0.reserved.load(Ordering::Acquire)
    }

    /// Decreases the reserved value by one, opening up capacity for more connections.
    pub fn reduce_capacity(&self) {
        let _ = self
            .0
            .reserved
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |reserved| {
                reserved.checked_sub(1)
            });
    }

    /// Creates a new connection based on the queue's `ClientPolicy`.
    /// It does not check for the capacity of the queue.
    ///
    /// Auth strategy uses the per-pool session-token cache: if the pool
    /// already holds a non-expired session, the new connection
    /// authenticates via AUTHENTICATE with that token; otherwise it does a
    /// full LOGIN and stores the resulting session for the next caller.
    ///
    /// Under
    /// [`for_login_only`](crate::ClientPolicy::for_login_only) this
    /// connection is cleartext and may not carry credentials, so a missing or
    /// expired token is first renewed over a short-lived TLS connection; a
    /// token the server rejects is renewed the same way and the open retried
    /// once.
    pub async fn make_conn(&self) -> Result<Connection> {
        let renewable = self.0.login_only.is_some() && self.0.policy.auth_enabled();
        match self.try_make_conn(self.cached_session()).await {
            Ok(conn) => Ok(conn),
            // The seeded token was expired or revoked. Log in again over TLS
            // and retry once; the credentials still never cross the clear
            // socket.
            Err((AttemptFailure::Auth, _)) if renewable => {
                let renewed = self.renew_login_session().await?;
                self.try_make_conn(Some(renewed)).await.map_err(|(_, e)| e)
            }
            Err((_, err)) => Err(err),
        }
    }

    /// The pool's cached token, if it is still usable.
    fn cached_session(&self) -> Option<SessionInfo> {
        // Snapshot the current session under the lock, then drop the guard
        // before any await so the mutex doesn't get held across .await
        // points (it's a std::sync::Mutex, not async-aware).
        let guard = self
            .0
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.as_ref().filter(|s| !s.is_expired()).cloned()
    }

    fn store_session(&self, session: SessionInfo) {
        let mut guard = self
            .0
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = Some(session);
    }

    /// Performs the credential exchange over a short-lived TLS connection to
    /// the node's TLS address and caches the resulting token. The connection
    /// is closed immediately: it exists only to log in.
    async fn renew_login_session(&self) -> Result<SessionInfo> {
        let login = self
            .0
            .login_only
            .as_ref()
            .expect("renew_login_session called without a login-only context");

        let (mut conn, session) = aerospike_rt::timeout(
            self.0.policy.connect_timeout(),
            Connection::open_tls_login(
                &login.tls_host,
                &self.0.policy,
                self.0.hashed_pass.as_ref(),
            ),
        )
        .await
        .map_err(|_| Error::timeout("Timeout logging in over TLS".to_string()))?
        .map_err(Error::from)?;
        conn.close();
        drop(conn);

        let session = session.ok_or_else(|| {
            Error::client_error(
                "for_login_only: the server issued no session token, so the cleartext \
                 data plane cannot authenticate",
            )
        })?;
        self.store_session(session.clone());
        Ok(session)
    }

    /// Opens one connection, using `session` for authentication. When the data
    /// plane is cleartext and no usable token was supplied, the token is
    /// obtained over TLS first.
    async fn try_make_conn(
        &self,
        mut cached_session: Option<SessionInfo>,
    ) -> std::result::Result<Connection, (AttemptFailure, Error)> {
        if cached_session.is_none() && self.0.login_only.is_some() && self.0.policy.auth_enabled() {
            cached_session = Some(
                self.renew_login_session()
                    .await
                    .map_err(|e| (AttemptFailure::Other, e))?,
            );
        }

        if let Some(metrics) = self.metrics() {
            metrics.incr_connections_attempt();
        }

        // Bounds the whole establishment (TCP connect + TLS + auth).
        let result = aerospike_rt::timeout(
            self.0.policy.connect_timeout(),
            Connection::open(
                &self.0.host,
                &self.0.policy,
                self.0.hashed_pass.as_ref(),
                cached_session.as_ref(),
            ),
        )
        .await;

        match result {
            Ok(Ok((mut conn, fresh_session))) => {
                if let Some(pool) = &self.0.buffer_pool {
                    conn.attach_buffer_pool(pool.clone());
                }
                if let Some(s) = fresh_session {
                    let mut guard = self
                        .0
                        .session
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    *guard = Some(s);
                }
                if let Some(metrics) = self.metrics() {
                    metrics.incr_connections_successful();
                }
                Ok(conn)
            }
            // Inner error: the connect/TLS/auth itself failed. The phase tag
            // decides which failure counter the rollup is broken down into.
            Ok(Err(failure)) => {
                if let Some(metrics) = self.metrics() {
                    metrics.incr_connections_failed(match failure.phase {
                        ConnectPhase::Tcp => OpenFailure::Connect,
                        ConnectPhase::Tls => OpenFailure::TlsHandshake,
                        ConnectPhase::Auth => OpenFailure::Auth,
                    });
                }
                Err((
                    if matches!(failure.phase, ConnectPhase::Auth) {
                        AttemptFailure::Auth
                    } else {
                        AttemptFailure::Other
                    },
                    Error::connection("Could not open network connection".to_string()),
                ))
            }
            // Outer error: the connect future exceeded the policy timeout.
            Err(_) => {
                if let Some(metrics) = self.metrics() {
                    metrics.incr_connections_failed(OpenFailure::Timeout);
                }
                Err((
                    AttemptFailure::Other,
                    Error::connection("Could not open network connection".to_string()),
                ))
            }
        }
    }

    /// Takes a connection out of the queue.
    pub fn get(&self) -> Result<PooledConnection> {
        let connection;
        loop {
            let mut connections = self
                .0
                .connections
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // LIFO: the most recently returned connection is the freshest and
            // the most likely to be healthy. Retirement of idle connections is
            // tend's job exclusively (it holds the min-conns budget); checkout
            // checks health only.
            if let Some(conn) = connections.pop_back() {
                drop(connections);
                // A server restart leaves the pool full of sockets the peer has
                // already closed. Handing one to a command makes it fail on its
                // first read (`early eof`) and burn a retry, so discard it here
                // and take the next one.
                if !conn.is_alive() {
                    if let Some(metrics) = self.metrics() {
                        metrics.incr_connections_closed(CloseReason::Error);
                    }
                    drop(conn);
                    self.reduce_capacity();
                    continue;
                }
                connection = conn;
                break;
            }
            return Err(Error::no_more_connections());
        }
        Ok(PooledConnection {
            queue: self.clone(),
            conn: Some(connection),
        })
    }

    /// Puts the connection back into the queue.
    /// Putting back a connection in the queue does not reserve capacity.
    /// You should reserve capacity before putting back the connection in the queue.
    pub fn put_back(&self, conn: Connection) {
        let mut connections = self
            .0
            .connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if conn.state == ConnectionState::Ready && connections.len() < self.0.capacity {
            connections.push_back(conn);
        } else {
            if conn.state == ConnectionState::Ready {
                if let Some(metrics) = self.metrics() {
                    metrics.incr_connections_closed(CloseReason::PoolOverflow);
                }
            }
            drop(connections);
            drop(conn);
            self.reduce_capacity();
        }
    }

    /// Removes and closes every idle connection in the queue, releasing their
    /// slots. Used when the node leaves the cluster: each close is counted as
    /// `closed_connections` with the node-removed reason. Connections out on
    /// loan are untouched; they settle through `PooledConnection::drop`.
    pub fn clear(&self) {
        let drained: Vec<Connection> = {
            let mut connections = self
                .0
                .connections
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            connections.drain(..).collect()
        };
        for mut conn in drained {
            conn.close();
            if let Some(metrics) = self.metrics() {
                metrics.incr_connections_closed(CloseReason::NodeRemoved);
            }
            self.reduce_capacity();
        }
    }

    /// Returns the current number of connection in the queue.
    pub fn num_conns(&self) -> usize {
        self.0
            .connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    /// Connections from this queue currently in background timeout recovery.
    pub fn recovering_count(&self) -> usize {
        self.0.recovering.load(Ordering::Relaxed)
    }

    /// Reserved count: total connections owned by this queue, including
    /// ones currently out on loan to callers. Reaped conns must have
    /// [`reduce_capacity`] called separately to release their slot.
    pub fn reserved_count(&self) -> usize {
        self.0.reserved.load(Ordering::Acquire)
    }

    /// Inspect the oldest pooled connection and, when it needs attention,
    /// take it out with the verdict. `may_retire` = the caller's global
    /// budget still allows closing a connection without breaching
    /// `min_conns_per_node`. `expiry_horizon` = a deadline inside it counts
    /// as expiring. `None` = queue contended by a live caller; skip it
    /// this tend.
    ///
    /// The pool is LIFO (`get` and `put_back` both work the back), so the
    /// front is always the least recently used connection: once it is
    /// `Fresh`, everything behind it is fresher.
    pub(crate) fn inspect_tail(
        &self,
        may_retire: bool,
        expiry_horizon: std::time::Duration,
    ) -> Option<TailVerdict> {
        let mut connections = self.0.connections.try_lock().ok()?;
        let Some(oldest) = connections.front() else {
            return Some(TailVerdict::Settled);
        };
        let verdict = match oldest.idle_status(Instant::now(), expiry_horizon) {
            // Surplus retires when its own clock runs out.
            IdleStatus::Expired if may_retire => {
                TailVerdict::Retire(connections.pop_front().unwrap())
            }
            // Floor-protected and expired (a missed pass) or about to expire:
            // heal it. Never reached while retiring is still allowed, so a
            // probe can never renew a clock the pool is waiting on.
            IdleStatus::Expired | IdleStatus::ExpiringSoon if !may_retire => {
                TailVerdict::KeepAlive(connections.pop_front().unwrap())
            }
            // Fresh — or expiring surplus, which is left to age out.
            _ => TailVerdict::Settled,
        };
        Some(verdict)
    }
}

/// Tend's decision about a queue's oldest connection.
#[derive(Debug)]
pub enum TailVerdict {
    /// The tail needs no attention; everything behind it is fresher.
    Settled,
    /// Expired surplus, taken out of the queue: close it.
    Retire(Connection),
    /// Expired or expiring but floor-protected, taken out: probe and re-pool.
    KeepAlive(Connection),
}

impl Clone for Queue {
    fn clone(&self) -> Self {
        Queue(self.0.clone())
    }
}

#[derive(Debug)]
pub struct ConnectionPool {
    num_queues: u8,
    queues: Vec<Queue>,
}

impl ConnectionPool {
    pub fn new(
        host: Host,
        policy: ClientPolicy,
        login_only: Option<LoginOnly>,
        metrics: Option<Arc<NodeMetrics>>,
        buffer_pool: Option<Arc<crate::net::buffer_pool::TieredBufferPool>>,
    ) -> Self {
        let num_conns = policy.max_conns_per_node;
        let num_queues = policy.conn_pools_per_node;
        let queues = ConnectionPool::initialize_queues(
            num_conns,
            num_queues,
            host,
            policy,
            login_only,
            metrics,
            buffer_pool,
        );
        ConnectionPool { num_queues, queues }
    }

    fn initialize_queues(
        num_conns: usize,
        num_queues: u8,
        host: Host,
        policy: ClientPolicy,
        login_only: Option<LoginOnly>,
        metrics: Option<Arc<NodeMetrics>>,
        buffer_pool: Option<Arc<crate::net::buffer_pool::TieredBufferPool>>,
    ) -> Vec<Queue> {
        let num_queues = usize::from(num_queues);
        let max = num_conns / num_queues;
        let mut rem = num_conns % num_queues;
        let mut queues = Vec::with_capacity(num_queues);
        for _ in 0..num_queues {
            let mut capacity = max;
            if rem > 0 {
                capacity += 1;
                rem -= 1;
            }
            queues.push(Queue::with_capacity(
                capacity,
                host.clone(),
                policy.clone(),
                login_only.clone(),
                metrics.clone(),
                buffer_pool.clone(),
            ));
        }
        queues
    }

    /// Total number of connections owned across all queues, including those
    /// currently on loan. Used as the open-connections gauge for metrics.
    pub fn reserved_conns(&self) -> usize {
        self.queues.iter().map(Queue::reserved_count).sum()
    }

    /// Idle connections sitting in the queues right now (the
    /// `connections_in_pool` gauge). Not atomic with
    /// [`reserved_conns`](Self::reserved_conns): a checkout between the two
    /// reads can make idle exceed total by one for that snapshot.
    pub fn idle_conns(&self) -> usize {
        self.queues.iter().map(Queue::num_conns).sum()
    }

    /// Connections across all queues currently in background timeout
    /// recovery (the `connections_recovering` gauge).
    pub fn recovering_conns(&self) -> usize {
        self.queues.iter().map(Queue::recovering_count).sum()
    }

    /// Closes every idle connection in every queue without consuming the
    /// pool (see [`Queue::clear`]). The pool stays usable; anything returned
    /// afterwards is closed again by [`close`](Self::close) on drop.
    pub fn clear_all(&self) {
        for queue in &self.queues {
            queue.clear();
        }
    }

    /// Get a connection from one of the internal pools.
    pub fn get(&self, hint: u8) -> Result<PooledConnection> {
        if self.num_queues == 1 {
            self.queues[0].get()
        } else {
            let mut attempts = self.num_queues;
            let mut i = usize::from(hint % self.num_queues);
            loop {
                let connection = self.queues[i].get();
                i += 1;
                if i >= self.queues.len() {
                    i = 0;
                }
                if matches!(&connection, Err(e) if matches!(e.kind(), crate::ErrorKind::NoMoreConnections))
                {
                    attempts -= 1;
                    if attempts > 0 {
                        continue;
                    }
                }
                return connection;
            }
        }
    }

    /// If there is a pool with capacity to hold more connections, create a connection
    /// for that queue and return it to the user.
    pub async fn make_conn(&self, hint: usize) -> Result<PooledConnection> {
        let num_queues = usize::from(self.num_queues);
        let mut attempts = self.num_queues;
        let mut i = hint % num_queues;
        loop {
            let queue = &self.queues[i % num_queues];
            i += 1;
            if i >= self.queues.len() {
                i = 0;
            }
            if queue.reserve_capacity() {
                match queue.make_conn().await {
                    Ok(conn) => {
                        return Ok(PooledConnection {
                            queue: queue.clone(),
                            conn: Some(conn),
                        });
                    }
                    Err(e) => {
                        queue.reduce_capacity();
                        return Err(e);
                    }
                }
            }
            attempts -= 1;
            if attempts == 0 {
                break;
            }
        }

        Err(Error::client_error(
            "Could not make a connection for the connection pool",
        ))
    }

    /// Reserves a connection slot on the first queue (starting from `hint`)
    /// that has capacity, returning a clone of that queue. The caller owns the
    /// reserved slot: it must eventually `put_back` a connection or call
    /// `reduce_capacity`. Returns `None` when every queue is at capacity
    /// (pool exhausted — all slots hold live or in-flight connections).
    pub fn reserve_queue(&self, hint: usize) -> Option<Queue> {
        let num_queues = usize::from(self.num_queues);
        let mut i = hint % num_queues;
        for _ in 0..num_queues {
            let queue = &self.queues[i % num_queues];
            i += 1;
            if i >= self.queues.len() {
                i = 0;
            }
            if queue.reserve_capacity() {
                return Some(queue.clone());
            }
        }
        None
    }

    /// Closes the connection pool and clears all the internal queues from connection,
    /// closing then in the process.
    pub fn close(&mut self) {
        for queue in self.queues.drain(..) {
            queue.clear();
        }
    }

    /// A session token for connections opened outside the pool (the node's
    /// tend socket).
    ///
    /// `None` on an ordinary pool, where each connection authenticates
    /// itself. Under
    /// [`for_login_only`](crate::ClientPolicy::for_login_only) the caller's
    /// socket will be cleartext and may not carry credentials, so this
    /// returns a valid token, logging in over TLS if the cached one is
    /// missing or expired.
    pub(crate) async fn login_session(&self) -> Result<Option<SessionInfo>> {
        let Some(queue) = self.queues.first() else {
            return Ok(None);
        };
        if queue.0.login_only.is_none() || !queue.0.policy.auth_enabled() {
            return Ok(None);
        }
        match queue.cached_session() {
            Some(session) => Ok(Some(session)),
            None => queue.renew_login_session().await.map(Some),
        }
    }

    /// Internal queues — exposed so the Node layer can implement
    /// reap-and-refresh semantics that are aware of `min_conns_per_node`.
    pub fn queues(&self) -> &[Queue] {
        &self.queues
    }

    /// Returns sum total of connections inside all the internal queues.
    #[cfg(test)]
    pub fn num_conns(&self) -> usize {
        let mut sum = 0;
        for q in &self.queues {
            sum += q.num_conns();
        }
        sum
    }

    /// Total connections owned by the pool across all queues, including
    /// in-flight connections currently checked out by callers.
    pub fn total_reserved(&self) -> usize {
        self.queues.iter().map(Queue::reserved_count).sum()
    }

    /// If a connection was dropped in a state that was not [`ConnectionState::Ready`],
    /// this method will try to recover the connection by parsing the rest of the data
    /// and returning the connection to a valid state.
    ///
    /// `guard` holds the queue's `recovering` gauge slot for as long as this
    /// task lives; it is released when the task finishes or is dropped.
    async fn recover_connection(queue: Queue, mut conn: Connection, guard: RecoveringGuard) {
        let mut r = crate::net::connection::ConnectionRecovery::new(&mut conn);
        r.recover().await;
        drop(guard);
        if conn.state == ConnectionState::Ready {
            queue.put_back(conn);
            return;
        }

        // Recovery gave up: the socket is closed and its slot released.
        if let Some(metrics) = queue.metrics() {
            metrics.incr_connections_closed(CloseReason::Error);
        }
        queue.reduce_capacity();
    }
}

/// Holds one unit of a queue's `recovering` gauge for the lifetime of a
/// background recovery task, so the gauge cannot leak if the task is dropped
/// (e.g. runtime shutdown) before it completes.
#[derive(Debug)]
struct RecoveringGuard(Arc<SharedQueue>);

impl RecoveringGuard {
    fn new(queue: &Queue) -> Self {
        queue.0.recovering.fetch_add(1, Ordering::Relaxed);
        RecoveringGuard(queue.0.clone())
    }
}

impl Drop for RecoveringGuard {
    fn drop(&mut self) {
        self.0.recovering.fetch_sub(1, Ordering::Relaxed);
    }
}

#[derive(Debug)]
pub struct PooledConnection {
    pub queue: Queue,
    pub conn: Option<Connection>,
}

impl PooledConnection {
    pub fn invalidate(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            conn.close();
        }
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            match conn.state {
                ConnectionState::Closed => {
                    self.queue.reduce_capacity();
                    if let Some(metrics) = self.queue.metrics() {
                        metrics.incr_connections_closed(CloseReason::Error);
                    }
                }
                ConnectionState::Ready => self.queue.put_back(conn),
                _ if conn.should_attempt_recovery() => {
                    // need to spawn a new green thread to avoid blocking the current one
                    let guard = RecoveringGuard::new(&self.queue);
                    aerospike_rt::spawn(ConnectionPool::recover_connection(
                        Queue(self.queue.0.clone()),
                        conn,
                        guard,
                    ));
                }
                _ => {
                    self.queue.reduce_capacity();
                    if let Some(metrics) = self.queue.metrics() {
                        metrics.incr_connections_closed(CloseReason::Error);
                    }
                }
            }
        }
    }
}

impl Deref for PooledConnection {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().unwrap()
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().unwrap()
    }
}

#[cfg(test)]
mod tests {
    use crate::net::{Connection, ConnectionState};

    use super::{ClientPolicy, ConnectionPool, Host, Queue};

    macro_rules! put_back_with_reserve {
        ($queue:ident, $conn:ident) => {{
            if $queue.reserve_capacity() {
                $queue.put_back($conn);
            }
        }};
    }

    macro_rules! get_and_invalidate {
        ($queue:ident) => {{
            match $queue.get() {
                Ok(mut c) => {
                    c.invalidate();
                    Ok(c)
                }
                Err(e) => Err(e),
            }
        }};
    }

    macro_rules! pool_get_and_invalidate {
        ($pool:ident, $hint:tt) => {{
            match $pool.get($hint) {
                Ok(mut c) => {
                    c.invalidate();
                    Ok(c)
                }
                Err(e) => Err(e),
            }
        }};
    }

    macro_rules! get_or_make {
        ($pool:ident, $hint:tt) => {{
            match $pool.get($hint) {
                Ok(c) => Ok(c),
                Err(_) => $pool.make_conn($hint).await,
            }
        }};
    }

    #[aerospike_macro::test]
    async fn queue() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy::default();

        let q = Queue::with_capacity(3, host.clone(), policy.clone(), None, None, None);
        assert_eq!(q.num_conns(), 0);
        assert_eq!(q.reserved(), 0);
        assert!(q.get().is_err());

        let c = Connection::new(&host, &policy, None)
            .await
            .expect("creating dummy connection failed");
        put_back_with_reserve!(q, c);
        assert_eq!(q.reserved(), 1);
        assert_eq!(q.num_conns(), 1);

        let c = Connection::new(&host, &policy, None)
            .await
            .expect("creating dummy connection failed");
        put_back_with_reserve!(q, c);
        assert_eq!(q.reserved(), 2);
        assert_eq!(q.num_conns(), 2);

        let c = Connection::new(&host, &policy, None)
            .await
            .expect("creating dummy connection failed");
        put_back_with_reserve!(q, c);
        assert_eq!(q.reserved(), 3);
        assert_eq!(q.num_conns(), 3);

        let c = Connection::new(&host, &policy, None)
            .await
            .expect("creating dummy connection failed");
        put_back_with_reserve!(q, c);
        assert_eq!(q.num_conns(), 3);
        assert_eq!(q.reserved(), 3);
        assert!(!(q.reserve_capacity()));

        // drain the queue =====================================

        // remove and drop; the connection goes back into
        // the queue automatically, because it is in ready state.
        assert!(q.get().is_ok());
        assert_eq!(q.reserved(), 3);
        assert_eq!(q.num_conns(), 3);

        assert!(get_and_invalidate!(q).is_ok());
        assert_eq!(q.reserved(), 2);
        assert_eq!(q.num_conns(), 2);

        assert!(get_and_invalidate!(q).is_ok());
        assert_eq!(q.num_conns(), 1);
        assert_eq!(q.reserved(), 1);

        assert!(get_and_invalidate!(q).is_ok());
        assert_eq!(q.num_conns(), 0);
        assert_eq!(q.reserved(), 0);

        assert!(get_and_invalidate!(q).is_err());
        assert_eq!(q.num_conns(), 0);
        assert_eq!(q.reserved(), 0);
    }

    #[aerospike_macro::test]
    async fn single_queue_connection_pool() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy::default();

        let p = ConnectionPool::new(host.clone(), policy.clone(), None, None, None);
        assert_eq!(p.num_conns(), 0);
        assert!(p.get(0).is_err());

        assert!(get_or_make!(p, 0).is_ok());
        assert_eq!(p.num_conns(), 1);

        // connection was returned to the pool after the above.
        // so the number of connections in the pool is still 1.
        assert!(get_or_make!(p, 0).is_ok());
        assert_eq!(p.num_conns(), 1);

        assert!(p.make_conn(0).await.is_ok());
        assert_eq!(p.num_conns(), 2);

        assert!(p.get(0).is_ok());
        assert_eq!(p.num_conns(), 2);

        assert!(pool_get_and_invalidate!(p, 0).is_ok());
        assert_eq!(p.num_conns(), 1);
        assert_eq!(p.queues[0].reserved(), 1);

        assert!(pool_get_and_invalidate!(p, 0).is_ok());
        assert_eq!(p.num_conns(), 0);
        assert_eq!(p.queues[0].reserved(), 0);
    }

    #[aerospike_macro::test]
    async fn multi_queue_connection_pool() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy {
            conn_pools_per_node: 2,
            max_conns_per_node: 3,
            ..ClientPolicy::default()
        };

        let p = ConnectionPool::new(host.clone(), policy.clone(), None, None, None);
        assert_eq!(p.num_conns(), 0);
        assert!(p.get(0).is_err());

        assert!(get_or_make!(p, 0).is_ok());
        assert_eq!(p.num_conns(), 1);
        assert_eq!(p.queues[0].reserved(), 1);
        assert_eq!(p.queues[0].num_conns(), 1);
        assert_eq!(p.queues[1].reserved(), 0);
        assert_eq!(p.queues[1].num_conns(), 0);

        // connection was returned to the pool after the above.
        // so the number of connections in the pool is still 1.
        assert!(get_or_make!(p, 1).is_ok());
        assert_eq!(p.num_conns(), 1);
        assert_eq!(p.queues[0].reserved(), 1);
        assert_eq!(p.queues[0].num_conns(), 1);
        assert_eq!(p.queues[1].reserved(), 0);
        assert_eq!(p.queues[1].num_conns(), 0);

        assert!(p.make_conn(1).await.is_ok());
        assert_eq!(p.num_conns(), 2);
        assert_eq!(p.queues[0].reserved(), 1);
        assert_eq!(p.queues[0].num_conns(), 1);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);

        assert!(p.get(0).is_ok());
        assert_eq!(p.num_conns(), 2);
        assert_eq!(p.queues[0].reserved(), 1);
        assert_eq!(p.queues[0].num_conns(), 1);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);

        assert!(pool_get_and_invalidate!(p, 0).is_ok());
        assert_eq!(p.num_conns(), 1);
        assert_eq!(p.queues[0].reserved(), 0);
        assert_eq!(p.queues[0].num_conns(), 0);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);

        assert!(pool_get_and_invalidate!(p, 0).is_ok());
        assert_eq!(p.num_conns(), 0);
        assert_eq!(p.queues[0].reserved(), 0);
        assert_eq!(p.queues[0].num_conns(), 0);
        assert_eq!(p.queues[1].reserved(), 0);
        assert_eq!(p.queues[1].num_conns(), 0);

        assert!(pool_get_and_invalidate!(p, 0).is_err());
        assert_eq!(p.num_conns(), 0);
        assert_eq!(p.queues[0].reserved(), 0);
        assert_eq!(p.queues[0].num_conns(), 0);
        assert_eq!(p.queues[1].reserved(), 0);
        assert_eq!(p.queues[1].num_conns(), 0);

        // test for capacity planning

        assert!(p.make_conn(1).await.is_ok());
        assert_eq!(p.num_conns(), 1);
        assert_eq!(p.queues[0].reserved(), 0);
        assert_eq!(p.queues[0].num_conns(), 0);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);

        assert!(p.make_conn(1).await.is_ok());
        assert_eq!(p.num_conns(), 2);
        assert_eq!(p.queues[0].reserved(), 1);
        assert_eq!(p.queues[0].num_conns(), 1);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);

        assert!(p.make_conn(1).await.is_ok());
        assert_eq!(p.num_conns(), 3);
        assert_eq!(p.queues[0].reserved(), 2);
        assert_eq!(p.queues[0].num_conns(), 2);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);

        // can't make more, all queues are full
        assert!(p.make_conn(1).await.is_err());
        assert_eq!(p.num_conns(), 3);
        assert_eq!(p.queues[0].reserved(), 2);
        assert_eq!(p.queues[0].num_conns(), 2);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);

        // can't make more, all queues are full
        let mut c = p.get(0).unwrap();
        // we are at capacity, no more connections can be created
        assert!(p.make_conn(1).await.is_err());
        // but there is one connection in flight
        assert_eq!(p.num_conns(), 2);
        assert_eq!(p.queues[0].reserved(), 2);
        assert_eq!(p.queues[0].num_conns(), 1);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);
        c.reset_state();
        // c should go back to the pool
        drop(c);
        assert_eq!(p.num_conns(), 3);
        assert_eq!(p.queues[0].reserved(), 2);
        assert_eq!(p.queues[0].num_conns(), 2);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);

        // SAME as above, but with a different hint
        // can't make more, all queues are full
        let mut c = p.get(1).unwrap();
        // we are at capacity, no more connections can be created
        assert!(p.make_conn(1).await.is_err());
        // but there is one connection in flight
        assert_eq!(p.num_conns(), 2);
        assert_eq!(p.queues[0].reserved(), 2);
        assert_eq!(p.queues[0].num_conns(), 2);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 0);
        c.reset_state();
        // c should go back to the pool
        drop(c);
        assert_eq!(p.num_conns(), 3);
        assert_eq!(p.queues[0].reserved(), 2);
        assert_eq!(p.queues[0].num_conns(), 2);
        assert_eq!(p.queues[1].reserved(), 1);
        assert_eq!(p.queues[1].num_conns(), 1);
    }

    #[aerospike_macro::test]
    async fn get_hands_out_expired_connection_retirement_is_tends_job() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy {
            idle_timeout: 1,
            ..ClientPolicy::default()
        };

        let q = Queue::with_capacity(3, host.clone(), policy.clone(), None, None, None);
        let c = Connection::new(&host, &policy, None)
            .await
            .expect("creating dummy connection failed");
        put_back_with_reserve!(q, c);

        aerospike_rt::sleep(aerospike_rt::time::Duration::from_millis(5)).await;

        // The connection is past its idle deadline but healthy. Checkout must
        // hand it out anyway: an expired connection works fine, and retiring
        // it here would bypass the min-conns budget that only tend holds.
        let result = q.get();
        assert!(
            result.is_ok(),
            "checkout must not retire expired-but-healthy connections"
        );
        assert_eq!(q.reserved(), 1, "the connection is loaned out, not closed");
    }

    #[aerospike_macro::test]
    async fn put_back_overflow_reduces_reserved() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy::default();

        let q = Queue::with_capacity(2, host.clone(), policy.clone(), None, None, None);

        let c1 = Connection::new(&host, &policy, None)
            .await
            .expect("creating dummy connection failed");
        put_back_with_reserve!(q, c1);
        let c2 = Connection::new(&host, &policy, None)
            .await
            .expect("creating dummy connection failed");
        put_back_with_reserve!(q, c2);
        assert_eq!(q.reserved(), 2);
        assert_eq!(q.num_conns(), 2);

        let overflow = Connection::new(&host, &policy, None)
            .await
            .expect("creating dummy connection failed");
        assert!(
            !q.reserve_capacity(),
            "queue is at capacity, reserve should fail"
        );

        // Simulate a caller that already holds a reserved slot (e.g. via
        // make_conn which reserves before connecting) but tries to put_back
        // into a full queue. Manually bump reserved to emulate.
        q.0.reserved.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        assert_eq!(q.reserved(), 3);

        q.put_back(overflow);
        assert_eq!(
            q.num_conns(),
            2,
            "queue was full, overflow should have been dropped"
        );
        assert_eq!(
            q.reserved(),
            2,
            "reserved must be decremented when overflow connection is dropped"
        );
    }

    #[aerospike_macro::test]
    async fn total_reserved_includes_in_flight() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy::default();

        let p = ConnectionPool::new(host.clone(), policy.clone(), None, None, None);
        assert_eq!(p.total_reserved(), 0);

        // make_conn returns a PooledConnection; dropping it returns the
        // connection to the pool. We need to hold them to keep them "in-flight".
        let _c1 = p.make_conn(0).await.expect("make_conn failed");
        assert_eq!(p.total_reserved(), 1);

        let _c2 = p.make_conn(0).await.expect("make_conn failed");
        assert_eq!(p.total_reserved(), 2);

        // Both are held as in-flight PooledConnections, so the queue is empty
        // but total_reserved counts them.
        assert_eq!(
            p.num_conns(),
            0,
            "both connections are in-flight, queue should be empty"
        );
        assert_eq!(
            p.total_reserved(),
            2,
            "in-flight connections must count in total_reserved"
        );
    }

    // Pool's Drop contract: retain Ready conns, close non-Ready ones;
    // asserted independently of the auth code path.

    /// Non-Ready conn at drop must be closed and its slot released.
    #[aerospike_macro::test]
    async fn writing_state_at_drop_evicts_from_pool() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy {
            max_conns_per_node: 8,
            ..ClientPolicy::default()
        };
        let p = ConnectionPool::new(host.clone(), policy.clone(), None, None, None);

        {
            let mut pconn = p.make_conn(0).await.expect("make_conn failed");
            assert_eq!(p.total_reserved(), 1);
            pconn.set_state(ConnectionState::Writing);
        }

        assert_eq!(p.total_reserved(), 0, "non-Ready drop must free the slot");
        assert_eq!(p.num_conns(), 0, "non-Ready conn must not reach the queue");
    }

    /// Ready conn at drop must be put back into the pool.
    #[aerospike_macro::test]
    async fn ready_state_at_drop_returns_connection_to_pool() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy {
            max_conns_per_node: 8,
            ..ClientPolicy::default()
        };
        let p = ConnectionPool::new(host.clone(), policy.clone(), None, None, None);

        {
            let pconn = p.make_conn(0).await.expect("make_conn failed");
            assert_eq!(p.total_reserved(), 1);
            drop(pconn);
        }

        assert_eq!(p.total_reserved(), 1, "Ready drop must keep the slot");
        assert_eq!(p.num_conns(), 1, "Ready conn must be in the queue");
    }

    /// `fill_min_conns` fixpoint: non-Ready path leaves reserved at 0 (churn);
    /// Ready path reaches `min` in one pass so next tend does nothing.
    #[aerospike_macro::test]
    async fn fill_min_conns_fixpoint_bug_vs_fixed() {
        let host = Host::new("some-url", 30000);
        let min = 32usize;
        let policy = ClientPolicy {
            min_conns_per_node: min,
            max_conns_per_node: 128,
            conn_pools_per_node: 4,
            ..ClientPolicy::default()
        };

        // Non-Ready path: nothing accumulates.
        let buggy = ConnectionPool::new(host.clone(), policy.clone(), None, None, None);
        for i in 0..min {
            let mut pconn = buggy.make_conn(i).await.expect("make_conn failed");
            pconn.set_state(ConnectionState::Writing);
        }
        assert_eq!(
            buggy.total_reserved(),
            0,
            "non-Ready loop never grows the pool"
        );
        assert_eq!(buggy.num_conns(), 0);

        // Ready path: pool reaches min in one pass.
        let fixed = ConnectionPool::new(host.clone(), policy.clone(), None, None, None);
        for i in 0..min {
            let pconn = fixed.make_conn(i).await.expect("make_conn failed");
            drop(pconn);
        }
        assert_eq!(fixed.total_reserved(), min, "Ready loop reaches min");
        assert_eq!(fixed.num_conns(), min);
    }

    #[aerospike_macro::test]
    async fn reserve_queue_wraps_and_reports_exhausted() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy {
            conn_pools_per_node: 2,
            max_conns_per_node: 2, // 1 slot per queue
            ..ClientPolicy::default()
        };
        let p = ConnectionPool::new(host, policy, None, None, None);

        // Starting from hint 1: takes queue 1's only slot.
        let q1 = p.reserve_queue(1).expect("queue 1 has capacity");
        assert_eq!(p.total_reserved(), 1);

        // Queue 1 is now full — the next reserve from the same hint must
        // wrap around to queue 0.
        let q0 = p.reserve_queue(1).expect("must wrap to queue 0");
        assert_eq!(p.total_reserved(), 2);

        // Every slot is reserved: the pool is exhausted.
        assert!(
            p.reserve_queue(0).is_none(),
            "exhausted pool must not hand out reservations"
        );

        // Releasing a slot makes it reservable again.
        q0.reduce_capacity();
        assert!(p.reserve_queue(0).is_some());
        q1.reduce_capacity();
    }

    // Tests the Drop/Closed path — Netsocket::TestDummy bypasses TCP so the
    // Err arm of make_conn cannot be triggered here.
    #[aerospike_macro::test]
    async fn make_conn_slot_freed_when_connection_closed_on_drop() {
        let host = Host::new("some-url", 30000);
        let policy = ClientPolicy {
            max_conns_per_node: 3,
            ..ClientPolicy::default()
        };
        let p = ConnectionPool::new(host.clone(), policy.clone(), None, None, None);

        for round in 0..10 {
            let mut c = p.make_conn(0).await.expect("make_conn failed");
            c.invalidate(); // state → Closed
            drop(c); // Drop: Closed arm → reduce_capacity()
            assert_eq!(
                p.total_reserved(),
                0,
                "round {round}: Closed connection must free its slot on drop"
            );
        }
        // Pool must still accept new connections — no slots leaked.
        let _c = p
            .make_conn(0)
            .await
            .expect("pool must have capacity after all connections were closed and dropped");
    }
}
