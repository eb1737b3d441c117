// Copyright 2015-2026 Aerospike, Inc.
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

//! Multi-Record Transaction (MRT) support.

use crate::locks::{read, write};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, Ordering};
use std::sync::RwLock;
use std::time::Duration;

use crate::errors::{Error, Result};
use crate::Key;
use crate::ResultCode;

static TXN_RANDOM_STATE: AtomicI64 = AtomicI64::new(0);

fn ensure_initialized() {
    // Use compare_exchange to set initial state from system time once.
    // If already set (non-zero), this is a no-op.
    let _ = TXN_RANDOM_STATE.compare_exchange(
        0,
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos() as i64,
        Ordering::SeqCst,
        Ordering::Relaxed,
    );
}

fn create_txn_id() -> i64 {
    ensure_initialized();
    // xorshift64* doesn't generate zeroes.
    loop {
        let old_state = TXN_RANDOM_STATE.load(Ordering::SeqCst);
        let mut new_state = old_state;
        new_state ^= new_state >> 12;
        new_state ^= new_state << 25;
        new_state ^= new_state >> 27;

        if TXN_RANDOM_STATE
            .compare_exchange(old_state, new_state, Ordering::SeqCst, Ordering::Relaxed)
            .is_ok()
        {
            return new_state;
        }
    }
}

/// Transaction state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnState {
    /// Transaction is open and accepting commands.
    Open,
    /// Transaction has been verified (record versions checked).
    Verified,
    /// Transaction has been committed.
    Committed,
    /// Transaction has been aborted.
    Aborted,
    /// A commit attempt failed with an **in-doubt** outcome: the request to
    /// mark the transaction roll-forward may or may not have reached the
    /// server, which may therefore still be rolling the transaction forward.
    ///
    /// From here [`Client::abort`](crate::Client::abort) is refused (a
    /// rollback could discard writes the server is committing) and
    /// [`Client::commit`](crate::Client::commit) may be retried; a retry is
    /// the only way to resolve the transaction from the client side. A clean,
    /// not-in-doubt commit failure never enters this state — it stays
    /// [`Verified`](Self::Verified) and abortable.
    CommitFailed,
}

/// Message carried by the error [`Client::abort`](crate::Client::abort)
/// returns for a transaction in [`TxnState::CommitFailed`].
pub const COMMIT_FAILED_ABORT_MESSAGE: &str =
    "Abort not allowed because a commit already failed on this transaction with an in-doubt outcome";

/// Transaction commit status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitStatus {
    /// Commit succeeded.
    Ok,
    /// Already committed.
    AlreadyCommitted,
    /// Transaction client roll forward abandoned. Server will eventually commit.
    ///
    /// `Client::commit` no longer returns this variant: it fails with
    /// [`CommitErrorType::RollForwardAbandoned`] so the underlying cause is
    /// not dropped. Kept so existing matches on this enum continue to compile.
    RollForwardAbandoned,
    /// Transaction has been rolled forward, but client close was abandoned.
    CloseAbandoned,
}

/// Transaction abort status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AbortStatus {
    /// Abort succeeded.
    Ok,
    /// Already aborted.
    AlreadyAborted,
    /// Transaction client roll back abandoned. Server will eventually abort.
    RollBackAbandoned,
    /// Transaction has been rolled back, but client close was abandoned.
    CloseAbandoned,
    /// Abort was refused because a commit already failed on this transaction
    /// with an in-doubt outcome ([`TxnState::CommitFailed`]); see
    /// [`COMMIT_FAILED_ABORT_MESSAGE`]. [`Client::abort`](crate::Client::abort)
    /// reports this as an error with `ClientResultCode::TxnFailed`; the
    /// variant exists for API parity with the other Aerospike clients.
    CommitFailed,
}

/// Transaction commit error status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitErrorType {
    /// Transaction verify failed. Transaction aborted.
    VerifyFail,
    /// Transaction verify failed. Transaction aborted. Client close abandoned.
    VerifyFailCloseAbandoned,
    /// Transaction verify failed. Client abort abandoned.
    VerifyFailAbortAbandoned,
    /// Transaction client mark roll forward abandoned.
    MarkRollForwardAbandoned,
    /// Transaction client roll forward abandoned. Writes are not yet visible.
    RollForwardAbandoned,
}

impl std::fmt::Display for CommitErrorType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::VerifyFail => write!(f, "Transaction verify failed. Transaction aborted."),
            Self::VerifyFailCloseAbandoned => write!(
                f,
                "Transaction verify failed. Transaction aborted. Transaction client close abandoned. Server will eventually close the Transaction."
            ),
            Self::VerifyFailAbortAbandoned => write!(
                f,
                "Transaction verify failed. Transaction client abort abandoned. Server will eventually abort the Transaction."
            ),
            Self::MarkRollForwardAbandoned => write!(
                f,
                "Transaction client mark roll forward abandoned. Server will eventually abort the Transaction."
            ),
            Self::RollForwardAbandoned => write!(
                f,
                "Transaction client roll forward abandoned. The writes are not yet visible. Server will eventually commit the Transaction."
            ),
        }
    }
}

/// A read inside a transaction: its key and the record version the server
/// reported for it, if any.
type TxnRead = (Key, Option<u64>);

/// Multi-Record Transaction.
///
/// Each command in the transaction must use the same namespace.
/// The default client transaction timeout is zero, meaning use the server
/// configuration `transaction-duration` as the timeout (default 10 seconds).
pub struct Txn {
    id: i64,
    reads: RwLock<HashMap<[u8; 20], TxnRead>>,
    writes: RwLock<HashMap<[u8; 20], Key>>,
    state: RwLock<TxnState>,
    namespace: RwLock<Option<String>>,
    timeout: u32,
    pub(crate) deadline: AtomicI32,
    write_in_doubt: AtomicBool,
    in_doubt: AtomicBool,
}

impl std::fmt::Debug for Txn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Txn")
            .field("id", &self.id)
            .field("state", &*read(&self.state))
            .field("namespace", &*read(&self.namespace))
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Two transactions are the same transaction when they carry the same id.
impl PartialEq for Txn {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Txn {}

impl Txn {
    /// Create a new transaction with a random transaction ID.
    pub fn new() -> Self {
        Self {
            id: create_txn_id(),
            reads: RwLock::new(HashMap::with_capacity(16)),
            writes: RwLock::new(HashMap::with_capacity(16)),
            state: RwLock::new(TxnState::Open),
            namespace: RwLock::new(None),
            timeout: 0,
            deadline: AtomicI32::new(0),
            write_in_doubt: AtomicBool::new(false),
            in_doubt: AtomicBool::new(false),
        }
    }

    /// Create a new transaction with specified read/write capacities.
    pub fn with_capacity(reads_capacity: usize, writes_capacity: usize) -> Self {
        let reads_capacity = reads_capacity.max(16);
        let writes_capacity = writes_capacity.max(16);

        Self {
            id: create_txn_id(),
            reads: RwLock::new(HashMap::with_capacity(reads_capacity)),
            writes: RwLock::new(HashMap::with_capacity(writes_capacity)),
            state: RwLock::new(TxnState::Open),
            namespace: RwLock::new(None),
            timeout: 0,
            deadline: AtomicI32::new(0),
            write_in_doubt: AtomicBool::new(false),
            in_doubt: AtomicBool::new(false),
        }
    }

    /// Return the transaction ID.
    pub const fn id(&self) -> i64 {
        self.id
    }

    /// Return the transaction state.
    pub fn state(&self) -> TxnState {
        *read(&self.state)
    }

    /// Set the transaction state.
    ///
    /// Hidden: a test hook for language bindings that need to force a
    /// non-open state without a cluster. `commit` and `abort` drive the
    /// transitions in real use.
    #[doc(hidden)]
    pub fn set_state(&self, state: TxnState) {
        *write(&self.state) = state;
    }

    /// Records that a commit attempt failed with an in-doubt outcome: the
    /// state becomes [`TxnState::CommitFailed`] unless the transaction has
    /// already reached a terminal state ([`Committed`](TxnState::Committed) or
    /// [`Aborted`](TxnState::Aborted)), which are left untouched.
    pub(crate) fn mark_commit_failed(&self) {
        let mut state = write(&self.state);
        if !matches!(*state, TxnState::Committed | TxnState::Aborted) {
            *state = TxnState::CommitFailed;
        }
    }

    /// Process the results of a record read. For internal use only.
    pub(crate) fn on_read(&self, key: &Key, version: Option<u64>) {
        if let Some(ver) = version {
            let mut reads = write(&self.reads);
            reads.insert(key.digest, (key.clone(), Some(ver)));
        }
    }

    /// Get record version for a given key.
    pub fn get_read_version(&self, key: &Key) -> Option<u64> {
        let reads = read(&self.reads);
        reads.get(&key.digest).and_then(|(_, v)| *v)
    }

    /// Check if a read exists for the given key.
    pub fn read_exists_for_key(&self, key: &Key) -> bool {
        let reads = read(&self.reads);
        reads.contains_key(&key.digest)
    }

    /// Get all read keys and their versions.
    pub fn get_reads(&self) -> Vec<(Key, Option<u64>)> {
        let reads = read(&self.reads);
        reads.values().cloned().collect()
    }

    /// Process the results of a record write. For internal use only.
    pub(crate) fn on_write(&self, key: &Key, version: Option<u64>, result_code: ResultCode) {
        if version.is_some() {
            let mut reads = write(&self.reads);
            reads.insert(key.digest, (key.clone(), version));
        } else if result_code == ResultCode::Ok {
            let mut reads = write(&self.reads);
            reads.remove(&key.digest);
            let mut writes = write(&self.writes);
            writes.insert(key.digest, key.clone());
        }
    }

    /// Add key to write hash when write command is in doubt (usually caused by timeout).
    pub(crate) fn on_write_in_doubt(&self, key: &Key) {
        self.write_in_doubt.store(true, Ordering::Relaxed);
        write(&self.writes).insert(key.digest, key.clone());
        write(&self.reads).remove(&key.digest);
    }

    /// Get all write keys.
    pub fn get_writes(&self) -> Vec<Key> {
        let writes = read(&self.writes);
        writes.values().cloned().collect()
    }

    /// Check if a write exists for the given key.
    pub fn write_exists_for_key(&self, key: &Key) -> bool {
        let writes = read(&self.writes);
        writes.contains_key(&key.digest)
    }

    /// Return transaction namespace.
    pub fn namespace(&self) -> Option<String> {
        read(&self.namespace).clone()
    }

    /// Verify current transaction state and namespace for a future command.
    pub(crate) fn prepare_read(&self, ns: &str) -> Result<()> {
        self.verify_command()?;
        self.set_namespace(ns)
    }

    /// Verify that the transaction state allows future commands.
    pub fn verify_command(&self) -> Result<()> {
        if *read(&self.state) != TxnState::Open {
            return Err(Error::client_error(
                "Issuing commands to this transaction is forbidden because it has been ended by a commit or abort".to_string(),
            ));
        }
        Ok(())
    }

    /// Set transaction namespace only if doesn't already exist.
    /// If namespace already exists, verify new namespace is the same.
    pub(crate) fn set_namespace(&self, ns: &str) -> Result<()> {
        let mut guard = write(&self.namespace);
        match &*guard {
            None => {
                *guard = Some(ns.to_string());
                Ok(())
            }
            Some(existing) if existing == ns => Ok(()),
            Some(existing) => Err(Error::client_error(format!(
                "Namespace must be the same for all commands in the Transaction. orig: {existing} new: {ns}"
            ))),
        }
    }

    /// Get transaction timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.timeout))
    }

    /// Returns the transaction with its timeout set. A `Txn` is shared as
    /// `Arc<Txn>` once commands run under it, so the timeout is chosen here,
    /// at construction: `Arc::new(Txn::new().with_timeout(t))`. Zero (the
    /// default) means the server's `transaction-duration` applies.
    #[must_use]
    pub const fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.as_secs() as u32;
        self
    }

    /// Sets the transaction timeout in place.
    ///
    /// Hidden: for language bindings that expose the timeout as a settable
    /// attribute on an already-constructed transaction. Needs unique access,
    /// so it cannot change a transaction that commands already share (reach
    /// it through `Arc::get_mut`). Rust code sets the timeout at construction
    /// with [`with_timeout`](Self::with_timeout).
    #[doc(hidden)]
    pub const fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout.as_secs() as u32;
    }

    /// Get raw timeout value in seconds (for protocol encoding).
    pub(crate) const fn timeout_secs(&self) -> u32 {
        self.timeout
    }

    /// Get transaction in-doubt status.
    pub fn in_doubt(&self) -> bool {
        self.in_doubt.load(Ordering::Relaxed)
    }

    /// Set transaction in-doubt status.
    #[doc(hidden)] // test support, not a stable API
    pub fn set_in_doubt(&self, in_doubt: bool) {
        self.in_doubt.store(in_doubt, Ordering::Relaxed);
    }

    /// Return whether any write in this transaction is currently in-doubt
    /// (meaning it may or may not have reached the server due to a timeout).
    pub fn write_in_doubt(&self) -> bool {
        self.write_in_doubt.load(Ordering::Relaxed)
    }

    /// Return if the MRT monitor record should be closed/deleted.
    pub(crate) fn close_monitor(&self) -> bool {
        self.deadline.load(Ordering::Relaxed) != 0 && !self.write_in_doubt.load(Ordering::Relaxed)
    }

    /// Does transaction monitor record exist.
    pub fn monitor_exists(&self) -> bool {
        self.deadline.load(Ordering::Relaxed) != 0
    }

    /// Get the deadline value (for protocol encoding).
    pub(crate) fn get_deadline(&self) -> i32 {
        self.deadline.load(Ordering::Relaxed)
    }

    /// Set the deadline value from parsed response.
    pub(crate) fn set_deadline(&self, deadline: i32) {
        self.deadline.store(deadline, Ordering::Relaxed);
    }

    /// Clear transaction. Remove all tracked keys and reset transient flags.
    pub(crate) fn clear(&self) {
        *write(&self.namespace) = None;
        self.deadline.store(0, Ordering::Relaxed);
        self.write_in_doubt.store(false, Ordering::Relaxed);
        self.in_doubt.store(false, Ordering::Relaxed);
        write(&self.reads).clear();
        write(&self.writes).clear();
    }
}

impl Default for Txn {
    fn default() -> Self {
        Self::new()
    }
}

/// Generate the transaction monitor key.
pub(crate) fn get_txn_monitor_key(txn: &Txn) -> Option<Key> {
    txn.namespace().map(|ns| {
        Key::new(ns, "<ERO~MRT".to_string(), crate::Value::Int(txn.id()))
            .expect("Failed to create transaction monitor key")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_commit_failed_transitions_from_open_and_verified() {
        let txn = Txn::new();
        assert_eq!(txn.state(), TxnState::Open);
        txn.mark_commit_failed();
        assert_eq!(txn.state(), TxnState::CommitFailed);

        let txn = Txn::new();
        txn.set_state(TxnState::Verified);
        txn.mark_commit_failed();
        assert_eq!(txn.state(), TxnState::CommitFailed);

        // Idempotent.
        txn.mark_commit_failed();
        assert_eq!(txn.state(), TxnState::CommitFailed);
    }

    #[test]
    fn mark_commit_failed_preserves_terminal_states() {
        for terminal in [TxnState::Committed, TxnState::Aborted] {
            let txn = Txn::new();
            txn.set_state(terminal);
            txn.mark_commit_failed();
            assert_eq!(txn.state(), terminal, "{terminal:?} must stay terminal");
        }
    }

    #[test]
    fn commit_failed_rejects_further_commands() {
        let txn = Txn::new();
        txn.mark_commit_failed();
        let err = txn
            .verify_command()
            .expect_err("a CommitFailed transaction must not accept commands");
        assert!(err.to_string().contains("ended by a commit or abort"));
        assert!(txn.prepare_read("test").is_err());
    }

    #[test]
    fn set_timeout_matches_with_timeout() {
        let mut txn = Txn::new();
        assert_eq!(txn.timeout(), Duration::ZERO);
        txn.set_timeout(Duration::from_secs(30));
        assert_eq!(txn.timeout(), Duration::from_secs(30));
        assert_eq!(txn.timeout_secs(), 30);
        assert_eq!(
            Txn::new().with_timeout(Duration::from_secs(30)).timeout_secs(),
            txn.timeout_secs()
        );

        // Sub-second durations truncate to whole seconds on both paths.
        txn.set_timeout(Duration::from_millis(1500));
        assert_eq!(txn.timeout_secs(), 1);
    }

    #[test]
    fn abort_refusal_message_is_verbatim_from_sibling_clients() {
        assert_eq!(
            COMMIT_FAILED_ABORT_MESSAGE,
            "Abort not allowed because a commit already failed on this transaction with an in-doubt outcome"
        );
    }
}
