//! criterion micro-benchmarks of sluice's hot paths, so a regression shows here before it
//! reaches the end-to-end ratios: `cargo bench -p sluice-bench` (add a name to filter, e.g.
//! `cargo bench -p sluice-bench -- parser`).
//!
//! - request parser: a pipeline of 100 small commands, and one 100-argument command;
//! - reply writer: an XRANGE-shaped reply of 10 entries in RESP2 and RESP3;
//! - stream node append and scan: 1,000 XADDs into packed nodes; XRANGE COUNT 10 from a
//!   random start in 100,000 entries; the rewrite's full walk;
//! - PEL operations on the radix tree: add/ack a delivery batch, range scans;
//! - glob matching: a typical key pattern and Redis's pathological one.

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use resp::{ParseLimits, Protocol, ReplyWriter, RequestParser};
use sluice::glob;
use sluice::types::rax::Rax;
use sluice::types::stream::{Stream, StreamId};
use std::hint::black_box;

fn command(argv: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", argv.len()).into_bytes();
    for a in argv {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn parser(c: &mut Criterion) {
    let mut g = c.benchmark_group("parser");
    let one = command(&[
        b"XADD",
        b"events",
        b"*",
        b"sensor_id",
        b"1234",
        b"temp",
        b"19.8",
    ]);
    let pipeline: Vec<u8> = one.repeat(100);
    g.throughput(Throughput::Elements(100));
    g.bench_function("pipeline of 100 XADD", |b| {
        b.iter(|| {
            let mut p = RequestParser::new(ParseLimits {
                proto_max_bulk_len: 512 << 20,
            });
            let mut buf = BytesMut::from(&pipeline[..]);
            let mut n = 0;
            while let Ok(Some(argv)) = p.parse(&mut buf) {
                n += argv.len();
            }
            black_box(n)
        })
    });
    let mut args: Vec<&[u8]> = vec![b"LPUSH", b"jobs"];
    args.extend(std::iter::repeat_n(&b"job:12345"[..], 100));
    let big = command(&args);
    g.throughput(Throughput::Elements(1));
    g.bench_function("LPUSH with 100 values", |b| {
        b.iter(|| {
            let mut p = RequestParser::new(ParseLimits {
                proto_max_bulk_len: 512 << 20,
            });
            let mut buf = BytesMut::from(&big[..]);
            black_box(p.parse(&mut buf).unwrap().unwrap().len())
        })
    });
    g.finish();
}

fn writer(c: &mut Criterion) {
    let mut g = c.benchmark_group("writer");
    for (name, proto) in [("RESP2", Protocol::Resp2), ("RESP3", Protocol::Resp3)] {
        g.bench_function(format!("XRANGE reply, 10 entries, {name}"), |b| {
            let mut w = ReplyWriter::new(proto);
            b.iter(|| {
                w.array(10);
                for i in 0..10 {
                    w.array(2);
                    w.bulk(format!("1700000000000-{i}").as_bytes());
                    w.array(4);
                    w.bulk(b"sensor_id");
                    w.bulk(b"1234");
                    w.bulk(b"temperature");
                    w.bulk(b"19.8");
                }
                w.int(42);
                black_box(w.take().len())
            })
        });
    }
    g.finish();
}

/// An entry's fields, flat as XADD's argv has them.
fn fields() -> Vec<Bytes> {
    [
        "sensor_id",
        "1234",
        "temperature",
        "19.8",
        "humidity",
        "0.55",
    ]
    .iter()
    .map(|s| Bytes::from_static(s.as_bytes()))
    .collect()
}

fn filled(n: u64) -> Stream {
    let mut s = Stream::new();
    let f = fields();
    for i in 0..n {
        s.append(
            StreamId::new(1_700_000_000_000 + i / 4, i % 4),
            &f,
            4096,
            100,
        );
    }
    s
}

fn stream_nodes(c: &mut Criterion) {
    let mut g = c.benchmark_group("stream");
    let f = fields();
    g.throughput(Throughput::Elements(1000));
    g.bench_function("append 1000 entries", |b| {
        b.iter(|| {
            let mut s = Stream::new();
            for i in 0..1000u64 {
                s.append(StreamId::new(1_700_000_000_000 + i, 0), &f, 4096, 100);
            }
            black_box(s.length)
        })
    });
    let s = filled(100_000);
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    g.throughput(Throughput::Elements(10));
    g.bench_function("XRANGE COUNT 10, random start, 100k entries", |b| {
        b.iter(|| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = x % 100_000;
            let start = StreamId::new(1_700_000_000_000 + i / 4, i % 4);
            black_box(s.range(start, StreamId::MAX, 10, false).len())
        })
    });
    g.throughput(Throughput::Elements(100_000));
    g.bench_function("walk 100k entries (rewrite)", |b| {
        b.iter(|| {
            let mut bytes = 0usize;
            s.for_each_entry::<()>(|_, fs| {
                bytes += fs.len();
                Ok(())
            })
            .unwrap();
            black_box(bytes)
        })
    });
    g.finish();
}

fn pel(c: &mut Criterion) {
    let mut g = c.benchmark_group("pel");
    // A PEL holding 100k pending entries, as a busy group's would.
    let mut base: Rax<(u64, u64)> = Rax::new();
    for i in 0..100_000u64 {
        base.insert(StreamId::new(1_700_000_000_000 + i / 8, i % 8), (i, 1));
    }
    let mut next = 200_000u64;
    g.throughput(Throughput::Elements(10));
    g.bench_function("deliver 10 then ack 10 (100k pending)", |b| {
        let mut p = base.clone();
        b.iter(|| {
            let ids: Vec<StreamId> = (0..10)
                .map(|k| StreamId::new(1_800_000_000_000 + next, k))
                .collect();
            next += 1;
            for id in &ids {
                p.insert(*id, (0, 1));
            }
            for id in &ids {
                black_box(p.remove(id));
            }
        })
    });
    g.bench_function("XPENDING range of 10 (100k pending)", |b| {
        let mut x = 7u64;
        b.iter(|| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let i = (x >> 33) % 100_000;
            let start = StreamId::new(1_700_000_000_000 + i / 8, i % 8);
            black_box(p_count(&base, start))
        })
    });
    g.finish();
}

fn p_count(p: &Rax<(u64, u64)>, start: StreamId) -> usize {
    p.range(start, StreamId::MAX).take(10).count()
}

fn globs(c: &mut Criterion) {
    let mut g = c.benchmark_group("glob");
    let keys: Vec<String> = (0..100)
        .map(|i| format!("user:{i}:session:{}", i % 7))
        .collect();
    g.throughput(Throughput::Elements(keys.len() as u64));
    g.bench_function("user:*:session:? over 100 keys", |b| {
        b.iter(|| {
            keys.iter()
                .filter(|k| glob::matches(b"user:*:session:?", k.as_bytes(), false))
                .count()
        })
    });
    let hostile = "a".repeat(60);
    g.throughput(Throughput::Elements(1));
    g.bench_function("pathological a*a*a*a*a*a*b", |b| {
        b.iter(|| glob::matches(b"a*a*a*a*a*a*a*a*b", black_box(hostile.as_bytes()), false))
    });
    g.finish();
}

criterion_group!(micro, parser, writer, stream_nodes, pel, globs);
criterion_main!(micro);
