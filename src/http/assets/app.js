// sluice dashboard: polls the JSON API (once a second, less often when a poll is slow) and
// renders the current view.
// No framework and no network access beyond this server: everything here ships in the binary.
"use strict";

const POLL_MS = 1000;
const HISTORY = 600; // samples kept per series: ten minutes at one a second
const state = { view: "overview", args: [], overview: null, streams: null, detail: null,
  pending: null, lists: null, pubsub: null, clients: null, slowlog: null, actions: false, error: null };
// The key filter of the streams and lists tables (the API's match/sort/limit): a server
// with thousands of keys sends one page of them.
const PAGE = 100;
const SORTS = {
  streams: [["key", "key"], ["lag", "lag"], ["pending", "pending"], ["length", "length"], ["memory", "memory"], ["groups", "groups"]],
  lists: [["key", "key"], ["length", "length"], ["blocked", "blocked clients"], ["pushed", "pushed"], ["popped", "popped"]],
};
const pages = { streams: { match: "", sort: "key", limit: PAGE }, lists: { match: "", sort: "key", limit: PAGE } };
const series = new Map(); // name -> [{t, v}]
const last = new Map(); // counter name -> {t, v} (for rates)

const $ = (s) => document.querySelector(s);
function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
function fmtNum(n) {
  if (n === null || n === undefined) return "–";
  if (typeof n !== "number") return esc(n);
  if (Math.abs(n) >= 1e9) return (n / 1e9).toFixed(2) + "G";
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(2) + "M";
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + "k";
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
function fmtBytes(n) {
  if (n === null || n === undefined) return "–";
  const u = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + u[i];
}
function fmtAge(ms) {
  if (ms === null || ms === undefined) return "–";
  const s = ms / 1000;
  if (s < 1) return ms + " ms";
  if (s < 120) return s.toFixed(1) + " s";
  if (s < 7200) return (s / 60).toFixed(1) + " min";
  if (s < 172800) return (s / 3600).toFixed(1) + " h";
  return (s / 86400).toFixed(1) + " d";
}
function push(name, t, v) {
  let s = series.get(name);
  if (!s) { s = []; series.set(name, s); }
  s.push({ t, v });
  if (s.length > HISTORY) s.shift();
}
// A counter's rate per second since its previous sample (null for the first).
function rate(name, t, v) {
  const p = last.get(name);
  last.set(name, { t, v });
  if (!p || t <= p.t || v < p.v) return null;
  return ((v - p.v) * 1000) / (t - p.t);
}

async function api(path, opts) {
  const r = await fetch(path, Object.assign({ cache: "no-store", credentials: "same-origin" }, opts || {}));
  const body = await r.json().catch(() => ({}));
  if (!r.ok && !body.reply) throw new Error(body.error || r.status + " " + r.statusText);
  return body;
}

// Which table the filter drives in the current view, if any.
function filterKind() {
  return { streams: "streams", lists: "lists" }[state.view] || null;
}
// The overview shows the streams that need attention: the most lagging few.
const OVERVIEW_STREAMS = 10;
function pageQuery(kind) {
  const p = pages[kind];
  return "?match=" + encodeURIComponent(p.match) + "&sort=" + encodeURIComponent(p.sort) + "&limit=" + p.limit;
}
// Shows the filter for the view, with its settings (kept per table while the page lives).
function showFilter() {
  const kind = filterKind(), f = $("#filter");
  f.hidden = !kind;
  if (!kind) return;
  if (f.dataset.kind !== kind) {
    f.dataset.kind = kind;
    $("#f-sort").innerHTML = SORTS[kind].map(([v, label]) => `<option value="${v}">${esc(label)}</option>`).join("");
    $("#f-match").value = pages[kind].match;
    $("#f-sort").value = pages[kind].sort;
  }
}
// "12 of 10,000 streams" under the filter, and Show more while some are left.
function showCount(kind, shown, total) {
  if (filterKind() !== kind) return;
  const noun = kind === "streams" ? "streams" : "lists";
  $("#f-count").textContent = total > shown ? `${fmtNum(shown)} of ${fmtNum(total)} ${noun}` : `${fmtNum(total)} ${noun}`;
  $("#f-more").hidden = !(total > shown);
}
let filterTimer = null;
$("#f-match").addEventListener("input", () => {
  const kind = filterKind();
  if (!kind) return;
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => { pages[kind].match = $("#f-match").value; pages[kind].limit = PAGE; tick(); }, 300);
});
$("#f-sort").addEventListener("change", () => {
  const kind = filterKind();
  if (kind) { pages[kind].sort = $("#f-sort").value; tick(); }
});
$("#f-more").addEventListener("click", () => {
  const kind = filterKind();
  if (kind) { pages[kind].limit += PAGE; tick(); }
});
$("#filter").addEventListener("submit", (e) => e.preventDefault());

function route() {
  const h = location.hash.replace(/^#\/?/, "");
  const parts = h.split("/").map(decodeURIComponent);
  state.view = parts[0] || "overview";
  state.args = parts.slice(1);
  state.detail = null;
  state.pending = null;
  showFilter();
  document.querySelectorAll(".tabs a").forEach((a) => {
    const v = a.dataset.view;
    const on = v === state.view || (v === "streams" && state.view === "stream");
    a.setAttribute("aria-selected", on ? "true" : "false");
  });
  tick();
}

function recordStreams(d) {
  for (const s of d.streams) {
    const id = s.db + "/" + s.key;
    const r = rate("added:" + id, d.time_ms, s.entries_added);
    s.added_rate = r;
    if (r !== null) push("added:" + id, d.time_ms, r);
    push("length:" + id, d.time_ms, s.length);
    for (const g of s.groups) {
      const gid = id + "/" + g.name;
      g.deliver_rate = rate("deliv:" + gid, d.time_ms, g.deliveries);
      g.ack_rate = rate("acks:" + gid, d.time_ms, g.acks);
      push("pending:" + gid, d.time_ms, g.pending);
      push("lag:" + gid, d.time_ms, g.lag ?? 0);
      if (g.deliver_rate !== null) push("deliv:" + gid, d.time_ms, g.deliver_rate);
      if (g.ack_rate !== null) push("acks:" + gid, d.time_ms, g.ack_rate);
    }
  }
}

async function tick() {
  try {
    const o = await api("/api/overview");
    state.overview = o;
    state.actions = !!(o.dashboard && o.dashboard.actions);
    const t = o.dashboard.time_ms;
    push("ops", t, o.stats.instantaneous_ops_per_sec);
    push("mem", t, o.memory.used_memory);
    push("clients", t, o.clients.connected_clients);
    const v = state.view;
    if (v === "streams" || v === "overview") {
      const q = v === "overview" ? `?sort=lag&limit=${OVERVIEW_STREAMS}` : pageQuery("streams");
      state.streams = await api("/api/streams" + q);
      recordStreams(state.streams);
      showCount("streams", state.streams.streams.length, state.streams.total);
    } else if (v === "stream") {
      const [db, key] = state.args;
      const q = "db=" + encodeURIComponent(db) + "&key=" + encodeURIComponent(key);
      const d = await api("/api/stream?" + q).catch((e) => ({ error: e.message }));
      state.detail = d;
      if (d.stream) {
        recordStreams({ time_ms: d.time_ms, streams: [d.stream] });
        const g = state.args[2] || (d.stream.groups[0] && d.stream.groups[0].name);
        state.pendingGroup = g;
        state.pending = g ? await api("/api/pending?" + q + "&group=" + encodeURIComponent(g) + "&count=100").catch(() => null) : null;
      }
    } else if (v === "lists") {
      state.lists = await api("/api/lists" + pageQuery("lists"));
      const t = state.lists.time_ms;
      for (const l of state.lists.lists) {
        const id = l.db + "/" + l.key;
        l.push_rate = l.pushed == null ? null : rate("pushed:" + id, t, l.pushed);
        l.pop_rate = l.popped == null ? null : rate("popped:" + id, t, l.popped);
      }
      showCount("lists", state.lists.lists.length, state.lists.total);
    } else if (v === "pubsub") {
      state.pubsub = await api("/api/pubsub");
    } else if (v === "clients") {
      state.clients = await api("/api/clients");
    } else if (v === "slowlog") {
      state.slowlog = await api("/api/slowlog");
    }
    state.error = null;
    $("#live").textContent = "live";
    $("#live").className = "live ok";
  } catch (e) {
    state.error = e.message;
    $("#live").textContent = "disconnected: " + e.message;
    $("#live").className = "live err";
  }
  render();
}

function card(k, v, small) {
  return `<div class="card"><div class="k">${esc(k)}</div><div class="v${small ? " small" : ""}">${v}</div></div>`;
}
function chart(name, title, fmt) {
  const s = series.get(name) || [];
  const cur = s.length ? (fmt || fmtNum)(s[s.length - 1].v) : "–";
  return `<div class="chart"><div class="k"><span>${esc(title)}</span><span>${cur}</span></div>` +
    `<canvas data-series="${esc(name)}" aria-label="${esc(title)} over the last minutes" role="img"></canvas></div>`;
}
function drawCharts() {
  const color = getComputedStyle(document.documentElement).getPropertyValue("--chart").trim() || "#1f6feb";
  document.querySelectorAll("canvas[data-series]").forEach((c) => {
    const s = series.get(c.dataset.series) || [];
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth, h = c.clientHeight;
    c.width = w * dpr; c.height = h * dpr;
    const g = c.getContext("2d");
    g.scale(dpr, dpr);
    g.clearRect(0, 0, w, h);
    if (s.length < 2) return;
    const max = Math.max(1, ...s.map((p) => p.v));
    const t0 = s[0].t, t1 = s[s.length - 1].t || t0 + 1;
    g.strokeStyle = color; g.lineWidth = 1.5; g.beginPath();
    s.forEach((p, i) => {
      const x = ((p.t - t0) / Math.max(1, t1 - t0)) * (w - 2) + 1;
      const y = h - 2 - (p.v / max) * (h - 6);
      i ? g.lineTo(x, y) : g.moveTo(x, y);
    });
    g.stroke();
  });
}

function table(head, rows, empty) {
  if (!rows.length) return `<div class="empty">${esc(empty)}</div>`;
  const th = head.map((h) => `<th class="${h.num ? "num" : ""}" scope="col">${esc(h.t)}</th>`).join("");
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}
const H = (t, num) => ({ t, num });
const td = (v, num) => `<td class="${num ? "num" : ""}">${v}</td>`;

function viewOverview() {
  const o = state.overview;
  if (!o) return "";
  const s = o.server, c = o.clients, m = o.memory, p = o.persistence, st = o.stats;
  const keys = Object.entries(o.keyspace || {}).map(([db, v]) => db + ": " + String(v).split(",")[0].replace("keys=", "") + " keys").join(", ");
  let h = `<div class="cards">` +
    card("Version", esc(s.redis_version) + ` <span class="muted">sluice ${esc(s.sluice_version)}</span>`) +
    card("Uptime", fmtAge(s.uptime_in_seconds * 1000)) +
    card("Clients", fmtNum(c.connected_clients) + ` <span class="muted">${fmtNum(c.blocked_clients)} blocked</span>`) +
    card("Memory", fmtBytes(m.used_memory) + ` <span class="muted">peak ${fmtBytes(m.used_memory_peak)}</span>`) +
    card("Ops/s", fmtNum(st.instantaneous_ops_per_sec)) +
    card("AOF", p.aof_enabled ? `on <span class="muted">${esc(p.aof_last_write_status)}, ${fmtBytes(p.aof_current_size || 0)}</span>` : "off") +
    card("Last rewrite / save", `${p.aof_last_bgrewrite_status || "–"} <span class="muted">saved ${p.rdb_last_save_time ? new Date(p.rdb_last_save_time * 1000).toLocaleTimeString() : "–"}</span>`) +
    card("Keys", esc(keys || "none")) +
    `</div>`;
  h += `<section class="panel"><h2>Server</h2><div class="charts">` +
    chart("ops", "Operations per second") + chart("mem", "Used memory", fmtBytes) + chart("clients", "Connected clients") +
    `</div></section>`;
  const top = state.streams;
  if (top) {
    const title = top.total > top.streams.length
      ? `Streams <span class="muted">the ${top.streams.length} most lagging of ${fmtNum(top.total)}, <a href="#/streams">all</a></span>`
      : "Streams";
    h += `<section class="panel"><h2>${title}</h2>${streamsTable(top.streams)}</section>`;
  }
  return h;
}

function streamsTable(list) {
  const rows = list.map((s) => {
    const pending = s.groups.reduce((a, g) => a + g.pending, 0);
    const lag = s.groups.reduce((a, g) => a + (g.lag || 0), 0);
    const href = "#/stream/" + encodeURIComponent(s.db) + "/" + encodeURIComponent(s.key);
    return `<tr data-stream="${esc(s.key)}">` + td(`<a href="${href}">${esc(s.key)}</a>${s.db ? ` <span class="badge">db${s.db}</span>` : ""}`) +
      td(fmtNum(s.length), 1) + td(fmtBytes(s.memory), 1) + td(s.added_rate == null ? "–" : fmtNum(s.added_rate), 1) +
      td(esc(s.first_id || "–")) + td(fmtAge(s.first_age_ms), 1) + td(esc(s.last_id || "–")) + td(fmtAge(s.last_age_ms), 1) +
      td(s.groups.length, 1) + td(`<span class="pending">${fmtNum(pending)}</span>`, 1) + td(`<span class="lag">${fmtNum(lag)}</span>`, 1) + `</tr>`;
  });
  return table([H("Stream"), H("Length", 1), H("Memory", 1), H("Added/s", 1), H("First ID"), H("First age", 1), H("Last ID"), H("Last age", 1), H("Groups", 1), H("Pending", 1), H("Lag", 1)], rows, "No streams.");
}

function actionButton(label, data, danger) {
  const attrs = Object.entries(data).map(([k, v]) => `data-${k}="${esc(v)}"`).join(" ");
  const off = state.actions ? "" : ` disabled title="Actions are off (sluice-http-actions no)"`;
  return `<button type="button" class="act${danger ? " danger" : ""}" ${attrs}${off}>${esc(label)}</button>`;
}

function viewStream() {
  const d = state.detail;
  if (!d) return `<div class="empty">Loading…</div>`;
  if (d.error) return `<section class="panel"><h2>${esc(state.args[1])}</h2><div class="empty">${esc(d.error)}</div></section>`;
  const s = d.stream, id = s.db + "/" + s.key;
  const r = s.retention;
  const ret = r.max_age_ms || r.max_bytes
    ? `max age ${r.max_age_ms ? fmtAge(r.max_age_ms) : "–"}, max size ${r.max_bytes ? fmtBytes(r.max_bytes) : "–"} <span class="muted">(${esc(r.from)})</span>`
    : "none";
  let h = `<section class="panel"><h2 id="stream-title">${esc(s.key)} <span class="badge">db${s.db}</span></h2><div class="cards">` +
    card("Length", `<span id="stream-length">${fmtNum(s.length)}</span>`) + card("Memory", fmtBytes(s.memory)) +
    card("Added/s", s.added_rate == null ? "–" : fmtNum(s.added_rate)) + card("Entries added", fmtNum(s.entries_added)) +
    card("First ID", `${esc(s.first_id || "–")} <span class="muted">${fmtAge(s.first_age_ms)}</span>`, 1) +
    card("Last ID", `${esc(s.last_id || "–")} <span class="muted">${fmtAge(s.last_age_ms)}</span>`, 1) +
    card("Retention", ret, 1) + card("Delayed", fmtNum(s.delayed)) + `</div>` +
    `<div class="charts">${chart("added:" + id, "Entries added per second")}${chart("length:" + id, "Length")}</div>` +
    `<h3>Trim</h3><div class="actions">${actionButton("Trim…", { action: "trim", key: s.key, db: s.db }, true)}</div></section>`;
  for (const g of s.groups) {
    const gid = id + "/" + g.name;
    const dl = g.dead_letter ? `after ${g.dead_letter.max_deliveries} deliveries → ${esc(g.dead_letter.target)} (${fmtNum(g.dead_letter.dead_lettered)} so far, ${esc(g.dead_letter.from)})` : "none";
    h += `<section class="panel group" data-group="${esc(g.name)}"><h2>Group ${esc(g.name)}</h2><div class="cards">` +
      card("Consumers", fmtNum(g.consumers)) + card("Pending", `<span class="g-pending">${fmtNum(g.pending)}</span>`) +
      card("Lag", `<span class="g-lag">${fmtNum(g.lag)}</span>`) + card("Oldest pending", fmtAge(g.oldest_pending_age_ms)) +
      card("Longest idle", fmtAge(g.oldest_pending_idle_ms)) + card("Deliveries/s", g.deliver_rate == null ? "–" : fmtNum(g.deliver_rate)) +
      card("Acks/s", g.ack_rate == null ? "–" : fmtNum(g.ack_rate)) + card("Redeliveries", fmtNum(g.redeliveries)) +
      card("Last delivered", esc(g.last_delivered_id), 1) + card("Dead letters", dl, 1) + `</div>` +
      `<div class="charts">${chart("pending:" + gid, "Pending")}${chart("lag:" + gid, "Lag")}${chart("deliv:" + gid, "Deliveries per second")}${chart("acks:" + gid, "Acks per second")}</div>` +
      `<h3>Consumers</h3>` +
      table([H("Consumer"), H("Pending", 1), H("Idle", 1), H("Last active", 1), H("")], (g.consumer_list || []).map((c) =>
        `<tr>${td(esc(c.name))}${td(fmtNum(c.pending), 1)}${td(fmtAge(c.idle_ms), 1)}${td(c.inactive_ms == null ? "never" : fmtAge(c.inactive_ms) + " ago", 1)}` +
        td(actionButton("Delete", { action: "delconsumer", key: s.key, db: s.db, group: g.name, consumer: c.name, pending: c.pending }, true)) + `</tr>`), "No consumers.") +
      `<div class="actions">${actionButton("Show pending", { show: g.name })}${actionButton("Delete group", { action: "destroygroup", key: s.key, db: s.db, group: g.name }, true)}</div>`;
    if (g.name === state.pendingGroup && state.pending) {
      h += `<h3>Pending entries</h3>` + table([H("ID"), H("Consumer"), H("Idle", 1), H("Deliveries", 1), H("")], state.pending.pending.map((p) =>
        `<tr data-id="${esc(p.id)}">${td(esc(p.id))}${td(p.consumer == null ? `<span class="badge warn">nacked</span>` : esc(p.consumer))}${td(fmtAge(p.idle_ms), 1)}${td(fmtNum(p.deliveries), 1)}` +
        td(`<div class="actions">${actionButton("Ack", { action: "ack", key: s.key, db: s.db, group: g.name, id: p.id })}` +
          `${actionButton("Claim…", { action: "claim", key: s.key, db: s.db, group: g.name, id: p.id })}` +
          `${g.dead_letter ? actionButton("Dead-letter", { action: "deadletter", key: s.key, db: s.db, group: g.name, id: p.id }, true) : ""}</div>`) + `</tr>`), "Nothing pending.");
    }
    h += `</section>`;
  }
  if (!s.groups.length) h += `<section class="panel"><div class="empty">No consumer groups.</div></section>`;
  return h;
}

function viewLists() {
  const l = state.lists;
  if (!l) return "";
  // A queue drained by its workers has no key (Redis deletes empty lists): it is listed with
  // length 0 while it has been pushed to since start or clients wait on it.
  return `<section class="panel"><h2>Lists</h2>` + table([H("List"), H("Length", 1), H("Pushed/s", 1), H("Popped/s", 1), H("Blocked clients", 1)], l.lists.map((x) =>
    `<tr data-list="${esc(x.key)}">${td(esc(x.key) + (x.db ? ` <span class="badge">db${x.db}</span>` : ""))}${td(`<span class="len">${fmtNum(x.length)}</span>`, 1)}` +
    `${td(x.push_rate == null ? "–" : fmtNum(x.push_rate), 1)}${td(x.pop_rate == null ? "–" : fmtNum(x.pop_rate), 1)}${td(`<span class="blocked">${fmtNum(x.blocked)}</span>`, 1)}</tr>`), "No lists.") + `</section>`;
}
function viewPubsub() {
  const p = state.pubsub;
  if (!p) return "";
  const t = (rows, k) => table([H(k === "pattern" ? "Pattern" : "Channel"), H("Subscribers", 1)], rows.map((r) => `<tr>${td(esc(r[k]))}${td(fmtNum(r.subscribers), 1)}</tr>`), "None.");
  return `<section class="panel"><h2>Channels</h2>${t(p.channels, "channel")}<h3>Patterns</h3>${t(p.patterns, "pattern")}<h3>Shard channels</h3>${t(p.shard_channels, "channel")}</section>`;
}
function viewClients() {
  const c = state.clients;
  if (!c) return "";
  return `<section class="panel"><h2>Clients (${c.clients.length})</h2>` + table([H("ID"), H("Address"), H("Name"), H("Age", 1), H("Idle", 1), H("DB", 1), H("Flags"), H("Last command"), H("Library")], c.clients.map((x) =>
    `<tr>${td(esc(x.id))}${td(esc(x.addr))}${td(esc(x.name))}${td(fmtAge(+x.age * 1000), 1)}${td(fmtAge(+x.idle * 1000), 1)}${td(esc(x.db), 1)}${td(esc(x.flags))}${td(esc(x.cmd))}${td(esc((x["lib-name"] || "") + " " + (x["lib-ver"] || "")))}</tr>`), "No clients.") + `</section>`;
}
function viewSlowlog() {
  const s = state.slowlog;
  if (!s) return "";
  return `<section class="panel"><h2>Slow log</h2>` + table([H("ID", 1), H("Time"), H("Duration", 1), H("Command"), H("Client")], s.slowlog.map((e) =>
    `<tr>${td(e.id, 1)}${td(new Date(e.time * 1000).toLocaleString())}${td(fmtNum(e.duration_us) + " µs", 1)}${td(esc(e.argv.join(" ")))}${td(esc(e.client + (e.name ? " " + e.name : "")))}</tr>`), "Empty.") + `</section>`;
}

function render() {
  const views = { overview: viewOverview, streams: () => state.streams ? `<section class="panel"><h2>Streams</h2>${streamsTable(state.streams.streams)}</section>` : "",
    stream: viewStream, lists: viewLists, pubsub: viewPubsub, clients: viewClients, slowlog: viewSlowlog };
  const o = state.overview;
  if (o) $("#server").textContent = `${o.server.redis_version} · port ${o.server.tcp_port}`;
  // Keep keyboard focus across re-renders: remember the focused control by what it does.
  const f = document.activeElement;
  const key = f && f.closest("main") ? f.outerHTML : null;
  $("#main").innerHTML = (views[state.view] || viewOverview)();
  if (key) {
    const same = [...document.querySelectorAll("#main a, #main button")].find((e) => e.outerHTML === key);
    if (same) same.focus();
  }
  drawCharts();
}

function toast(msg) {
  const t = $("#toast");
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 4000);
}

function describe(d) {
  switch (d.action) {
    case "ack": return `Acknowledge ${d.id} in group ${d.group} of ${d.key}?`;
    case "claim": return `Claim ${d.id} in group ${d.group} of ${d.key} for a consumer:`;
    case "deadletter": return `Move ${d.id} to the dead-letter stream of group ${d.group}? It leaves the pending list.`;
    case "delconsumer": return `Delete consumer ${d.consumer} of group ${d.group}? Its ${d.pending} pending entries are forgotten.`;
    case "destroygroup": return `Delete group ${d.group} of ${d.key} with its consumers and pending entries?`;
    case "trim": return `Trim ${d.key}:`;
  }
  return "";
}

async function runAction(d) {
  const dlg = $("#confirm");
  $("#confirm-text").textContent = describe(d);
  const extra = $("#confirm-extra");
  extra.innerHTML = "";
  if (d.action === "claim") {
    extra.innerHTML = `<label>Consumer <input id="f-consumer" required autocomplete="off"></label>`;
  } else if (d.action === "trim") {
    extra.innerHTML = `<label>Strategy <select id="f-strategy"><option value="MAXLEN">MAXLEN (keep the newest N)</option><option value="MINID">MINID (drop IDs below)</option></select></label>` +
      `<label>Threshold <input id="f-threshold" required autocomplete="off"></label>`;
  }
  dlg.returnValue = "";
  dlg.showModal();
  const answer = await new Promise((res) => dlg.addEventListener("close", () => res(dlg.returnValue), { once: true }));
  if (answer !== "ok") return;
  const body = { action: d.action, key: d.key, db: +d.db, group: d.group, id: d.id, consumer: d.consumer };
  if (d.action === "claim") body.consumer = $("#f-consumer").value;
  if (d.action === "trim") { body.strategy = $("#f-strategy").value; body.threshold = $("#f-threshold").value; }
  try {
    const r = await api("/api/action", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (r.reply && r.reply.error) toast(r.command.join(" ") + ": " + r.reply.error);
    else toast(r.command.join(" ") + " → " + JSON.stringify(r.reply));
  } catch (e) {
    toast("Failed: " + e.message);
  }
  tick();
}

document.addEventListener("click", (e) => {
  const b = e.target.closest("button.act");
  if (!b || b.disabled) return;
  if (b.dataset.show) {
    state.pendingGroup = b.dataset.show;
    location.hash = "#/stream/" + encodeURIComponent(state.args[0]) + "/" + encodeURIComponent(state.args[1]) + "/" + encodeURIComponent(b.dataset.show);
    return;
  }
  runAction(Object.assign({}, b.dataset));
});
$("#theme").addEventListener("click", () => {
  const dark = document.documentElement.dataset.theme !== "dark";
  document.documentElement.dataset.theme = dark ? "dark" : "light";
  try { localStorage.setItem("sluice-theme", dark ? "dark" : "light"); } catch (_) {}
  drawCharts();
});
(function initTheme() {
  let t = null;
  try { t = localStorage.getItem("sluice-theme"); } catch (_) {}
  if (!t) t = window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  document.documentElement.dataset.theme = t;
})();
window.addEventListener("hashchange", route);
window.addEventListener("resize", drawCharts);
route();
// One poll at a time, at most once a second, and waiting at least twenty times as long as
// the last one took: on a server with thousands of streams a poll costs it tens of
// milliseconds of CPU, and an open dashboard must not take more than a few percent of it.
async function pollLoop() {
  const t0 = performance.now();
  if (!document.hidden) await tick();
  setTimeout(pollLoop, Math.max(POLL_MS, 20 * (performance.now() - t0)));
}
setTimeout(pollLoop, POLL_MS);
