"""Pictures of a run for notebooks and reports (matplotlib).

::

    import sahelsim, sahelsim.plot as sp
    ds = sahelsim.open_run("runs/mali-2025.h5")
    sp.map_snapshot(ds, "control")                 # the last snapshot of a raster, with roads and towns
    sp.map_snapshot(ds, "fuel_price", snapshot=10) # the 11th snapshot
    sp.series(ds, ["fuel_price_bamako", "electricity_hours_bamako"])   # daily series over dates
    sp.event_map(ds, kinds=["convoy_ambush", "abuse_by_state"])        # where the events happened
    sp.animate(ds, "control", "control.gif")       # every snapshot as one frame of a GIF (MP4 with ffmpeg)

Each function takes a run file's path or a Dataset from :func:`sahelsim.open_run`, draws into ``ax``
(a new figure when it is None) and returns the axes. The colours of the rasters (control classes,
legitimacy, militant presence, fuel price, Epstein's cells) are defined here once and shared by the
live demo (``sahelsim demo``) and the HTML report (``sahelsim report``).
"""

from __future__ import annotations

import datetime
import math
import os
import shutil
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from .io import Run, _dataset

# ---- colours, shared by the demo and the report --------------------------------------------------

#: Control classes of ODD §7.2 (rules::control_flag_meanings), code -> (name, label, colour).
CONTROL_CLASSES = [
    ("none", "no armed presence", "#efebe0"),
    ("state_control", "state control", "#1f5fa8"),
    ("state_dominant", "state dominant", "#7fb0dc"),
    ("contested", "contested", "#f2d65c"),
    ("insurgent_support", "insurgent support", "#f08a4b"),
    ("insurgent_control", "insurgent control", "#b2182b"),
]

#: Epstein's cells (raster cell_state), code -> (name, label, colour).
EPSTEIN_CELLS = [
    ("empty", "empty", "#ffffff"),
    ("quiet", "quiet citizen", "#9ecae1"),
    ("active", "active citizen", "#d7301f"),
    ("jailed", "jailed citizen", "#525252"),
    ("cop", "cop", "#08306b"),
]

#: Outside the country the model simulates (and cells without villages).
OUTSIDE_COLOUR = "#d9d9d9"

#: Real-valued rasters: colour map, label, and the fixed range (None: from the data).
RASTER_STYLES: Dict[str, dict] = {
    "legitimacy": dict(cmap="RdYlBu", label="mean state legitimacy", vmin=0.0, vmax=1.0),
    "militant_presence": dict(cmap="Reds", label="militant presence (fighters within reach, weighted)",
                              vmin=0.0, vmax=None),
    "fuel_price": dict(cmap="YlOrRd", label="fuel price (FCFA/L)", vmin=None, vmax=None),
}

#: Event kinds of the Sahel model's log (ODD §8), with a marker and a colour for maps.
EVENT_STYLES: Dict[str, dict] = {
    "convoy_ambush": dict(marker="*", color="#d7301f", label="convoy ambush (escorted)"),
    "convoy_attack": dict(marker="*", color="#fc8d59", label="convoy attack (unescorted)"),
    "garrison_attack": dict(marker="^", color="#7a0177", label="garrison attack"),
    "garrison_overrun": dict(marker="X", color="#49006a", label="garrison overrun"),
    "village_raid": dict(marker="v", color="#b35806", label="village raid"),
    "punishment": dict(marker="v", color="#8c510a", label="punishment by militants"),
    "kidnapping": dict(marker=".", color="#636363", label="kidnapping"),
    "abuse_by_state": dict(marker="s", color="#2166ac", label="abuse by state forces"),
    "strike_on_band": dict(marker="D", color="#4393c3", label="strike on a band"),
    "convoy_arrived": dict(marker="o", color="#1a9850", label="escorted convoy arrived"),
    "blockade_declared": dict(marker="P", color="#000000", label="blockade declared"),
    "blockade_lifted": dict(marker="P", color="#999999", label="blockade lifted"),
    "fuel_sale_ban": dict(marker="h", color="#756bb1", label="fuel-sale ban"),
    "partner_replaces": dict(marker="h", color="#54278f", label="partner force replaced"),
    "legitimacy_shock": dict(marker="h", color="#e7298a", label="legitimacy shock"),
}

#: The series a report or a notebook shows first (those the run has).
MAIN_SERIES = [
    ("fuel_price_bamako", "Fuel price in the capital (FCFA/L)"),
    ("fuel_stock_bamako", "Fuel stock in the capital's depots (L)"),
    ("electricity_hours_bamako", "Electricity in the capital (hours a day)"),
    ("tankers_destroyed_total", "Tankers destroyed since the start"),
    ("legitimacy_mean", "Mean state legitimacy"),
    ("militant_fighters", "Militant fighters"),
    ("displaced", "People displaced"),
]

CIVILIAN_DEATHS = ["deaths_civilians_by_militants", "deaths_civilians_by_army", "deaths_civilians_by_partner",
                   "deaths_civilians_by_militia"]
PERPETRATOR_COLOURS = {"militants": "#b2182b", "army": "#2166ac", "partner": "#762a83", "militia": "#e08214"}


def _hex_rgba(colour: str, alpha: int = 255) -> tuple:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4)) + (alpha,)


def price_range(attrs: dict) -> tuple:
    """(official price, highest possible price) from a run's or a model's parameters."""
    official = float(attrs.get("fuel_price_fcfa_per_litre", 775.0))
    return official, official * (1.0 + float(attrs.get("fuel_premium_max", 3.0)))


def raster_rgba(name: str, values: np.ndarray, *, outside: Optional[np.ndarray] = None,
                vmin: Optional[float] = None, vmax: Optional[float] = None) -> np.ndarray:
    """A raster as an RGBA image (uint8, rows x cols x 4) in the colours above: the control classes
    and Epstein's cells by code, real-valued rasters through their colour map. NaN cells and the
    cells where ``outside`` is true are transparent (the map's base shows through)."""
    values = np.asarray(values)
    if name in ("control", "cell_state"):
        table = CONTROL_CLASSES if name == "control" else EPSTEIN_CELLS
        palette = np.array([_hex_rgba(c) for _, _, c in table] + [(0, 0, 0, 0)], dtype=np.uint8)
        codes = np.where(values < len(table), values, len(table)).astype(np.intp)
        image = palette[codes]
    else:
        from matplotlib import colormaps

        style = RASTER_STYLES.get(name, dict(cmap="viridis", vmin=None, vmax=None))
        finite = values[np.isfinite(values)]
        low = vmin if vmin is not None else style["vmin"] if style["vmin"] is not None else (
            float(finite.min()) if finite.size else 0.0)
        high = vmax if vmax is not None else style["vmax"] if style["vmax"] is not None else (
            float(np.percentile(finite, 99)) if finite.size else 1.0)
        if not high > low:
            high = low + 1.0
        scaled = np.clip((np.nan_to_num(values.astype(np.float64), nan=low) - low) / (high - low), 0.0, 1.0)
        image = colormaps[style["cmap"]](scaled, bytes=True)
        image[~np.isfinite(values)] = 0
    if outside is not None:
        image[np.asarray(outside, dtype=bool)] = 0
    return image


def png_bytes(image: np.ndarray) -> bytes:
    """An RGBA uint8 image as PNG bytes (Pillow)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image), mode="RGBA").save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


# ---- run files: dates, context ---------------------------------------------------------------------


def step_date(ds, step: int) -> Optional[datetime.date]:
    """The date a step's state belongs to: step 0 is the start date's morning, step t the end of
    start + t - 1 (the event log's convention); None for a run without dates."""
    start = ds.attrs.get("start_date")
    if start is None:
        return None
    return datetime.date.fromisoformat(str(start)) + datetime.timedelta(days=max(int(step) - 1, 0))


def step_label(ds, step: int) -> str:
    date = step_date(ds, step)
    unit = "day" if date is not None else "step"
    return f"{unit} {int(step)}" + (f" ({date.isoformat()})" if date is not None else "")


def _spatial_dims(da) -> tuple:
    """(row dim, col dim) of a raster variable: (lat, lon) for map models, (y, x) otherwise."""
    dims = [d for d in da.dims if d != "snapshot"]
    return dims[0], dims[1]


def _extent(ds, da) -> tuple:
    """(west, east, south, north) of the cells of `da` (lat/lon of cell centres, half a cell wider)."""
    row, col = _spatial_dims(da)
    ys, xs = np.asarray(ds[row].values, dtype=float), np.asarray(ds[col].values, dtype=float)
    dx = abs(xs[1] - xs[0]) if xs.size > 1 else 1.0
    dy = abs(ys[1] - ys[0]) if ys.size > 1 else 1.0
    return xs.min() - dx / 2, xs.max() + dx / 2, ys.min() - dy / 2, ys.max() + dy / 2


def _north_up(ds, da) -> bool:
    row, _ = _spatial_dims(da)
    ys = np.asarray(ds[row].values, dtype=float)
    return ys.size > 1 and ys[0] > ys[-1]


def outside_mask(ds) -> Optional[np.ndarray]:
    """True for cells outside the simulated country (a map model's run file), else None."""
    if "cell_country" not in ds or "country" not in ds.coords:
        return None
    names = [str(n) for n in ds["country"].values]
    model_country = names.index("Mali") if "Mali" in names else None
    country = np.asarray(ds["cell_country"].values)
    if model_country is None:
        # A synthetic map (e.g. siege-classroom): the country with the most populated cells.
        if "population" in ds:
            populated = country[np.asarray(ds["population"].values) > 0]
            populated = populated[populated >= 0]
            model_country = int(np.bincount(populated).argmax()) if populated.size else 0
        else:
            model_country = 0
    return country != model_country


def _raster_limits(ds, name: str) -> tuple:
    if name == "fuel_price":
        return price_range(ds.attrs)
    if name == "militant_presence" and name in ds:
        values = np.asarray(ds[name].values, dtype=float)
        finite = values[np.isfinite(values) & (values > 0)]
        return 0.0, float(np.percentile(finite, 99)) if finite.size else 1.0
    style = RASTER_STYLES.get(name, {})
    return style.get("vmin"), style.get("vmax")


def _aspect(ds, da) -> float:
    row, _ = _spatial_dims(da)
    if row != "lat":
        return 1.0
    lats = np.asarray(ds["lat"].values, dtype=float)
    return 1.0 / math.cos(math.radians(float(lats.mean())))


def _town_names(ds) -> List[str]:
    return [str(t) for t in ds["town"].values] if "town" in ds.coords else []


def draw_context(ax, ds, *, towns: bool = True, roads: bool = True, labels: int = 12) -> None:
    """The map's context from the run file: the country's outline, the road links and the largest
    towns (the `labels` most populous of the country labelled)."""
    outside = outside_mask(ds)
    if outside is not None and "lat" in ds.coords:
        ax.contour(ds["lon"].values, ds["lat"].values, (~outside).astype(float), levels=[0.5], colors="black",
                   linewidths=1.0, zorder=3)
    if "town_lon" not in ds:
        return
    lon, lat = np.asarray(ds["town_lon"].values), np.asarray(ds["town_lat"].values)
    if roads and "road_link_from" in ds:
        a, b = np.asarray(ds["road_link_from"].values), np.asarray(ds["road_link_to"].values)
        for i, j in zip(a, b):
            if i >= 0 and j >= 0:
                ax.plot([lon[i], lon[j]], [lat[i], lat[j]], color="#5b4a3a", linewidth=0.6, alpha=0.7, zorder=4)
    if towns:
        inside = np.asarray(ds["town_in_mali"].values, dtype=bool) if "town_in_mali" in ds else np.ones(lon.size, bool)
        ax.scatter(lon[inside], lat[inside], s=6, color="black", zorder=5, linewidths=0)
        population = np.asarray(ds["town_population_2022"].values, dtype=float) if "town_population_2022" in ds \
            else np.zeros(lon.size)
        names = _town_names(ds)
        placed: List[int] = []
        for k in np.argsort(-population):
            if len(placed) >= labels:
                break
            # Skip a town next to one already labelled (Kati beside Bamako), so labels do not overlap.
            if not inside[k] or any(abs(lon[k] - lon[j]) < 0.6 and abs(lat[k] - lat[j]) < 0.3 for j in placed):
                continue
            placed.append(int(k))
        for k in placed:
            ax.annotate(names[k], (lon[k], lat[k]), xytext=(2, 2), textcoords="offset points", fontsize=7, zorder=6,
                        bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.6))


def _legend_patches(name: str):
    from matplotlib.patches import Patch

    table = CONTROL_CLASSES if name == "control" else EPSTEIN_CELLS
    return [Patch(facecolor=c, edgecolor="#999999", label=label) for _, label, c in table]


def _new_axes(ax, figsize=(8, 7)):
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def _check_integer(name: str, value: Any, minimum: Optional[int] = None) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or \
            (minimum is not None and value < minimum):
        expected = "an integer" if minimum is None else f"an integer >= {minimum}"
        raise ValueError(f"{name} = {value!r} is not allowed: expected {expected}")
    return int(value)


def _check_positive(name: str, value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) or \
            not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} = {value!r} is not allowed: expected a finite number > 0")
    return float(value)


def _snapshot_index(ds, snapshot: int) -> int:
    snapshot = _check_integer("snapshot", snapshot)
    count = ds.sizes.get("snapshot", 0)
    if count == 0:
        raise ValueError("the run file has no snapshots: run with snapshot_every > 0 (e.g. --snapshot-every 7)")
    if not -count <= snapshot < count:
        raise ValueError(f"snapshot = {snapshot} is not allowed: expected an index in [{-count}, {count - 1}] "
                         f"(the run has {count} snapshots)")
    return snapshot % count


def _check_raster(ds, name: str):
    rasters = [v for v in ds.data_vars if "snapshot" in ds[v].dims and ds[v].ndim == 3]
    if name not in rasters:
        raise ValueError(f"raster {name!r} is not in the run file: expected one of: {', '.join(rasters) or 'none'}")
    return ds[name]


def map_snapshot(run: Run, name: str = "control", snapshot: int = -1, ax=None, *, context: bool = True,
                 colorbar: bool = True):
    """One snapshot of a raster (``control``, ``legitimacy``, ``militant_presence``, ``fuel_price``;
    ``cell_state`` for Epstein) with the country's outline, roads and towns. ``snapshot`` indexes the
    run's snapshots (-1: the last). Returns the axes."""
    with _dataset(run) as ds:
        da = _check_raster(ds, name)
        index = _snapshot_index(ds, snapshot)
        ax = _new_axes(ax)
        values = np.asarray(da.isel(snapshot=index).values)
        low, high = _raster_limits(ds, name)
        image = raster_rgba(name, values, outside=outside_mask(ds), vmin=low, vmax=high)
        west, east, south, north = _extent(ds, da)
        ax.set_facecolor(OUTSIDE_COLOUR if outside_mask(ds) is not None else "white")
        ax.imshow(image, extent=(west, east, south, north), origin="upper" if _north_up(ds, da) else "lower",
                  interpolation="nearest", aspect=_aspect(ds, da), zorder=1)
        if context:
            draw_context(ax, ds)
        step = int(ds["snapshot"].values[index])
        ax.set_title(f"{da.attrs.get('long_name', name)} — {step_label(ds, step)}", fontsize=10)
        row, col = _spatial_dims(da)
        ax.set_xlabel("longitude (°)" if col == "lon" else col)
        ax.set_ylabel("latitude (°)" if row == "lat" else row)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        if name in ("control", "cell_state"):
            ax.legend(handles=_legend_patches(name), loc="lower left", fontsize=7, framealpha=0.85)
        elif colorbar:
            from matplotlib import colormaps
            from matplotlib.cm import ScalarMappable
            from matplotlib.colors import Normalize

            style = RASTER_STYLES.get(name, dict(cmap="viridis", label=name))
            finite = values[np.isfinite(values)]
            low = low if low is not None else float(finite.min()) if finite.size else 0.0
            high = high if high is not None else float(finite.max()) if finite.size else 1.0
            mappable = ScalarMappable(norm=Normalize(low, high), cmap=colormaps[style["cmap"]])
            ax.figure.colorbar(mappable, ax=ax, shrink=0.7, label=style.get("label", name))
        return ax


def _x_values(ds):
    """Dates for a run with a start date (step t: the end of start + t - 1), else steps."""
    steps = np.asarray(ds["step"].values)
    if ds.attrs.get("start_date") is None:
        return steps, "step"
    start = np.datetime64(str(ds.attrs["start_date"]))
    return start + (np.maximum(steps, 1) - 1).astype("timedelta64[D]"), "date"


def series(run: Run, names: Union[str, Sequence[str]], ax=None, *, cumulative: bool = False):
    """Daily series (variables along ``step``) against the date (step number for models without
    dates); ``cumulative=True`` plots running totals (e.g. deaths a day). Returns the axes."""
    if isinstance(names, str):
        names = [names]
    with _dataset(run) as ds:
        known = [v for v in ds.data_vars if ds[v].dims == ("step",)]
        for name in names:
            if name not in known:
                raise ValueError(f"series {name!r} is not in the run file: expected some of: {', '.join(known)}")
        ax = _new_axes(ax, figsize=(8, 4))
        x, label = _x_values(ds)
        for name in names:
            values = np.asarray(ds[name].values, dtype=float)
            if cumulative:
                values = np.cumsum(values)
            units = ds[name].attrs.get("units", "")
            ax.plot(x, values, label=f"{name}" + (f" ({units})" if units and units != "1" else ""), linewidth=1.4)
        blockade = ds.attrs.get("summary_blockade_start_day")
        if label == "date" and blockade is not None and float(blockade) >= 0:
            day = np.datetime64(step_date(ds, int(blockade)).isoformat())  # the step of the blockade's day
            ax.axvline(day, color="black", linestyle=":", linewidth=1)
            ax.annotate("blockade", (day, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                        textcoords="offset points", fontsize=8)
        ax.set_xlabel(label)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        if label == "date":
            ax.figure.autofmt_xdate()
        return ax


def event_map(run: Run, kinds: Optional[Iterable[str]] = None, ax=None, *, background: Optional[str] = "control",
              snapshot: int = -1):
    """Where the events of the log happened, one marker per kind (``kinds``: a subset of the kinds
    of ODD §8, default every kind that occurred except convoy arrivals), over a raster snapshot
    (``background``; None for the outline, roads and towns only). Marker size grows with the people
    killed. Returns the axes."""
    from .io import event_log

    with _dataset(run) as ds:
        log = event_log(ds)
        if log.empty:
            raise ValueError("the run file has no event log (only the Sahel model writes one)")
        all_kinds = list(log["kind"].cat.categories)
        if kinds is None:
            kinds = [k for k in all_kinds if k != "convoy_arrived" and (log["kind"] == k).any()]
        else:
            kinds = list(kinds)
            unknown = [k for k in kinds if k not in all_kinds]
            if unknown:
                raise ValueError(f"unknown event kinds {', '.join(unknown)}: expected some of: {', '.join(all_kinds)}")
        if background is not None and ds.sizes.get("snapshot", 0) > 0:
            ax = map_snapshot(ds, background, snapshot=snapshot, ax=ax, colorbar=False)
            for image in ax.get_images():
                image.set_alpha(0.45)
            legend = ax.get_legend()
            if legend is not None:
                legend.remove()
        else:
            ax = _new_axes(ax)
            draw_context(ax, ds)
            ax.set_aspect(_aspect(ds, ds["cell_country"]) if "cell_country" in ds else 1.0)
        killed = sum(log[c].astype(float) for c in ("civilians_killed", "soldiers_killed", "militants_killed",
                                                     "drivers_killed") if c in log)
        for kind in kinds:
            rows = log["kind"] == kind
            if not rows.any():
                continue
            style = EVENT_STYLES.get(kind, dict(marker="o", color="#444444", label=kind))
            size = 18 + 6 * np.sqrt(np.asarray(killed[rows], dtype=float)) if not isinstance(killed, int) else 18
            ax.scatter(log.loc[rows, "lon"], log.loc[rows, "lat"], s=size, marker=style["marker"], color=style["color"],
                       edgecolors="white", linewidths=0.4, label=f"{style['label']} ({int(rows.sum())})", zorder=7,
                       alpha=0.9)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, framealpha=0.85)
        ax.set_title(f"Events of {ds.attrs.get('scenario', ds.attrs.get('model', 'the run'))}", fontsize=10)
        return ax


def animate(run: Run, name: str, path: Union[str, os.PathLike], *, fps: float = 4, every: int = 1,
            dpi: int = 80) -> str:
    """Every ``every``-th snapshot of raster ``name`` as one frame: a GIF (Pillow) or, for a path
    ending in .mp4, an MP4 (needs ffmpeg). Returns the path."""
    from matplotlib.animation import FFMpegWriter, PillowWriter

    path = os.fspath(path)
    every = _check_integer("every", every, 1)
    fps = _check_positive("fps", fps)
    dpi = _check_positive("dpi", dpi)
    if path.lower().endswith(".mp4"):
        if shutil.which("ffmpeg") is None:
            raise ValueError("an MP4 needs ffmpeg on the PATH (apt-get install ffmpeg); write a .gif instead")
        writer = FFMpegWriter(fps=fps)
    elif path.lower().endswith(".gif"):
        writer = PillowWriter(fps=fps)
    else:
        raise ValueError(f"cannot write {path!r}: expected a file name ending in .gif or .mp4")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"cannot write {path!r}: directory {parent!r} does not exist")
    with _dataset(run) as ds:
        da = _check_raster(ds, name)
        count = ds.sizes["snapshot"]
        if count == 0:
            _snapshot_index(ds, 0)
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7, 6.2), layout="constrained")
        ax = fig.add_subplot()
        low, high = _raster_limits(ds, name)
        outside = outside_mask(ds)
        west, east, south, north = _extent(ds, da)
        first = raster_rgba(name, np.asarray(da.isel(snapshot=0).values), outside=outside, vmin=low, vmax=high)
        ax.set_facecolor(OUTSIDE_COLOUR if outside is not None else "white")
        image = ax.imshow(first, extent=(west, east, south, north), origin="upper" if _north_up(ds, da) else "lower",
                          interpolation="nearest", aspect=_aspect(ds, da), zorder=1)
        draw_context(ax, ds)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        if name in ("control", "cell_state"):
            ax.legend(handles=_legend_patches(name), loc="lower left", fontsize=7, framealpha=0.85)
        title = ax.set_title("", fontsize=10)
        long_name = da.attrs.get("long_name", name)
        with writer.saving(fig, path, dpi=dpi):
            for index in range(0, count, every):
                values = np.asarray(da.isel(snapshot=index).values)
                image.set_data(raster_rgba(name, values, outside=outside, vmin=low, vmax=high))
                title.set_text(f"{long_name} — {step_label(ds, int(ds['snapshot'].values[index]))}")
                writer.grab_frame()
    return path


__all__ = ["map_snapshot", "series", "event_map", "animate", "raster_rgba", "png_bytes", "draw_context",
           "CONTROL_CLASSES", "EPSTEIN_CELLS", "RASTER_STYLES", "EVENT_STYLES", "MAIN_SERIES"]
