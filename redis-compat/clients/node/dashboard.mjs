// The dashboard in a real headless Chromium (Debian's, driven by playwright-core): loads,
// updates live after an XADD, shows a group's lag and pending counts as XINFO has them,
// performs an action (ack a pending entry, confirmed in the dialog) and reflects it, with no
// console errors; the key filter and sort of the streams table; lists with push/pop rates,
// a drained queue (no key) and one with a blocked worker. With SCREENSHOTS=dir, writes the main views there (light, dark, phone).
//
// usage: node dashboard.mjs <redis port> <http port>
import { chromium } from "playwright-core";
import Redis from "ioredis";

const [port, httpPort] = process.argv.slice(2).map(Number);
const base = `http://127.0.0.1:${httpPort}`;
const shots = process.env.SCREENSHOTS;
const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
await r.connect();

function fail(msg) {
  console.error("dashboard: FAILED: " + msg);
  process.exit(1);
}
async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  fail(`${what} (last: ${last})`);
}

// A queue with work in flight: 20 jobs, a group that read 8 of them (5 by w1, 3 by w2),
// 2 acknowledged; a dead-letter rule; a list and a subscriber for the other views.
await r.del("jobs", "mail", "jobs:dead", "orders:1", "orders:2", "orders:3", "q:drained", "q:idle");
for (let i = 0; i < 20; i++) await r.xadd("jobs", "*", "job", String(i), "payload", "x".repeat(20));
await r.xgroup("CREATE", "jobs", "workers", "0");
const got = await r.xreadgroup("GROUP", "workers", "w1", "COUNT", 5, "STREAMS", "jobs", ">");
await r.xreadgroup("GROUP", "workers", "w2", "COUNT", 3, "STREAMS", "jobs", ">");
await r.xack("jobs", "workers", got[0][1][0][0], got[0][1][1][0]);
await r.call("SLUICE.POLICY", "DEADLETTER", "jobs", "workers", "MAXDELIVERIES", "3", "TO", "jobs:dead");
await r.rpush("mail", "a", "b", "c");
for (let i = 1; i <= 3; i++) for (let j = 0; j < i * 10; j++) await r.xadd(`orders:${i}`, "*", "n", String(j));
// A queue its workers drained (Redis deletes the empty list), and one a worker waits on.
await r.rpush("q:drained", "x", "y");
await r.lpop("q:drained", 2);
const blocker = new Redis({ port, host: "127.0.0.1" });
blocker.blpop("q:idle", 0).catch(() => {});
const sub = new Redis({ port, host: "127.0.0.1" });
await sub.subscribe("events");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const errors = [];
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on("console", (m) => { if (m.type() === "error") errors.push("console: " + m.text()); });
page.on("pageerror", (e) => errors.push("page: " + e.message));
page.on("requestfailed", (q) => errors.push("request failed: " + q.url()));

// 1. Load: the overview shows the server and the stream.
await page.goto(base + "/");
await until("overview shows the live marker", async () => (await page.textContent("#live")) === "live");
await until("overview lists the jobs stream", async () => (await page.locator('tr[data-stream="jobs"]').count()) === 1);
const version = await page.textContent("#server");
if (!version.includes(`port ${port}`)) fail("server line: " + version);
if (shots) await page.screenshot({ path: `${shots}/dashboard-overview.png`, fullPage: true });

// 1b. The key filter (a glob, as SCAN MATCH) and the sort of the streams table.
const rowKeys = () => page.locator("main tr[data-stream]").evaluateAll((rows) => rows.map((e) => e.dataset.stream));
await until("overview puts the lagging stream first", async () => (await rowKeys())[0] === "jobs");
await page.goto(base + "/#/streams");
await until("streams view lists all four streams", async () => (await rowKeys()).join() === "jobs,orders:1,orders:2,orders:3");
await page.fill("#f-match", "orders:*");
await until("filter keeps the three orders streams", async () => (await rowKeys()).join() === "orders:1,orders:2,orders:3");
await until("count says 3 streams", async () => (await page.textContent("#f-count")) === "3 streams");
await page.selectOption("#f-sort", "length");
await until("sorted by length, longest first", async () => (await rowKeys()).join() === "orders:3,orders:2,orders:1");
await page.fill("#f-match", "");
await page.selectOption("#f-sort", "key");
await until("filter cleared", async () => (await rowKeys()).length === 4);

// 2. Live update after XADD, without a reload.
await page.goto(base + "/#/stream/0/jobs");
await until("stream page shows length 20", async () => (await page.textContent("#stream-length")) === "20");
await r.xadd("jobs", "*", "job", "20", "payload", "late");
await until("length moves to 21 after XADD", async () => (await page.textContent("#stream-length")) === "21");

// 3. The group's lag and pending as XINFO GROUPS reports them.
const info = await r.xinfo("GROUPS", "jobs");
const g = {};
for (let i = 0; i < info[0].length; i += 2) g[info[0][i]] = info[0][i + 1];
const group = page.locator('section.group[data-group="workers"]');
await until("pending count matches XINFO", async () => (await group.locator(".g-pending").textContent()) === String(g.pending));
await until("lag matches XINFO", async () => (await group.locator(".g-lag").textContent()) === String(g.lag));
if (g.pending !== 6 || g.lag !== 13) fail(`unexpected XINFO: pending ${g.pending} lag ${g.lag}`);

// 4. An action: acknowledge the first pending entry through the confirm dialog.
await until("pending entries listed", async () => (await group.locator("tr[data-id]").count()) === 6);
const firstId = await group.locator("tr[data-id]").first().getAttribute("data-id");
await group.locator(`tr[data-id="${firstId}"] button`, { hasText: "Ack" }).click();
await until("confirm dialog open", async () => await page.locator("#confirm").evaluate((d) => d.open));
await page.click("#confirm-ok");
await until("pending drops to 5 on the page", async () => (await group.locator(".g-pending").textContent()) === "5");
const pend = await r.xpending("jobs", "workers");
if (pend[0] !== 5) fail("XPENDING after the ack: " + pend[0]);
const still = await r.xpending("jobs", "workers", "-", "+", 10);
if (still.some((e) => e[0] === firstId)) fail("acked entry still pending");
await until("acked entry gone from the list", async () => (await group.locator(`tr[data-id="${firstId}"]`).count()) === 0);
if (shots) await page.screenshot({ path: `${shots}/dashboard-stream.png`, fullPage: true });

// 5. Keyboard: the tabs are links reachable with Tab, and Enter opens a view.
// A fresh load, so Tab starts at the top of the page (a hash change keeps the old focus).
await page.goto(base + "/#/");
await page.reload();
await until("overview again", async () => (await page.textContent("#live")) === "live");
await page.keyboard.press("Tab");
await page.keyboard.press("Tab");
let focused = "";
for (let i = 0; i < 8 && focused !== "Lists"; i++) {
  focused = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
  if (focused !== "Lists") await page.keyboard.press("Tab");
}
if (focused !== "Lists") fail("the Lists tab is not reachable by keyboard");
await page.keyboard.press("Enter");
await until("lists view by keyboard", async () => (await page.textContent("main")).includes("mail"));

// 5b. Lists as queues: the drained queue is listed with length 0, the waited-on one with
// its blocked worker, and pushes show as a rate on the next poll.
const listRow = (k) => page.locator(`main tr[data-list="${k}"]`);
await until("drained queue listed at length 0", async () => (await listRow("q:drained").locator(".len").textContent()) === "0");
await until("waited-on queue shows its blocked worker", async () => (await listRow("q:idle").locator(".blocked").textContent()) === "1");
await until("mail has a baseline", async () => (await listRow("mail").count()) === 1);
await new Promise((res) => setTimeout(res, 1200));
await r.rpush("mail", ...Array.from({ length: 50 }, (_, i) => "m" + i));
await until("pushes show as a rate", async () => {
  const v = await listRow("mail").locator("td").nth(2).textContent();
  return v !== "–" && Number(v) > 0;
});
if (shots) await page.screenshot({ path: `${shots}/dashboard-lists.png`, fullPage: true });

// 6. The other views render their data.
await page.goto(base + "/#/pubsub");
await until("pub/sub view shows the channel", async () => (await page.textContent("main")).includes("events"));
await page.goto(base + "/#/clients");
await until("clients view lists both clients", async () => (await page.locator("main tbody tr").count()) >= 2 && (await page.textContent("main")).includes("subscribe"));

// Dark theme and a phone-sized screen.
await page.goto(base + "/#/stream/0/jobs");
await until("stream page again", async () => (await page.textContent("#stream-length")) === "21");
await page.click("#theme");
const theme = await page.evaluate(() => document.documentElement.dataset.theme);
if (theme !== "dark") fail("theme toggle: " + theme);
if (shots) await page.screenshot({ path: `${shots}/dashboard-stream-dark.png`, fullPage: true });
await page.setViewportSize({ width: 390, height: 844 });
await page.goto(base + "/#/");
await until("phone overview", async () => (await page.locator('tr[data-stream="jobs"]').count()) === 1);
const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
if (overflow > 2) fail("page wider than a phone screen by " + overflow + "px");
if (shots) await page.screenshot({ path: `${shots}/dashboard-phone.png`, fullPage: true });

await browser.close();
sub.disconnect();
blocker.disconnect();
r.disconnect();
if (errors.length) fail("errors in the page:\n" + errors.join("\n"));
console.log("dashboard: ok (load, filter and sort, live update, lag/pending, ack action, keyboard, lists as queues, views, dark, phone)");
