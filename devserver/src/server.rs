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
    }
}

async fn serve_conn(c: Arc<Cluster>, node: usize, sock: TcpStream) {
    let stats = &c.nodes[node].stats;
    bump(&stats.client_connections_opened);
    stats.client_connections.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut running = c.nodes[node].running.subscribe();
    let (mut rd, mut wr) = sock.into_split();
    loop {
        let frame = tokio::select! {
            f = frame::read_frame(&mut rd) => f,
            _ = running.wait_for(|up| !*up) => break,
        };
        let (header, body) = match frame {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                bump(&stats.proto_errors);
                break;
            }
        };
        let result = tokio::select! {
            r = dispatch(&c, node, header, body, &mut wr) => r,
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

/// Err closes the connection.
async fn dispatch(c: &Arc<Cluster>, node: usize, header: ProtoHeader, body: Vec<u8>, wr: &mut OwnedWriteHalf) -> io::Result<()> {
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
        proto::TYPE_AS_MSG => handle_msg(c, node, &body, wr).await,
        proto::TYPE_COMPRESSED => {
            let (inner, inner_body) = frame::decompress(&body).map_err(|_| bad_data())?;
            if inner.kind != proto::TYPE_AS_MSG {
                return Err(bad_data());
            }
            handle_msg(c, node, &inner_body, wr).await
        }
        _ => Err(bad_data()),
    }
}

fn bad_data() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "bad frame")
}

fn classify(m: &proto::Msg<'_>) -> OpKind {
    if m.field(proto::FIELD_BATCH).is_some() || m.field(proto::FIELD_BATCH_WITH_SET).is_some() {
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

async fn handle_msg(c: &Arc<Cluster>, node: usize, body: &[u8], wr: &mut OwnedWriteHalf) -> io::Result<()> {
    let stats = &c.nodes[node].stats;
    let m = match proto::parse_msg(body) {
        Ok(m) => m,
        Err(_) => {
            // The server drops connections carrying unparsable messages.
            bump(&stats.proto_errors);
            return Err(bad_data());
        }
    };
    let kind = classify(&m);
    let fault = c.faults.decide(node, kind);
    if fault.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
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
