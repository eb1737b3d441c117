//! Property tests: the frame and message parsers, and everything behind them, never panic on
//! arbitrary or mutated input, and well-formed messages round-trip. Bounded case counts keep
//! `cargo test` fast.

use proptest::prelude::*;

use crate::cluster::Cluster;
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

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
