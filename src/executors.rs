//! Executors: one hand-written async fn per kind of command. The generated methods convert the
//! arguments, then await exactly one of these (on the shared runtime, GIL released).

use std::sync::Arc;

use aerospike_core::{
    AdminPolicy, BatchDeletePolicy, BatchOperation, BatchPolicy, BatchReadPolicy, BatchWritePolicy, Bin, Bins,
    CollectionIndexType, Expiration, Host, IndexType, Key, ReadPolicy, Record, ResultCode, Task, Value, WritePolicy,
};

use aerospike_core::operations::cdt_context::CdtContext;

use crate::core::Core;
use crate::errors::{OpError, RECORD_NOT_FOUND, PARAM_ERROR};
use crate::shapes::{Meta, Ops};

pub type Out<T> = Result<T, OpError>;

fn expiration(ttl: i64, current: Expiration) -> Out<Expiration> {
    match crate::shapes::expiration_of(ttl) {
        Ok(e) => Ok(e.unwrap_or(current)),
        Err(m) => Err(OpError::code(PARAM_ERROR, format!("ttl: {m}"))),
    }
}

fn with_meta(mut p: WritePolicy, meta: Meta) -> Out<WritePolicy> {
    if let Some(ttl) = meta.ttl {
        p.expiration = expiration(ttl, p.expiration)?;
    }
    if let Some(g) = meta.generation {
        p.generation = g;
    }
    Ok(p)
}

pub async fn put(c: Arc<Core>, key: Key, bins: Vec<Bin>, meta: Meta, policy: WritePolicy) -> Out<()> {
    let p = with_meta(policy, meta)?;
    Ok(c.client.put(&p, &key, &bins).await?)
}

pub async fn get(c: Arc<Core>, key: Key, mut policy: ReadPolicy) -> Out<(Key, Record)> {
    policy.raw_ops = true; // bins decoded from the reply's bytes by `results::Rows` (wire_bins)
    let r = c.client.get(&policy, &key, Bins::All).await?;
    Ok((key, r))
}

pub async fn select(c: Arc<Core>, key: Key, bins: Bins, mut policy: ReadPolicy) -> Out<(Key, Record)> {
    policy.raw_ops = true;
    let r = c.client.get(&policy, &key, bins).await?;
    Ok((key, r))
}

/// A header-only read, so a present record reports its generation and ttl like the official client.
pub async fn exists(c: Arc<Core>, key: Key, policy: ReadPolicy) -> Out<(Key, Option<Record>)> {
    match c.client.get(&policy, &key, Bins::None).await {
        Ok(r) => Ok((key, Some(r))),
        Err(e) if e.server_result_code() == Some(ResultCode::KeyNotFoundError) => Ok((key, None)),
        Err(e) => Err(e.into()),
    }
}

pub async fn remove(c: Arc<Core>, key: Key, meta: Meta, policy: WritePolicy) -> Out<()> {
    let p = with_meta(policy, meta)?;
    if c.client.delete(&p, &key).await? {
        Ok(())
    } else {
        Err(OpError::code(RECORD_NOT_FOUND, "Key not found"))
    }
}

pub async fn touch(c: Arc<Core>, key: Key, ttl: i64, meta: Meta, policy: WritePolicy) -> Out<()> {
    let mut meta = meta;
    if ttl != 0 && meta.ttl.is_none() {
        meta.ttl = Some(ttl);
    }
    let p = with_meta(policy, meta)?;
    Ok(c.client.touch(&p, &key).await?)
}

pub async fn append(c: Arc<Core>, key: Key, bin: String, val: Value, meta: Meta, policy: WritePolicy) -> Out<()> {
    let p = with_meta(policy, meta)?;
    Ok(c.client.append(&p, &key, &[Bin::new(bin, val)]).await?)
}

pub async fn prepend(c: Arc<Core>, key: Key, bin: String, val: Value, meta: Meta, policy: WritePolicy) -> Out<()> {
    let p = with_meta(policy, meta)?;
    Ok(c.client.prepend(&p, &key, &[Bin::new(bin, val)]).await?)
}

pub async fn increment(c: Arc<Core>, key: Key, bin: String, offset: Value, meta: Meta, policy: WritePolicy) -> Out<()> {
    let p = with_meta(policy, meta)?;
    Ok(c.client.add(&p, &key, &[Bin::new(bin, offset)]).await?)
}

/// The record, and whether the operations included a list/map/expression one (see results::operate_record).
pub async fn operate(c: Arc<Core>, key: Key, ops: Ops, meta: Meta, policy: WritePolicy) -> Out<(Key, Record, bool)> {
    let cdt = ops.cdt;
    let mut meta = meta;
    if meta.ttl.is_none() {
        meta.ttl = ops.ttl;
    }
    let p = with_meta(policy, meta)?;
    let r = c.client.operate(&p, &key, &ops.ops).await?;
    Ok((key, r, cdt))
}

/// operate, keeping the operations' bin names in order (operate_ordered's answer follows them).
pub async fn operate_ordered(
    c: Arc<Core>,
    key: Key,
    ops: Ops,
    meta: Meta,
    policy: WritePolicy,
) -> Out<(Key, Record, Vec<Option<String>>)> {
    let bins = ops.bins.clone();
    let (key, r, _) = operate(c, key, ops, meta, policy).await?;
    Ok((key, r, bins))
}

/// The records and whether only their metadata was asked for (`bins=[]`: each record is then
/// `(key, meta)`, as the official client answers).
pub async fn batch_read(c: Arc<Core>, keys: Vec<Key>, bins: Bins, policy: BatchPolicy) -> Out<(Vec<BatchOperation>, bool)> {
    let mut policy = policy;
    policy.raw_ops = true; // bins decoded from the reply's bytes by `results::Rows` (wire_bins)
    let rp = BatchReadPolicy::default();
    let header_only = matches!(&bins, Bins::Some(b) if b.is_empty());
    let bins = if header_only { Bins::None } else { bins };
    let mut ops: Vec<BatchOperation> = keys.into_iter().map(|k| BatchOperation::read(&rp, k, bins.clone())).collect();
    c.client.batch(&policy, &mut ops).await?;
    Ok((ops, header_only))
}

pub async fn batch_operate(
    c: Arc<Core>,
    keys: Vec<Key>,
    ops: Ops,
    policy: BatchPolicy,
    write_policy: BatchWritePolicy,
    ttl: Option<i64>,
) -> Out<Vec<BatchOperation>> {
    let mut write_policy = write_policy;
    if let Some(ttl) = ttl.or(ops.ttl) {
        write_policy.expiration = expiration(ttl, write_policy.expiration)?;
    }
    let rp = BatchReadPolicy::default();
    let mut rows: Vec<BatchOperation> = keys
        .into_iter()
        .map(|k| {
            if ops.has_write {
                BatchOperation::write(&write_policy, k, ops.ops.clone())
            } else {
                BatchOperation::read_ops(&rp, k, ops.ops.clone())
            }
        })
        .collect();
    c.client.batch(&policy, &mut rows).await?;
    Ok(rows)
}

pub async fn batch_remove(
    c: Arc<Core>,
    keys: Vec<Key>,
    policy: BatchPolicy,
    remove_policy: BatchDeletePolicy,
) -> Out<Vec<BatchOperation>> {
    let mut rows: Vec<BatchOperation> = keys.into_iter().map(|k| BatchOperation::delete(&remove_policy, k)).collect();
    c.client.batch(&policy, &mut rows).await?;
    Ok(rows)
}

/// The official client's info answer: the value (and a newline) for one command,
/// "command\tvalue\n" lines for several.
fn raw_info(map: aerospike_core::IndexMap<String, String>) -> String {
    let mut out = String::new();
    if map.len() == 1 {
        for (_, v) in map {
            out.push_str(&v);
            out.push('\n');
        }
        return out;
    }
    for (k, v) in map {
        out.push_str(&k);
        out.push('\t');
        out.push_str(&v);
        out.push('\n');
    }
    out
}

fn commands(command: &str) -> Vec<&str> {
    command.split('\n').map(str::trim).filter(|c| !c.is_empty()).collect()
}

pub async fn info_all(c: Arc<Core>, command: String, policy: AdminPolicy) -> Out<Vec<(String, Result<String, String>)>> {
    let cmds = commands(&command);
    let mut out = Vec::new();
    for node in c.client.nodes() {
        let res = node.info(&policy, &cmds).await.map(raw_info).map_err(|e| e.base_message());
        out.push((node.name().to_owned(), res));
    }
    Ok(out)
}

pub async fn info_random_node(c: Arc<Core>, command: String, policy: AdminPolicy) -> Out<String> {
    let cmds = commands(&command);
    Ok(raw_info(c.client.info(&policy, &cmds).await?))
}

pub async fn info_single_node(c: Arc<Core>, command: String, host: Host, policy: AdminPolicy) -> Out<String> {
    let cmds = commands(&command);
    for node in c.client.nodes() {
        let h = node.host();
        let by_name = host.port == 0 && node.name() == host.name; // a node name (port 0)
        if by_name || (h.name == host.name && h.port == host.port) || node.aliases().iter().any(|a| a.name == host.name && a.port == host.port) {
            return Ok(raw_info(node.info(&policy, &cmds).await?));
        }
    }
    Err(OpError::code(crate::errors::INVALID_NODE, format!("no cluster node at {}:{}", host.name, host.port)))
}

/// Each node's (name, address, port).
pub async fn nodes(c: Arc<Core>) -> Out<Vec<(String, String, u16)>> {
    Ok(c.client.nodes().iter().map(|n| (n.name().to_owned(), n.host().name.clone(), n.host().port)).collect())
}

pub async fn truncate(c: Arc<Core>, namespace: String, set: String, nanos: i64, policy: AdminPolicy) -> Out<()> {
    Ok(c.client.truncate(&policy, &namespace, &set, nanos).await?)
}

/// sindex-create, then waits until the index is built (as the official client's index calls do).
#[allow(clippy::too_many_arguments)]
async fn index_create(
    c: Arc<Core>,
    namespace: String,
    set: String,
    bin: String,
    name: String,
    kind: IndexType,
    collection: CollectionIndexType,
    ctx: Vec<CdtContext>,
    policy: AdminPolicy,
) -> Out<()> {
    let ctx = (!ctx.is_empty()).then_some(ctx.as_slice());
    let task = c.client.create_index_on_bin(&policy, &namespace, &set, &bin, &name, kind, collection, ctx).await?;
    wait_built(task).await
}

async fn wait_built(task: aerospike_core::IndexTask) -> Out<()> {
    // A server accepts sindex-create for an unknown namespace and answers the polls with
    // ERROR:20: that is the official client's NamespaceNotFound, not a bad response.
    task.wait_till_complete(Some(std::time::Duration::from_secs(30))).await.map_err(|e| {
        let text = e.to_string();
        match text.find("ERROR:").and_then(|i| text[i + 6..].split(':').next()?.parse::<i32>().ok()) {
            Some(code) => OpError::code(code, text),
            None => OpError::from(e),
        }
    })?;
    Ok(())
}

/// A secondary index on a bin's value (`kind` from ops.yaml: numeric, string, geo2dsphere).
pub async fn index_bin_create(
    c: Arc<Core>,
    namespace: String,
    set: String,
    bin: String,
    name: String,
    policy: AdminPolicy,
    kind: IndexType,
) -> Out<()> {
    index_create(c, namespace, set, bin, name, kind, CollectionIndexType::Default, Vec::new(), policy).await
}

/// A secondary index on a bin (or, with ctx, an element within it) of the caller's data type;
/// `collection` from ops.yaml: the value itself, a list's items, a map's keys or values.
#[allow(clippy::too_many_arguments)]
pub async fn index_collection_create(
    c: Arc<Core>,
    namespace: String,
    set: String,
    bin: String,
    kind: IndexType,
    name: String,
    policy: AdminPolicy,
    ctx: Vec<CdtContext>,
    collection: CollectionIndexType,
) -> Out<()> {
    index_create(c, namespace, set, bin, name, kind, collection, ctx, policy).await
}

#[allow(clippy::too_many_arguments)]
pub async fn index_cdt_create(
    c: Arc<Core>,
    namespace: String,
    set: String,
    bin: String,
    collection: CollectionIndexType,
    kind: IndexType,
    name: String,
    ctx: Vec<CdtContext>,
    policy: AdminPolicy,
) -> Out<()> {
    index_create(c, namespace, set, bin, name, kind, collection, ctx, policy).await
}

/// sindex-create with `exp=` (the expression's base64) instead of a bin, then waits like the others.
#[allow(clippy::too_many_arguments)]
pub async fn index_expr_create(
    c: Arc<Core>,
    namespace: String,
    set: String,
    collection: CollectionIndexType,
    kind: IndexType,
    expression: aerospike_core::expressions::Expression,
    name: String,
    policy: AdminPolicy,
) -> Out<()> {
    let task = c.client.create_index_using_expression(&policy, &namespace, &set, &name, kind, collection, &expression).await?;
    wait_built(task).await
}

/// Returns with the server's answer, like the official client: sindex-delete answers once the
/// metadata change is committed (sindex_manager.c), and answers ok for an unknown name or
/// namespace. (aerospike-core's DropIndexTask would poll sindex-exists, whose error for an unknown
/// namespace it reads as "still in progress" until its 30 s timeout.)
pub async fn index_remove(c: Arc<Core>, namespace: String, name: String, policy: AdminPolicy) -> Out<()> {
    c.client.drop_index(&policy, &namespace, "", &name).await?;
    Ok(())
}
