//! Listeners and connections: one task per connection, frames read in order, replies written in order.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

use crate::cluster::Cluster;
use crate::faults::OpKind;
use crate::proto::{self, ProtoHeader, rc};
use crate::stats::bump;
use crate::{batch, frame, info, scan, txn};


/// Keeps node `node` listening while it is up, re-binding after a restart.
pub async fn run_node(c: Arc<Cluster>, node: usize) {
    let mut running = c.nodes[node].running.subscribe();
    loop {
        if !*running.borrow_and_update() {
            if running.changed().await.is_err() {
                return;
            }
            continue;
        }
        let addr = format!("{}:{}", c.host, c.nodes[node].port);
        let listener = match TcpListener::bind(&addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("aerospike-devserver: node {node} cannot listen on {addr}: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        c.nodes[node].listening.store(true, std::sync::atomic::Ordering::Relaxed);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    if let Ok((sock, _)) = accepted {
                        let _ = sock.set_nodelay(true);
                        tokio::spawn(serve_conn(c.clone(), node, sock));
                    }
                }
                changed = running.changed() => {
                    if changed.is_err() || !*running.borrow_and_update() {
                        break;
                    }
                }
            }
        }
        drop(listener);
        c.nodes[node].listening.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

async fn serve_conn(c: Arc<Cluster>, node: usize, sock: TcpStream) {
    let stats = &c.nodes[node].stats;
    bump(&stats.client_connections_opened);
    stats.client_connections.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut running = c.nodes[node].running.subscribe();
    let (rd, mut wr) = sock.into_split();
    // Buffered so a header and its body usually arrive in one read syscall.
    let mut rd = tokio::io::BufReader::with_capacity(32 * 1024, rd);
    loop {
        let frame = tokio::select! {
            f = frame::read_frame(&mut rd) => f,
            _ = running.wait_for(|up| !*up) => break,
        };
        let arrived = std::time::Instant::now();
        let (header, body) = match frame {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                bump(&stats.proto_errors);
                break;
            }
        };
        // A hung node holds every request (control commands aside, so it can be woken) until started.
        while c.nodes[node].hung.load(std::sync::atomic::Ordering::Relaxed) && !is_control(&header, &body) {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                _ = running.wait_for(|up| !*up) => break,
            }
        }
        let result = tokio::select! {
            r = dispatch(&c, node, header, body, arrived, &mut wr) => r,
            _ = running.wait_for(|up| !*up) => break,
        };
        if result.is_err() {
            break;
        }
    }
    let _ = wr.shutdown().await;
    stats.client_connections.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    bump(&stats.client_connections_closed);
}

/// Info requests made of devserver control commands only.
fn is_control(header: &ProtoHeader, body: &[u8]) -> bool {
    header.kind == proto::TYPE_INFO
        && !body.is_empty()
        && body.split(|&b| b == b'\n').filter(|l| !l.is_empty()).all(|l| l.starts_with(b"devserver-"))
}

/// Err closes the connection.
async fn dispatch(c: &Arc<Cluster>, node: usize, header: ProtoHeader, body: Vec<u8>, arrived: std::time::Instant, wr: &mut OwnedWriteHalf) -> io::Result<()> {
    match header.kind {
        proto::TYPE_INFO => {
            let answer = info::handle(c, node, &body);
            let mut out = Vec::with_capacity(answer.len() + 8);
            out.extend_from_slice(&proto::proto_header(proto::TYPE_INFO, answer.len()));
            out.extend_from_slice(&answer);
            wr.write_all(&out).await
        }
        proto::TYPE_SECURITY => {
            // Community Edition has no security: answer SECURITY_NOT_ENABLED (52) in the admin header.
            let mut out = Vec::with_capacity(24);
            out.extend_from_slice(&proto::proto_header(proto::TYPE_SECURITY, 16));
            let mut admin = [0u8; 16];
            admin[1] = 52;
            out.extend_from_slice(&admin);
            wr.write_all(&out).await
        }
        // Community Edition cannot uncompress requests (proto_ce.c): it answers ENTERPRISE_ONLY.
        proto::TYPE_COMPRESSED => wr.write_all(&proto::reply_frame(rc::ENTERPRISE_ONLY, 0, 0, &[], &[])).await,
        _ => handle_msg(c, node, &body, arrived, wr).await,
    }
}

fn classify(m: &proto::Msg<'_>) -> OpKind {
    if m.info1 & proto::INFO1_BATCH != 0 {
        OpKind::Batch
    } else if m.field(proto::FIELD_DIGEST).is_some() {
        match txn::kind_of(m) {
            crate::stats::TxnKind::Read => OpKind::Read,
            crate::stats::TxnKind::Write => OpKind::Write,
            crate::stats::TxnKind::Delete => OpKind::Delete,
        }
    } else if m.field(proto::FIELD_INDEX_RANGE).is_some() || m.field(proto::FIELD_INDEX_NAME).is_some() {
        OpKind::Query
    } else {
        OpKind::Scan
    }
}

async fn handle_msg(c: &Arc<Cluster>, node: usize, body: &[u8], arrived: std::time::Instant, wr: &mut OwnedWriteHalf) -> io::Result<()> {
    let stats = &c.nodes[node].stats;
    let m = match proto::parse_msg(body) {
        Ok(m) => m,
        Err(_) => {
            // as_transaction_prepare failed: a PARAMETER reply, the connection stays open.
            bump(&stats.proto_errors);
            return wr.write_all(&proto::reply_frame(rc::PARAMETER, 0, 0, &[], &[])).await;
        }
    };
    let kind = classify(&m);
    let fault = c.faults.decide(node, kind);
    if fault.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
    }
    // A server drops a transaction that outlived its timeout before executing it (thr_tsvc.c:
    // as_transaction_has_expired -> AS_ERR_TIMEOUT), so a write the client gave up on (held by a
    // delay fault or a hung node) never lands after the client's later writes.
    if m.transaction_ttl > 0 && arrived.elapsed() >= Duration::from_millis(u64::from(m.transaction_ttl)) {
        return wr.write_all(&proto::reply_frame(rc::TIMEOUT, 0, 0, &[], &[])).await;
    }
    if fault.drop {
        return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "fault: drop"));
    }
    if let Some(code) = fault.error {
        return wr.write_all(&proto::reply_frame(code, 0, 0, &[], &[])).await;
    }
    if m.field(proto::FIELD_UDF_FILENAME).is_some() || m.field(proto::FIELD_UDF_OP).is_some() {
        // UDFs are not implemented: answer as a server with no such module registered would.
        let code = if kind == OpKind::Scan || kind == OpKind::Query { rc::UNSUPPORTED_FEATURE } else { 100 };
        return wr.write_all(&proto::reply_frame(code, 0, 0, &[], &[])).await;
    }
    match kind {
        OpKind::Batch => {
            bump(&stats.batch_index_initiate);
            let out = batch::execute(c, node, &m);
            wr.write_all(&out).await
        }
        OpKind::Scan | OpKind::Query => scan::execute(c, node, &m, wr).await,
        _ => {
            let outcome = txn::execute(&c.store, &m);
            stats.record(outcome.kind, outcome.result);
            wr.write_all(&outcome.to_frame()).await
        }
    }
}
