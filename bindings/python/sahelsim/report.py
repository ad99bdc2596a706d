"""``sahelsim report RUN.h5 -o report.html``: one self-contained HTML page about a run.

The page holds the run's scenario and parameters, the calibration indicators (the run file's
``summary_*`` attributes, with their targets), charts of the main series, the events by kind and on
a map, and an animated map of the snapshots (control, legitimacy, militant presence, fuel price; an
Epstein run's cells). plotly.js (from the installed ``plotly`` package) and every picture are inlined,
so the file opens offline in any browser and can be mailed or archived as it is::

    import sahelsim.report
    sahelsim.report.write_report("runs/mali-2025.h5", "mali-2025.html")
"""

from __future__ import annotations

import base64
import datetime
import html
import json
import math
import os
from typing import Any, Dict, List, Optional

import numpy as np

from . import plot
from .io import Run, _dataset

# Attributes that describe the run rather than set a parameter.
_RUN_ATTRIBUTES = ["model", "scenario", "scenario_description", "scenario_source", "start_date", "end_date", "seed",
                   "threads", "steps_requested", "steps_completed", "snapshot_every", "run_status",
                   "run_status_reason", "created_utc", "finished_utc", "wall_seconds", "sahelsim_version",
                   "sahelsim_git_commit", "compiler", "tbb_version", "hdf5_version", "map_cell_km", "map_seed",
                   "map_villages"]


def _plain(value: Any) -> Any:
    """A run-file attribute as a JSON- and HTML-friendly Python value."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return None if not math.isfinite(value) else value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _format(value: Any, spec: str = "") -> str:
    value = _plain(value)
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and spec in ("", ","):
            return f"{int(value):,}"
        if spec:
            try:
                return format(value, spec)
            except ValueError:
                pass
        return f"{value:,.4g}" if abs(value) >= 1 or value == 0 else f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _round_list(values: np.ndarray, digits: int = 4) -> List[Optional[float]]:
    values = np.asarray(values, dtype=np.float64)
    return [None if not math.isfinite(v) else round(v, digits) for v in values.tolist()]


def _data_uri(image: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(plot.png_bytes(image)).decode("ascii")


def _outline(ds) -> Dict[str, list]:
    """The simulated country's outline (the edge of its cells) as polylines for Plotly."""
    outside = plot.outside_mask(ds)
    if outside is None or "lat" not in ds.coords:
        return {"x": [], "y": []}
    import contourpy

    lon = np.asarray(ds["lon"].values, dtype=float)
    lat = np.asarray(ds["lat"].values, dtype=float)
    lines = contourpy.contour_generator(lon, lat, (~outside).astype(float)).lines(0.5)
    xs: List[Optional[float]] = []
    ys: List[Optional[float]] = []
    for line in lines:
        xs += _round_list(line[:, 0], 3) + [None]
        ys += _round_list(line[:, 1], 3) + [None]
    return {"x": xs, "y": ys}


def _roads_and_towns(ds) -> Dict[str, Any]:
    if "town_lon" not in ds:
        return {"roads": {"x": [], "y": []}, "towns": {"name": [], "lon": [], "lat": []}}
    lon = np.asarray(ds["town_lon"].values, dtype=float)
    lat = np.asarray(ds["town_lat"].values, dtype=float)
    xs: List[Optional[float]] = []
    ys: List[Optional[float]] = []
    if "road_link_from" in ds:
        for i, j in zip(np.asarray(ds["road_link_from"].values), np.asarray(ds["road_link_to"].values)):
            if i >= 0 and j >= 0:
                xs += [round(lon[i], 3), round(lon[j], 3), None]
                ys += [round(lat[i], 3), round(lat[j], 3), None]
    names = [str(t) for t in ds["town"].values]
    inside = np.asarray(ds["town_in_mali"].values, dtype=bool) if "town_in_mali" in ds else np.ones(lon.size, bool)
    population = np.asarray(ds["town_population_2022"].values, dtype=float) if "town_population_2022" in ds \
        else np.zeros(lon.size)
    labelled = [int(k) for k in np.argsort(-population) if inside[k]][:14]
    return {"roads": {"x": xs, "y": ys},
            "towns": {"name": [names[k] for k in labelled], "lon": [round(lon[k], 3) for k in labelled],
                      "lat": [round(lat[k], 3) for k in labelled]}}


def _frames(ds, max_frames: int) -> Dict[str, Any]:
    """Every raster's snapshots (at most `max_frames`, evenly spaced) as PNG data URIs."""
    rasters = [v for v in ds.data_vars if "snapshot" in ds[v].dims and ds[v].ndim == 3]
    count = ds.sizes.get("snapshot", 0)
    if not rasters or count == 0:
        return {"layers": [], "labels": [], "images": {}, "legends": {}}
    chosen = sorted(set(np.linspace(0, count - 1, min(count, max_frames)).round().astype(int).tolist()))
    outside = plot.outside_mask(ds)
    order = [r for r in ("control", "legitimacy", "militant_presence", "fuel_price", "cell_state") if r in rasters]
    order += [r for r in rasters if r not in order]
    images: Dict[str, List[str]] = {}
    legends: Dict[str, Any] = {}
    for name in order:
        low, high = plot._raster_limits(ds, name)
        da = ds[name]
        images[name] = [_data_uri(plot.raster_rgba(name, np.asarray(da.isel(snapshot=i).values), outside=outside,
                                                   vmin=low, vmax=high)) for i in chosen]
        if name in ("control", "cell_state"):
            table = plot.CONTROL_CLASSES if name == "control" else plot.EPSTEIN_CELLS
            legends[name] = {"categories": [[label, colour] for _, label, colour in table]}
        else:
            from matplotlib import colormaps
            from matplotlib.colors import to_hex

            style = plot.RASTER_STYLES.get(name, dict(cmap="viridis", label=name))
            values = np.asarray(da.values, dtype=float)
            finite = values[np.isfinite(values)]
            low = low if low is not None else float(finite.min()) if finite.size else 0.0
            high = high if high is not None else float(finite.max()) if finite.size else 1.0
            legends[name] = {"label": style.get("label", name), "min": low, "max": high,
                             "colours": [to_hex(colormaps[style["cmap"]](x)) for x in np.linspace(0, 1, 9)]}
    steps = np.asarray(ds["snapshot"].values)
    return {"layers": order, "labels": [plot.step_label(ds, int(steps[i])) for i in chosen], "images": images,
            "legends": legends, "long_names": {n: ds[n].attrs.get("long_name", n) for n in order}}


def _x(ds) -> List[Any]:
    x, kind = plot._x_values(ds)
    if kind == "date":
        return [str(d)[:10] for d in x]
    return [int(v) for v in x]


def _charts(ds) -> List[Dict[str, Any]]:
    """The charts of the main series the run has: title and traces (name, values, kind, axis)."""
    have = {v for v in ds.data_vars if ds[v].dims == ("step",)}

    def values(name: str, cumulative: bool = False, scale: float = 1.0) -> List[Optional[float]]:
        data = np.asarray(ds[name].values, dtype=float) * scale
        return _round_list(np.cumsum(data) if cumulative else data)

    charts: List[Dict[str, Any]] = []

    def add(title: str, traces: List[Dict[str, Any]], **layout: Any) -> None:
        traces = [t for t in traces if t is not None]
        if traces:
            charts.append({"title": title, "traces": traces, "layout": layout})

    def trace(name: str, label: str, colour: str, **options: Any) -> Optional[Dict[str, Any]]:
        if name not in have:
            return None
        cumulative = options.pop("cumulative", False)
        scale = options.pop("scale", 1.0)
        return dict(name=label, y=values(name, cumulative, scale), colour=colour, **options)

    if "fuel_price_bamako" in have:  # the Sahel model
        add("Fuel in the capital", [trace("fuel_price_bamako", "price (FCFA/L)", "#d7301f"),
                                    trace("fuel_stock_bamako", "stock (million L)", "#4d4d4d", axis="y2", dash="dash",
                                          scale=1e-6)])
        add("Electricity in the capital (hours a day)", [trace("electricity_hours_bamako", "hours a day", "#e6ab02")],
            yrange=[0, 24])
        add("Tankers destroyed", [trace("tankers_destroyed", "that day", "#fc8d59", kind="bar"),
                                  trace("tankers_destroyed_total", "since the start", "#7f0000", axis="y2")])
        add("Civilians killed since the start, by perpetrator",
            [trace(f"deaths_civilians_by_{who}", who, colour, cumulative=True)
             for who, colour in plot.PERPETRATOR_COLOURS.items()])
        add("Mean state legitimacy", [trace("legitimacy_mean", "mean legitimacy", "#2166ac")], yrange=[0, 1])
        add("Control (share of residents)",
            [trace(f"control_share_{name}", label, colour, stack=True) for name, label, colour in plot.CONTROL_CLASSES],
            yrange=[0, 1])
        add("Militant fighters and people displaced",
            [trace("militant_fighters", "militant fighters", "#7f0000"),
             trace("displaced", "displaced (right axis)", "#8073ac", axis="y2")])
        add("Attacks and raids each day", [trace("attacks", "attacks on convoys and garrisons", "#b2182b", kind="bar"),
                                          trace("village_raids", "village raids", "#8c510a", kind="bar")])
    else:
        add("Citizens", [trace("quiet", "quiet", "#6baed6"), trace("active", "active", "#d7301f"),
                         trace("jailed", "jailed", "#525252")])
        add("Legitimacy", [trace("legitimacy", "legitimacy", "#2166ac")], yrange=[0, 1])
        add("Arrests each step", [trace("arrests", "arrests", "#08306b", kind="bar")])
        if not charts:
            names = sorted(have)[:6]
            add("Series", [trace(n, n, c) for n, c in zip(names, ["#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                                                   "#66a61e", "#e6ab02"])])
    return charts


def _indicators(ds) -> List[Dict[str, str]]:
    from .cli import _INDICATORS

    attrs = ds.attrs
    rows = []
    shown = set()
    for key, number, label, spec, target in _INDICATORS:
        if key == "legitimacy":
            start, end = attrs.get("summary_legitimacy_start"), attrs.get("summary_legitimacy_end")
            if start is None:
                continue
            value = f"{_format(start, spec)} → {_format(end, spec)}"
            shown.update({"summary_legitimacy_start", "summary_legitimacy_end"})
        else:
            if f"summary_{key}" not in attrs:
                continue
            raw = _plain(attrs[f"summary_{key}"])
            if key == "capital_captured" and raw is not None:
                raw = bool(raw)
            value = _format(raw, spec)
            shown.add(f"summary_{key}")
        rows.append({"number": number, "label": label, "value": value, "target": target})
    for key in sorted(k for k in attrs if k.startswith("summary_") and k not in shown):
        rows.append({"number": "", "label": key[len("summary_"):].replace("_", " "), "value": _format(attrs[key]),
                     "target": ""})
    return rows


def _parameters(ds) -> List[Dict[str, str]]:
    """Every parameter of the run with its registry default, unit and description."""
    from ._model import parameters

    model = str(ds.attrs.get("model", ""))
    try:
        specs = parameters(model)
    except Exception:  # a run of a model this build does not know
        specs = []
    rows = []
    for spec in specs:
        name = spec["name"]
        if name not in ds.attrs:
            continue
        value = _plain(ds.attrs[name])
        default = spec["default"]
        if isinstance(default, bool):  # run files store booleans as "true" / "false"
            changed = str(value).strip().lower() not in (("true", "1") if default else ("false", "0"))
            default = "true" if default else "false"
        elif isinstance(default, str):
            changed = str(value) != default
        else:
            try:
                changed = float(value) != float(default)
            except (TypeError, ValueError):
                changed = str(value) != str(default)
        rows.append({"name": name, "value": _format(value), "default": _format(default), "unit": spec.get("unit", ""),
                     "description": spec.get("description", ""), "changed": changed})
    return rows


def _events(ds) -> Dict[str, Any]:
    from .io import event_log

    log = event_log(ds)
    if log.empty:
        return {"counts": [], "points": []}
    counts = log["kind"].value_counts()
    rows = []
    killed_columns = [c for c in ("civilians_killed", "soldiers_killed", "militants_killed", "drivers_killed")
                      if c in log]
    for kind in log["kind"].cat.categories:
        n = int(counts.get(kind, 0))
        if n == 0:
            continue
        sub = log[log["kind"] == kind]
        row = {"kind": kind, "label": plot.EVENT_STYLES.get(kind, {}).get("label", kind), "count": n}
        for column in killed_columns:
            row[column] = int(round(float(sub[column].sum())))
        if "tankers_destroyed" in sub:
            row["tankers_destroyed"] = int(sub["tankers_destroyed"].sum())
        rows.append(row)
    points = []
    for kind in [r["kind"] for r in rows if r["kind"] != "convoy_arrived"]:
        sub = log[log["kind"] == kind]
        style = plot.EVENT_STYLES.get(kind, dict(color="#444444", label=kind))
        dates = [str(d)[:10] for d in sub["date"]] if "date" in sub else [str(d) for d in sub["day"]]
        killed = sum(sub[c].astype(float) for c in killed_columns) if killed_columns else np.zeros(len(sub))
        points.append({"kind": kind, "label": style["label"], "colour": style["color"],
                       "lon": _round_list(sub["lon"], 3), "lat": _round_list(sub["lat"], 3),
                       "text": [f"{style['label']}, {d}: {int(k)} killed" for d, k in zip(dates, np.asarray(killed))],
                       "killed": _round_list(np.asarray(killed), 0)})
    return {"counts": rows, "points": points, "columns": killed_columns}


def build_report_data(run: Run, max_frames: int = 60) -> Dict[str, Any]:
    """Everything the page shows, as plain JSON-ready data."""
    with _dataset(run) as ds:
        attrs = ds.attrs
        info = [(k, _format(attrs[k])) for k in _RUN_ATTRIBUTES if k in attrs and str(_plain(attrs[k])) != ""]
        extent = None
        if ds.sizes.get("snapshot", 0) > 0:
            raster = next(v for v in ds.data_vars if "snapshot" in ds[v].dims and ds[v].ndim == 3)
            west, east, south, north = plot._extent(ds, ds[raster])
            extent = [west, south, east, north]
            north_up = plot._north_up(ds, ds[raster])
            aspect = plot._aspect(ds, ds[raster])
        else:
            north_up, aspect = True, 1.0
        blockade = _plain(attrs.get("summary_blockade_start_day"))
        blockade_date = None
        if blockade is not None and blockade >= 0 and attrs.get("start_date") is not None:
            # summary_blockade_start_day is the step of the blockade's day (step t: start + t - 1).
            blockade_date = plot.step_date(ds, int(blockade)).isoformat()
        return {
            "title": str(attrs.get("scenario") or attrs.get("model") or "run"),
            "description": str(attrs.get("scenario_description", "")),
            "model": str(attrs.get("model", "")),
            "info": info,
            "indicators": _indicators(ds),
            "parameters": _parameters(ds),
            "scenario_toml": str(attrs.get("scenario_toml", "")),
            "x": _x(ds),
            "blockade_date": blockade_date,
            "charts": _charts(ds),
            "events": _events(ds),
            "map": {"extent": extent, "north_up": north_up, "aspect": aspect, "outline": _outline(ds),
                    "geographic": "lat" in ds.coords, **_roads_and_towns(ds)},
            "frames": _frames(ds, max_frames),
        }


def _plotly_js() -> str:
    from .demo.app import plotly_js_path

    with open(plotly_js_path(), encoding="utf-8") as f:
        return f.read()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} cannot be written to the report's data")


def _table(header: List[str], rows: List[List[str]], classes: Optional[List[str]] = None) -> str:
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        css = f' class="{classes[i]}"' if classes and classes[i] else ""
        out.append(f"<tr{css}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


_STYLE = """
body { font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #222; margin: 0; background: #f6f5f1; }
header { background: #2d2a26; color: #f3efe6; padding: 14px 24px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #d9d3c7; }
main { max-width: 1280px; margin: 0 auto; padding: 10px 24px 30px; }
section { background: #fff; border: 1px solid #ddd8cc; border-radius: 6px; padding: 10px 16px; margin: 14px 0; }
h2 { font-size: 17px; margin: 4px 0 10px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 3px 10px 3px 0; border-bottom: 1px solid #eee; vertical-align: top; }
td:nth-child(n+2) { font-variant-numeric: tabular-nums; }
tr.changed td { background: #fff3cd; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.chart { height: 260px; }
#map { height: 620px; }
#player { display: flex; gap: 12px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
#player input[type=range] { flex: 1; min-width: 240px; }
#legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; }
.chip { display: inline-block; width: 12px; height: 12px; border: 1px solid #999; vertical-align: -2px; margin-right: 4px; }
.bar { display: inline-block; width: 180px; height: 12px; border: 1px solid #999; vertical-align: -2px; margin: 0 6px; }
pre { background: #f4f2ec; padding: 8px; overflow: auto; max-height: 400px; font-size: 12px; }
#map image { image-rendering: pixelated; }
footer { color: #6b655b; font-size: 12px; text-align: center; padding: 10px; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const config = { displaylogo: false, responsive: true };
  const x = data.x;
  const shapes = data.blockade_date ? [{ type: "line", xref: "x", yref: "paper", x0: data.blockade_date,
    x1: data.blockade_date, y0: 0, y1: 1, line: { color: "#444", width: 1, dash: "dot" } }] : [];
  data.charts.forEach((chart, i) => {
    const traces = chart.traces.map((t) => {
      const trace = { x, y: t.y, name: t.name, type: t.kind === "bar" ? "bar" : "scatter",
        mode: "lines", yaxis: t.axis || "y" };
      if (t.kind === "bar") trace.marker = { color: t.colour };
      else trace.line = { color: t.colour, width: 1.6, dash: t.dash || "solid" };
      if (t.stack) { trace.stackgroup = "one"; trace.fillcolor = t.colour; trace.line.width = 0.5; }
      return trace;
    });
    const layout = { title: { text: chart.title, font: { size: 13 }, x: 0.02, xanchor: "left" },
      margin: { l: 50, r: 45, t: 30, b: 30 }, shapes, font: { size: 11 }, barmode: "overlay",
      legend: { orientation: "h", x: 0.01, y: 0.99, yanchor: "top", bgcolor: "rgba(255,255,255,0.75)", font: { size: 10 } },
      yaxis: { rangemode: "tozero", gridcolor: "#eee" }, hovermode: "x unified",
      yaxis2: { overlaying: "y", side: "right", rangemode: "tozero", showgrid: false } };
    if (chart.layout.yrange) layout.yaxis.range = chart.layout.yrange;
    Plotly.newPlot(`chart${i}`, traces, layout, config);
  });

  const map = data.map;
  const frames = data.frames;
  if (map.extent && frames.layers.length) {
    const [west, south, east, north] = map.extent;
    const context = [];
    if (map.geographic) {
      context.push({ type: "scatter", mode: "lines", x: map.roads.x, y: map.roads.y, line: { color: "#6b5846", width: 0.8 },
        hoverinfo: "skip", name: "roads" });
      context.push({ type: "scatter", mode: "lines", x: map.outline.x, y: map.outline.y, line: { color: "#111", width: 1.4 },
        hoverinfo: "skip", name: "border" });
      context.push({ type: "scatter", mode: "markers+text", x: map.towns.lon, y: map.towns.lat, text: map.towns.name,
        textposition: "top right", marker: { size: 5, color: "#111" }, textfont: { size: 10 }, hoverinfo: "text", name: "towns" });
    }
    const layout = { margin: { l: 45, r: 10, t: 10, b: 30 }, showlegend: false,
      plot_bgcolor: map.geographic ? "#d9d9d9" : "#fff",
      xaxis: { range: [west, east], showgrid: false, zeroline: false },
      yaxis: { range: map.north_up ? [south, north] : [north, south], showgrid: false, zeroline: false,
        scaleanchor: "x", scaleratio: map.aspect },
      images: [{ source: frames.images[frames.layers[0]][0], xref: "x", yref: "y", x: west,
        y: map.north_up ? north : south, sizex: east - west, sizey: north - south, sizing: "stretch", layer: "below" }] };
    Plotly.newPlot("map", context, layout, config);
    const slider = document.getElementById("frame");
    const label = document.getElementById("frame-label");
    const select = document.getElementById("layer");
    slider.max = frames.labels.length - 1;
    const legend = document.getElementById("legend");
    function show() {
      const layer = select.value;
      const i = Number(slider.value);
      Plotly.relayout("map", { "images[0].source": frames.images[layer][i] });
      label.textContent = `${frames.long_names[layer]} — ${frames.labels[i]}`;
    }
    function drawLegend() {
      const l = frames.legends[select.value];
      legend.innerHTML = "";
      if (l.categories) {
        l.categories.forEach(([name, colour]) => {
          const item = document.createElement("span");
          item.innerHTML = `<span class="chip" style="background:${colour}"></span>`;
          item.appendChild(document.createTextNode(name));
          legend.appendChild(item);
        });
      } else {
        legend.innerHTML = `<span></span><span>${Number(l.min).toLocaleString("en-GB", { maximumFractionDigits: 2 })}</span>` +
          `<span class="bar" style="background:linear-gradient(to right, ${l.colours.join(", ")})"></span>` +
          `<span>${Number(l.max).toLocaleString("en-GB", { maximumFractionDigits: 2 })}</span>`;
        legend.firstChild.textContent = l.label + ":";
      }
    }
    select.addEventListener("change", () => { drawLegend(); show(); });
    slider.addEventListener("input", show);
    let timer = null;
    const button = document.getElementById("play");
    button.addEventListener("click", () => {
      if (timer) { clearInterval(timer); timer = null; button.textContent = "\u25B6 Play"; return; }
      button.textContent = "\u275A\u275A Pause";
      timer = setInterval(() => {
        slider.value = (Number(slider.value) + 1) % frames.labels.length;
        show();
      }, 400);
    });
    drawLegend();
    show();
  }

  if (data.events.points.length && map.extent && map.geographic) {
    const [west, south, east, north] = map.extent;
    const traces = [
      { type: "scatter", mode: "lines", x: map.roads.x, y: map.roads.y, line: { color: "#b8aa9a", width: 0.8 }, hoverinfo: "skip", showlegend: false },
      { type: "scatter", mode: "lines", x: map.outline.x, y: map.outline.y, line: { color: "#111", width: 1.2 }, hoverinfo: "skip", showlegend: false },
    ].concat(data.events.points.map((p) => ({ type: "scatter", mode: "markers", x: p.lon, y: p.lat, text: p.text,
      hoverinfo: "text", name: p.label, marker: { color: p.colour, size: p.killed.map((k) => 6 + 2.5 * Math.sqrt(k || 0)),
        line: { color: "#fff", width: 0.5 }, opacity: 0.85 } })));
    Plotly.newPlot("event-map", traces, { margin: { l: 45, r: 10, t: 10, b: 30 }, plot_bgcolor: "#f4f1e8",
      xaxis: { range: [west, east], showgrid: false, zeroline: false },
      yaxis: { range: [south, north], showgrid: false, zeroline: false, scaleanchor: "x", scaleratio: map.aspect },
      legend: { font: { size: 11 } } }, config);
  }
})();
"""


def render_html(data: Dict[str, Any], plotly_js: str) -> str:
    """The report page for `data` (:func:`build_report_data`) with plotly.js inlined."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>sahelsim report — {esc(data['title'])}</title>",
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<style>{_STYLE}</style>",
             # plotly.js, inlined: the page loads nothing from elsewhere.
             f"<script>{plotly_js}</script>",
             "</head><body>",
             f"<header><h1>sahelsim report — {esc(data['title'])}</h1><p>{esc(data['description'])}</p></header>",
             "<main>"]
    parts.append("<section><h2>The run</h2>" + _table(["", ""], [[k, v] for k, v in data["info"]]) + "</section>")
    if data["indicators"]:
        rows = [[r["number"], r["label"], r["value"], r["target"]] for r in data["indicators"]]
        parts.append("<section><h2>Calibration indicators</h2><p>As <code>sahelsim run</code> prints them; targets "
                     "from the model's design brief (docs/ODD.md §9, docs/VALIDATION.md).</p>"
                     + _table(["#", "indicator", "value", "target"], rows) + "</section>")
    if data["charts"]:
        parts.append("<section><h2>Series</h2><div class=\"grid\">" +
                     "".join(f'<div class="chart" id="chart{i}"></div>' for i in range(len(data["charts"]))) +
                     "</div></section>")
    if data["frames"]["layers"]:
        options = "".join(f'<option value="{esc(n)}">{esc(data["frames"]["long_names"][n])}</option>'
                          for n in data["frames"]["layers"])
        parts.append('<section><h2>Map over time</h2><div id="player">'
                     '<button id="play" type="button">&#9654; Play</button>'
                     f'<select id="layer" aria-label="layer">{options}</select>'
                     '<input id="frame" type="range" min="0" value="0" step="1" aria-label="snapshot">'
                     '<span id="frame-label"></span></div><div id="legend"></div><div id="map"></div></section>')
    if data["events"]["counts"]:
        columns = data["events"]["columns"]
        header = ["event", "count"] + [c.replace("_", " ") for c in columns] + ["tankers destroyed"]
        rows = [[r["label"], f"{r['count']:,}"] + [f"{r.get(c, 0):,}" for c in columns] +
                [f"{r.get('tankers_destroyed', 0):,}"] for r in data["events"]["counts"]]
        parts.append("<section><h2>Events</h2>" + _table(header, rows) +
                     ('<div id="event-map" style="height:560px"></div>' if data["map"]["geographic"] else "") +
                     "</section>")
    if data["parameters"]:
        changed = [r for r in data["parameters"] if r["changed"]]
        rows = [[r["name"], r["value"], r["default"], r["unit"], r["description"]] for r in data["parameters"]]
        classes = ["changed" if r["changed"] else "" for r in data["parameters"]]
        parts.append(f"<section><h2>Parameters</h2><p>{len(rows)} parameters; {len(changed)} differ from the "
                     f"default (highlighted).</p><details><summary>Show every parameter</summary>"
                     + _table(["name", "value", "default", "unit", "description"], rows, classes) +
                     "</details></section>")
    if data["scenario_toml"]:
        parts.append("<section><h2>Scenario</h2><details><summary>The resolved scenario file</summary>"
                     f"<pre>{esc(data['scenario_toml'])}</pre></details></section>")
    payload = json.dumps(data, ensure_ascii=False, allow_nan=False, default=_json_default).replace("</", "<\\/")
    parts += ["</main>",
              "<footer>Made by sahelsim report. The numbers are the model's (docs/ODD.md), not observations.</footer>",
              f'<script type="application/json" id="report-data">{payload}</script>',
              f"<script>{_SCRIPT}</script>", "</body></html>"]
    return "\n".join(parts)


def write_report(run: Run, path: os.PathLike | str, *, max_frames: int = 60) -> str:
    """Writes the report of `run` (a run file's path or a Dataset from :func:`sahelsim.open_run`) to
    `path` and returns the path. At most `max_frames` snapshots go into the animated map."""
    if max_frames < 1:
        raise ValueError(f"max_frames = {max_frames} is not allowed: expected an integer >= 1")
    path = os.fspath(path)
    data = build_report_data(run, max_frames=max_frames)
    page = render_html(data, _plotly_js())
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return path


__all__ = ["write_report", "build_report_data", "render_html"]
