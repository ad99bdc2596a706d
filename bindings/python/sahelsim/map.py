"""The Sahel map: Mali and its border strip on a lon/lat grid, with towns, villages, roads and corridors.

::

    import sahelsim
    m = sahelsim.load_map(cell_km=5, seed=0)     # the map built from the embedded data pack
    m.layers["population"]                        # numpy array (rows x cols), row 0 north
    m.towns                                       # pandas DataFrame, one row per towns.csv row
    m.route("Bamako", "Gao")                      # fastest truck route: towns, cumulative km, km
    m.to_dataset()                                # xarray.Dataset with lat/lon coordinates
    m.render("map.png")                           # a PNG of the map

The map is built in C++ (``models/sahel/world``); how every layer is made, and what is assumed, is
in docs/DATA.md ("Map").
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Union

import numpy as np

from . import _core

MODES = ("truck", "motorcycle", "troops")

CLIMATE_ZONES = {1: "Saharan", 2: "Sahelian", 3: "Sudanian"}
WATER = {0: "none", 1: "river", 2: "wetland"}
ROAD_CLASSES = {0: "none", 1: "track, unpaved or unknown", 2: "partly paved or degraded", 3: "paved"}
ROAD_SURFACES = {0: "none", 1: "seasonal", 2: "track", 3: "partly", 4: "degraded", 5: "paved"}

# name -> (description, units); categorical layers also get flag_values / flag_meanings.
LAYER_INFO: Dict[str, tuple] = {
    "country": ("index into the map's country_names (borders.geojson), -1 none", "1"),
    "region": ("index into region_names (regions.csv) for Malian cells, -1 elsewhere: the admin1 of the "
               "nearest Malian town (Voronoi approximation)", "1"),
    "climate_zone": ("1 Saharan, 2 Sahelian, 3 Sudanian (latitude bands; the Niger valley is Sahelian)", "1"),
    "water": ("0 none, 1 river, 2 wetland", "1"),
    "road_class": ("0 none, 1 track/unpaved/unknown, 2 partly paved or degraded, 3 paved", "1"),
    "road_surface": ("best road surface in the cell: 0 none, 1 seasonal, 2 track, 3 partly, 4 degraded, 5 paved", "1"),
    "terrain": ("index into terrain_features (terrain.geojson), the last feature covering the cell; -1 none", "1"),
    "refuge": ("1 where refuge terrain (terrain.geojson refuge = true) covers the cell", "1"),
    "population": ("people (2022) whose town or village lies in the cell; Mali only", "people"),
    "cost_truck": ("movement cost for trucks (inf: impassable)", "days per km"),
    "cost_motorcycle": ("movement cost for motorcycles (inf: impassable)", "days per km"),
    "cost_troops": ("movement cost for troops (inf: impassable)", "days per km"),
}
_FLAGS = {"climate_zone": CLIMATE_ZONES, "water": WATER, "road_class": ROAD_CLASSES, "road_surface": ROAD_SURFACES}


@dataclass
class Route:
    """A road route: the towns in travel order with the cumulative distance at each."""

    towns: List[str]
    cumulative_km: List[float]
    km: float
    mode: Optional[str] = None  # None for a distance-only (shortest km) route
    hours: Optional[float] = None  # travel time on the move for `mode`
    route_rows: List[int] = field(default_factory=list)  # routes.csv data rows, in travel order

    def __str__(self) -> str:
        lines = [f"{km:8.0f} km  {town}" for town, km in zip(self.towns, self.cumulative_km)]
        lines.append(f"distance_km: {round(self.km)}")
        return "\n".join(lines)


def _route(d: dict) -> Route:
    return Route(towns=list(d["towns"]), cumulative_km=list(d["cumulative_km"]), km=float(d["km"]),
                 mode=d["mode"], hours=d["hours"], route_rows=list(d["route_rows"]))


class Map:
    """The Sahel map (see the module docstring). Build it with :func:`load_map`."""

    def __init__(self, cell_km: float = 5, seed: int = 0, data_dir: Union[str, os.PathLike, None] = None):
        if isinstance(cell_km, bool) or not isinstance(cell_km, (int, float, np.integer, np.floating)):
            raise ValueError(f"cell_km = {cell_km!r} is not allowed: expected a number in [2, 20] (km)")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
            raise ValueError(f"seed = {seed!r} is not allowed: expected an integer in [0, 2**64 - 1]")
        self._data = _core.build_map(float(cell_km), int(seed), "" if data_dir is None else os.fspath(data_dir))
        self._layers: Optional[Dict[str, np.ndarray]] = None
        self._towns = None

    @classmethod
    def _from_core(cls, data) -> "Map":
        """A Map around a map already built in C++ (e.g. a scenario's, see sahelsim.load_scenario)."""
        the_map = cls.__new__(cls)
        the_map._data = data
        the_map._layers = None
        the_map._towns = None
        return the_map

    # --- grid -------------------------------------------------------------------------------------
    @property
    def cell_km(self) -> float:
        return self._data.cell_km

    @property
    def seed(self) -> int:
        return self._data.seed

    @property
    def shape(self) -> tuple:
        """(rows, cols); row 0 is the northernmost."""
        return tuple(self._data.shape)

    @property
    def lat(self) -> np.ndarray:
        """Centre latitude of each row, north to south."""
        return self._data.latitudes

    @property
    def lon(self) -> np.ndarray:
        """Centre longitude of each column, west to east."""
        return self._data.longitudes

    @property
    def extent(self) -> tuple:
        """(west, south, east, north) of the cells, in degrees."""
        return tuple(self._data.extent)

    @property
    def country_names(self) -> List[str]:
        return list(self._data.country_names)

    @property
    def region_names(self) -> List[str]:
        return list(self._data.region_names)

    @property
    def region_populations(self) -> Dict[str, int]:
        return dict(zip(self._data.region_names, self._data.region_populations))

    # --- layers and tables ------------------------------------------------------------------------
    @property
    def layers(self) -> Dict[str, np.ndarray]:
        """Read-only numpy arrays (rows x cols): country, region, climate_zone, water, road_class,
        road_surface, terrain, refuge, population, cost_truck, cost_motorcycle, cost_troops."""
        if self._layers is None:
            self._layers = self._data.layers()
        return self._layers

    @property
    def towns(self):
        """pandas DataFrame: one row per towns.csv row, with its cell (after snapping; -1 off the
        grid), row, col, snapped_km and population_2022."""
        if self._towns is None:
            import pandas as pd

            self._towns = pd.DataFrame(self._data.towns())
        return self._towns

    @property
    def villages(self):
        """pandas DataFrame of Mali's settlements: the Malian towns (town >= 0) then the synthetic
        villages (town == -1): lon, lat, population, region, cell."""
        import pandas as pd

        return pd.DataFrame(self._data.villages())

    @property
    def roads(self):
        """pandas DataFrame of the road links (routes.csv rows, the duplicate row removed)."""
        import pandas as pd

        return pd.DataFrame(self._data.road_links())

    @property
    def corridors(self) -> List[dict]:
        """The fuel corridors: name, port, border_crossing, destination and their truck route."""
        return self._data.corridors()

    @property
    def terrain_features(self) -> List[dict]:
        return [{k: v for k, v in f.items() if k != "rings"} for f in self._data.geometry()["terrain"]]

    def geometry(self) -> dict:
        """Borders, rivers and terrain polygons as lists of (n, 2) lon/lat arrays."""
        return self._data.geometry()

    # --- routing ----------------------------------------------------------------------------------
    def route(self, from_town: str, to_town: str, mode: str = "truck") -> Route:
        """The fastest road route for `mode` (truck, motorcycle or troops): travel time by surface,
        with the ASSUMED speeds of :func:`speed_tables`. Unknown towns raise ValueError with
        suggestions."""
        return _route(self._data.route(from_town, to_town, mode))

    def shortest_route(self, from_town: str, to_town: str) -> Route:
        """The shortest route in km over every link, whatever its surface."""
        return _route(self._data.shortest_route(from_town, to_town))

    def shortest_km(self, from_town: str, to_town: str) -> float:
        return self._data.shortest_km(from_town, to_town)

    def town_suggestions(self, name: str) -> List[str]:
        return list(self._data.town_suggestions(name))

    def state_hash(self) -> int:
        """A hash of every layer and of the villages (same seed and cell size → same hash)."""
        return self._data.state_hash()

    # --- export -----------------------------------------------------------------------------------
    def to_dataset(self):
        """An xarray.Dataset: one variable per layer on dims (lat, lon), lat/lon coordinates (cell
        centres, degrees), the cell area per row, and the lookup tables as attributes."""
        import xarray as xr

        coords = {
            "lat": ("lat", self.lat, {"units": "degrees_north", "standard_name": "latitude", "long_name": "cell centre latitude"}),
            "lon": ("lon", self.lon, {"units": "degrees_east", "standard_name": "longitude", "long_name": "cell centre longitude"}),
        }
        variables = {}
        for name, values in self.layers.items():
            description, units = LAYER_INFO.get(name, ("", "1"))
            attrs = {"long_name": description, "units": units}
            if name in _FLAGS:
                attrs["flag_values"] = np.array(sorted(_FLAGS[name]), dtype=values.dtype)
                attrs["flag_meanings"] = " ".join(_FLAGS[name][k].split(",")[0].replace(" ", "_") for k in sorted(_FLAGS[name]))
            variables[name] = (("lat", "lon"), np.array(values), attrs)
        variables["cell_area_km2"] = ("lat", self._data.cell_area_km2(), {"units": "km2", "long_name": "area of a cell of the row"})
        ds = xr.Dataset(variables, coords=coords)
        ds.attrs.update({
            "title": "sahelsim map of Mali and its border strip",
            "cell_km": self.cell_km,
            "seed": self.seed,
            "data": self._data.data_origin,
            "country_names": self.country_names,
            "region_names": self.region_names,
            "terrain_ids": [f["id"] for f in self.terrain_features],
            "attribution": ATTRIBUTION,
        })
        return ds

    def render(self, path: Union[str, os.PathLike], *, villages: bool = True, dpi: int = 150,
               title: Optional[str] = None) -> str:
        """Writes a PNG of the map to `path` and returns the path. See :func:`render_map`."""
        return render_map(self, path, villages=villages, dpi=dpi, title=title)

    def __repr__(self) -> str:
        rows, cols = self.shape
        return f"<sahelsim.Map {rows}x{cols} cells of {self.cell_km:g} km, seed {self.seed}, data {self._data.data_origin}>"


def load_map(cell_km: float = 5, seed: int = 0, data_dir: Union[str, os.PathLike, None] = None) -> Map:
    """Builds the Sahel map. cell_km in [2, 20] (km); seed places the synthetic villages; data_dir
    (optional) is a directory with the data pack's files (same names and schemas as data/sahel/),
    otherwise the pack embedded in sahelsim is used. Bad values or data raise ValueError."""
    return Map(cell_km=cell_km, seed=seed, data_dir=data_dir)


def speed_tables() -> dict:
    """The ASSUMED speeds (km/h) by mode: on each road surface, off road by climate zone, in
    wetland, and the hours on the move per day."""
    return _core.map_speed_tables()


def speed_table_markdown() -> str:
    """The speed table of docs/DATA.md ("Map: movement"), generated from the code."""
    tables = speed_tables()
    rows = [("paved road (`yes`)", "road_kmh", "paved"),
            ("degraded tarmac (`yes (degraded)`, `yes (potholed)`)", "road_kmh", "degraded"),
            ("partly paved (`partly`)", "road_kmh", "partly"),
            ("track (`no`, `unknown`)", "road_kmh", "track"),
            ("seasonal track (`no (seasonal)`)", "road_kmh", "seasonal"),
            ("off road, Sudanian", "off_road_kmh", "sudanian"),
            ("off road, Sahelian", "off_road_kmh", "sahelian"),
            ("off road, Saharan (desert)", "off_road_kmh", "saharan"),
            ("off road, wetland", "off_road_kmh", "wetland")]
    lines = ["| km/h while moving | " + " | ".join(MODES) + " |", "|---|" + "---:|" * len(MODES)]
    for label, group, key in rows:
        lines.append(f"| {label} | " + " | ".join(f"{tables[m][group][key]:g}" for m in MODES) + " |")
    lines.append("| river without a road | " + " | ".join("impassable" for _ in MODES) + " |")
    lines.append("| hours on the move per day | " + " | ".join(f"{tables[m]['hours_per_day']:g}" for m in MODES) + " |")
    return "\n".join(lines)


ATTRIBUTION = ("Borders, rivers: Made with Natural Earth. Towns: OCHA/HDX Mali settlements, Natural Earth, "
               "FabFlee. Population: INSTAT RGPH5 2022. Roads: Logistics Cluster, OPA, AfDB, FabFlee, press.")

# --- rendering -------------------------------------------------------------------------------------

_FOREIGN_LAND = (0.87, 0.87, 0.86)
_NO_COUNTRY = (0.97, 0.97, 0.97)
_ZONE_COLOURS = {1: (0.98, 0.92, 0.76), 2: (0.92, 0.80, 0.52), 3: (0.66, 0.82, 0.54)}
_WETLAND = (0.62, 0.80, 0.90)
_RIVER = (0.20, 0.45, 0.80)
_ROAD_STYLE = {3: dict(color="#b2182b", linewidth=1.8, linestyle="-"),
               2: dict(color="#ef8a62", linewidth=1.4, linestyle="-"),
               1: dict(color="#7f6a55", linewidth=0.9, linestyle=(0, (3, 2)))}
_CORRIDOR = "#7b3294"


def _base_image(m: Map) -> np.ndarray:
    country = m.layers["country"]
    zone = m.layers["climate_zone"]
    water = m.layers["water"]
    mali = m._data.mali_index
    image = np.empty(country.shape + (3,), dtype=float)
    image[:] = _FOREIGN_LAND
    image[country < 0] = _NO_COUNTRY
    for code, colour in _ZONE_COLOURS.items():
        image[(country == mali) & (zone == code)] = colour
    # Foreign land a shade darker by zone, so the climate bands read across the borders too.
    for code, colour in _ZONE_COLOURS.items():
        sel = (country >= 0) & (country != mali) & (zone == code)
        image[sel] = 0.3 * np.array(colour) + 0.7 * np.array(_FOREIGN_LAND)
    image[water == 2] = 0.5 * image[water == 2] + 0.5 * np.array(_WETLAND)
    return image


def render_map(m: Map, path: Union[str, os.PathLike], *, villages: bool = True, dpi: int = 150,
               title: Optional[str] = None) -> str:
    """Draws the map: countries with Mali's climate zones, rivers and wetland, refuge terrain
    (hatched), roads by class, corridors highlighted, towns labelled; writes a PNG."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Polygon as PolygonPatch

    west, south, east, north = m.extent
    mid_lat = 0.5 * (south + north)
    aspect = 1.0 / math.cos(math.radians(mid_lat))
    fig = Figure(figsize=(12, 12 * (north - south) * aspect / (east - west) + 0.8), dpi=dpi)
    ax = fig.add_axes([0.06, 0.06, 0.92, 0.88])
    ax.imshow(_base_image(m), extent=(west, east, south, north), origin="upper", interpolation="nearest",
              aspect=aspect, zorder=0)
    geometry = m.geometry()

    # Refuge terrain, hatched, with names.
    for feature in geometry["terrain"]:
        if not feature["refuge"]:
            continue
        for ring in feature["rings"]:
            ax.add_patch(PolygonPatch(ring, closed=True, facecolor="none", edgecolor="#2d6a2d", hatch="////",
                                      linewidth=0.6, alpha=0.55, zorder=2))
        ring = max(feature["rings"], key=len)
        cx, cy = ring[:, 0].mean(), ring[:, 1].mean()
        ax.text(cx, cy, feature["name"].split(" (")[0], fontsize=6.5, style="italic", color="#1f4d1f",
                ha="center", va="center", zorder=8, alpha=0.9)

    # Borders.
    mali_name = m.country_names[m._data.mali_index]
    for feature in geometry["borders"]:
        is_mali = feature["name"] == mali_name
        for ring in feature["rings"]:
            ax.plot(ring[:, 0], ring[:, 1], color="black" if is_mali else "#555555",
                    linewidth=1.6 if is_mali else 0.7, zorder=5)
        if not is_mali:
            ring = max(feature["rings"], key=len)
            inside = (ring[:, 0] > west) & (ring[:, 0] < east) & (ring[:, 1] > south) & (ring[:, 1] < north)
            if inside.any():
                pts = ring[inside]
                ax.text(pts[:, 0].mean(), pts[:, 1].mean(), feature["name"].upper(), fontsize=8, color="#666666",
                        ha="center", va="center", zorder=3, clip_on=True)

    # Rivers.
    for feature in geometry["rivers"]:
        for line in feature["lines"]:
            ax.plot(line[:, 0], line[:, 1], color=_RIVER, linewidth=1.1, zorder=4, solid_capstyle="round")

    # Villages (every settlement, sized by population).
    if villages:
        v = m._data.villages()
        synthetic = v["town"] < 0
        ax.scatter(v["lon"][synthetic], v["lat"][synthetic], s=np.clip(v["population"][synthetic] / 1000.0, 0.3, 4.0),
                   color="#3b3b3b", alpha=0.45, linewidths=0, zorder=4.5)

    # Corridors under the roads, then roads by class.
    towns = m.towns
    lon_of = dict(zip(towns["name"], towns["lon"]))
    lat_of = dict(zip(towns["name"], towns["lat"]))
    links = m.roads
    row_of_link = {int(r): i for i, r in enumerate(links["route_row"])}
    corridor_rows = set()
    for corridor in m.corridors:
        corridor_rows.update(corridor["route_rows"])
    for r in sorted(corridor_rows):
        i = row_of_link[r]
        a, b = links["from"][i], links["to"][i]
        ax.plot([lon_of[a], lon_of[b]], [lat_of[a], lat_of[b]], color=_CORRIDOR, linewidth=6, alpha=0.4,
                solid_capstyle="round", zorder=5.5)
    for i in range(len(links)):
        a, b = links["from"][i], links["to"][i]
        ax.plot([lon_of[a], lon_of[b]], [lat_of[a], lat_of[b]], zorder=6, **_ROAD_STYLE[int(links["road_class"][i])])

    # Towns.
    on_map = (towns["lon"] > west) & (towns["lon"] < east) & (towns["lat"] > south) & (towns["lat"] < north)
    crossings = {c["border_crossing"] for c in m.corridors}
    for _, town in towns[on_map].iterrows():
        mali = bool(town["in_mali"])
        capital = "capital" in str(town["role"])
        big = mali and town["population_2022"] >= 60_000
        size = 5 if town["name"] == "Bamako" else 3.2 if (capital or big) else 2.2
        ax.plot(town["lon"], town["lat"], "o", markersize=size, color="black" if mali else "#555555",
                markeredgecolor="white", markeredgewidth=0.5, zorder=9)
        if mali and (capital or big or town["name"] in crossings) or (not mali and capital):
            weight = "bold" if town["name"] == "Bamako" or (mali and "regional capital" in str(town["role"])) else "normal"
            ax.annotate(town["name"], (town["lon"], town["lat"]), xytext=(3, 3), textcoords="offset points",
                        fontsize=8 if mali else 7, fontweight=weight, color="black" if mali else "#555555", zorder=10,
                        bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.6))

    # Where each corridor comes from (ports are off the map): a label at its crossing.
    by_crossing: Dict[str, List[str]] = {}
    for corridor in m.corridors:
        by_crossing.setdefault(corridor["border_crossing"], []).append(corridor["port"])
    for crossing, ports in by_crossing.items():
        ax.annotate("from " + ", ".join(dict.fromkeys(ports)), (lon_of[crossing], lat_of[crossing]),
                    xytext=(4, -10), textcoords="offset points", fontsize=7, color=_CORRIDOR, fontweight="bold",
                    zorder=10)

    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_title(title or f"Mali — sahelsim map ({m.cell_km:g} km cells, {len(m._data.villages()['lon']):,} settlements, "
                          f"population {int(round(float(m.layers['population'].sum(dtype=np.float64)))):,})", fontsize=11)
    legend = [
        Patch(facecolor=_ZONE_COLOURS[1], edgecolor="#999999", label="Saharan"),
        Patch(facecolor=_ZONE_COLOURS[2], edgecolor="#999999", label="Sahelian"),
        Patch(facecolor=_ZONE_COLOURS[3], edgecolor="#999999", label="Sudanian"),
        Patch(facecolor=0.5 * np.array(_ZONE_COLOURS[2]) + 0.5 * np.array(_WETLAND), edgecolor="#999999", label="wetland"),
        Line2D([], [], color=_RIVER, linewidth=1.2, label="river"),
        Patch(facecolor="none", edgecolor="#2d6a2d", hatch="////", label="refuge terrain"),
        Line2D([], [], label="paved road", **_ROAD_STYLE[3]),
        Line2D([], [], label="partly paved / degraded", **_ROAD_STYLE[2]),
        Line2D([], [], label="track / unknown", **_ROAD_STYLE[1]),
        Line2D([], [], color=_CORRIDOR, linewidth=6, alpha=0.4, label="fuel corridor"),
    ]
    if villages:
        legend.append(Line2D([], [], marker="o", linestyle="none", markersize=2, color="#444444", alpha=0.5,
                             label="village (synthetic)"))
    ax.legend(handles=legend, loc="upper left", fontsize=8, framealpha=0.85)
    fig.text(0.03, 0.015, ATTRIBUTION + " Roads drawn as straight lines between towns.", fontsize=6.5, color="#555555")
    path = os.fspath(path)
    fig.savefig(path, format="png", dpi=dpi)
    return path
