//! Pub/Sub registry: who is subscribed to what, and the message frames a publish produces.
//!
//! Channels map to subscribers in subscription order; patterns are kept in subscription order
//! too, so a message matching several patterns of one client arrives once per pattern, in a
//! stable order. Each client's own subscriptions are mirrored for (P)UNSUBSCRIBE without
//! arguments and for the counts in replies.

use bytes::Bytes;
use hashbrown::HashMap;

#[derive(Debug, Default, Clone)]
pub struct ClientSubs {
    pub channels: Vec<Bytes>,
    pub patterns: Vec<Bytes>,
    pub shard_channels: Vec<Bytes>,
}

impl ClientSubs {
    /// The count Redis reports after (un)subscribe: channels + patterns (shard ones apart).
    pub fn count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }
}

#[derive(Debug, Default)]
pub struct PubSub {
    pub channels: HashMap<Bytes, Vec<u64>>,
    pub patterns: Vec<(Bytes, u64)>,
    pub shard_channels: HashMap<Bytes, Vec<u64>>,
    pub clients: HashMap<u64, ClientSubs>,
}

fn frame(parts: &[&[u8]]) -> Bytes {
    let mut w = resp::ReplyWriter::new(resp::Protocol::Resp2);
    w.array(parts.len());
    for p in parts {
        w.bulk(p);
    }
    Bytes::from(w.buf)
}

/// The RESP3 form of a pub/sub frame differs only in its first byte (`>` for `*`).
fn resp3_of(f: &[u8]) -> Bytes {
    let mut v = f.to_vec();
    v[0] = b'>';
    Bytes::from(v)
}

impl PubSub {
    pub fn subs(&self, id: u64) -> ClientSubs {
        self.clients.get(&id).cloned().unwrap_or_default()
    }

    pub fn subscribe(&mut self, id: u64, ch: &Bytes) -> usize {
        let s = self.clients.entry(id).or_default();
        if !s.channels.contains(ch) {
            s.channels.push(ch.clone());
            self.channels.entry(ch.clone()).or_default().push(id);
        }
        s.count()
    }

    pub fn unsubscribe(&mut self, id: u64, ch: &Bytes) -> usize {
        let s = self.clients.entry(id).or_default();
        if let Some(p) = s.channels.iter().position(|c| c == ch) {
            s.channels.remove(p);
            if let Some(v) = self.channels.get_mut(ch) {
                v.retain(|&c| c != id);
                if v.is_empty() {
                    self.channels.remove(ch);
                }
            }
        }
        s.count()
    }

    pub fn psubscribe(&mut self, id: u64, pat: &Bytes) -> usize {
        let s = self.clients.entry(id).or_default();
        if !s.patterns.contains(pat) {
            s.patterns.push(pat.clone());
            self.patterns.push((pat.clone(), id));
        }
        s.count()
    }

    pub fn punsubscribe(&mut self, id: u64, pat: &Bytes) -> usize {
        let s = self.clients.entry(id).or_default();
        if let Some(p) = s.patterns.iter().position(|c| c == pat) {
            s.patterns.remove(p);
            self.patterns.retain(|(p, c)| !(p == pat && *c == id));
        }
        s.count()
    }

    pub fn ssubscribe(&mut self, id: u64, ch: &Bytes) -> usize {
        let s = self.clients.entry(id).or_default();
        if !s.shard_channels.contains(ch) {
            s.shard_channels.push(ch.clone());
            self.shard_channels.entry(ch.clone()).or_default().push(id);
        }
        s.shard_channels.len()
    }

    pub fn sunsubscribe(&mut self, id: u64, ch: &Bytes) -> usize {
        let s = self.clients.entry(id).or_default();
        if let Some(p) = s.shard_channels.iter().position(|c| c == ch) {
            s.shard_channels.remove(p);
            if let Some(v) = self.shard_channels.get_mut(ch) {
                v.retain(|&c| c != id);
                if v.is_empty() {
                    self.shard_channels.remove(ch);
                }
            }
        }
        s.shard_channels.len()
    }

    /// Forgets a disconnected client.
    pub fn remove_client(&mut self, id: u64) {
        let Some(s) = self.clients.remove(&id) else {
            return;
        };
        for ch in s.channels {
            if let Some(v) = self.channels.get_mut(&ch) {
                v.retain(|&c| c != id);
                if v.is_empty() {
                    self.channels.remove(&ch);
                }
            }
        }
        for ch in s.shard_channels {
            if let Some(v) = self.shard_channels.get_mut(&ch) {
                v.retain(|&c| c != id);
                if v.is_empty() {
                    self.shard_channels.remove(&ch);
                }
            }
        }
        self.patterns.retain(|(_, c)| *c != id);
    }

    /// (client, RESP2 frame, RESP3 frame) for every delivery of a PUBLISH.
    pub fn deliveries(&self, channel: &[u8], msg: &[u8]) -> Vec<(u64, Bytes, Bytes)> {
        let mut out = Vec::new();
        if let Some(ids) = self.channels.get(channel) {
            let f = frame(&[b"message", channel, msg]);
            let f3 = resp3_of(&f);
            for &id in ids {
                out.push((id, f.clone(), f3.clone()));
            }
        }
        for (pat, id) in &self.patterns {
            if crate::glob::matches(pat, channel, false) {
                let f = frame(&[b"pmessage", pat, channel, msg]);
                let f3 = resp3_of(&f);
                out.push((*id, f, f3));
            }
        }
        out
    }

    /// Deliveries of an SPUBLISH.
    pub fn shard_deliveries(&self, channel: &[u8], msg: &[u8]) -> Vec<(u64, Bytes, Bytes)> {
        let mut out = Vec::new();
        if let Some(ids) = self.shard_channels.get(channel) {
            let f = frame(&[b"smessage", channel, msg]);
            let f3 = resp3_of(&f);
            for &id in ids {
                out.push((id, f.clone(), f3.clone()));
            }
        }
        out
    }
}
