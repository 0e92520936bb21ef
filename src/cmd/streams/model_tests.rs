//! Model-based property test of a stream with two consumer groups: random XADD / XDEL /
//! XDELEX / XTRIM (each reference policy) / XREADGROUP (new, history, CLAIM) / XACK /
//! XACKDEL / XCLAIM / XNACK (each mode, RETRYCOUNT, FORCE) sequences, with a clock that moves, run through the real command path
//! and, in step, through a model made of plain ordered maps. After every command the replies
//! agree with the model and the stored stream, groups, PELs (owner, count, delivery time)
//! and consumer pending sets equal the model's (so each PEL entry is owned by exactly one
//! consumer).

use crate::db::Value;
use crate::types::stream::StreamId;
use bytes::Bytes;
use proptest::prelude::*;
use redis_protocol::resp2::types::OwnedFrame;
use std::collections::{BTreeMap, BTreeSet};

const CONSUMERS: [&str; 3] = ["alice", "bob", "carol"];
const GROUPS: [&str; 2] = ["g", "h"];
const START: i64 = 1_000_000;

/// How a deletion or trim treats references: XDEL / the default, or a policy given.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pol {
    Default,
    KeepRef,
    DelRef,
    Acked,
}

impl Pol {
    fn token(self) -> Option<&'static str> {
        match self {
            Pol::Default => None,
            Pol::KeepRef => Some("KEEPREF"),
            Pol::DelRef => Some("DELREF"),
            Pol::Acked => Some("ACKED"),
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Add,
    /// XDEL for `Pol::Default`, XDELEX otherwise.
    Del(Vec<u16>, Pol),
    Trim(u8, Pol),
    /// Group, consumer, COUNT (0: none), CLAIM min-idle-time.
    ReadNew(usize, usize, u8, Option<u8>),
    ReadHistory(usize, usize, u8),
    Ack(usize, Vec<u16>),
    AckDel(usize, Vec<u16>, Pol),
    Claim(usize, usize, Vec<u16>),
    /// Group, IDs, mode (SILENT, FAIL, FATAL), RETRYCOUNT, FORCE.
    Nack(usize, Vec<u16>, u8, Option<u8>, bool),
    /// The clock moves this many ms.
    Tick(u8),
}

fn arb_pol() -> impl Strategy<Value = Pol> {
    prop_oneof![
        Just(Pol::Default),
        Just(Pol::KeepRef),
        Just(Pol::DelRef),
        Just(Pol::Acked)
    ]
}

fn arb_op() -> impl Strategy<Value = Op> {
    let ids = || proptest::collection::vec(any::<u16>(), 1..4);
    let g = || 0..GROUPS.len();
    let c = || 0..CONSUMERS.len();
    prop_oneof![
        6 => Just(Op::Add),
        2 => (ids(), arb_pol()).prop_map(|(i, p)| Op::Del(i, p)),
        1 => (0u8..12, arb_pol()).prop_map(|(n, p)| Op::Trim(n, p)),
        4 => (g(), c(), 0u8..5, proptest::option::of(prop_oneof![Just(0u8), Just(5), Just(50)]))
            .prop_map(|(g, c, n, cl)| Op::ReadNew(g, c, n, cl)),
        2 => (g(), c(), 0u8..5).prop_map(|(g, c, n)| Op::ReadHistory(g, c, n)),
        2 => (g(), ids()).prop_map(|(g, i)| Op::Ack(g, i)),
        2 => (g(), ids(), arb_pol()).prop_map(|(g, i, p)| Op::AckDel(g, i, p)),
        2 => (g(), c(), ids()).prop_map(|(g, c, i)| Op::Claim(g, c, i)),
        2 => (g(), ids(), 0u8..3, proptest::option::of(0u8..4), any::<bool>())
            .prop_map(|(g, i, m, r, f)| Op::Nack(g, i, m, r, f)),
        2 => (1u8..40).prop_map(Op::Tick),
    ]
}

#[derive(Default, Clone)]
struct GroupModel {
    last_delivered: StreamId,
    /// PEL: ID → (owner, delivery count, delivery time); owner "" and time 0: nacked.
    pel: BTreeMap<StreamId, (&'static str, u64, i64)>,
    /// IDs in the order they were last nacked (stale ones are filtered out by `zone`).
    nacks: Vec<StreamId>,
}

impl GroupModel {
    /// The nacked entries in the order XNACK released them.
    fn zone(&self) -> Vec<StreamId> {
        self.nacks
            .iter()
            .copied()
            .filter(|id| self.pel.get(id).is_some_and(|pe| pe.0.is_empty()))
            .collect()
    }
}

struct Model {
    /// Live entries (ID → the value of their one field).
    entries: BTreeMap<StreamId, u64>,
    next_ms: u64,
    groups: [GroupModel; 2],
    now: i64,
}

impl Model {
    /// An ID ever added (or about to be), from a random index.
    fn pick(&self, i: u16) -> StreamId {
        StreamId::new(1 + i as u64 % (self.next_ms + 1), 0)
    }
    fn owned_by(&self, g: usize, c: &str) -> BTreeSet<StreamId> {
        self.groups[g]
            .pel
            .iter()
            .filter(|(_, (o, _, _))| *o == c)
            .map(|(id, _)| *id)
            .collect()
    }
    /// `streamEntryIsReferenced`.
    fn referenced(&self, id: StreamId) -> bool {
        self.groups
            .iter()
            .any(|g| id > g.last_delivered || g.pel.contains_key(&id))
    }
    fn drop_refs(&mut self, id: StreamId) {
        for g in &mut self.groups {
            g.pel.remove(&id);
        }
    }
    /// XDELEX's deletion of one ID: its reply code.
    fn delete(&mut self, id: StreamId, pol: Pol) -> i64 {
        match pol {
            Pol::DelRef => self.drop_refs(id),
            Pol::Acked if self.entries.contains_key(&id) && self.referenced(id) => return 2,
            _ => {}
        }
        if self.entries.remove(&id).is_some() {
            1
        } else {
            -1
        }
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

/// One delivery more, as Redis counts: never past `LLONG_MAX` (FATAL's count).
fn bump(n: u64) -> u64 {
    (n + 1).min(i64::MAX as u64)
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

/// An XREADGROUP/XCLAIM entry list as (ID, value if the entry is present); a CLAIM read's
/// idle time and delivery count are checked by [`claim_meta`].
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
            assert!(pair.len() == 2 || pair.len() == 4, "entry {pair:?}");
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

/// XREADGROUP's entries for the one stream, raw; none for a null reply.
fn read_items(f: &OwnedFrame) -> OwnedFrame {
    match f {
        OwnedFrame::Null => OwnedFrame::Array(vec![]),
        OwnedFrame::Array(streams) => {
            assert_eq!(streams.len(), 1);
            let OwnedFrame::Array(kv) = &streams[0] else {
                panic!("expected [key, entries]")
            };
            kv[1].clone()
        }
        other => panic!("unexpected XREADGROUP reply {other:?}"),
    }
}

/// XREADGROUP's reply for the one stream: its entries, or none for a null reply.
fn read_reply(f: &OwnedFrame) -> Vec<(StreamId, Option<u64>)> {
    entries(&read_items(f))
}

/// A CLAIM read's per-entry idle time and delivery count (entries must have four elements).
fn claim_meta(items: &OwnedFrame) -> Vec<(i64, i64)> {
    let OwnedFrame::Array(items) = items else {
        panic!("expected entries")
    };
    items
        .iter()
        .map(|e| match e {
            OwnedFrame::Array(v) if v.len() == 4 => (int(&v[2]), int(&v[3])),
            other => panic!("expected a 4-element CLAIM entry, got {other:?}"),
        })
        .collect()
}

fn int_array(f: &OwnedFrame) -> Vec<i64> {
    match f {
        OwnedFrame::Array(v) => v.iter().map(int).collect(),
        other => panic!("expected integers, got {other:?}"),
    }
}

fn step(h: &mut Harness, m: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    h.s.store.script_time = Some(m.now);
    match op {
        Op::Add => {
            m.next_ms += 1;
            let id = StreamId::new(m.next_ms, 0);
            let v = m.next_ms * 7;
            let r = h.run(&["XADD", "s", &id.to_string(), "f", &v.to_string()]);
            prop_assert_eq!(r, OwnedFrame::BulkString(id.to_string().into_bytes()));
            m.entries.insert(id, v);
        }
        Op::Del(is, pol) => {
            let ids: Vec<String> = is.iter().map(|i| m.pick(*i).to_string()).collect();
            let n = ids.len().to_string();
            let mut args = vec![];
            match pol.token() {
                None => args.extend(["XDEL", "s"]),
                Some(t) => args.extend(["XDELEX", "s", t, "IDS", &n]),
            }
            args.extend(ids.iter().map(String::as_str));
            let r = h.run(&args);
            let picked: Vec<StreamId> = is.iter().map(|i| m.pick(*i)).collect();
            match pol {
                Pol::Default => {
                    let n = picked
                        .iter()
                        .filter(|id| m.entries.remove(id).is_some())
                        .count();
                    prop_assert_eq!(int(&r), n as i64);
                }
                _ => {
                    let want: Vec<i64> = picked.iter().map(|id| m.delete(*id, *pol)).collect();
                    prop_assert_eq!(int_array(&r), want);
                }
            }
        }
        Op::Trim(n, pol) => {
            let count = n.to_string();
            let mut args = vec!["XTRIM", "s", "MAXLEN", &count];
            args.extend(pol.token());
            let r = h.run(&args);
            // From the head; ACKED keeps (skips) entries a group still references.
            let mut removed = 0;
            let ids: Vec<StreamId> = m.entries.keys().copied().collect();
            for id in ids {
                if m.entries.len() <= *n as usize {
                    break;
                }
                if *pol == Pol::Acked && m.referenced(id) {
                    continue;
                }
                m.entries.remove(&id);
                removed += 1;
            }
            if *pol == Pol::DelRef && removed > 0 {
                let below = m.entries.keys().next().copied();
                for g in &mut m.groups {
                    g.pel.retain(|id, _| below.is_some_and(|b| *id >= b));
                }
            }
            prop_assert_eq!(int(&r), removed);
        }
        Op::ReadNew(g, c, n, claim) => {
            let idle = claim.map(|c| c.to_string());
            let mut args = vec!["XREADGROUP", "GROUP", GROUPS[*g], CONSUMERS[*c]];
            let count = n.to_string();
            if *n > 0 {
                args.extend(["COUNT", &count]);
            }
            if let Some(idle) = &idle {
                args.extend(["CLAIM", idle]);
            }
            args.extend(["STREAMS", "s", ">"]);
            let reply = h.run(&args);
            let items = read_items(&reply);
            let got = entries(&items);
            let limit = if *n == 0 { usize::MAX } else { *n as usize };
            let mut want = vec![];
            let mut meta = vec![];
            let now = m.now;
            if let Some(min_idle) = claim {
                // Nacked entries first, in nack order; then idle long enough, longest idle
                // first (ties by ID); entries gone dropped.
                let mut cands: Vec<(i64, StreamId)> = m.groups[*g]
                    .pel
                    .iter()
                    .filter(|(_, (o, _, t))| !o.is_empty() && now - t >= *min_idle as i64)
                    .map(|(id, (_, _, t))| (*t, *id))
                    .collect();
                cands.sort();
                let zone = m.groups[*g].zone().into_iter().map(|id| (0, id));
                let cands: Vec<(i64, StreamId)> = zone.chain(cands).collect();
                for (t, id) in cands {
                    if want.len() >= limit {
                        break;
                    }
                    let pe = m.groups[*g].pel.get_mut(&id).unwrap();
                    match m.entries.get(&id) {
                        None => {
                            m.groups[*g].pel.remove(&id);
                        }
                        Some(v) => {
                            meta.push((now - t, pe.1 as i64));
                            *pe = (CONSUMERS[*c], bump(pe.1), now);
                            want.push((id, Some(*v)));
                        }
                    }
                }
            }
            let gm = &mut m.groups[*g];
            let new: Vec<(StreamId, u64)> = m
                .entries
                .range(gm.last_delivered.incr().unwrap()..)
                .take(limit - want.len())
                .map(|(id, v)| (*id, *v))
                .collect();
            for (id, v) in new {
                gm.pel.insert(id, (CONSUMERS[*c], 1, now));
                gm.last_delivered = id;
                want.push((id, Some(v)));
                meta.push((0, 0));
            }
            prop_assert_eq!(got, want);
            if claim.is_some() {
                prop_assert_eq!(claim_meta(&items), meta);
            }
        }
        Op::ReadHistory(g, c, n) => {
            let mut args = vec!["XREADGROUP", "GROUP", GROUPS[*g], CONSUMERS[*c]];
            let count = n.to_string();
            if *n > 0 {
                args.extend(["COUNT", &count]);
            }
            args.extend(["STREAMS", "s", "0"]);
            let got = read_reply(&h.run(&args));
            let limit = if *n == 0 { usize::MAX } else { *n as usize };
            let mut want = vec![];
            for id in m.owned_by(*g, CONSUMERS[*c]).into_iter().take(limit) {
                let v = m.entries.get(&id).copied();
                // A delivered entry's count goes up; a deleted one is reported as nil only.
                if v.is_some() {
                    let pe = m.groups[*g].pel.get_mut(&id).unwrap();
                    pe.1 = bump(pe.1);
                    pe.2 = m.now;
                }
                want.push((id, v));
            }
            prop_assert_eq!(got, want);
        }
        Op::Ack(g, is) => {
            let ids: Vec<String> = is.iter().map(|i| m.pick(*i).to_string()).collect();
            let mut args = vec!["XACK", "s", GROUPS[*g]];
            args.extend(ids.iter().map(String::as_str));
            let r = h.run(&args);
            let distinct: BTreeSet<StreamId> = is.iter().map(|i| m.pick(*i)).collect();
            let acked = distinct
                .iter()
                .filter(|id| m.groups[*g].pel.remove(id).is_some())
                .count();
            prop_assert_eq!(int(&r), acked as i64);
        }
        Op::AckDel(g, is, pol) => {
            let ids: Vec<String> = is.iter().map(|i| m.pick(*i).to_string()).collect();
            let n = ids.len().to_string();
            let mut args = vec!["XACKDEL", "s", GROUPS[*g]];
            args.extend(pol.token());
            args.extend(["IDS", &n]);
            args.extend(ids.iter().map(String::as_str));
            let r = h.run(&args);
            let mut want = vec![];
            for i in is {
                let id = m.pick(*i);
                if m.groups[*g].pel.remove(&id).is_none() {
                    want.push(-1);
                    continue;
                }
                // Acknowledged: 2 if kept for another group, else 1 (deleted or gone).
                want.push(if m.delete(id, *pol) == 2 { 2 } else { 1 });
            }
            prop_assert_eq!(int_array(&r), want);
        }
        Op::Claim(g, c, is) => {
            let ids: Vec<String> = is.iter().map(|i| m.pick(*i).to_string()).collect();
            let mut args = vec!["XCLAIM", "s", GROUPS[*g], CONSUMERS[*c], "0"];
            args.extend(ids.iter().map(String::as_str));
            let got = entries(&h.run(&args));
            let mut want = vec![];
            // A repeated ID is claimed again, as Redis does: returned twice, counted twice.
            let picked: Vec<StreamId> = is.iter().map(|i| m.pick(*i)).collect();
            for id in picked {
                if !m.groups[*g].pel.contains_key(&id) {
                    continue;
                }
                match m.entries.get(&id) {
                    // The entry is gone: XCLAIM drops it from the PEL and skips it.
                    None => {
                        m.groups[*g].pel.remove(&id);
                    }
                    Some(v) => {
                        let pe = m.groups[*g].pel.get_mut(&id).unwrap();
                        *pe = (CONSUMERS[*c], bump(pe.1), m.now);
                        want.push((id, Some(*v)));
                    }
                }
            }
            prop_assert_eq!(got, want);
        }
        Op::Nack(g, is, mode, retry, force) => {
            let ids: Vec<String> = is.iter().map(|i| m.pick(*i).to_string()).collect();
            let n = ids.len().to_string();
            let word = ["SILENT", "FAIL", "FATAL"][*mode as usize];
            let mut args = vec!["XNACK", "s", GROUPS[*g], word, "IDS", &n];
            args.extend(ids.iter().map(String::as_str));
            let rc = retry.map(|r| r.to_string());
            if let Some(rc) = &rc {
                args.extend(["RETRYCOUNT", rc]);
            }
            if *force {
                args.push("FORCE");
            }
            let r = h.run(&args);
            let mut nacked = 0;
            for i in is {
                let id = m.pick(*i);
                let gm = &mut m.groups[*g];
                let count = match (gm.pel.get(&id), retry) {
                    (_, Some(r)) if gm.pel.contains_key(&id) || *force => *r as u64,
                    (Some(pe), None) => match mode {
                        0 => pe.1.saturating_sub(1),
                        1 => pe.1,
                        _ => i64::MAX as u64,
                    },
                    (None, None) if *force => [0, 0, i64::MAX as u64][*mode as usize],
                    _ => continue,
                };
                if !gm.pel.contains_key(&id) && !m.entries.contains_key(&id) {
                    continue; // FORCE only for entries that exist
                }
                gm.pel.insert(id, ("", count, 0));
                gm.nacks.retain(|x| *x != id);
                gm.nacks.push(id);
                nacked += 1;
            }
            prop_assert_eq!(int(&r), nacked);
        }
        Op::Tick(ms) => m.now += *ms as i64,
    }
    check_state(h, m)
}

/// The stored stream, groups, PELs and consumers equal the model.
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
    prop_assert_eq!(s.last_live_id(), m.entries.keys().next_back().copied());
    prop_assert_eq!(
        s.first_id,
        m.entries.keys().next().copied().unwrap_or_default()
    );
    for (gi, gname) in GROUPS.iter().enumerate() {
        let gm = &m.groups[gi];
        let g = s.group(gname.as_bytes()).expect("group");
        prop_assert_eq!(g.last_id, gm.last_delivered);
        let pel: Vec<_> = g
            .pel()
            .iter()
            .map(|(id, pe)| {
                (
                    id,
                    pe.consumer.clone(),
                    pe.delivery_count,
                    pe.delivery_time(),
                )
            })
            .collect();
        let want: Vec<_> = gm
            .pel
            .iter()
            .map(|(id, (c, n, t))| {
                let owner = (!c.is_empty()).then(|| Bytes::from_static(c.as_bytes()));
                (*id, owner, *n, *t)
            })
            .collect();
        prop_assert_eq!(pel, want, "PEL of {}", gname);
        let zone: Vec<_> = g.nack_zone().map(|(id, _)| id).collect();
        prop_assert_eq!(zone, gm.zone(), "NACK zone of {}", gname);
        let mut union = 0;
        for (name, c) in g.consumers() {
            let owner = CONSUMERS
                .iter()
                .find(|n| n.as_bytes() == &name[..])
                .expect("only known consumers");
            let mine: Vec<_> = c.pending().iter().collect();
            let want: Vec<_> = m.owned_by(gi, owner).into_iter().collect();
            prop_assert_eq!(mine, want, "pending set of {} in {}", owner, gname);
            union += c.pending().len();
        }
        prop_assert_eq!(
            union + g.nacked_count(),
            g.pel().len(),
            "each PEL entry in exactly one consumer or nacked"
        );
        prop_assert_eq!(g.check_invariants(), Ok(()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn groups_follow_the_model(ops in proptest::collection::vec(arb_op(), 1..120)) {
        let mut h = Harness::new();
        let mut m = Model {
            entries: BTreeMap::new(),
            next_ms: 0,
            groups: Default::default(),
            now: START,
        };
        // Small nodes, so entries, tombstones and node reclaiming cross node boundaries.
        h.run(&["CONFIG", "SET", "stream-node-max-entries", "4"]);
        for g in GROUPS {
            let r = h.run(&["XGROUP", "CREATE", "s", g, "$", "MKSTREAM"]);
            prop_assert_eq!(r, OwnedFrame::SimpleString(b"OK".to_vec()));
        }
        for op in &ops {
            step(&mut h, &mut m, op)?;
        }
    }
}
