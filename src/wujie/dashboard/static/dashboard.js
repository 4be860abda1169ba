// Wujie command center: draws /dashboard/snapshot, then follows the /dashboard/stream push (SSE).
"use strict";
(function () {
  const SYMBOLS = { CNY: "¥", USD: "$", EUR: "€", GBP: "£", JPY: "¥", KRW: "₩" };
  const $ = (id) => document.getElementById(id);
  const theme = { text: "#d7e3ff", muted: "#7f93bf", grid: "#17305c", gold: "#ffcc4d", cyan: "#34d6ff", red: "#ff4d5e", green: "#3ddc97" };
  const charts = {};
  const state = { shownMinor: 0, targetMinor: 0, animFrom: 0, animStart: 0, currency: "CNY", exponent: 2, background: null };
  // End-to-end latency samples (ms): now minus the publish time of the oldest batch in each push.
  window.__wujie = { latencies: [], snapshots: 0, lastSnapshot: null, openedAt: Date.now(), delivery: [] };

  function money(minor, short) {
    const value = minor / Math.pow(10, state.exponent);
    const symbol = SYMBOLS[state.currency] || (state.currency ? state.currency + " " : "");
    if (short && Math.abs(value) >= 1e8) return symbol + (value / 1e8).toFixed(2) + " 亿";
    if (short && Math.abs(value) >= 1e4) return symbol + (value / 1e4).toFixed(1) + " 万";
    return symbol + value.toLocaleString("en-US", { minimumFractionDigits: state.exponent, maximumFractionDigits: state.exponent });
  }
  const count = (n) => (n || 0).toLocaleString("en-US");
  const pct = (x) => (x === null || x === undefined ? 0 : Math.round(x * 1000) / 10);

  function initCharts() {
    charts.rates = echarts.init($("rates-chart"), null, { renderer: "canvas" });
    charts.rates.setOption({
      animation: false, textStyle: { color: theme.text },
      legend: { data: ["orders/s", "payments/s"], textStyle: { color: theme.muted }, top: 0 },
      grid: { left: 50, right: 16, top: 28, bottom: 24 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: [], axisLabel: { color: theme.muted }, axisLine: { lineStyle: { color: theme.grid } } },
      yAxis: { type: "value", axisLabel: { color: theme.muted }, splitLine: { lineStyle: { color: theme.grid } } },
      series: [
        { name: "orders/s", type: "line", showSymbol: false, data: [], lineStyle: { color: theme.cyan }, itemStyle: { color: theme.cyan }, areaStyle: { color: "rgba(52,214,255,0.12)" } },
        { name: "payments/s", type: "line", showSymbol: false, data: [], lineStyle: { color: theme.gold }, itemStyle: { color: theme.gold } },
      ],
    });
    charts.sla = echarts.init($("sla-chart"), null, { renderer: "canvas" });
    const gauge = (name, center, color) => ({
      name, type: "gauge", center, radius: "50%", min: 0, max: 100, startAngle: 210, endAngle: -30,
      progress: { show: true, width: 12, itemStyle: { color } }, axisLine: { lineStyle: { width: 12, color: [[1, theme.grid]] } },
      axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
      title: { offsetCenter: [0, "62%"], color: theme.muted, fontSize: 13 },
      detail: { valueAnimation: false, offsetCenter: [0, "8%"], formatter: "{value}%", color: theme.text, fontSize: 24, fontWeight: 700 },
      data: [{ value: 0, name }],
    });
    charts.sla.setOption({ animation: false, series: [gauge("≤ 24 h", ["17%", "55%"], theme.green), gauge("≤ 48 h", ["50%", "55%"], theme.cyan), gauge("local", ["83%", "55%"], theme.gold)] });
    charts.map = echarts.init($("map-chart"), null, { renderer: "canvas" });
    charts.map.setOption({
      animation: false, grid: { left: 4, right: 4, top: 4, bottom: 4 },
      tooltip: { trigger: "item", formatter: (p) => (p.seriesIndex === 1 ? p.data.name + "<br>" + money(p.data.gmv, true) + " · " + count(p.data.orders) + " orders" : "") },
      xAxis: { type: "value", scale: true, show: false }, yAxis: { type: "value", scale: true, show: false },
      series: [
        { type: "scatter", symbolSize: 2, silent: true, itemStyle: { color: "#1d3a66" }, data: [] },
        { type: "scatter", data: [], itemStyle: { color: "rgba(255,77,94,0.75)", borderColor: theme.gold, borderWidth: 1 },
          labelLayout: { hideOverlap: true },
          label: { show: true, position: "right", color: theme.text, fontSize: 12, formatter: (p) => (p.dataIndex < 8 ? p.data.name : "") } },
      ],
    });
    window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  }

  function setBounds(points) {
    if (!points.length) return;
    const lons = points.map((p) => p[0]), lats = points.map((p) => p[1]);
    charts.map.setOption({
      xAxis: { min: Math.floor(Math.min(...lons)) - 1, max: Math.ceil(Math.max(...lons)) + 1 },
      yAxis: { min: Math.floor(Math.min(...lats)) - 1, max: Math.ceil(Math.max(...lats)) + 1 },
      series: [{ data: points }],
    });
  }

  function renderRanking(el, rows, label) {
    el.replaceChildren(...rows.map((row) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = row.name;
      li.append(name);
      if (row.heritage) { const b = document.createElement("span"); b.className = "badge"; b.textContent = "老字号"; li.append(b); }
      const v = document.createElement("span");
      v.className = "value";
      v.textContent = label(row);
      li.append(v);
      return li;
    }));
  }

  // Times in the sale's own time zone (live.timezone, an IANA name), 24-hour clock.
  function local(date, withSeconds) {
    const zone = state.timezone || "UTC";
    try {
      return date.toLocaleTimeString("en-GB", { timeZone: zone, hour12: false, hour: "2-digit", minute: "2-digit", second: withSeconds ? "2-digit" : undefined });
    } catch (e) {
      return date.toISOString().substring(11, withSeconds ? 19 : 16);
    }
  }

  function renderClock(snap) {
    const last = snap.clock && snap.clock.last;
    if (!last) return;
    const now = new Date(last);
    $("sale-clock").textContent = local(now, true);
    $("sale-date").textContent = now.toLocaleDateString("en-CA", { timeZone: state.timezone || "UTC" }) + " " + (state.timezone || "UTC");
    const start = new Date((snap.live && snap.live.sale_start) || snap.clock.first);
    const s = Math.round((now - start) / 1000);
    const abs = Math.abs(s), hh = String(Math.floor(abs / 3600)).padStart(2, "0");
    const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, "0"), ss = String(abs % 60).padStart(2, "0");
    $("sale-phase").textContent = (s < 0 ? "T−" : "T+") + hh + ":" + mm + ":" + ss;
  }

  function renderSeries(series) {
    const label = (t) => local(new Date(t * 1000), series.resolution_s === 1);
    const perSecond = (values) => (series.resolution_s === 1 ? values : values.map((v) => Math.round((100 * v) / series.resolution_s) / 100));
    $("rates-title").textContent = series.resolution_s === 1 ? "Orders/s and payments/s (event time)" : "Orders/s and payments/s (per-minute average)";
    charts.rates.setOption({ xAxis: { data: series.t.map(label) }, series: [{ data: perSecond(series.orders) }, { data: perSecond(series.payments) }] });
  }

  function renderMap(regions) {
    const located = regions.filter((r) => r.lon !== null && r.lat !== null);
    const max = Math.max(1, ...located.map((r) => r.gmv_minor));
    charts.map.setOption({ series: [{}, { data: located.map((r) => ({
      name: r.name, value: [r.lon, r.lat], gmv: r.gmv_minor, orders: r.orders, symbolSize: 6 + 44 * Math.sqrt(r.gmv_minor / max),
    })) }] });
  }

  // The figures (GMV, counts, rates, clock) are drawn on every push; the charts and rankings at
  // most every HEAVY_MS, so a CPU-starved wall screen keeps the GMV fresh.
  const HEAVY_MS = 500;
  const heavy = { last: 0, timer: null, pending: null };

  function render(snap) {
    state.currency = snap.currency || state.currency;
    state.timezone = (snap.live && snap.live.timezone) || "UTC";
    state.exponent = snap.exponent;
    setGmvTarget(snap.gmv_minor);
    $("orders-placed").textContent = count(snap.orders.placed);
    $("orders-paid").textContent = count(snap.orders.paid);
    $("cancelled").textContent = count(snap.orders.cancelled);
    $("orders-rate").textContent = count(snap.rates.orders_per_s);
    $("payments-rate").textContent = count(snap.rates.payments_per_s);
    $("peak-rate").textContent = count(snap.rates.peak_orders_per_s);
    renderClock(snap);
    window.__wujie.snapshots += 1;
    window.__wujie.lastSnapshot = snap;
    heavy.pending = snap;
    if (heavy.timer === null) {
      heavy.timer = setTimeout(renderHeavy, Math.max(0, HEAVY_MS - (performance.now() - heavy.last)));
    }
  }

  function renderHeavy() {
    const snap = heavy.pending;
    heavy.timer = null;
    heavy.last = performance.now();
    renderRanking($("top-brands"), snap.top_brands, (r) => money(r.gmv_minor, true));
    renderRanking($("top-products"), snap.top_products, (r) => money(r.gmv_minor, true));
    renderRanking($("search-terms"), snap.search_terms.map((t) => ({ name: t.term, count: t.count })), (r) => count(r.count));
    const f = snap.fulfilment;
    charts.sla.setOption({ series: [{ data: [{ value: pct(f.sla_24h), name: "≤ 24 h" }] }, { data: [{ value: pct(f.sla_48h), name: "≤ 48 h" }] }, { data: [{ value: pct(f.local_share), name: "local" }] }] });
    $("allocated").textContent = count(f.allocated);
    $("shipped").textContent = count(f.shipped);
    $("delivered").textContent = count(f.delivered);
    $("stockouts").textContent = count(snap.stock.stockouts);
    renderSeries(snap.series);
    renderMap(snap.regions);
    window.__wujie.heavyRenders = (window.__wujie.heavyRenders || 0) + 1;
  }

  // The counter counts up to each new figure in about one push interval, so it never lags behind.
  const COUNT_UP_MS = 240;

  function setGmvTarget(minor) {
    if (minor === state.targetMinor) return;
    state.animFrom = state.shownMinor;
    state.targetMinor = minor;
    state.animStart = performance.now();
    $("gmv").dataset.gmvMinor = String(minor);
  }

  function tick() {
    // performance.now(), not the frame's timestamp: a frame may start before the push that set the target
    const t = Math.max(0, Math.min(1, (performance.now() - state.animStart) / COUNT_UP_MS));
    const eased = 1 - Math.pow(1 - t, 3);
    const value = t >= 1 ? state.targetMinor : Math.round(state.animFrom + (state.targetMinor - state.animFrom) * eased);
    if (value !== state.shownMinor || $("gmv").textContent === "0") {
      state.shownMinor = value;
      $("gmv").textContent = money(value, false);
    }
    requestAnimationFrame(tick);
  }

  // Called in the animation frame that paints the new figures (see connect()).
  function measure(snap) {
    const live = snap.live;
    // Only batches published after the page opened measure the live push (older ones were backlog).
    if (!live || live.oldest_unseen_ms === null || live.oldest_unseen_ms < window.__wujie.openedAt) return;
    const now = Date.now();
    const samples = window.__wujie.latencies;
    samples.push(now - live.oldest_unseen_ms);
    window.__wujie.delivery.push(now - live.server_ms);  // snapshot built -> drawn: transport + render
    if (samples.length > 100000) samples.shift();
    const recent = samples.slice(-200).sort((a, b) => a - b);
    const p99 = recent[Math.min(recent.length - 1, Math.floor(recent.length * 0.99))];
    $("freshness").textContent = "event → screen p99 " + Math.round(p99) + " ms · " + count(snap.events) + " events";
  }

  function connect() {
    const source = new EventSource("/dashboard/stream");
    source.onopen = () => $("conn").classList.add("live");
    source.onerror = () => $("conn").classList.remove("live");
    source.onmessage = (message) => {
      const snap = JSON.parse(message.data);
      render(snap);
      requestAnimationFrame(() => measure(snap));
    };
  }

  async function start() {
    initCharts();
    requestAnimationFrame(tick);
    const geo = await fetch("/dashboard/geo").then((r) => r.json());
    setBounds(geo.cities);
    const snap = await fetch("/dashboard/snapshot").then((r) => r.json());
    render(snap);
    renderHeavy();
    connect();
  }
  start();
})();
