//! Property tests: the frame and message parsers, and everything behind them, never panic on
//! arbitrary or mutated input, and well-formed messages round-trip; hostile connections never stop
//! a running server from serving others. Bounded case counts keep `cargo test` fast;
//! PROPTEST_CASES raises them (`make fuzz`).

use proptest::prelude::*;

use proptest::collection::vec;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use crate::cluster::Cluster;
use crate::msgpack::{Mp, to_bytes};
use crate::proto::{self, OutOp};
use crate::store::Store;
use crate::{batch, frame, info, txn};

fn cluster() -> Cluster {
    Cluster::new("127.0.0.1", 3000, 2, Store::new(&["test".into()], 1 << 20, true))
}

/// A well-formed single-record message with random header bits, fields and ops.
fn arb_msg() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<[u8; 4]>(),
        any::<u32>(),
        any::<u32>(),
        proptest::collection::vec((0u8..50, proptest::collection::vec(any::<u8>(), 0..40)), 0..6),
        proptest::collection::vec((0u8..20, 0u8..25, "[a-z]{0,17}", proptest::collection::vec(any::<u8>(), 0..24)), 0..6),
    )
        .prop_map(|(info, gen_, ttl, mut fields, ops)| {
            fields.push((proto::FIELD_NAMESPACE, b"test".to_vec()));
            fields.push((proto::FIELD_DIGEST, vec![7u8; 20]));
            let mut body = Vec::new();
            body.push(22);
            body.extend_from_slice(&info);
            body.push(0);
            body.extend_from_slice(&gen_.to_be_bytes());
            body.extend_from_slice(&ttl.to_be_bytes());
            body.extend_from_slice(&0u32.to_be_bytes());
            body.extend_from_slice(&(fields.len() as u16).to_be_bytes());
            body.extend_from_slice(&(ops.len() as u16).to_be_bytes());
            for (k, d) in &fields {
                body.extend_from_slice(&((d.len() + 1) as u32).to_be_bytes());
                body.push(*k);
                body.extend_from_slice(d);
            }
            for (op, pt, name, v) in &ops {
                body.extend_from_slice(&((name.len() + v.len() + 4) as u32).to_be_bytes());
                body.extend_from_slice(&[*op, *pt, 0, name.len() as u8]);
                body.extend_from_slice(name.as_bytes());
                body.extend_from_slice(v);
            }
            body
        })
}

/// Cases per property: PROPTEST_CASES (`make fuzz`) or 400.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// Any msgpack value, a few levels deep.
fn arb_mp() -> impl Strategy<Value = Mp> {
    let leaf = prop_oneof![
        Just(Mp::Nil),
        any::<bool>().prop_map(Mp::Bool),
        any::<i64>().prop_map(Mp::Int),
        any::<u64>().prop_map(Mp::UInt),
        any::<f64>().prop_map(Mp::Float),
        vec(any::<u8>(), 0..8).prop_map(Mp::Str),
        vec(any::<u8>(), 0..8).prop_map(Mp::Bin),
        (any::<i8>(), vec(any::<u8>(), 0..4)).prop_map(|(t, d)| Mp::Ext(t, d)),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![vec(inner.clone(), 0..4).prop_map(Mp::Array), vec((inner.clone(), inner), 0..3).prop_map(Mp::Map)]
    })
}

/// A list nested `depth` levels around an int (msgpack.rs refuses more than MAX_DEPTH).
fn nested(depth: usize) -> Vec<u8> {
    let mut out = vec![0x91; depth];
    out.push(1);
    out
}

/// msgpack input: an encoded value, one nested past the depth bound, one whose header claims more
/// elements than follow (32-bit counts), or raw bytes.
fn arb_payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => arb_mp().prop_map(|m| to_bytes(&m)),
        1 => (0usize..1200).prop_map(nested),
        1 => (arb_mp(), any::<u32>(), prop_oneof![Just(0xddu8), Just(0xdfu8)]).prop_map(|(m, n, tag)| {
            let mut out = vec![tag];
            out.extend_from_slice(&n.to_be_bytes());
            out.extend(to_bytes(&m));
            out
        }),
        1 => vec(any::<u8>(), 0..64),
    ]
}

/// A CDT operation payload: `[op code, args...]` with random arguments, or any payload.
fn arb_cdt_payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (prop_oneof![0i64..41, 64i64..111, any::<i64>()], vec(arb_mp(), 0..4)).prop_map(|(code, args)| {
            let mut items = vec![Mp::Int(code)];
            items.extend(args);
            to_bytes(&Mp::Array(items))
        }),
        arb_payload(),
    ]
}

/// Byte strings made of frames: each with a version, a type, a declared size (true, short, long,
/// past PROTO_SIZE_MAX or 48-bit huge) and a body that may stop early.
fn arb_frames() -> impl Strategy<Value = Vec<u8>> {
    vec((prop_oneof![Just(2u8), any::<u8>()], 0u8..8, 0u8..5, vec(any::<u8>(), 0..64), any::<bool>()), 0..5).prop_map(|frames| {
        let mut out = Vec::new();
        for (version, kind, size_kind, body, cut) in frames {
            let size: u64 = match size_kind {
                0 => body.len() as u64,
                1 => body.len() as u64 / 2,
                2 => body.len() as u64 + 7,
                3 => proto::PROTO_SIZE_MAX + 1,
                _ => (1 << 48) - 1,
            };
            out.extend_from_slice(&(((version as u64) << 56) | ((kind as u64) << 48) | size).to_be_bytes());
            out.extend_from_slice(if cut { &body[..body.len() / 2] } else { &body });
        }
        out
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn frame_streams_never_panic(bytes in arb_frames()) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let mut rd = &bytes[..];
            // Every frame is read whole or refused; the loop always ends.
            while let Ok(Some((h, body))) = frame::read_frame(&mut rd).await {
                assert!(h.is_acceptable() && body.len() as u64 == h.size);
            }
        });
    }

    #[test]
    fn cdt_payloads_never_panic(payload in arb_cdt_payload(), content in arb_mp(), modify in any::<bool>()) {
        let list = crate::store::Bin { name: "l".into(), ptype: crate::particle::LIST, data: to_bytes(&Mp::Array(vec![content.clone(), Mp::Int(2)])) };
        let map = crate::store::Bin { name: "m".into(), ptype: crate::particle::MAP, data: to_bytes(&Mp::Map(vec![(Mp::Int(1), content)])) };
        for bin in [None, Some(&list), Some(&map)] {
            let _ = crate::cdt::execute(bin, "b", modify, &payload);
        }
    }

    #[test]
    fn expression_payloads_never_panic(payload in arb_payload(), node in (0i64..130, vec(arb_mp(), 0..4))) {
        let r = crate::store::Record { set: None, key: Some(vec![3, b'k']), bins: vec![], generation: 1, void_time: 5, lut: 7 };
        let mut shaped = vec![Mp::Int(node.0)];
        shaped.extend(node.1);
        for bytes in [payload, to_bytes(&Mp::Array(shaped))] {
            if let Ok(e) = crate::exp::parse(&bytes) {
                let _ = e.matches(&crate::exp::RecCtx { rec: &r, digest: &[9u8; 20] });
            }
        }
    }

    #[test]
    fn parse_msg_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = proto::parse_msg(&bytes);
    }

    #[test]
    fn well_formed_messages_execute_without_panicking(body in arb_msg(), cut in any::<prop::sample::Index>(), flip in any::<(prop::sample::Index, u8)>()) {
        let c = cluster();
        let m = proto::parse_msg(&body).expect("well-formed");
        let out = txn::execute(&c.store, &m);
        // A reply always parses back as a message.
        let frame = out.to_frame();
        prop_assert!(proto::parse_msg(&frame[8..]).is_ok());
        // Truncations and single-byte corruptions are rejected or executed, never a panic.
        let truncated = &body[..cut.index(body.len())];
        if let Ok(m) = proto::parse_msg(truncated) { let _ = txn::execute(&c.store, &m); }
        let mut corrupt = body.clone();
        let i = flip.0.index(corrupt.len());
        corrupt[i] ^= flip.1 | 1;
        if let Ok(m) = proto::parse_msg(&corrupt) { let _ = txn::execute(&c.store, &m); }
    }

    #[test]
    fn batch_field_never_panics(rows in proptest::collection::vec(any::<u8>(), 0..400), n in 0u32..50) {
        let c = cluster();
        let mut data = n.to_be_bytes().to_vec();
        data.push(0);
        data.extend_from_slice(&rows);
        let mut body = Vec::new();
        proto::write_msg(&mut body, 0, 0, 0, 0, 0, &[(proto::FIELD_BATCH, &data)], &[]);
        let m = proto::parse_msg(&body).unwrap();
        let out = batch::execute(&c, 0, &m);
        prop_assert!(out.len() >= 8 + 22);
    }

    #[test]
    fn expressions_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        let r = crate::store::Record { set: None, key: Some(vec![3, b'k']), bins: vec![], generation: 1, void_time: 5, lut: 7 };
        if let Ok(e) = crate::exp::parse(&bytes) {
            let _ = e.matches(&crate::exp::RecCtx { rec: &r, digest: &[9u8; 20] });
        }
    }

    #[test]
    fn cdt_ops_never_panic(code in prop_oneof![0i64..41, 64i64..111], args in proptest::collection::vec(-3i64..5, 0..4), raw in proptest::collection::vec(any::<u8>(), 0..40)) {
        use crate::msgpack::{Mp, to_bytes};
        let list = crate::store::Bin { name: "l".into(), ptype: crate::particle::LIST, data: to_bytes(&Mp::Array(vec![Mp::Int(1), Mp::Int(2)])) };
        let map = crate::store::Bin { name: "m".into(), ptype: crate::particle::MAP, data: to_bytes(&Mp::Map(vec![(Mp::Int(1), Mp::Int(2))])) };
        let mut items = vec![Mp::Int(code)];
        items.extend(args.iter().map(|a| Mp::Int(*a)));
        let payload = to_bytes(&Mp::Array(items));
        for bin in [None, Some(&list), Some(&map)] {
            for modify in [false, true] {
                let _ = crate::cdt::execute(bin, "b", modify, &payload);
                let _ = crate::cdt::execute(bin, "b", modify, &raw);
            }
        }
    }

    #[test]
    fn regex_never_panics_or_hangs(pattern in "[a-c().*+?|^$\\[\\]{}0-9,-]{0,16}", text in "[a-c]{0,30}") {
        if let Ok(re) = crate::regex::Regex::new(pattern.as_bytes(), 0) {
            let _ = re.is_match(text.as_bytes());
        }
    }

    #[test]
    fn info_never_panics(text in "[a-z:=;/\\-\n0-9]{0,120}") {
        let c = cluster();
        let out = info::handle(&c, 0, text.as_bytes());
        prop_assume!(!text.is_empty()); // an empty request gets the summary instead
        // One answer line per complete command.
        prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), text.matches('\n').count());
    }

    #[test]
    fn reply_roundtrip(result in any::<u8>(), g in any::<u32>(), vt in any::<u32>(), name in "[a-z]{0,15}", value in proptest::collection::vec(any::<u8>(), 0..64)) {
        let f = proto::reply_frame(result, g, vt, &[], &[OutOp { name: name.as_bytes(), ptype: 4, value: &value }]);
        let h = proto::ProtoHeader::parse(f[..8].try_into().unwrap());
        prop_assert_eq!(h.size as usize, f.len() - 8);
        let m = proto::parse_msg(&f[8..]).unwrap();
        prop_assert_eq!(m.generation, g);
        prop_assert_eq!(m.record_ttl, vt);
        prop_assert_eq!(m.ops[0].value, &value[..]);
    }
}

#[tokio::test]
async fn read_frame_rejects_bad_headers_and_truncation() {
    let mut ok = proto::proto_header(proto::TYPE_INFO, 5).to_vec();
    ok.extend_from_slice(b"node\n");
    let (h, b) = frame::read_frame(&mut &ok[..]).await.unwrap().unwrap();
    assert_eq!((h.kind, b.as_slice()), (proto::TYPE_INFO, &b"node\n"[..]));
    assert!(frame::read_frame(&mut &ok[..7]).await.is_err());
    assert!(frame::read_frame(&mut &ok[..10]).await.is_err());
    assert!(frame::read_frame(&mut &[][..]).await.unwrap().is_none());
    let huge = proto::proto_header(proto::TYPE_AS_MSG, (proto::PROTO_SIZE_MAX + 1) as usize);
    assert!(frame::read_frame(&mut &huge[..]).await.is_err());
}

/// A message for `hostile_connections_never_stop_the_server`: a mutated well-formed one (CDT and
/// expression ops carrying random msgpack), or random bytes, in a frame of a random type.
fn arb_hostile_frame() -> impl Strategy<Value = Vec<u8>> {
    let msg = (arb_msg(), arb_cdt_payload(), arb_payload(), any::<prop::sample::Index>(), any::<u8>()).prop_map(
        |(mut body, cdt, exp, at, xor)| {
            // Append a CDT op and an expression op to the well-formed message.
            let n_ops = u16::from_be_bytes([body[20], body[21]]) + 2;
            body[20..22].copy_from_slice(&n_ops.to_be_bytes());
            for (op, payload) in [(proto::OP_CDT_MODIFY, &cdt), (proto::OP_EXP_READ, &exp)] {
                body.extend_from_slice(&((payload.len() + 5) as u32).to_be_bytes());
                body.extend_from_slice(&[op, crate::particle::BLOB, 0, 1, b'b']);
                body.extend_from_slice(payload);
            }
            if xor != 0 {
                let i = at.index(body.len());
                body[i] ^= xor;
            }
            body
        },
    );
    (prop_oneof![3 => msg, 1 => vec(any::<u8>(), 0..80)], prop_oneof![4 => Just(proto::TYPE_AS_MSG), 1 => 0u8..8]).prop_map(
        |(body, kind)| {
            let mut out = proto::proto_header(kind, body.len()).to_vec();
            out.extend(body);
            out
        },
    )
}

/// A running server (one node on a free port) that hostile connections hit one after another:
/// after each, a fresh connection still gets its info answer. Rounds: a quarter of the case count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_connections_never_stop_the_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = std::sync::Arc::new(Cluster::new("127.0.0.1", port, 1, Store::new(&["test".into()], 1 << 24, true)));
    tokio::spawn(crate::server::run_node(c.clone(), 0));
    let addr = format!("127.0.0.1:{port}");
    let connect = || async {
        for _ in 0..100 {
            if let Ok(s) = tokio::net::TcpStream::connect(&addr).await {
                return s;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the server does not accept connections");
    };
    let mut runner = TestRunner::new(config());
    let frames = vec(arb_hostile_frame(), 1..4);
    for round in 0..(config().cases / 4).max(1) {
        let hostile = frames.new_tree(&mut runner).unwrap().current().concat();
        let mut s = connect().await;
        let _ = s.write_all(&hostile).await;
        let _ = s.shutdown().await;
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut sink)).await;
        let mut good = connect().await;
        let mut ask = proto::proto_header(proto::TYPE_INFO, 5).to_vec();
        ask.extend_from_slice(b"node\n");
        good.write_all(&ask).await.unwrap();
        let (h, body) = tokio::time::timeout(std::time::Duration::from_secs(5), frame::read_frame(&mut good))
            .await
            .unwrap_or_else(|_| panic!("no info answer after round {round}"))
            .unwrap()
            .unwrap();
        assert_eq!(h.kind, proto::TYPE_INFO);
        assert!(body.starts_with(b"node\t"), "round {round}: {body:?}");
    }
}
