//! One connection to a cluster (`Core`) and the connect/close state both client classes share.

use std::sync::{Arc, RwLock};

use aerospike_core::{
    AdminPolicy, AuthMode, BatchDeletePolicy, BatchPolicy, BatchWritePolicy, Client as AsClient, ClientPolicy, Host,
    QueryPolicy, ReadPolicy, WritePolicy,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use tokio::runtime::Handle as RtHandle;

use crate::caller_runtime::CallerRuntime;
use crate::errors::{self, OpError, param};
use crate::runtime;
use crate::shapes;
use crate::tracing::Server;

/// Default policies from the config's "policies"; per-call policy dicts are applied on top.
#[derive(Clone, Default)]
pub struct Policies {
    pub read: ReadPolicy,
    pub write: WritePolicy,
    pub operate: WritePolicy,
    pub remove: WritePolicy,
    pub batch: BatchPolicy,
    pub batch_write: BatchWritePolicy,
    pub batch_remove: BatchDeletePolicy,
    pub query: QueryPolicy,
    pub admin: AdminPolicy,
}

pub struct Core {
    pub client: AsClient,
    pub policies: Policies,
    pub epoch: u64,
    pub driver: Driver,
    pub server: Server,
}

/// What runs a connection's background work (`close_in_background`; the sync client also frees
/// a query's records there) and, for the sync client, its operations and the tasks
/// aerospike-core spawns for them.
pub enum Driver {
    /// `AsyncClient`: the loop runtime (src/loop_runtime.rs), shared by every loop, which also
    /// runs its operations and the tasks aerospike-core spawns from them.
    Shared(RtHandle),
    /// `Client`: its own runtime, driven by the threads that call it (src/caller_runtime.rs).
    Callers(CallerRuntime),
}

impl Driver {
    pub fn spawn(&self, fut: impl std::future::Future<Output = ()> + Send + 'static) {
        match self {
            Driver::Shared(rt) => drop(rt.spawn(fut)),
            Driver::Callers(rt) => rt.spawn(fut),
        }
    }
}

/// Parsed configuration: what `connect()` needs.
#[derive(Clone)]
pub struct Config {
    pub hosts: Vec<Host>,
    pub client_policy: ClientPolicy,
    pub policies: Policies,
    /// The first seed host: the spans' `server.address`/`server.port`.
    pub server: Server,
}

fn parse_policies(py: Python<'_>, d: &Bound<'_, PyDict>, p: &mut Policies, cp: &mut ClientPolicy) -> PyResult<()> {
    for (k, v) in d.iter() {
        let name: String = k.extract().map_err(|_| param(py, "config.policies", "keys must be str"))?;
        let arg = format!("config.policies.{name}");
        match name.as_str() {
            "read" => shapes::apply_read(&mut p.read, &v, &arg)?,
            "write" => shapes::apply_write(&mut p.write, &v, &arg)?,
            "operate" => shapes::apply_write(&mut p.operate, &v, &arg)?,
            "remove" => shapes::apply_write(&mut p.remove, &v, &arg)?,
            "batch" => shapes::apply_batch(&mut p.batch, &v, &arg)?,
            "batch_write" => shapes::apply_batch_write(&mut p.batch_write, &v, &arg)?,
            "batch_remove" => shapes::apply_batch_remove(&mut p.batch_remove, &v, &arg)?,
            "info" | "admin" => shapes::apply_admin(&mut p.admin, &v, &arg)?,
            "query" | "scan" | "apply" | "batch_apply" | "txn_verify" | "txn_roll" => {}
            "total_timeout" => {
                let t = shapes::u32_of(&v, &arg)?;
                for b in [
                    &mut p.read.base_policy,
                    &mut p.write.base_policy,
                    &mut p.operate.base_policy,
                    &mut p.remove.base_policy,
                    &mut p.batch.base_policy,
                ] {
                    b.total_timeout = t;
                }
            }
            "login_timeout_ms" => cp.login_timeout = shapes::u32_of(&v, &arg)?,
            _ => {}
        }
    }
    Ok(())
}

/// At most this many connections per node: a client address has no more source ports than this
/// towards one server address (aerospike-core also allocates each pool's slots up front, so 2**32
/// would ask for terabytes).
const MAX_CONNS_PER_NODE: i64 = 65_535;

fn conns_of(v: &Bound<'_, PyAny>, arg: &str, min: i64) -> PyResult<usize> {
    let n = shapes::int_of(v, arg)?;
    if !(min..=MAX_CONNS_PER_NODE).contains(&n) {
        return Err(param(v.py(), arg, format!("{n} out of range {min}..={MAX_CONNS_PER_NODE}")));
    }
    Ok(n as usize)
}

/// Longest user name or password, in bytes: the official C client's AS_USER_SIZE and
/// AS_PASSWORD_SIZE (64, with the terminating NUL). aerospike-core's login buffer would overflow
/// (a panic) on much longer ones.
const MAX_CREDENTIAL: usize = 63;

impl Config {
    pub fn parse(config: &Bound<'_, PyAny>) -> PyResult<Config> {
        let py = config.py();
        let d = config.cast::<PyDict>().map_err(|_| param(py, "config", "expected a dict"))?;
        let mut cp = ClientPolicy::default();
        let mut policies = Policies::default();
        let mut hosts = Vec::new();
        let mut user: Option<String> = None;
        let mut password: Option<String> = None;
        for (k, v) in d.iter() {
            let name: String = k.extract().map_err(|_| param(py, "config", "keys must be str"))?;
            let arg = format!("config.{name}");
            match name.as_str() {
                "hosts" => {
                    let list = v.cast::<PyList>().map_err(|_| param(py, &arg, "expected a list of (host, port)"))?;
                    for h in list.iter() {
                        if let Ok(t) = h.cast::<PyTuple>() {
                            if t.len() < 2 {
                                return Err(param(py, &arg, "expected (host, port) tuples"));
                            }
                            let name: String = t.get_item(0)?.extract().map_err(|_| param(py, &arg, "host must be str"))?;
                            let port: u16 = t.get_item(1)?.extract().map_err(|_| param(py, &arg, "invalid port"))?;
                            hosts.push(Host::new(&name, port));
                        } else if let Ok(s) = h.cast::<PyString>() {
                            let s = s.to_str()?;
                            let (n, p) = s.rsplit_once(':').unwrap_or((s, "3000"));
                            let port: u16 = p.parse().map_err(|_| param(py, &arg, "invalid port"))?;
                            hosts.push(Host::new(n, port));
                        } else {
                            return Err(param(py, &arg, "expected (host, port) tuples"));
                        }
                    }
                }
                "policies" => {
                    let pd = v.cast::<PyDict>().map_err(|_| param(py, &arg, "expected a dict"))?;
                    parse_policies(py, pd, &mut policies, &mut cp)?;
                }
                // None is "no user" (the official client takes it so).
                "user" | "password" if v.is_none() => {}
                "user" => user = Some(shapes::str_of(&v, &arg)?),
                "password" => password = Some(shapes::str_of(&v, &arg)?),
                "cluster_name" => cp.cluster_name = Some(v.extract().map_err(|_| param(py, &arg, "expected str"))?),
                "connect_timeout" | "timeout" => cp.timeout = shapes::u32_of(&v, &arg)?,
                "tend_interval" => cp.tend_interval = shapes::u32_of(&v, &arg)?,
                "max_conns_per_node" => cp.max_conns_per_node = conns_of(&v, &arg, 1)?,
                "min_conns_per_node" => cp.min_conns_per_node = conns_of(&v, &arg, 0)?,
                "use_services_alternate" => cp.use_services_alternate = shapes::bool_of(&v, &arg)?,
                // The per-node circuit breaker (the official client's names and defaults: 100, 1).
                "max_error_rate" => cp.max_error_rate = shapes::u32_of(&v, &arg)? as usize,
                "error_rate_window" => cp.error_rate_window = shapes::u32_of(&v, &arg)? as usize,
                _ => {}
            }
        }
        if hosts.is_empty() {
            return Err(param(py, "config.hosts", "at least one (host, port) is required"));
        }
        let server = Server { address: crate::metrics::intern(hosts[0].name.as_str()), port: hosts[0].port };
        let mut config = Config { hosts, client_policy: cp, policies, server };
        if let Some(u) = user {
            config.login(py, u, password.unwrap_or_default(), "config")?;
        }
        Ok(config)
    }

    /// Authenticates as `user` (the config's user/password or connect()'s arguments).
    pub fn login(&mut self, py: Python<'_>, user: String, password: String, arg: &str) -> PyResult<()> {
        for (s, what) in [(&user, "user"), (&password, "password")] {
            if s.len() > MAX_CREDENTIAL {
                return Err(param(py, &format!("{arg}.{what}"), format!("longer than {MAX_CREDENTIAL} bytes")));
            }
        }
        self.client_policy.auth_mode = AuthMode::Internal(user, password);
        Ok(())
    }

    /// Connects; aerospike-core binds the cluster's tasks and sockets to the runtime this runs on,
    /// which must be the one `driver` names.
    pub async fn connect(&self) -> Result<AsClient, OpError> {
        Ok(AsClient::new(&self.client_policy, &self.hosts).await?)
    }

    pub fn core(self, client: AsClient, driver: Driver) -> Arc<Core> {
        let core = Arc::new(Core { client, policies: self.policies, epoch: runtime::epoch(), driver, server: self.server });
        crate::metrics::register_client(&core); // its nodes' pools are reported while it lives
        core
    }
}

/// Connection state shared by `Client` and `AsyncClient`: safe to use from many threads.
pub struct Handle {
    pub config: Config,
    pub core: RwLock<Option<Arc<Core>>>,
}

impl Handle {
    pub fn new(config: &Bound<'_, PyAny>) -> PyResult<Handle> {
        Ok(Handle { config: Config::parse(config)?, core: RwLock::new(None) })
    }

    /// The live connection, or the error a call on a closed / pre-fork client raises.
    #[inline]
    pub fn core(&self, py: Python<'_>) -> PyResult<Arc<Core>> {
        let guard = self.core.read().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(c) if c.epoch == runtime::epoch() => Ok(c.clone()),
            Some(_) => Err(errors::client(
                py,
                "this client was connected before os.fork(); create and connect a new client in the child process",
            )),
            None => Err(errors::make(py, errors::CLUSTER_ERROR, "client is not connected: call connect() first", false)),
        }
    }

    pub fn is_connected(&self) -> bool {
        let guard = self.core.read().unwrap_or_else(|p| p.into_inner());
        matches!(guard.as_ref(), Some(c) if c.epoch == runtime::epoch() && c.client.is_connected())
    }

    pub fn set(&self, core: Option<Arc<Core>>) -> Option<Arc<Core>> {
        let mut guard = self.core.write().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *guard, core)
    }
}

impl Drop for Handle {
    /// A client dropped without close() still stops its cluster's tend task.
    fn drop(&mut self) {
        let core = self.core.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(core) = core {
            close_in_background(core);
        }
    }
}

/// Closes a connection without waiting (its driver's next pass sends the close). Inherited across
/// fork, a connection is forgotten instead: its runtime has no threads in this process.
pub fn close_in_background(core: Arc<Core>) {
    if core.epoch != runtime::epoch() {
        std::mem::forget(core);
        return;
    }
    let this = core.clone();
    this.driver.spawn(async move {
        let _ = core.client.close().await;
    });
}
