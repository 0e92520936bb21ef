//! Model-based property test of streams with a consumer group: random XADD / XDEL / XTRIM /
//! XREADGROUP (new and history) / XACK / XCLAIM sequences run through the real command path
//! ([`process`]) and, in step, through a model made of plain ordered maps. After every
//! command the replies agree with the model and the stored stream, group, PEL and consumer
//! pending sets equal the model's (so each PEL entry is owned by exactly one consumer).

use crate::db::Value;
use crate::types::stream::StreamId;
use bytes::Bytes;
use proptest::prelude::*;
use redis_protocol::resp2::types::OwnedFrame;
use std::collections::{BTreeMap, BTreeSet};

const CONSUMERS: [&str; 3] = ["alice", "bob", "carol"];

#[derive(Debug, Clone)]
enum Op {
    Add,
    Del(u16),
    Trim(u8),
    ReadNew(usize, u8),
    ReadHistory(usize, u8),
    Ack(Vec<u16>),
    Claim(usize, Vec<u16>),
}

fn arb_op() -> impl Strategy<Value = Op> {
    let ids = || proptest::collection::vec(any::<u16>(), 1..4);
    prop_oneof![
        6 => Just(Op::Add),
        2 => any::<u16>().prop_map(Op::Del),
        1 => (0u8..12).prop_map(Op::Trim),
        4 => (0..CONSUMERS.len(), 0u8..5).prop_map(|(c, n)| Op::ReadNew(c, n)),
        2 => (0..CONSUMERS.len(), 0u8..5).prop_map(|(c, n)| Op::ReadHistory(c, n)),
        3 => ids().prop_map(Op::Ack),
        2 => (0..CONSUMERS.len(), ids()).prop_map(|(c, i)| Op::Claim(c, i)),
    ]
}

#[derive(Default)]
struct Model {
    /// Live entries (ID → the value of their one field).
    entries: BTreeMap<StreamId, u64>,
    next_ms: u64,
    last_delivered: StreamId,
    /// PEL: ID → (owner, delivery count).
    pel: BTreeMap<StreamId, (&'static str, u64)>,
}

impl Model {
    /// An ID ever added (or about to be), from a random index.
    fn pick(&self, i: u16) -> StreamId {
        StreamId::new(1 + i as u64 % (self.next_ms + 1), 0)
    }
    fn owned_by(&self, c: &str) -> BTreeSet<StreamId> {
        self.pel
            .iter()
            .filter(|(_, (o, _))| *o == c)
            .map(|(id, _)| *id)
            .collect()
    }
}

/// The command tier's session, with replies decoded.
struct Harness {
    s: crate::cmd::testing::Session,
}

impl Harness {
    fn new() -> Harness {
        Harness {
            s: crate::cmd::testing::Session::default(),
        }
    }

    fn run(&mut self, args: &[&str]) -> OwnedFrame {
        let out = self.s.run(args);
        let (frame, used) = redis_protocol::resp2::decode::decode(out.as_bytes())
            .expect("valid RESP2")
            .expect("one complete reply");
        assert_eq!(used, out.len(), "exactly one reply to {args:?}");
        frame
    }
}

fn int(f: &OwnedFrame) -> i64 {
    match f {
        OwnedFrame::Integer(i) => *i,
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn parse_id(b: &[u8]) -> StreamId {
    let s = std::str::from_utf8(b).unwrap();
    let (ms, seq) = s.split_once('-').unwrap();
    StreamId::new(ms.parse().unwrap(), seq.parse().unwrap())
}

/// An XREADGROUP/XCLAIM entry list as (ID, value if the entry is present).
fn entries(f: &OwnedFrame) -> Vec<(StreamId, Option<u64>)> {
    let OwnedFrame::Array(items) = f else {
        panic!("expected entries, got {f:?}")
    };
    items
        .iter()
        .map(|e| {
            let OwnedFrame::Array(pair) = e else {
                panic!("expected [id, fields], got {e:?}")
            };
            let OwnedFrame::BulkString(id) = &pair[0] else {
                panic!("expected an ID")
            };
            let value = match &pair[1] {
                OwnedFrame::Null => None,
                OwnedFrame::Array(fv) => match &fv[1] {
                    OwnedFrame::BulkString(v) => {
                        Some(std::str::from_utf8(v).unwrap().parse().unwrap())
                    }
                    other => panic!("expected a value, got {other:?}"),
                },
                other => panic!("expected fields or nil, got {other:?}"),
            };
            (parse_id(id), value)
        })
        .collect()
}

/// XREADGROUP's reply for the one stream: its entries, or none for a null reply.
fn read_reply(f: &OwnedFrame) -> Vec<(StreamId, Option<u64>)> {
    match f {
        OwnedFrame::Null => vec![],
        OwnedFrame::Array(streams) => {
            assert_eq!(streams.len(), 1);
            let OwnedFrame::Array(kv) = &streams[0] else {
                panic!("expected [key, entries]")
            };
            entries(&kv[1])
        }
        other => panic!("unexpected XREADGROUP reply {other:?}"),
    }
}

fn step(h: &mut Harness, m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    match op {
        Op::Add => {
            m.next_ms += 1;
            let id = StreamId::new(m.next_ms, 0);
            let v = m.next_ms * 7;
            let r = h.run(&["XADD", "s", &id.to_string(), "f", &v.to_string()]);
            prop_assert_eq!(r, OwnedFrame::BulkString(id.to_string().into_bytes()));
            m.entries.insert(id, v);
        }
        Op::Del(i) => {
            let id = m.pick(*i);
            let r = h.run(&["XDEL", "s", &id.to_string()]);
            prop_assert_eq!(int(&r), m.entries.remove(&id).is_some() as i64);
        }
        Op::Trim(n) => {
            let r = h.run(&["XTRIM", "s", "MAXLEN", &n.to_string()]);
            let mut removed = 0;
            while m.entries.len() > *n as usize {
                m.entries.pop_first();
                removed += 1;
            }
            prop_assert_eq!(int(&r), removed);
        }
        Op::ReadNew(c, n) => {
            let mut args = vec!["XREADGROUP", "GROUP", "g", CONSUMERS[*c]];
            let count = n.to_string();
            if *n > 0 {
                args.extend(["COUNT", &count]);
            }
            args.extend(["STREAMS", "s", ">"]);
            let got = read_reply(&h.run(&args));
            let limit = if *n == 0 { usize::MAX } else { *n as usize };
            let want: Vec<_> = m
                .entries
                .range(m.last_delivered.incr().unwrap()..)
                .take(limit)
                .map(|(id, v)| (*id, Some(*v)))
                .collect();
            for (id, _) in &want {
                m.pel.insert(*id, (CONSUMERS[*c], 1));
                m.last_delivered = *id;
            }
            prop_assert_eq!(got, want);
        }
        Op::ReadHistory(c, n) => {
            let mut args = vec!["XREADGROUP", "GROUP", "g", CONSUMERS[*c]];
            let count = n.to_string();
            if *n > 0 {
                args.extend(["COUNT", &count]);
            }
            args.extend(["STREAMS", "s", "0"]);
            let got = read_reply(&h.run(&args));
            let limit = if *n == 0 { usize::MAX } else { *n as usize };
            let mut want = vec![];
            for id in m.owned_by(CONSUMERS[*c]).into_iter().take(limit) {
                let v = m.entries.get(&id).copied();
                // A delivered entry's count goes up; a deleted one is reported as nil only.
                if v.is_some() {
                    m.pel.get_mut(&id).unwrap().1 += 1;
                }
                want.push((id, v));
            }
            prop_assert_eq!(got, want);
        }
        Op::Ack(is) => {
            let ids: Vec<String> = is.iter().map(|i| m.pick(*i).to_string()).collect();
            let mut args = vec!["XACK", "s", "g"];
            args.extend(ids.iter().map(String::as_str));
            let r = h.run(&args);
            let distinct: BTreeSet<StreamId> = is.iter().map(|i| m.pick(*i)).collect();
            let acked = distinct
                .iter()
                .filter(|id| m.pel.remove(id).is_some())
                .count();
            prop_assert_eq!(int(&r), acked as i64);
        }
        Op::Claim(c, is) => {
            let ids: Vec<String> = is.iter().map(|i| m.pick(*i).to_string()).collect();
            let mut args = vec!["XCLAIM", "s", "g", CONSUMERS[*c], "0"];
            args.extend(ids.iter().map(String::as_str));
            let got = entries(&h.run(&args));
            let mut want = vec![];
            // A repeated ID is claimed again, as Redis does: returned twice, counted twice.
            let picked: Vec<StreamId> = is.iter().map(|i| m.pick(*i)).collect();
            for id in picked {
                if !m.pel.contains_key(&id) {
                    continue;
                }
                match m.entries.get(&id) {
                    // The entry is gone: XCLAIM drops it from the PEL and skips it.
                    None => {
                        m.pel.remove(&id);
                    }
                    Some(v) => {
                        let pe = m.pel.get_mut(&id).unwrap();
                        *pe = (CONSUMERS[*c], pe.1 + 1);
                        want.push((id, Some(*v)));
                    }
                }
            }
            prop_assert_eq!(got, want);
        }
    }
    check_state(h, m)
}

/// The stored stream, group, PEL and consumers equal the model.
fn check_state(h: &mut Harness, m: &Model) -> Result<(), TestCaseError> {
    let Some(Value::Stream(s)) = h.s.store.peek(0, b"s") else {
        return Err(TestCaseError::fail("stream missing"));
    };
    let stored: Vec<_> = s
        .range(StreamId::MIN, StreamId::MAX, 0, false)
        .into_iter()
        .map(|e| e.id)
        .collect();
    let want: Vec<_> = m.entries.keys().copied().collect();
    prop_assert_eq!(stored, want);
    prop_assert_eq!(s.length as usize, m.entries.len());
    let g = s.group(b"g").expect("group g");
    prop_assert_eq!(g.last_id, m.last_delivered);
    let pel: Vec<_> = g
        .pel()
        .iter()
        .map(|(id, pe)| (id, pe.consumer.clone(), pe.delivery_count))
        .collect();
    let want: Vec<_> = m
        .pel
        .iter()
        .map(|(id, (c, n))| (*id, Bytes::from_static(c.as_bytes()), *n))
        .collect();
    prop_assert_eq!(pel, want);
    let mut union = 0;
    for (name, c) in g.consumers() {
        let owner = CONSUMERS
            .iter()
            .find(|n| n.as_bytes() == &name[..])
            .expect("only known consumers");
        let mine: Vec<_> = c.pending().iter().collect();
        let want: Vec<_> = m.owned_by(owner).into_iter().collect();
        prop_assert_eq!(mine, want, "pending set of {}", owner);
        union += c.pending().len();
    }
    prop_assert_eq!(
        union,
        g.pel().len(),
        "each PEL entry in exactly one consumer"
    );
    prop_assert_eq!(g.check_invariants(), Ok(()));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn groups_follow_the_model(ops in proptest::collection::vec(arb_op(), 1..120)) {
        let mut h = Harness::new();
        let mut m = Model::default();
        // Small nodes, so entries, tombstones and node reclaiming cross node boundaries.
        h.run(&["CONFIG", "SET", "stream-node-max-entries", "4"]);
        let r = h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
        prop_assert_eq!(r, OwnedFrame::SimpleString(b"OK".to_vec()));
        for op in &ops {
            step(&mut h, &mut m, op)?;
        }
    }
}
