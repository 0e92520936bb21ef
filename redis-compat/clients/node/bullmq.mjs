// BullMQ against a server: node bullmq.mjs PORT
// A queue and a worker (BullMQ's ~50 Lua scripts, EVALSHA with the EVAL fallback, streams
// for events, sorted sets for delays), a delayed job, a job retried with attempts and
// backoff until it succeeds, a job that fails for good, QueueEvents seeing them complete.
// One line per scenario; exits non-zero on the first failure.
import { Queue, Worker, QueueEvents } from "bullmq";
import Redis from "ioredis";
import assert from "node:assert/strict";

const port = Number(process.argv[2]);
const connection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
const deadline = setTimeout(() => {
  console.error("bullmq: deadline passed");
  process.exit(2);
}, 60_000);

async function main() {
  const flush = new Redis({ host: "127.0.0.1", port, db: 0 });
  await flush.flushall();
  const name = "sluice-bullmq";
  const queue = new Queue(name, { connection });
  queue.setMaxListeners(100); // one per waitUntilFinished below
  const events = new QueueEvents(name, { connection });
  await events.waitUntilReady();
  const attemptsSeen = new Map();
  const completedEvents = new Set();
  events.on("completed", ({ jobId }) => completedEvents.add(jobId));
  const worker = new Worker(
    name,
    async (job) => {
      attemptsSeen.set(job.id, (attemptsSeen.get(job.id) ?? 0) + 1);
      if (job.name === "flaky" && job.attemptsMade < 2) throw new Error("try again");
      if (job.name === "broken") throw new Error("always broken");
      if (job.name === "add") return job.data.a + job.data.b;
      return "done";
    },
    { connection, concurrency: 4 },
  );
  await worker.waitUntilReady();

  // Plain jobs: each result comes back through waitUntilFinished (QueueEvents).
  const jobs = await Promise.all(
    Array.from({ length: 20 }, (_, i) => queue.add("add", { a: i, b: 100 })),
  );
  const results = await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 20_000)));
  assert.deepEqual(results, jobs.map((_, i) => i + 100));
  console.log("bullmq queue_worker_results: ok");

  // A delayed job waits in the delayed set, then runs.
  const t0 = Date.now();
  const delayed = await queue.add("later", {}, { delay: 1000 });
  assert.equal(await delayed.getState(), "delayed");
  assert.equal(await delayed.waitUntilFinished(events, 20_000), "done");
  assert.ok(Date.now() - t0 >= 900, `ran after ${Date.now() - t0} ms`);
  console.log("bullmq delayed_job: ok");

  // Retries: fails twice, succeeds on the third attempt; another exhausts its attempts.
  const flaky = await queue.add("flaky", {}, { attempts: 3, backoff: { type: "fixed", delay: 100 } });
  assert.equal(await flaky.waitUntilFinished(events, 20_000), "done");
  assert.equal(attemptsSeen.get(flaky.id), 3);
  const broken = await queue.add("broken", {}, { attempts: 2, backoff: { type: "fixed", delay: 50 } });
  await assert.rejects(broken.waitUntilFinished(events, 20_000), /always broken/);
  const failed = await queue.getJob(broken.id);
  assert.equal(await failed.getState(), "failed");
  assert.equal(failed.attemptsMade, 2);
  assert.equal(failed.failedReason, "always broken");
  console.log("bullmq retry_with_attempts: ok");

  // QueueEvents saw every completion, and the queue's counts add up.
  for (const j of [...jobs, delayed, flaky]) assert.ok(completedEvents.has(j.id), `event for ${j.id}`);
  const counts = await queue.getJobCounts("completed", "failed", "waiting", "delayed", "active");
  assert.deepEqual(counts, { completed: 22, failed: 1, waiting: 0, delayed: 0, active: 0 });
  console.log("bullmq queue_events_and_counts: ok");

  await worker.close();
  await events.close();
  await queue.close();
  await flush.quit();
}

main().then(
  () => {
    clearTimeout(deadline);
    process.exit(0);
  },
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
