// sahelsim demo: the page. It asks the local server (demo/app.py) to build and step a model, and
// draws what comes back with plotly.js (served by the same server from the plotly package).
"use strict";

const demo = {
  options: null,      // /api/options
  session: null,      // id of the live session
  static: null,       // what does not change during a run: map outline, roads, village positions, ...
  state: null,        // the last state: agents, map layer, date
  history: {},        // the daily series so far, name -> array (index = step)
  playing: false,
  busy: false,
  pendingSettings: false,
};
window.sahelsimDemo = demo;  // for the browser tests and for curious students

const $ = (id) => document.getElementById(id);
const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
const CHART_CONFIG = { displaylogo: false, responsive: true, displayModeBar: false };
const KIND_COLOURS = ["#2166ac", "#762a83", "#e08214"];   // army, partner, militia
const KIND_NAMES = ["army", "partner force", "militia"];
const PERPETRATORS = [["militants", "#b2182b"], ["army", "#2166ac"], ["partner", "#762a83"], ["militia", "#e08214"]];
const CONTROL_NAMES = ["none", "state_control", "state_dominant", "contested", "insurgent_support", "insurgent_control"];

// ---- talking to the server ------------------------------------------------------------------------

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    const message = data && data.error ? data.error : `${response.status} ${response.statusText}`;
    throw new Error(message);
  }
  return data;
}

function showError(message) {
  const box = $("error");
  if (!message) { box.hidden = true; box.textContent = ""; return; }
  box.textContent = message;
  box.hidden = false;
}

// ---- settings form --------------------------------------------------------------------------------

function scenarioOptions(name) {
  return demo.options.scenarios.find((s) => s.name === name);
}

function buildSettingsForm(name) {
  const form = $("settings");
  form.innerHTML = "";
  for (const spec of scenarioOptions(name).settings) {
    const field = document.createElement("div");
    field.className = "field";
    const id = `setting-${spec.name}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = spec.label + (spec.unit && spec.unit !== "1" && spec.unit !== "day" ? ` (${spec.unit})` : "");
    field.appendChild(label);
    const row = document.createElement("div");
    row.className = "row";
    let input;
    if (spec.kind === "bool") {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = Boolean(spec.default);
    } else if (spec.kind === "choice") {
      input = document.createElement("select");
      for (const choice of spec.choices) {
        const option = document.createElement("option");
        option.value = option.textContent = choice;
        input.appendChild(option);
      }
      input.value = spec.default;
    } else {
      input = document.createElement("input");
      input.type = "text";
      input.inputMode = "decimal";
      input.value = String(spec.default);
      const finite = spec.minimum !== null && spec.maximum !== null;
      if (finite && spec.step && (spec.maximum - spec.minimum) / spec.step <= 1000) {
        const slider = document.createElement("input");
        slider.type = "range";
        slider.min = spec.minimum; slider.max = spec.maximum; slider.step = spec.step;
        slider.value = spec.default;
        slider.id = `${id}-slider`;
        slider.setAttribute("aria-label", spec.label);
        slider.addEventListener("input", () => { input.value = slider.value; settingsChanged(); });
        input.addEventListener("input", () => { if (input.value.trim() !== "" && !isNaN(Number(input.value))) slider.value = input.value; });
        row.appendChild(slider);
      }
    }
    input.id = id;
    input.name = spec.name;
    input.dataset.kind = spec.kind;
    input.addEventListener(spec.kind === "bool" || spec.kind === "choice" ? "change" : "input", settingsChanged);
    row.prepend(input);
    field.appendChild(row);
    const help = document.createElement("div");
    help.className = "help";
    const range = spec.kind === "int" || spec.kind === "real"
      ? ` [${spec.minimum ?? "…"} – ${spec.maximum ?? "…"}]` : "";
    help.textContent = spec.help + range;
    field.appendChild(help);
    form.appendChild(field);
  }
}

function settingsChanged() {
  demo.pendingSettings = true;
  $("pending").hidden = false;
}

function readSettings() {
  const values = {};
  for (const input of $("settings").querySelectorAll("[name]")) {
    input.classList.remove("invalid");
    values[input.name] = input.dataset.kind === "bool" ? input.checked : input.value;
  }
  return values;
}

function markInvalid(message) {
  // The server's messages start with the setting's name: "escort_detachments = 'x' is not allowed: ..."
  const match = /^(\w+) = /.exec(message);
  if (!match) return;
  const input = $("settings").querySelector(`[name="${match[1]}"]`);
  if (input) input.classList.add("invalid");
}

// ---- dates and numbers ----------------------------------------------------------------------------

function stepDates(steps) {
  // Step 0 is the start date's morning; step t the end of start + t - 1 (docs/ODD.md §2, Scales).
  if (!demo.static.start_date) return steps;
  const start = new Date(demo.static.start_date + "T00:00:00Z").getTime();
  return steps.map((s) => new Date(start + Math.max(s - 1, 0) * 86400000).toISOString().slice(0, 10));
}

const fmt = (value, digits = 0) => value === null || value === undefined || Number.isNaN(value)
  ? "–" : Number(value).toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function cumulative(values) {
  let total = 0;
  return values.map((v) => (total += v || 0));
}

// ---- the map --------------------------------------------------------------------------------------

function lineTrace(lines, name, colour, width, extra = {}) {
  return Object.assign({ type: "scatter", mode: "lines", x: lines.x, y: lines.y, name, hoverinfo: "skip",
    line: { color: colour, width }, showlegend: false }, extra);
}

function markerSizes(values, scale, minimum, maximum) {
  return values.map((v) => Math.max(minimum, Math.min(maximum, scale * Math.sqrt(Math.max(v, 0)))));
}

function mapLayout() {
  const st = demo.static;
  const layer = demo.state.layer;
  const [west, south, east, north] = st.model === "sahel" ? st.extent : [0, 0, st.extent[2], st.extent[3]];
  const midLat = (south + north) / 2;
  const layout = {
    margin: { l: 40, r: 10, t: 10, b: 30 },
    paper_bgcolor: "#fff", plot_bgcolor: st.model === "sahel" ? "#d9d9d9" : "#fff",
    showlegend: st.model === "sahel",
    legend: { orientation: "h", x: 0, y: -0.06, yanchor: "top", font: { size: 11 } },
    xaxis: { range: [west, east], showgrid: false, zeroline: false, title: st.model === "sahel" ? "" : "" },
    yaxis: { showgrid: false, zeroline: false, scaleanchor: "x",
      scaleratio: st.model === "sahel" ? 1 / Math.cos(midLat * Math.PI / 180) : 1 },
    // The image's top edge: north on the map; row 0 (y = 0) for Epstein's lattice, drawn top down.
    images: [{ source: layer.image, xref: "x", yref: "y", x: west, y: st.model === "sahel" ? north : south, sizex: east - west,
      sizey: north - south, sizing: "stretch", layer: "below" }],
    uirevision: `${st.scenario}`,
    hovermode: "closest",
  };
  if (st.model === "sahel") {
    layout.yaxis.range = [south, north];
  } else {
    layout.yaxis.range = [north, south];  // row 0 at the top
    layout.xaxis.range = [0, st.extent[2]];
  }
  return layout;
}

function sahelMapTraces() {
  const st = demo.static;
  const s = demo.state;
  const controlColours = st.legend.control.map((c) => c[1]);
  const villageColours = Array.from(s.villages.control, (c) => controlColours[Number(c)]);
  const garrisons = s.units.role.map((r, i) => (r === 0 ? i : -1)).filter((i) => i >= 0);
  const escorts = s.units.role.map((r, i) => (r === 1 && s.units.escorting[i] ? i : -1)).filter((i) => i >= 0);
  const pick = (table, idx, key) => idx.map((i) => table[key][i]);
  const convoys = s.convoys || { lon: [], lat: [], tankers: [], destroyed: [], escorted: [], attacked: [], import: [] };
  const rolling = convoys.lon.map((_, i) => (convoys.attacked[i] ? -1 : i)).filter((i) => i >= 0);
  const hit = convoys.lon.map((_, i) => (convoys.attacked[i] ? i : -1)).filter((i) => i >= 0);
  const struck = s.bands.acted.map((a, i) => (a ? i : -1)).filter((i) => i >= 0);
  const [pmin, pmax] = st.price_range;
  return [
    lineTrace(st.borders.neighbours, "borders", "#8c8c8c", 0.8),
    lineTrace(st.rivers, "rivers", "#3a78c2", 1),
    lineTrace(st.corridors, "fuel corridors", "rgba(123,50,148,0.35)", 7, { showlegend: true }),
    lineTrace(st.roads, "roads", "#6b5846", 0.9),
    lineTrace(st.borders.country, "border", "#111", 1.6),
    { type: "scattergl", mode: "markers", name: "villages (control)", x: st.villages.lon, y: st.villages.lat,
      marker: { size: 2.5, color: villageColours, opacity: 0.7 }, hoverinfo: "skip" },
    { type: "scatter", mode: "markers", name: "markets (fuel price)", x: s.markets.lon, y: s.markets.lat,
      text: st.markets.name.map((n, i) => `${n}: ${fmt(s.markets.price[i])} FCFA/L, ${fmt(s.markets.hours[i], 1)} h power`),
      hoverinfo: "text",
      marker: { size: 11, symbol: "circle", color: s.markets.price, cmin: pmin, cmax: pmax, colorscale: st.colourbars.fuel_price.colours.map((c, i, all) => [i / (all.length - 1), c]),
        line: { color: "#333", width: 1 },
        colorbar: { title: { text: "market<br>FCFA/L", font: { size: 10 } }, thickness: 8, len: 0.4, y: 0.25, x: 1.0, tickfont: { size: 9 } } } },
    { type: "scatter", mode: "markers", name: "garrisons", x: pick(s.units, garrisons, "lon"), y: pick(s.units, garrisons, "lat"),
      text: garrisons.map((i) => `${KIND_NAMES[s.units.kind[i]]} garrison: ${fmt(s.units.troops[i])} troops`), hoverinfo: "text",
      marker: { symbol: "square", size: markerSizes(pick(s.units, garrisons, "troops"), 0.35, 6, 22),
        color: garrisons.map((i) => KIND_COLOURS[s.units.kind[i]]), line: { color: "#fff", width: 1 } } },
    { type: "scatter", mode: "markers", name: "escorts on the road", x: pick(s.units, escorts, "lon"), y: pick(s.units, escorts, "lat"),
      text: escorts.map((i) => `escort: ${fmt(s.units.troops[i])} soldiers`), hoverinfo: "text",
      marker: { symbol: "diamond", size: 11, color: "#2166ac", line: { color: "#fff", width: 1.5 } } },
    { type: "scatter", mode: "markers", name: "convoys", x: pick(convoys, rolling, "lon"), y: pick(convoys, rolling, "lat"),
      text: rolling.map((i) => `${convoys.import[i] ? "import" : "distribution"} convoy: ${convoys.tankers[i]} tankers` +
        (convoys.escorted[i] ? ", escorted" : "")), hoverinfo: "text",
      marker: { symbol: "circle", size: markerSizes(pick(convoys, rolling, "tankers"), 1.2, 5, 14),
        color: rolling.map((i) => (convoys.escorted[i] ? "#1a1a1a" : "#fdae61")), line: { color: "#1a1a1a", width: 1 } } },
    { type: "scatter", mode: "markers", name: "convoys attacked (burning)", x: pick(convoys, hit, "lon"), y: pick(convoys, hit, "lat"),
      text: hit.map((i) => `attacked convoy: ${convoys.destroyed[i]} tankers burnt, ${convoys.tankers[i]} left`), hoverinfo: "text",
      marker: { symbol: "star", size: 16, color: "#ff3b00", line: { color: "#5a0000", width: 1 } } },
    { type: "scatter", mode: "markers", name: "militant bands", x: s.bands.lon, y: s.bands.lat,
      text: s.bands.fighters.map((f, i) => `band: ${fmt(f)} fighters${s.bands.duty[i] ? ", on blockade duty" : ""}` +
        `${s.bands.acted[i] ? ", struck today" : ""}`), hoverinfo: "text",
      marker: { symbol: "triangle-up", size: markerSizes(s.bands.fighters, 0.9, 5, 18), color: "#7f0000",
        line: { color: s.bands.acted.map((a) => (a ? "#ffd400" : "#fff")), width: s.bands.acted.map((a) => (a ? 2.5 : 0.8)) } } },
    { type: "scatter", mode: "text", x: st.towns.lon, y: st.towns.lat, text: st.towns.name, textposition: "top right",
      textfont: { size: 10, color: "#111" }, hoverinfo: "skip", showlegend: false },
  ];
}

function drawMap() {
  const st = demo.static;
  const traces = st.model === "sahel" ? sahelMapTraces() : [];
  Plotly.react("map", traces, mapLayout(), CONFIG);
  drawLayerLegend();
}

function drawLayerLegend() {
  const st = demo.static;
  const name = demo.state.layer.name;
  const box = $("layer-legend");
  box.innerHTML = "";
  const categories = st.legend[name];
  if (categories) {
    for (const [label, colour] of categories) {
      const item = document.createElement("span");
      item.innerHTML = `<span class="chip" style="background:${colour}"></span>`;
      item.appendChild(document.createTextNode(label));
      box.appendChild(item);
    }
    return;
  }
  const bar = st.colourbars[name];
  const gradient = `linear-gradient(to right, ${bar.colours.join(", ")})`;
  box.innerHTML = `<span>${bar.label}:</span> <span>${fmt(bar.min)}</span><span class="bar" style="background:${gradient}"></span><span>${fmt(bar.max)}</span>`;
}

// ---- the charts -----------------------------------------------------------------------------------

function chartLayout(title, extra = {}) {
  return Object.assign({
    title: { text: title, font: { size: 12 }, x: 0.02, xanchor: "left", y: 0.97 },
    margin: { l: 48, r: 14, t: 24, b: 28 }, showlegend: true,
    legend: { orientation: "h", x: 0.01, y: 0.99, yanchor: "top", font: { size: 9 }, bgcolor: "rgba(255,255,255,0.75)" },
    xaxis: { range: xRange(), showgrid: false }, yaxis: { rangemode: "tozero", gridcolor: "#eee" },
    font: { size: 10 }, shapes: markers(), hovermode: "x unified",
  }, extra);
}

function xRange() {
  const st = demo.static;
  if (st.model !== "sahel") {
    const last = demo.history.step[demo.history.step.length - 1] || 0;
    return [0, Math.max(100, last)];
  }
  return stepDates([0, st.days]);
}

function markers() {
  // A dotted line on the blockade's first day.
  const st = demo.static;
  if (st.model !== "sahel" || !st.settings.blockade) return [];
  const day = stepDates([st.settings.blockade_start_day])[0];  // day k is step k
  return [{ type: "line", xref: "x", yref: "paper", x0: day, x1: day, y0: 0, y1: 1,
    line: { color: "#444", width: 1, dash: "dot" } }];
}

function drawCharts() {
  const h = demo.history;
  const x = stepDates(h.step);
  const line = (name, y, colour, extra = {}) => Object.assign({ type: "scatter", mode: "lines", x, y, name,
    line: { color: colour, width: 1.8 } }, extra);
  const charts = ["chart1", "chart2", "chart3", "chart4", "chart5", "chart6"];
  if (demo.static.model === "sahel") {
    charts.forEach((id) => { $(id).hidden = false; });
    Plotly.react("chart1", [
      line("price (FCFA/L)", h.fuel_price_bamako, "#d7301f"),
      line("stock (million L)", h.fuel_stock_bamako.map((v) => v / 1e6), "#4d4d4d", { yaxis: "y2", line: { color: "#4d4d4d", width: 1.4, dash: "dash" } }),
    ], chartLayout("Fuel in the capital", { yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false },
      margin: { l: 48, r: 40, t: 26, b: 28 } }), CHART_CONFIG);
    Plotly.react("chart2", [line("hours a day", h.electricity_hours_bamako, "#e6ab02")],
      chartLayout("Electricity in the capital (hours a day)", { yaxis: { range: [0, 24], gridcolor: "#eee" }, showlegend: false }), CHART_CONFIG);
    Plotly.react("chart3", [
      { type: "bar", x, y: h.tankers_destroyed, name: "that day", marker: { color: "#fc8d59" } },
      line("since the start", h.tankers_destroyed_total, "#7f0000", { yaxis: "y2" }),
    ], chartLayout("Tankers destroyed", { yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false },
      margin: { l: 48, r: 40, t: 26, b: 28 } }), CHART_CONFIG);
    Plotly.react("chart4", PERPETRATORS.map(([who, colour]) => line(who, cumulative(h[`deaths_civilians_by_${who}`]), colour)),
      chartLayout("Civilians killed since the start, by perpetrator"), CHART_CONFIG);
    Plotly.react("chart5", [line("mean legitimacy", h.legitimacy_mean, "#2166ac")],
      chartLayout("Mean state legitimacy", { yaxis: { range: [0, 1], gridcolor: "#eee" }, showlegend: false }), CHART_CONFIG);
    const colours = demo.static.legend.control.map((c) => c[1]);
    const labels = demo.static.legend.control.map((c) => c[0]);
    Plotly.react("chart6", CONTROL_NAMES.map((name, i) => ({ type: "scatter", mode: "lines", x, y: h[`control_share_${name}`],
      name: labels[i], stackgroup: "control", line: { width: 0.5, color: colours[i] }, fillcolor: colours[i] })),
    chartLayout("Control (share of residents; colours as on the map)", { yaxis: { range: [0, 1], gridcolor: "#eee" }, showlegend: false }), CHART_CONFIG);
  } else {
    Plotly.react("chart1", [line("quiet", h.quiet, "#6baed6"), line("active", h.active, "#d7301f"), line("jailed", h.jailed, "#525252")],
      chartLayout("Citizens"), CHART_CONFIG);
    Plotly.react("chart2", [line("legitimacy", h.legitimacy, "#2166ac")],
      chartLayout("Legitimacy", { yaxis: { range: [0, 1], gridcolor: "#eee" }, showlegend: false }), CHART_CONFIG);
    Plotly.react("chart3", [{ type: "bar", x, y: h.arrests, name: "arrests", marker: { color: "#08306b" } }],
      chartLayout("Arrests each step", { showlegend: false }), CHART_CONFIG);
    ["chart4", "chart5", "chart6"].forEach((id) => { Plotly.purge(id); $(id).hidden = true; });
  }
}

// ---- readouts -------------------------------------------------------------------------------------

function last(name) {
  const values = demo.history[name];
  return values && values.length ? values[values.length - 1] : null;
}

function drawReadouts() {
  const s = demo.state;
  const st = demo.static;
  $("day").textContent = st.model === "sahel" ? `day ${s.step} / ${st.days}` : `step ${s.step}`;
  $("date").textContent = s.date || "";
  let rows;
  if (st.model === "sahel") {
    const deaths = PERPETRATORS.reduce((sum, [who]) => sum + cumulative(demo.history[`deaths_civilians_by_${who}`]).pop(), 0);
    rows = [
      ["readout-price", "Fuel price, capital", `${fmt(last("fuel_price_bamako"))} FCFA/L`],
      ["readout-stock", "Fuel stock, capital", `${fmt(last("fuel_stock_bamako") / 1e6, 1)} M L`],
      ["readout-power", "Electricity, capital", `${fmt(last("electricity_hours_bamako"), 1)} h/day`],
      ["readout-tankers", "Tankers destroyed", fmt(last("tankers_destroyed_total"))],
      ["readout-deaths", "Civilians killed", fmt(deaths)],
      ["readout-legitimacy", "Mean legitimacy", fmt(last("legitimacy_mean"), 3)],
      ["readout-fighters", "Militant fighters", fmt(last("militant_fighters"))],
    ];
  } else {
    rows = [
      ["readout-quiet", "Quiet", fmt(last("quiet"))],
      ["readout-active", "Active", fmt(last("active"))],
      ["readout-jailed", "Jailed", fmt(last("jailed"))],
      ["readout-legitimacy", "Legitimacy", fmt(last("legitimacy"), 3)],
    ];
  }
  $("readouts").innerHTML = "<table>" + rows.map(([id, label, value]) =>
    `<tr><th>${label}</th><td id="${id}">${value}</td></tr>`).join("") + "</table>";
}

// ---- state --------------------------------------------------------------------------------------

function absorb(state) {
  demo.state = state;
  const from = state.series_from;
  for (const [name, values] of Object.entries(state.series)) {
    const kept = (demo.history[name] || []).slice(0, from);
    demo.history[name] = kept.concat(values);
  }
  drawMap();
  drawCharts();
  drawReadouts();
  $("step").disabled = state.done;
  $("play").disabled = state.done || demo.playing;
  if (state.done) pause();
}

async function reset() {
  pause();
  const scenario = $("scenario").value;
  try {
    const data = await api("/api/reset", { scenario, settings: readSettings(), layer: currentLayer(scenario) });
    showError(null);
    demo.session = data.session;
    demo.static = data.static;
    demo.history = {};
    demo.pendingSettings = false;
    $("pending").hidden = true;
    fillLayers(data.static.layers, data.state.layer.name);
    absorb(data.state);
  } catch (error) {
    showError(error.message);
    markInvalid(error.message);
  }
}

function currentLayer(scenario) {
  const options = scenarioOptions(scenario);
  const value = $("layer").value;
  return options.kind === "epstein" ? "cell_state" : (value && value !== "cell_state" ? value : "control");
}

function fillLayers(layers, selected) {
  const select = $("layer");
  const labels = { control: "control", legitimacy: "legitimacy", militant_presence: "militant presence",
    fuel_price: "fuel price", cell_state: "cells" };
  select.innerHTML = layers.map((l) => `<option value="${l}">${labels[l] || l}</option>`).join("");
  select.value = selected;
}

async function advance(days) {
  if (!demo.session || demo.busy) return;
  demo.busy = true;
  try {
    const state = await api("/api/step", { session: demo.session, days, since: demo.history.step.length,
      layer: $("layer").value });
    showError(null);
    absorb(state);
  } catch (error) {
    showError(error.message);
    pause();
  } finally {
    demo.busy = false;
  }
}

async function play() {
  if (demo.playing || !demo.session || demo.state.done) return;
  demo.playing = true;
  $("play").disabled = true;
  $("pause").disabled = false;
  let took = 0;                                         // milliseconds the last request and drawing took
  while (demo.playing) {
    const speed = Number($("speed").value);            // days (steps) a second
    const interval = Math.max(150, 1000 / speed);       // milliseconds between two requests
    // Keep to the speed when drawing is slower than the interval: more days a request.
    const days = Math.max(1, Math.round(speed * Math.max(interval, took) / 1000));
    const started = performance.now();
    await advance(days);
    took = performance.now() - started;
    const wait = interval - took;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function pause() {
  demo.playing = false;
  $("play").disabled = Boolean(demo.state && demo.state.done);
  $("pause").disabled = true;
}

async function changeLayer() {
  if (!demo.session) return;
  try {
    const state = await api(`/api/state?session=${demo.session}&since=${demo.history.step.length}&layer=${$("layer").value}`);
    absorb(state);
  } catch (error) {
    showError(error.message);
  }
}

async function main() {
  try {
    demo.options = await api("/api/options");
  } catch (error) {
    showError(`cannot reach the sahelsim server: ${error.message}`);
    return;
  }
  const select = $("scenario");
  const names = { "siege-classroom": "siege-classroom (small, synthetic)", "mali-2025": "mali-2025 (the blockade)",
    "mali-2025-no-blockade": "mali-2025-no-blockade (counterfactual)", epstein: "Epstein: civil violence" };
  select.innerHTML = demo.options.scenarios.map((s) => `<option value="${s.name}">${names[s.name] || s.name}</option>`).join("");
  const wanted = new URLSearchParams(window.location.search).get("scenario");
  select.value = wanted && scenarioOptions(wanted) ? wanted : demo.options.default;
  buildSettingsForm(select.value);
  select.addEventListener("change", () => { buildSettingsForm(select.value); reset(); });
  $("reset").addEventListener("click", reset);
  $("play").addEventListener("click", play);
  $("pause").addEventListener("click", pause);
  $("step").addEventListener("click", () => advance(1));
  $("layer").addEventListener("change", changeLayer);
  await reset();
}

main();
