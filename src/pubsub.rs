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
    // Sized to the frame (each header is at most `$` + 20 digits + CRLF): the writer's 4 KiB
    // default, once per message, made jemalloc carve and return a slab per publish, a
    // fifth of the server's instructions under a one-subscriber fan-out (callgrind).
    let cap = 24 + parts.iter().map(|p| p.len() + 24).sum::<usize>();
    let mut w = resp::ReplyWriter::with_capacity(resp::Protocol::Resp2, cap);
    w.array(parts.len());
    for p in parts {
        w.bulk(p);
    }
    Bytes::from(w.buf)
}

/// One message as its receivers get it: the RESP2 frame, built once and shared, and the
/// RESP3 push form (which differs only in its first byte, `>` for `*`), built only if a
/// RESP3 client receives it.
pub struct Message {
    resp2: Bytes,
    resp3: std::cell::OnceCell<Bytes>,
}

impl Message {
    pub fn new(parts: &[&[u8]]) -> Message {
        Message {
            resp2: frame(parts),
            resp3: std::cell::OnceCell::new(),
        }
    }

    pub fn frame(&self, resp3: bool) -> Bytes {
        if !resp3 {
            return self.resp2.clone();
        }
        self.resp3
            .get_or_init(|| {
                let mut v = self.resp2.to_vec();
                v[0] = b'>';
                Bytes::from(v)
            })
            .clone()
    }
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

    /// Calls `deliver` for every receiver of a PUBLISH on `channel`: its subscribers, then
    /// each matching pattern subscription (a client gets one message per matching pattern).
    pub fn for_each_receiver(
        &self,
        channel: &[u8],
        msg: &[u8],
        mut deliver: impl FnMut(u64, &Message),
    ) {
        if let Some(ids) = self.channels.get(channel) {
            let m = Message::new(&[b"message", channel, msg]);
            for &id in ids {
                deliver(id, &m);
            }
        }
        for (pat, id) in &self.patterns {
            if crate::glob::matches(pat, channel, false) {
                deliver(*id, &Message::new(&[b"pmessage", pat, channel, msg]));
            }
        }
    }

    /// Calls `deliver` for every receiver of an SPUBLISH on `channel`.
    pub fn for_each_shard_receiver(
        &self,
        channel: &[u8],
        msg: &[u8],
        mut deliver: impl FnMut(u64, &Message),
    ) {
        if let Some(ids) = self.shard_channels.get(channel) {
            let m = Message::new(&[b"smessage", channel, msg]);
            for &id in ids {
                deliver(id, &m);
            }
        }
    }
}
