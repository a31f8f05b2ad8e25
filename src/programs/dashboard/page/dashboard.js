// The omcm dashboard page: plain JavaScript, no build step. It reads one snapshot (/api/snapshot), then follows the
// server-sent snapshots of /api/stream and redraws. Charts are uPlot (bundled, served by the dashboard itself).
"use strict";
(() => {
  const token = new URLSearchParams(location.search).get("token") || "";
  const PALETTE = ["#4fd1a5", "#6ea8fe", "#f2b84b", "#ef6b73", "#b38cff", "#5fd3e8", "#f28cc3", "#9fd36a", "#ffa05c", "#a7b4c4"];
  const AXIS = { stroke: "#8595a8", grid: { stroke: "#222c38", width: 1 }, ticks: { stroke: "#263241", width: 1 } };
  const $ = (id) => document.getElementById(id);
  const charts = {};
  let range = localStorage.getItem("omcm-range") || "hour";
  let seenDelegations = null;

  // ---- formatting ----
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const tokens = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));
  const usd = (n) => (n === null || n === undefined ? "-" : Math.abs(n) >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`);
  const ms = (n) => (n === null || n === undefined ? "-" : n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
  const pct = (n) => (n === null || n === undefined ? "?" : `${Math.round(n)}%`);
  const two = (n) => String(n).padStart(2, "0");
  const clock = (t) => { const d = new Date(t); return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`; };
  const hhmm = (t) => { const d = new Date(t); return `${two(d.getHours())}:${two(d.getMinutes())}`; };
  const span = (delta) => { const m = Math.max(0, Math.round(delta / 60000)); return m >= 60 ? `${Math.floor(m / 60)}h ${two(m % 60)}m` : `${m}m`; };

  /** an element with text children (never HTML: names come from recorded events) */
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) node.setAttribute(k, v);
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  };
  const fill = (tbody, rows, columns, empty) => {
    tbody.replaceChildren(...(rows.length > 0 ? rows : [el("tr", {}, el("td", { colspan: String(columns), class: "empty" }, empty))]));
  };

  // ---- charts ----
  const widthOf = (node) => Math.max(280, node.clientWidth);
  const seconds = (list) => list.map((t) => t / 1000);

  /** a chart in `id`, made again when its series change, else given the new data */
  const draw = (id, key, makeOptions, data) => {
    const node = $(id);
    const existing = charts[id];
    if (existing && existing.key === key) {
      existing.plot.setData(data);
      return;
    }
    if (existing) existing.plot.destroy();
    node.replaceChildren();
    const plot = new uPlot({ width: widthOf(node), height: 220, ...makeOptions() }, data, node);
    charts[id] = { key, plot };
  };

  const lineSeries = (name, i) => ({
    label: name,
    stroke: PALETTE[i % PALETTE.length],
    fill: PALETTE[i % PALETTE.length] + "22",
    width: 2,
    points: { show: false },
  });
  const timeAxes = (yLabel, values) => [
    { ...AXIS, values: (u, splits) => splits.map((x) => hhmm(x * 1000)) },
    { ...AXIS, label: yLabel, size: 56, ...(values ? { values } : {}) },
  ];
  const stepped = uPlot.paths && uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined;
  /** bucket starts plus the end of the last bucket (each value holds for its whole bucket), in seconds */
  const bucketXs = (t) => seconds([...t.buckets, t.buckets[t.buckets.length - 1] + t.bucketMs]);
  const held = (values) => [...values, values[values.length - 1]];

  const countsChart = (id, t, series) => {
    const names = series.map((s) => s.name);
    draw(id, names.join("\u0000"), () => ({
      series: [{}, ...names.map((name, i) => ({ ...lineSeries(name, i), paths: stepped }))],
      axes: timeAxes("calls"),
      scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    }), [bucketXs(t), ...series.map((s) => held(s.values))]);
  };

  const bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.7, 40] }) : undefined;

  let timeline = null;
  const renderCharts = (s) => {
    const t = s.timeline;
    timeline = t;
    countsChart("chart-providers", t, t.callsByProvider);
    countsChart("chart-agents", t, t.callsByAgent);
    // a bar in the middle of its bucket, the axis spanning whole buckets
    draw("chart-tokens", "tokens", () => ({
      series: [{}, { label: "tokens", stroke: PALETTE[1], fill: PALETTE[1] + "88", paths: bars, points: { show: false } }],
      axes: timeAxes("tokens", (u, vals) => vals.map(tokens)),
      scales: {
        x: { time: true, range: () => { const xs = bucketXs(timeline); return [xs[0], xs[xs.length - 1]]; } },
        y: { range: (u, min, max) => [0, Math.max(1, max)] },
      },
    }), [seconds(t.buckets.map((b) => b + t.bucketMs / 2)), t.tokens]);
    draw("chart-cost", "cost", () => ({
      series: [{}, { ...lineSeries("spent (USD)", 3), paths: stepped }, { ...lineSeries("saved, own-work estimate (USD)", 0), paths: stepped }],
      axes: timeAxes("USD", (u, vals) => vals.map((v) => `$${v.toFixed(v >= 1 ? 2 : 3)}`)),
    }), [bucketXs(t), held(t.cost), held(t.saved)]);
    renderUsageChart(s.usage, s.generatedAt);
  };

  /** a burn rate: a weekly window's is a fraction of a point an hour */
  const rate = (r) => (Math.abs(r) < 1 ? r.toFixed(2) : r.toFixed(1));

  /** a day and a time, for the weekly window's axis: `3/12 14:00` */
  const dayTime = (t) => { const d = new Date(t); return `${d.getDate()}/${d.getMonth() + 1} ${hhmm(t)}`; };

  /** one usage window's chart: its readings, the forecast from the last one, and the routing thresholds */
  const renderWindowChart = (id, label, windowMs, samples, f, thresholds, now, format) => {
    const start = now - windowMs;
    const xs = [start, ...samples.map((x) => x.ts), now];
    const last = samples[samples.length - 1];
    const forecastEnd = f && f.crossesAt !== null && last ? Math.min(f.crossesAt, now + windowMs) : null;
    if (forecastEnd !== null) xs.push(forecastEnd);
    const xsSorted = [...new Set(xs)].sort((a, b) => a - b);
    const at = new Map(samples.map((x) => [x.ts, x.percent]));
    const usageValues = xsSorted.map((x) => (at.has(x) ? at.get(x) : null));
    // the forecast: from the last reading to where the burn rate crosses the threshold
    const forecastValues = xsSorted.map((x) => {
      if (!last || forecastEnd === null) return null;
      if (x === last.ts) return last.percent;
      if (x === forecastEnd) return last.percent + (f.ratePerHour * (forecastEnd - last.ts)) / 3600000;
      return null;
    });
    const lines = thresholds.map((th, i) => ({
      label: `${th.percent}% ${th.name}`,
      stroke: ["#6b7c90", "#8a7f5a", "#b0894a", "#ef6b73"][i % 4],
      width: 1,
      dash: [4, 4],
      points: { show: false },
    }));
    draw(id, `usage:${thresholds.map((x) => x.percent).join(",")}`, () => ({
      series: [{}, { ...lineSeries(label, 1), spanGaps: true, points: { show: true, size: 4 } },
        { label: "forecast", stroke: "#f2b84b", width: 2, dash: [8, 5], spanGaps: true, points: { show: false } }, ...lines],
      axes: [{ ...AXIS, values: (u, splits) => splits.map((x) => format(x * 1000)) }, { ...AXIS, label: "%", size: 56 }],
      scales: { y: { range: [0, 100] } },
    }), [seconds(xsSorted), usageValues, forecastValues, ...thresholds.map((th) => xsSorted.map(() => th.percent))]);
    const parts = [];
    if (samples.length === 0) parts.push("No readings yet: omcm statusline records Claude usage as Claude Code redraws its status bar.");
    if (f && f.crossesAt !== null) {
      parts.push(`Rising ${rate(f.ratePerHour)} points an hour: ${f.threshold}% at ${format(f.crossesAt)}, ${f.beforeReset ? "before" : "after"} the window resets.`);
    } else if (f) parts.push(`Not rising (${rate(f.ratePerHour)} points an hour).`);
    return parts;
  };

  const renderUsageChart = (usage, now) => {
    const parts = renderWindowChart("chart-usage", "5-hour window %", 5 * 3600000, usage.samples, usage.forecast, usage.thresholds, now, hhmm);
    if (usage.spared !== null) parts.push(`Delegated work ${usage.spared.text.replace("of 5h", "of this window")}, ${usage.spared.method}.`);
    parts.push(usage.thresholds.map((th) => `${th.percent}%: ${th.meaning}`).join(" · "));
    $("usage-note").textContent = parts.join(" ");
    const week = usage.weekWindow;
    $("usage-week-note").textContent = renderWindowChart(
      "chart-usage-week", "weekly window %", 7 * 86400000, week.samples, week.forecast, usage.thresholds, now, dayTime
    ).join(" ");
  };

  // ---- cards and tables ----
  const statsRow = (r) =>
    el("tr", { "data-name": r.name }, el("td", {}, r.name), el("td", { class: "num" }, r.routed), el("td", { class: "num" }, r.calls),
      el("td", { class: `num${r.errors > 0 ? " bad" : ""}` }, r.errors), el("td", { class: "num" }, ms(r.p50)), el("td", { class: "num" }, tokens(r.tokens)),
      el("td", { class: "num" }, r.calls === 0 ? "-" : r.cost === null ? "unpriced" : usd(r.cost) + (r.unpriced > 0 ? ` +${r.unpriced} unpriced` : "")));

  const renderCards = (s) => {
    const calls = s.providers.reduce((n, r) => n + r.calls, 0);
    const errors = s.providers.reduce((n, r) => n + r.errors, 0);
    const tok = s.providers.reduce((n, r) => n + r.tokens, 0);
    const cost = s.providers.reduce((n, r) => n + (r.cost || 0), 0);
    const unpriced = s.providers.reduce((n, r) => n + r.unpriced, 0);
    for (const node of document.querySelectorAll(".period")) node.textContent = `· last ${s.period}`;
    $("card-calls").textContent = String(calls);
    $("card-calls-sub").textContent = `${plural(errors, "error")} · live: ${plural(s.live.calls, "call")} in the last minute`;
    $("card-tokens").textContent = tokens(tok);
    $("card-tokens-sub").textContent = `${tokens(s.savings.claudeTokens)} Claude tokens moved to OpenCode`;
    $("card-cost").textContent = usd(cost);
    $("card-cost-sub").textContent = unpriced > 0 ? `+${plural(unpriced, "unpriced call")}` : "every call priced";
    const sv = s.savings;
    $("card-saved").textContent = sv.calls === 0 ? "-" : usd(sv.claudeCost - sv.cost);
    $("savings-method").textContent = sv.calls === 0 ? "no estimate (nothing delegated)" : `Claude side ${sv.methodShort}`;
    $("savings-method").title = sv.method;
    $("savings-line").textContent = sv.line;
    const u = s.usage;
    $("card-usage").textContent = u.percent === null ? "unknown" : pct(u.percent);
    $("card-usage-sub").textContent = u.percent === null
      ? "no statusline reading yet"
      : `5h ${pct(u.fiveHour)} · week ${pct(u.weekly)}${u.resetsAt ? ` · resets in ${span(u.resetsAt - s.generatedAt)}` : ""} · from ${u.source}`;
    $("card-usage-spared").textContent = u.spared === null ? "" : `omcm ${u.spared.text}`;
    $("card-usage-spared").title = u.spared === null ? "" : u.spared.method;
    const p = s.pool;
    $("card-pool").textContent = p.state;
    $("card-pool").className = `big ${p.state === "running" ? "ok" : p.state === "unreachable" ? "bad" : ""}`;
    $("card-pool-sub").textContent = p.status
      ? `${p.status.activeServers} up · ${p.status.busyServers} busy · ${p.status.inFlight} in flight`
      : p.error || "start it with omcm pool start";
  };

  const renderDelegations = (list) => {
    const fresh = seenDelegations === null ? new Set() : new Set(list.map((d) => d.id).filter((id) => !seenDelegations.has(id)));
    seenDelegations = new Set(list.map((d) => d.id));
    fill($("delegations"), list.map((d) => {
      const failedOver = d.requestedModel !== d.model;
      const outcome = d.success
        ? el("span", { class: "ok" }, failedOver ? `ok, after ${d.failovers.map((x) => `${x.id}: ${x.error}`).join("; ") || "a failover"}` : "ok")
        : el("span", { class: "bad" }, `failed: ${d.error}`);
      return el("tr", { "data-id": String(d.id), class: fresh.has(d.id) ? "new" : null },
        el("td", {}, clock(d.ts)), el("td", {}, d.agent || "-"), el("td", {}, d.tier || "-"),
        el("td", {}, d.requestedModel), el("td", { class: failedOver ? "warn" : null }, d.model),
        el("td", { class: "num" }, ms(d.durationMs)), el("td", { class: "num" }, `${tokens(d.resultTokens)} tok`),
        el("td", { class: "reason" }, outcome));
    }), 8, "No delegations yet.");
  };

  const renderPool = (p) => {
    $("pool-summary").textContent = p.state === "running"
      ? `daemon pid ${p.pid}, API 127.0.0.1:${p.apiPort} · ${p.status.totalRequests} requests, average ${Math.round(p.status.averageResponseTime)} ms`
      : p.state === "unreachable" ? `daemon pid ${p.pid}: ${p.error}` : "The pool daemon is not running.";
    const servers = p.status ? p.status.servers : [];
    fill($("pool-servers"), servers.map((x) =>
      el("tr", {}, el("td", {}, `127.0.0.1:${x.port}`),
        el("td", { class: x.status === "error" ? "bad" : x.status === "busy" ? "warn" : "ok" }, x.status),
        el("td", { class: "num" }, x.busyCount), el("td", { class: "num" }, x.pid === null ? "-" : x.pid),
        el("td", { class: "num" }, x.restarts), el("td", { class: "reason" }, x.lastError || ""))), 6, "No servers.");
  };

  const renderBalancer = (b, now) => {
    if (b === null) {
      $("balancer-summary").textContent = "The balancer's state cannot be read.";
      fill($("balancer-candidates"), [], 2, "-");
      $("balancer-cooldowns").textContent = "";
      return;
    }
    const recent = b.recentCalls.map((r) => `${r.provider} ${r.calls} call(s), ${r.failed} failed`).join(" · ");
    $("balancer-summary").textContent = `strategy ${b.strategy} · candidates from ${b.catalogFetchedAt ? `the OpenCode catalog of ${b.catalogFetchedAt}` : "the configured ids (no catalog read yet)"}${recent ? ` · last minute: ${recent}` : ""}`;
    fill($("balancer-candidates"), b.candidates.map((t) =>
      el("tr", {}, el("td", {}, t.tier), el("td", { class: "reason" },
        t.ids.length === 0 ? "none usable: stays on Claude" : t.ids.map((c) =>
          el("span", { class: c.cooling ? "tag cooling" : "tag", title: c.cooling ? c.cooling.reason : "" },
            c.cooling ? `${c.id} (cooling ${span(c.cooling.until - now)})` : c.id))))), 2, "-");
    $("balancer-cooldowns").textContent = b.coolingDown.length === 0
      ? "Cooling down: none."
      : `Cooling down: ${b.coolingDown.map((c) => `${c.target} until ${clock(c.until)} (${c.reason})`).join("; ")}`;
  };

  const render = (s) => {
    renderCards(s);
    renderCharts(s);
    renderDelegations(s.delegations);
    fill($("providers"), s.providers.map(statsRow), 7, "No events.");
    fill($("agents"), s.agents.map(statsRow), 7, "No events.");
    renderPool(s.pool);
    renderBalancer(s.balancer, s.generatedAt);
    $("updated").textContent = `updated ${clock(s.generatedAt)}`;
    document.body.dataset.lastEventId = String(s.lastEventId);
    document.body.dataset.range = s.timeline.range;
  };

  // ---- data ----
  const api = (path) => `${path}?token=${encodeURIComponent(token)}&range=${range}`;
  let source = null;
  const connect = () => {
    if (source) source.close();
    source = new EventSource(api("/api/stream"));
    source.onopen = () => { $("connection").textContent = "live"; $("connection").className = "pill pill-live"; };
    source.onerror = () => { $("connection").textContent = "reconnecting"; $("connection").className = "pill pill-wait"; };
    source.onmessage = (event) => render(JSON.parse(event.data));
  };
  const load = () => fetch(api("/api/snapshot")).then((r) => r.json()).then((s) => { if (s.timeline) render(s); }).finally(connect);

  $("range").value = range;
  $("range").addEventListener("change", () => {
    range = $("range").value;
    localStorage.setItem("omcm-range", range);
    load();
  });
  window.addEventListener("resize", () => {
    for (const [id, c] of Object.entries(charts)) c.plot.setSize({ width: widthOf($(id)), height: 220 });
  });
  load();
})();
