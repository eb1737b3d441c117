//! Query objects returned by `Client.query` / `AsyncClient.query`. Nothing is sent until the
//! results are asked for; one tracing span covers the whole stream.

use std::sync::{Arc, Mutex, MutexGuard};

use aerospike_core::query::{Filter, PartitionFilter, RecordStream, Statement};
use aerospike_core::served::Served;
use aerospike_core::{Bins, CollectionIndexType, QueryPolicy, Record, Value};
use futures::{FutureExt, StreamExt};
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::completion::Sink;
use crate::core::Core;
use crate::errors::{OpError, param};
use crate::hooks::{self, Span};
use crate::results;
use crate::shapes;
use crate::tracing::OpSpec;

/// Which index a predicate reads: the one on its bin, or one made on an expression
/// (`Query.where_with_expr`), or the one of that name (`Query.where_with_index_name`).
enum IndexBy {
    Bin,
    Expr(aerospike_core::expressions::Expression),
    Name(String),
}

/// `where_with_expr`'s expression: compiled, or `Client.get_expression_base64`'s text.
fn index_expression(o: &Bound<'_, PyAny>) -> PyResult<aerospike_core::expressions::Expression> {
    match o.extract::<String>() {
        Ok(b64) => aerospike_core::expressions::from_base64(&b64).map_err(|e| param(o.py(), "expr", e)),
        Err(_) => crate::expressions::filter_of(o, "expr"),
    }
}

/// A foreach callback that raises (or cannot be called): ClientError, as the official client.
fn callback_error(py: Python<'_>, e: PyErr) -> PyErr {
    let err = crate::errors::client(py, &format!("foreach callback failed: {e}"));
    err.set_cause(py, Some(e));
    err
}

/// What a query asks for; shared by the sync and async classes.
#[derive(Clone)]
struct Spec {
    core: Arc<Core>,
    op: &'static OpSpec,
    namespace: String,
    set: String,
    bins: Option<Vec<String>>,
    /// options={"nobins": True}: records without their bins.
    nobins: bool,
    filter: Option<Filter>,
}

impl Spec {
    fn select(&mut self, bins: &Bound<'_, PyTuple>) -> PyResult<()> {
        // As the official Query: select() and where() each once per query.
        if self.bins.is_some() {
            return Err(crate::errors::client(bins.py(), "select() was already called on this query"));
        }
        let mut out = Vec::with_capacity(bins.len());
        for b in bins.iter() {
            out.push(shapes::bin_name(&self.core, Some(&b), "bins")?);
        }
        self.bins = Some(out);
        Ok(())
    }

    fn filter(&mut self, predicate: &Bound<'_, PyAny>, ctx: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.filter_on(predicate, ctx, IndexBy::Bin)
    }

    fn filter_on(&mut self, predicate: &Bound<'_, PyAny>, ctx: Option<&Bound<'_, PyAny>>, by: IndexBy) -> PyResult<()> {
        let py = predicate.py();
        if self.filter.is_some() {
            return Err(crate::errors::client(py, "where() was already called on this query"));
        }
        // A predicate helper answers None for a value it cannot index (predicates.equals(bin, None)).
        if predicate.is_none() {
            return Err(crate::errors::make(py, crate::errors::PARAM_ERROR, "predicate is invalid.", false));
        }
        let t = predicate
            .cast::<PyTuple>()
            .map_err(|_| param(py, "predicate", "expected a predicate from aerospike_py.predicates"))?;
        if t.len() < 3 {
            return Err(param(py, "predicate", format!("malformed predicate: expected (kind, bin, value...), got {} items", t.len())));
        }
        let mut f = if t.get_item(0)?.is_instance_of::<pyo3::types::PyString>() {
            self.named_filter(t)?
        } else {
            self.official_filter(t, !matches!(by, IndexBy::Bin))?
        };
        f = match by {
            IndexBy::Bin => f,
            IndexBy::Expr(e) => f.expression(e),
            IndexBy::Name(n) => f.index_name(n),
        };
        if let Some(c) = ctx.filter(|c| !c.is_none()) {
            f = f.context(crate::cdt::ctx_list(c, "ctx")?);
        }
        self.filter = Some(f);
        Ok(())
    }

    /// `(kind, bin, value...)` with kind "equals" or "between": this package's earlier form.
    fn named_filter(&self, t: &Bound<'_, PyTuple>) -> PyResult<Filter> {
        let py = t.py();
        let kind: String = t.get_item(0).and_then(|k| k.extract()).map_err(|_| param(py, "predicate", "malformed predicate"))?;
        let bin = shapes::bin_name(&self.core, Some(&t.get_item(1)?), "predicate.bin")?;
        let scalar = |v: Bound<'_, PyAny>, arg: &str| -> PyResult<Value> {
            match shapes::value_of(&v, arg)? {
                v @ (Value::Int(_) | Value::String(_) | Value::Blob(_)) => Ok(v),
                _ => Err(param(py, arg, "must be int, str or bytes")),
            }
        };
        Ok(match (kind.as_str(), t.len()) {
            ("equals", 3) => Filter::equal(bin, scalar(t.get_item(2)?, "predicate.value")?),
            ("between", 4) => {
                let lo = scalar(t.get_item(2)?, "predicate.min")?;
                let hi = scalar(t.get_item(3)?, "predicate.max")?;
                if !matches!((&lo, &hi), (Value::Int(_), Value::Int(_))) {
                    return Err(param(py, "predicate", "between needs int bounds"));
                }
                Filter::range(bin, lo, hi)
            }
            _ => return Err(param(py, "predicate", format!("unsupported predicate {kind:?}"))),
        })
    }

    /// The official client's tuple: `(predicate, index_datatype, bin, value, value2, index_type)`
    /// (predicate 0 equal / 1 range; datatype 0 string, 1 numeric, 2 geo2dsphere, 3 blob;
    /// index_type 0 default, 1 list, 2 map keys, 3 map values; the last two may be left off).
    /// `no_bin`: the index is named or made on an expression, so the bin may be None.
    fn official_filter(&self, t: &Bound<'_, PyTuple>, no_bin: bool) -> PyResult<Filter> {
        let py = t.py();
        let bad = |what: &str| param(py, "predicate", format!("malformed predicate: {what}"));
        if t.len() > 6 {
            return Err(bad("more than 6 items"));
        }
        let pred = shapes::int_of(&t.get_item(0)?, "predicate").map_err(|_| bad("the predicate type must be an int"))?;
        let dtype = shapes::int_of(&t.get_item(1)?, "predicate").map_err(|_| bad("the index datatype must be an int"))?;
        let bin = match t.get_item(2)? {
            b if no_bin && b.is_none() => String::new(),
            b => shapes::bin_name(&self.core, Some(&b), "predicate.bin")?,
        };
        let val = t.get_item(3).map_err(|_| bad("no value"))?;
        let val2 = t.get_item(4).ok().filter(|v| !v.is_none());
        let cit = match t.get_item(5).ok().filter(|v| !v.is_none()) {
            None => CollectionIndexType::Default,
            Some(v) => match shapes::int_of(&v, "predicate.index_type")? {
                0 => CollectionIndexType::Default,
                1 => CollectionIndexType::List,
                2 => CollectionIndexType::MapKeys,
                3 => CollectionIndexType::MapValues,
                n => return Err(param(py, "predicate.index_type", format!("invalid index type {n}"))),
            },
        };
        let int = |v: &Bound<'_, PyAny>, arg: &str| -> PyResult<i64> {
            if v.is_instance_of::<pyo3::types::PyBool>() || !v.is_instance_of::<pyo3::types::PyInt>() {
                return Err(param(py, arg, "must be an int"));
            }
            shapes::int_of(v, arg)
        };
        let f = match (pred, dtype) {
            (0, 0 | 1 | 3) => {
                let v = match (dtype, shapes::value_of(&val, "predicate.value")?) {
                    (0, v @ Value::String(_)) | (1, v @ Value::Int(_)) | (3, v @ Value::Blob(_)) => v,
                    _ => return Err(param(py, "predicate.value", "does not match the index datatype")),
                };
                Filter::equal(bin, v)
            }
            (1, 1) => {
                let Some(hi) = val2 else { return Err(bad("a range needs two bounds")) };
                Filter::range(bin, Value::Int(int(&val, "predicate.min")?), Value::Int(int(&hi, "predicate.max")?))
            }
            (1, 2) => {
                let shape: String = val.extract().map_err(|_| param(py, "predicate.value", "must be a GeoJSON str"))?;
                Filter::geo_within_region(bin, &shape)
            }
            _ => return Err(bad(&format!("unsupported predicate {pred} on index datatype {dtype}"))),
        };
        Ok(f.collection_type(cit))
    }

    fn policy(&self, obj: Option<&Bound<'_, PyAny>>) -> PyResult<QueryPolicy> {
        let mut p = self.core.policies.query.clone();
        if let Some(o) = obj.filter(|o| !o.is_none()) {
            shapes::apply_query(&mut p, o, "policy")?;
        }
        p.raw_ops = true; // bins decoded from the reply's bytes by `results::Rows` (wire_bins)
        Ok(p)
    }

    /// The official Scan/Query `options` and `nodename` of results()/foreach(): `nobins` is
    /// honoured, `concurrent` too (every node is always read in parallel); anything else, and a
    /// node name (scanning one node is not supported), is refused.
    fn with_options(mut self, options: Option<&Bound<'_, PyAny>>, nodename: Option<&Bound<'_, PyAny>>) -> PyResult<Spec> {
        if let Some(n) = nodename.filter(|n| !n.is_none()) {
            return Err(param(n.py(), "nodename", "reading a single node is not supported; omit nodename"));
        }
        let Some(o) = options.filter(|o| !o.is_none()) else { return Ok(self) };
        let d = o.cast::<pyo3::types::PyDict>().map_err(|_| param(o.py(), "options", "expected a dict"))?;
        for (kk, vv) in d.iter() {
            let name = kk.extract::<String>().unwrap_or_default();
            match name.as_str() {
                "nobins" => {
                    self.nobins = vv.cast::<pyo3::types::PyBool>().map_err(|_| param(o.py(), "options.nobins", "expected a bool"))?.is_true()
                }
                "concurrent" => {}
                _ => return Err(param(o.py(), "options", format!("unsupported option {kk} (supported: nobins, concurrent)"))),
            }
        }
        Ok(self)
    }

    fn statement(&self) -> Statement {
        let bins = match &self.bins {
            _ if self.nobins => Bins::None,
            Some(b) => Bins::Some(b.clone()),
            None => Bins::All,
        };
        let mut st = Statement::new(self.namespace.clone(), self.set.clone(), bins);
        if let Some(f) = &self.filter {
            st.set_filter(f.clone());
        }
        st
    }

    fn begin(&self, py: Python<'_>) -> Span {
        let mut span = Span::begin(py, self.op, &self.core.server);
        span.target_ns(&self.namespace, &self.set);
        span
    }

    async fn open(core: Arc<Core>, policy: QueryPolicy, st: Statement) -> Result<RecordStream, OpError> {
        Ok(core.client.query(&policy, PartitionFilter::all(), st).await?.into_stream())
    }
}

fn record_out(rows: &mut results::Rows<'_>, r: &Record) -> PyResult<Py<PyAny>> {
    if let Some(raw) = &r.raw_ops {
        return Ok(rows.raw_query_record(r, raw)?.unbind());
    }
    let key = match &r.key {
        Some(k) => rows.key(k)?,
        None => rows.py().None().into_bound(rows.py()),
    };
    Ok(rows.record_with(key, r)?.unbind())
}

/// Records converted at a time by `Query.results` (per wait) and `AsyncQuery.results` (per
/// hand-off to the loop): converting them while the runtime keeps reading overlaps the two, and
/// each record's memory is freed (and reused by the next) right after its conversion instead of
/// the whole result set existing twice.
const CHUNK: usize = 256;

/// Waits (GIL released) for the next record, then takes the ones already there, up to CHUNK.
/// `true` with the chunk when the stream has ended.
async fn next_chunk(stream: &mut RecordStream, chunk: &mut Vec<Record>) -> Result<bool, OpError> {
    match stream.next().await {
        None => return Ok(true),
        Some(r) => chunk.push(r?),
    }
    while chunk.len() < CHUNK {
        match stream.next().now_or_never() {
            Some(Some(r)) => chunk.push(r?),
            Some(None) => return Ok(true),
            None => break,
        }
    }
    Ok(false)
}

/// The list an async query fills, and the first conversion error (then the rest is skipped).
type Filling = (Arc<Py<PyList>>, Arc<Mutex<Option<PyErr>>>);

/// Reads an async query, handing each CHUNK of records to the loop thread to convert into the
/// list (the GIL is taken there, never here) while the next chunk is read: the Rust records are
/// freed as they are converted, so the result set never exists twice.
async fn stream_into(core: Arc<Core>, policy: QueryPolicy, st: Statement, sink: Sink, out: Filling) -> Result<(Filling, Served), OpError> {
    let mut stream = Spec::open(core, policy, st).await?;
    loop {
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut ended = false;
        while chunk.len() < CHUNK {
            match stream.next().await {
                Some(r) => chunk.push(r?),
                None => {
                    ended = true;
                    break;
                }
            }
        }
        if chunk.is_empty() {
            return Ok((out, stream.as_ref().served()));
        }
        let (list, failed) = (out.0.clone(), out.1.clone());
        sink.send(move |py| {
            let mut failed = failed.lock().unwrap_or_else(|p| p.into_inner());
            if failed.is_some() {
                return;
            }
            let _gc = results::GcPause::new(py);
            let mut rows = results::Rows::new(py);
            let list = list.bind(py);
            for r in &chunk {
                if let Err(e) = record_out(&mut rows, r).and_then(|i| list.append(i)) {
                    *failed = Some(e);
                    return;
                }
            }
        });
        if ended {
            return Ok((out, stream.as_ref().served()));
        }
    }
}

fn filled_list(py: Python<'_>, (out, served): (Filling, Served), span: &mut Span) -> PyResult<Py<PyAny>> {
    span.served(&served);
    if let Some(e) = out.1.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(e);
    }
    let list = out.0.bind(py);
    span.records(list.len());
    Ok(list.clone().into_any().unbind())
}

/// A query's spec as its Python object holds it: edited by select()/where(), copied by each run.
struct SharedSpec(Mutex<Spec>);

impl SharedSpec {
    fn edit(&self) -> MutexGuard<'_, Spec> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn snapshot(&self) -> Spec {
        self.edit().clone()
    }

    /// `where_with_expr` of both query classes: the index made on `expr`.
    fn filter_on_expr(&self, py: Python<'_>, expr: &Bound<'_, PyAny>, predicate: &Bound<'_, PyAny>) -> PyResult<()> {
        hooks::unpanicked(py, || {
            let e = index_expression(expr)?;
            self.edit().filter_on(predicate, None, IndexBy::Expr(e))
        })
    }

    /// `where_with_index_name` of both query classes: the index of that name.
    fn filter_on_index_name(&self, py: Python<'_>, index_name: &Bound<'_, PyAny>, predicate: &Bound<'_, PyAny>) -> PyResult<()> {
        hooks::unpanicked(py, || {
            let name = index_name.extract::<String>().map_err(|_| param(py, "index_name", "expected a str"))?;
            self.edit().filter_on(predicate, None, IndexBy::Name(name))
        })
    }
}

/// A query for the sync client: `results()`, `foreach(callback)`.
#[pyclass(module = "aerospike_py._aerospike")]
pub struct Query {
    spec: SharedSpec,
}

pub fn query_sync(
    py: Python<'_>,
    core: Arc<Core>,
    op: &'static OpSpec,
    namespace: String,
    set: String,
) -> PyResult<Py<PyAny>> {
    let q = Query { spec: SharedSpec(Mutex::new(Spec { core, op, namespace, set, bins: None, nobins: false, filter: None })) };
    Ok(Bound::new(py, q)?.into_any().unbind())
}

#[pymethods]
impl Query {
    /// Read only these bins.
    #[pyo3(signature = (*bins))]
    fn select<'py>(slf: Bound<'py, Self>, bins: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        hooks::unpanicked(slf.py(), || slf.borrow().spec.edit().select(bins))?;
        Ok(slf)
    }

    /// Filter with a secondary-index predicate from `aerospike_py.predicates`.
    #[pyo3(name = "where", signature = (predicate, ctx=None))]
    fn where_<'py>(slf: Bound<'py, Self>, predicate: &Bound<'py, PyAny>, ctx: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        hooks::unpanicked(slf.py(), || slf.borrow().spec.edit().filter(predicate, ctx))?;
        Ok(slf)
    }

    /// Filter with a predicate (its bin may be None) on the index made on `expr`
    /// (`Client.index_expr_create`): the compiled expression or `Client.get_expression_base64`'s text.
    fn where_with_expr<'py>(slf: Bound<'py, Self>, expr: &Bound<'py, PyAny>, predicate: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.borrow().spec.filter_on_expr(slf.py(), expr, predicate)?;
        Ok(slf)
    }

    /// Filter with a predicate (its bin may be None) on the secondary index of that name.
    fn where_with_index_name<'py>(slf: Bound<'py, Self>, index_name: &Bound<'py, PyAny>, predicate: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.borrow().spec.filter_on_index_name(slf.py(), index_name, predicate)?;
        Ok(slf)
    }

    /// Run the query; returns a list of `(key, meta, bins)`.
    #[pyo3(signature = (policy=None, options=None, nodename=None))]
    fn results(
        &self,
        py: Python<'_>,
        policy: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
        nodename: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let spec = self.spec.snapshot().with_options(options, nodename)?;
        let mut span = spec.begin(py);
        let policy = match spec.policy(policy) {
            Ok(p) => p,
            Err(e) => return Err(span.fail(py, e)),
        };
        let core = spec.core.clone();
        let mut stream = match hooks::block(py, &core, Spec::open(core.clone(), policy, spec.statement())) {
            Ok(s) => s,
            Err(e) => return span.deliver(py, Err::<(), _>(e), |py, _, _| Ok(py.None())),
        };
        let out = PyList::empty(py);
        let mut rows = results::Rows::new(py);
        let mut chunk = Vec::with_capacity(CHUNK);
        loop {
            let ended = match hooks::block(py, &core, next_chunk(&mut stream, &mut chunk)) {
                Ok(ended) => ended,
                Err(e) => {
                    stream.as_ref().close();
                    return span.deliver(py, Err::<(), _>(e), |py, _, _| Ok(py.None()));
                }
            };
            let gc = results::GcPause::new(py);
            for r in &chunk {
                let item = record_out(&mut rows, r).and_then(|i| out.append(i));
                if let Err(e) = item {
                    stream.as_ref().close();
                    return Err(span.fail(py, e));
                }
            }
            drop(gc);
            // Freed by the runtime (during the next wait, GIL released), not here with the GIL held.
            let done = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
            core.driver.spawn(async move { drop(done) });
            if ended {
                break;
            }
        }
        span.served(&stream.as_ref().served());
        span.records(out.len());
        span.deliver(py, Ok(out), |_, out, _| Ok(out.into_any().unbind()))
    }

    /// Run the query, calling `callback((key, meta, bins))` per record; returning False stops it.
    #[pyo3(signature = (callback=crate::arity::Required::missing(), policy=None, options=None, nodename=None))]
    fn foreach(
        &self,
        py: Python<'_>,
        callback: crate::arity::Required<'_>,
        policy: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyAny>>,
        nodename: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let callback = callback.get("foreach", "callback", 1)?;
        let spec = self.spec.snapshot().with_options(options, nodename)?;
        let mut span = spec.begin(py);
        let policy = match spec.policy(policy) {
            Ok(p) => p,
            Err(e) => return Err(span.fail(py, e)),
        };
        let core = spec.core.clone();
        let mut stream = match hooks::block(py, &core, Spec::open(core.clone(), policy, spec.statement())) {
            Ok(s) => s,
            Err(e) => return span.deliver(py, Err::<(), _>(e), |py, _, _| Ok(py.None())).map(|_| ()),
        };
        let mut n = 0usize;
        loop {
            let next = hooks::block(py, &core, async { Ok(stream.next().await) });
            let rec = match next {
                Ok(Some(Ok(r))) => r,
                Ok(None) => break,
                Ok(Some(Err(e))) | Err(OpError::Core(e)) => {
                    stream.as_ref().close();
                    return span.deliver(py, Err::<(), _>(OpError::Core(e)), |py, _, _| Ok(py.None())).map(|_| ());
                }
                Err(e) => return span.deliver(py, Err::<(), _>(e), |py, _, _| Ok(py.None())).map(|_| ()),
            };
            n += 1;
            let item = match record_out(&mut results::Rows::new(py), &rec) {
                Ok(i) => i,
                Err(e) => {
                    stream.as_ref().close();
                    return Err(span.fail(py, e));
                }
            };
            match callback.call1((item,)) {
                Ok(ret) if ret.is(&*pyo3::types::PyBool::new(py, false)) => {
                    stream.as_ref().close();
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    stream.as_ref().close();
                    return Err(span.fail(py, callback_error(py, e)));
                }
            }
        }
        span.served(&stream.as_ref().served());
        span.records(n);
        span.deliver(py, Ok(()), |py, _, _| Ok(py.None())).map(|_| ())
    }
}

/// A query for the async client: `await q.results()`, `await q.foreach(cb)`, `async for r in q`.
#[pyclass(module = "aerospike_py._aerospike")]
pub struct AsyncQuery {
    spec: SharedSpec,
}

pub fn query_async<'py>(
    py: Python<'py>,
    core: Arc<Core>,
    op: &'static OpSpec,
    namespace: String,
    set: String,
) -> PyResult<Bound<'py, PyAny>> {
    let q = AsyncQuery { spec: SharedSpec(Mutex::new(Spec { core, op, namespace, set, bins: None, nobins: false, filter: None })) };
    Ok(Bound::new(py, q)?.into_any())
}

#[pymethods]
impl AsyncQuery {
    #[pyo3(signature = (*bins))]
    fn select<'py>(slf: Bound<'py, Self>, bins: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        hooks::unpanicked(slf.py(), || slf.borrow().spec.edit().select(bins))?;
        Ok(slf)
    }

    #[pyo3(name = "where", signature = (predicate, ctx=None))]
    fn where_<'py>(slf: Bound<'py, Self>, predicate: &Bound<'py, PyAny>, ctx: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, Self>> {
        hooks::unpanicked(slf.py(), || slf.borrow().spec.edit().filter(predicate, ctx))?;
        Ok(slf)
    }

    /// Filter with a predicate (its bin may be None) on the index made on `expr`
    /// (`Client.index_expr_create`): the compiled expression or `Client.get_expression_base64`'s text.
    fn where_with_expr<'py>(slf: Bound<'py, Self>, expr: &Bound<'py, PyAny>, predicate: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.borrow().spec.filter_on_expr(slf.py(), expr, predicate)?;
        Ok(slf)
    }

    /// Filter with a predicate (its bin may be None) on the secondary index of that name.
    fn where_with_index_name<'py>(slf: Bound<'py, Self>, index_name: &Bound<'py, PyAny>, predicate: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        slf.borrow().spec.filter_on_index_name(slf.py(), index_name, predicate)?;
        Ok(slf)
    }

    /// Awaitable list of `(key, meta, bins)`.
    #[pyo3(signature = (policy=None, options=None, nodename=None))]
    fn results<'py>(
        &self,
        py: Python<'py>,
        policy: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyAny>>,
        nodename: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let spec = self.spec.snapshot().with_options(options, nodename)?;
        let span = spec.begin(py);
        let policy = match spec.policy(policy) {
            Ok(p) => p,
            Err(e) => return Err(span.fail(py, e)),
        };
        let core = spec.core.clone();
        let st = spec.statement();
        let out: Filling = (Arc::new(PyList::empty(py).unbind()), Arc::new(Mutex::new(None)));
        crate::completion::awaitable_with_sink(py, move |sink| async move {
            let out = hooks::guarded(stream_into(core, policy, st, sink, out)).await;
            Ok(hooks::Deliver { span, out, conv: filled_list })
        })
    }

    /// Awaitable: calls `callback((key, meta, bins))` per record; returning False stops it.
    #[pyo3(signature = (callback, policy=None, options=None, nodename=None))]
    fn foreach<'py>(
        &self,
        py: Python<'py>,
        callback: Py<PyAny>,
        policy: Option<&Bound<'py, PyAny>>,
        options: Option<&Bound<'py, PyAny>>,
        nodename: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let spec = self.spec.snapshot().with_options(options, nodename)?;
        let span = spec.begin(py);
        let policy = match spec.policy(policy) {
            Ok(p) => p,
            Err(e) => return Err(span.fail(py, e)),
        };
        let core = spec.core.clone();
        let st = spec.statement();
        crate::completion::awaitable(py, async move {
            let out = hooks::guarded(async move {
                let mut stream = Spec::open(core, policy, st).await?;
                let mut n = 0usize;
                while let Some(r) = stream.next().await {
                    let r = r?;
                    n += 1;
                    let go_on = Python::attach(|py| -> Result<bool, OpError> {
                        let item = record_out(&mut results::Rows::new(py), &r).map_err(OpError::Py)?;
                        let ret = callback.call1(py, (item,)).map_err(|e| OpError::Py(callback_error(py, e)))?;
                        Ok(!ret.bind(py).is(&*pyo3::types::PyBool::new(py, false)))
                    })?;
                    if !go_on {
                        stream.as_ref().close();
                        break;
                    }
                }
                Ok((n, stream.as_ref().served()))
            })
            .await;
            Ok(hooks::Deliver {
                span,
                out,
                conv: |py, (n, served), span| {
                    span.served(&served);
                    span.records(n);
                    Ok(py.None())
                },
            })
        })
    }

    fn __aiter__(&self) -> PyResult<AsyncQueryIter> {
        let spec = self.spec.snapshot();
        Ok(AsyncQueryIter { spec, state: Arc::new(tokio::sync::Mutex::new(IterState::NotStarted)) })
    }
}

enum IterState {
    NotStarted,
    Running { stream: RecordStream, span: Option<Span>, n: usize },
    Done,
}

/// `async for` over a query; the stream opens on the first `__anext__`.
#[pyclass(module = "aerospike_py._aerospike")]
pub struct AsyncQueryIter {
    spec: Spec,
    state: Arc<tokio::sync::Mutex<IterState>>,
}

enum Step {
    Item(Record),
    End(Option<Span>, usize, Served),
    Fail(Option<Span>, OpError),
    Exhausted,
}

#[pymethods]
impl AsyncQueryIter {
    fn __aiter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let state = self.state.clone();
        let core = self.spec.core.clone();
        let st = self.spec.statement();
        let policy = self.spec.core.policies.query.clone();
        // The span starts with the iteration (first __anext__), GIL held here.
        let fresh = {
            let started = state.try_lock().map(|g| !matches!(&*g, IterState::NotStarted)).unwrap_or(true);
            if started { None } else { Some(self.spec.begin(py)) }
        };
        crate::completion::awaitable(py, async move {
            let mut g = state.lock().await;
            if let IterState::NotStarted = &*g {
                match Spec::open(core, policy, st).await {
                    Ok(stream) => *g = IterState::Running { stream, span: fresh, n: 0 },
                    Err(e) => {
                        *g = IterState::Done;
                        return Ok(StepOut(Step::Fail(fresh, e)));
                    }
                }
            }
            let step = match &mut *g {
                IterState::Running { stream, span, n } => match stream.next().await {
                    Some(Ok(r)) => {
                        *n += 1;
                        Step::Item(r)
                    }
                    Some(Err(e)) => {
                        let s = span.take();
                        *g = IterState::Done;
                        Step::Fail(s, OpError::Core(e))
                    }
                    None => {
                        let (s, count, served) = (span.take(), *n, stream.as_ref().served());
                        *g = IterState::Done;
                        Step::End(s, count, served)
                    }
                },
                _ => Step::Exhausted,
            };
            Ok(StepOut(step))
        })
    }
}

struct StepOut(Step);

impl<'py> IntoPyObject<'py> for StepOut {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Step::Item(r) => Ok(record_out(&mut results::Rows::new(py), &r)?.into_bound(py)),
            Step::End(span, n, served) => {
                if let Some(mut s) = span {
                    s.served(&served);
                    s.records(n);
                    s.deliver(py, Ok(()), |py, _, _| Ok(py.None()))?;
                }
                Err(PyStopAsyncIteration::new_err(()))
            }
            Step::Fail(span, e) => match span {
                Some(s) => Err(s.deliver(py, Err::<(), _>(e), |py, _, _| Ok(py.None())).unwrap_err()),
                None => Err(crate::errors::to_pyerr(py, &e)),
            },
            Step::Exhausted => Err(PyStopAsyncIteration::new_err(())),
        }
    }
}
