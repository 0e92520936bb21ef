// Real-client scenarios with ioredis and node-redis: node scenarios.mjs PORT
// One line per scenario; exits non-zero on the first failure.
import Redis from "ioredis";
import { createClient } from "redis";
import assert from "node:assert/strict";

const port = Number(process.argv[2]);

async function ioredisScenarios() {
  const r = new Redis({ port, host: "127.0.0.1" });
  await r.flushall();
  // Consumer group: alice dies mid-batch, dave recovers her entries with XAUTOCLAIM.
  await r.xgroup("CREATE", "orders", "workers", "0", "MKSTREAM");
  const produced = [];
  for (let i = 0; i < 40; i++) produced.push(await r.xadd("orders", "*", "n", String(i)));
  const processed = new Set();
  const dead = await r.xreadgroup("GROUP", "workers", "alice", "COUNT", 10, "STREAMS", "orders", ">");
  assert.equal(dead[0][1].length, 10);
  const bob = new Redis({ port, host: "127.0.0.1" });
  for (;;) {
    const resp = await bob.xreadgroup("GROUP", "workers", "bob", "COUNT", 5, "BLOCK", 200, "STREAMS", "orders", ">");
    if (!resp) break;
    for (const [id] of resp[0][1]) { processed.add(id); await bob.xack("orders", "workers", id); }
  }
  let cursor = "0-0";
  do {
    const [next, claimed] = await r.xautoclaim("orders", "workers", "dave", 0, cursor, "COUNT", 3);
    for (const [id] of claimed) { processed.add(id); await r.xack("orders", "workers", id); }
    cursor = next;
  } while (cursor !== "0-0");
  assert.deepEqual([...processed].sort(), [...produced].sort());
  assert.equal((await r.xpending("orders", "workers"))[0], 0);
  console.log("ioredis consumer_group_at_least_once: ok");

  // BRPOP workers and a reliable BLMOVE queue.
  const done = [];
  const workers = [0, 1, 2].map(async () => {
    const w = new Redis({ port, host: "127.0.0.1" });
    for (;;) {
      const item = await w.brpop("jobs:high", "jobs:low", 0.3);
      if (!item) break;
      done.push(item[1]);
    }
    w.disconnect();
  });
  for (let i = 0; i < 20; i++) await r.lpush(i % 2 ? "jobs:low" : "jobs:high", `job-${i}`);
  await Promise.all(workers);
  assert.equal(done.length, 20);
  await r.rpush("queue", "a", "b");
  for (;;) {
    const job = await r.blmove("queue", "processing", "RIGHT", "LEFT", 0.2);
    if (!job) break;
    assert.equal(await r.lrem("processing", 1, job), 1);
  }
  console.log("ioredis job_queues: ok");

  // Pub/Sub fan-out with a pattern.
  const sub = new Redis({ port, host: "127.0.0.1" });
  const got = [];
  sub.on("message", (ch, m) => got.push(`message:${ch}:${m}`));
  sub.on("pmessage", (p, ch, m) => got.push(`pmessage:${p}:${ch}:${m}`));
  await sub.subscribe("news");
  await sub.psubscribe("n*");
  assert.equal(await r.publish("news", "hi"), 2);
  await new Promise((res) => setTimeout(res, 100));
  assert.deepEqual(got.sort(), ["message:news:hi", "pmessage:n*:news:hi"]);
  sub.disconnect();
  console.log("ioredis pubsub_fanout: ok");

  // Pipeline and WATCH/MULTI.
  const p = r.pipeline();
  for (let i = 0; i < 50; i++) p.incr("counter");
  const res = await p.exec();
  assert.equal(res[49][1], 50);
  await r.set("balance", 10);
  const w = new Redis({ port, host: "127.0.0.1" });
  await w.watch("balance");
  await r.set("balance", 20);
  assert.equal(await w.multi().incrby("balance", 5).exec(), null);
  w.disconnect();
  console.log("ioredis pipelines_and_watch: ok");
  bob.disconnect();
  r.disconnect();
}

async function nodeRedisScenarios(RESP) {
  const c = createClient({ socket: { port, host: "127.0.0.1" }, RESP, unstableResp3: RESP === 3 });
  await c.connect();
  await c.flushAll();
  await c.xGroupCreate("s", "g", "0", { MKSTREAM: true });
  const ids = [];
  for (let i = 0; i < 20; i++) ids.push(await c.xAdd("s", "*", { n: String(i) }));
  const read = await c.xReadGroup("g", "w1", { key: "s", id: ">" }, { COUNT: 5 });
  const first = RESP === 3 ? Object.values(read)[0] ?? read : read;
  assert.ok(JSON.stringify(first).includes(ids[0]));
  const claimed = await c.xAutoClaim("s", "g", "w2", 0, "0-0", { COUNT: 10 });
  assert.ok(JSON.stringify(claimed).includes(ids[4]));
  console.log(`node-redis RESP${RESP} consumer_group: ok`);
  const w = c.duplicate();
  await w.connect();
  const pop = w.brPop(["q1", "q2"], 2);
  await new Promise((res) => setTimeout(res, 50));
  await c.lPush("q2", "job");
  const popped = await pop;
  assert.equal(popped.key, "q2");
  assert.equal(popped.element, "job");
  console.log(`node-redis RESP${RESP} brpop: ok`);
  const m = await c.multi().set("k", "1").incr("k").exec();
  assert.equal(m[1], 2);
  const sub = c.duplicate();
  await sub.connect();
  const seen = [];
  await sub.pSubscribe("ch*", (msg, ch) => seen.push(`${ch}:${msg}`));
  await c.publish("ch1", "x");
  await new Promise((res) => setTimeout(res, 100));
  assert.deepEqual(seen, ["ch1:x"]);
  console.log(`node-redis RESP${RESP} multi_and_pubsub: ok`);
  await sub.quit();
  await w.quit();
  await c.quit();
}

try {
  await ioredisScenarios();
  await nodeRedisScenarios(2);
  await nodeRedisScenarios(3);
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}
