"""A live simulation for the demo: the class's settings checked, the model built, stepped, and its
state turned into the JSON the page draws (map layers as PNG images, agents as point lists, the
daily series as arrays)."""

from __future__ import annotations

import base64
import math
import os
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional

import numpy as np

from .. import plot
from .._model import MAX_SCENARIO_SEED, Model, parameters
from ..scenario import Scenario, load_scenario
from . import scenario_edit

SAHEL_SCENARIOS = ["siege-classroom", "mali-2025", "mali-2025-no-blockade"]
EPSTEIN = "epstein"
SCENARIO_CHOICES = SAHEL_SCENARIOS + [EPSTEIN]
DEFAULT_SCENARIO = "mali-2025"

#: Epstein runs have no calendar; the demo stops them here.
EPSTEIN_MAX_STEPS = 10_000
#: Most steps one request may ask for.
MAX_STEPS_PER_REQUEST = 1_000
#: Sessions kept at once (one per page load and reset); the oldest is dropped.
MAX_SESSIONS = 8

SAHEL_LAYERS = ["control", "legitimacy", "militant_presence", "fuel_price"]
EPSTEIN_LAYERS = ["cell_state"]

SAHEL_SERIES = ["fuel_price_bamako", "fuel_stock_bamako", "electricity_hours_bamako", "tankers_destroyed_total",
                "tankers_destroyed", "convoys_attacked", "attacks", "deaths_civilians_by_militants",
                "deaths_civilians_by_army", "deaths_civilians_by_partner", "deaths_civilians_by_militia",
                "legitimacy_mean", "control_share_none", "control_share_state_control",
                "control_share_state_dominant", "control_share_contested", "control_share_insurgent_support",
                "control_share_insurgent_control", "militant_fighters", "displaced", "blockaded_corridors"]
EPSTEIN_SERIES = ["quiet", "active", "jailed", "cops", "arrests", "legitimacy"]


class InputError(ValueError):
    """A setting, scenario or request value that is not allowed (HTTP 400, shown in the page)."""


@dataclass
class Setting:
    """One input of the page: its name (a model parameter's name where it is one), label, kind
    (bool, int, real, choice), allowed range or choices, default and a line of help."""

    name: str
    label: str
    kind: str
    default: Any
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    step: Optional[float] = None
    choices: List[str] = field(default_factory=list)
    unit: str = ""
    help: str = ""

    def expected(self) -> str:
        if self.kind == "real" and self.maximum is not None and math.isinf(self.maximum):
            return f"a number >= {_number(self.minimum)}, or inf"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices)
        what = "an integer" if self.kind == "int" else "a number"
        return f"{what} in [{_number(self.minimum)}, {_number(self.maximum)}]"

    def check(self, raw: Any) -> Any:
        """The value of `raw` (JSON or form text) for this setting; InputError if it is not allowed."""
        problem = InputError(f"{self.name} = {raw!r} is not allowed: expected {self.expected()}")
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.strip().lower() in ("true", "false", "on", "off", "1", "0"):
                return raw.strip().lower() in ("true", "on", "1")
            raise problem
        if self.kind == "choice":
            if isinstance(raw, str) and raw in self.choices:
                return raw
            raise problem
        if isinstance(raw, bool):
            raise problem
        if isinstance(raw, str):
            text = raw.strip()
            try:
                raw = int(text) if self.kind == "int" else float(text)
            except ValueError:
                raise problem from None
        if self.kind == "int":
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            if not isinstance(raw, int):
                raise problem
        elif not isinstance(raw, (int, float)) or math.isnan(raw):
            raise problem
        elif math.isinf(raw) and not (self.maximum is not None and math.isinf(self.maximum) and raw > 0):
            raise problem  # inf only where the range is open above (Epstein's J_max: jailed for life)
        if (self.minimum is not None and raw < self.minimum) or (self.maximum is not None and raw > self.maximum):
            raise problem
        return int(raw) if self.kind == "int" else float(raw)


def _number(value: Optional[float]) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _registry(model: str) -> Dict[str, dict]:
    return {spec["name"]: spec for spec in parameters(model)}


def _from_registry(spec: dict, label: str, value: Any, help: str, step: Optional[float] = None) -> Setting:
    kind = {"integer": "int", "real": "real", "boolean": "bool", "choice": "choice"}[spec["kind"]]
    return Setting(name=spec["name"], label=label, kind=kind, default=value, minimum=spec.get("minimum"),
                   maximum=spec.get("maximum"), step=step, choices=list(spec.get("choices") or []),
                   unit=spec.get("unit", ""), help=help)


def sahel_settings(scenario: Scenario) -> List[Setting]:
    """The class settings of a Sahel scenario, each default the scenario's own value."""
    registry = _registry("sahel")
    params = scenario.parameters

    def value(name: str) -> Any:
        return params.get(name, registry[name]["default"])

    # Days of the period are numbered as steps are (and the summary's blockade_start_day): day 1 is
    # the start date. The blockade's day is the scenario's own, or its counterpart's (blockade_events).
    own_blockade = scenario_edit.blockade_day(scenario) is not None
    day = scenario_edit.blockade_day(scenario, scenario_edit.blockade_events(scenario))
    last_day = scenario.days
    has_partner = any(f["kind"] == "partner" for f in scenario.forces)
    settings = [
        Setting("blockade", "Blockade of the corridors", "bool", own_blockade,
                help="the insurgents declare a blockade of the capital's fuel corridors (off: the counterfactual)"),
        Setting("blockade_start_day", "Blockade starts on day", "int", int(day if day is not None else 1), 1, last_day,
                1, unit="day", help=f"day of the period (1 = {scenario.period['start']}) of the first blockade"),
        _from_registry(registry["escort_detachments"], "Escort detachments", value("escort_detachments"),
                       "army detachments that can escort a convoy at once", 1),
        _from_registry(registry["escort_troops_per_convoy"], "Soldiers per escort", value("escort_troops_per_convoy"),
                       "soldiers escorting one convoy", 10),
        _from_registry(registry["army_discipline"], "Army discipline", value("army_discipline"),
                       "abuses and reprisals by soldiers scale with 1 - discipline", 0.05),
        Setting("partner_force", "Partner force present", "bool", has_partner,
                help="the foreign partner force's units (off: removed from the scenario)"),
        _from_registry(registry["partner_discipline"], "Partner force discipline", value("partner_discipline"),
                       "abuses and reprisals by the partner force scale with 1 - discipline", 0.05),
        Setting("insurgent_strength", "Insurgent strength", "real", 1.0, 0.1, 5.0, 0.1, unit="×",
                help="multiplies the fighters of every militant force of the scenario"),
        _from_registry(registry["legitimacy_initial"], "Initial legitimacy", value("legitimacy_initial"),
                       "mean legitimacy of the state where it is in control at the start", 0.05),
        Setting("legitimacy_shock", "Legitimacy shock", "real", 0.0, -1.0, 1.0, 0.05,
                help="a scandal (negative) or a reform (positive) added to legitimacy on the shock day"),
        Setting("legitimacy_shock_day", "Shock on day", "int", int(day if day is not None else 1), 1, last_day, 1,
                unit="day", help=f"day of the period (1 = {scenario.period['start']}) of the legitimacy shock"),
        Setting("seed", "Seed", "int", int(scenario.seed), 0, MAX_SCENARIO_SEED, 1,
                help="random streams: the same seed and settings give the same run"),
    ]
    if not has_partner:
        settings = [s for s in settings if s.name not in ("partner_force",)]
    return settings


def epstein_settings() -> List[Setting]:
    registry = _registry(EPSTEIN)

    def from_registry(name: str, label: str, help: str, step: Optional[float] = None, maximum: Optional[float] = None):
        setting = _from_registry(registry[name], label, registry[name]["default"], help, step)
        if maximum is not None:
            setting.maximum = maximum
        return setting

    return [
        from_registry("legitimacy", "Legitimacy", "regime legitimacy L at the start (grievance = hardship × (1 - L))",
                      0.01),
        from_registry("cop_density", "Cop density", "share of cells holding a cop (salami runs: 0.074)", 0.002),
        from_registry("max_jail_term", "Longest jail term", "steps; inf: jailed for ever (the salami runs)"),
        from_registry("legitimacy_schedule", "Legitimacy schedule",
                      "constant; ramp: falls by the ramp each step (salami tactics); jump: drops at once"),
        from_registry("legitimacy_target", "Legitimacy target", "legitimacy the ramp or the jump reaches", 0.01),
        from_registry("legitimacy_change_step", "Change at step", "first step of the ramp or the jump", 1,
                      maximum=EPSTEIN_MAX_STEPS),
        from_registry("legitimacy_ramp_per_step", "Ramp per step", "legitimacy lost each step of the ramp", 0.001),
        Setting("seed", "Seed", "int", 1, 0, 2**63 - 1, 1, help="random streams"),
    ]


def settings_for(scenario_name: str) -> List[Setting]:
    if scenario_name == EPSTEIN:
        return epstein_settings()
    return sahel_settings(load_scenario(scenario_name))


def check_settings(specs: List[Setting], raw: Any) -> Dict[str, Any]:
    """Every setting's value: `raw`'s (a dict name: value) where given, else the default."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputError(f"settings = {raw!r} is not allowed: expected an object of name: value")
    by_name = {s.name: s for s in specs}
    unknown = [k for k in raw if k not in by_name]
    if unknown:
        raise InputError(f"unknown setting {unknown[0]!r}: expected some of: {', '.join(by_name)}")
    return {s.name: s.check(raw[s.name]) if s.name in raw else s.default for s in specs}


def check_scenario_name(raw: Any) -> str:
    if not isinstance(raw, str) or raw not in SCENARIO_CHOICES:
        raise InputError(f"scenario = {raw!r} is not allowed: expected one of: {', '.join(SCENARIO_CHOICES)}")
    return raw


# ---- building the model ----------------------------------------------------------------------------

_SAHEL_PARAMETERS = ("escort_detachments", "escort_troops_per_convoy", "army_discipline", "partner_discipline",
                     "legitimacy_initial")


def build_sahel(scenario_name: str, values: Dict[str, Any], threads: int) -> Model:
    """A Sahel run of the scenario with the class's settings (``values`` checked by check_settings)."""
    scenario = load_scenario(scenario_name)
    defaults = {s.name: s.default for s in sahel_settings(scenario)}
    overrides = {name: values[name] for name in _SAHEL_PARAMETERS if values[name] != defaults[name]}
    edits = dict(blockade=values["blockade"], blockade_start_day=values["blockade_start_day"],
                 insurgent_strength=values["insurgent_strength"], partner_force=values.get("partner_force", True),
                 shock_delta=values["legitimacy_shock"], shock_day=values["legitimacy_shock_day"])
    unchanged = (edits["blockade"] == defaults["blockade"]
                 and (not edits["blockade"] or edits["blockade_start_day"] == defaults["blockade_start_day"])
                 and edits["insurgent_strength"] == 1.0 and edits["partner_force"] == defaults.get("partner_force", True)
                 and edits["shock_delta"] == 0.0)
    try:
        if unchanged:
            return Model.from_scenario(scenario_name, parameters=overrides, seed=values["seed"], threads=threads)
        edited = scenario_edit.edited_values(scenario, **edits)
        text = scenario_edit.scenario_toml(edited, scenario_edit.scenario_data_dir(scenario))
        with tempfile.TemporaryDirectory(prefix="sahelsim-demo-") as directory:
            path = os.path.join(directory, f"{scenario_name}.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            return Model.from_scenario(path, parameters=overrides, seed=values["seed"], threads=threads)
    except ValueError as error:
        raise InputError(str(error)) from None


def build_epstein(values: Dict[str, Any]) -> Model:
    params = {k: v for k, v in values.items() if k != "seed"}
    try:
        return Model(EPSTEIN, seed=values["seed"], threads=1, **params)
    except ValueError as error:
        raise InputError(str(error)) from None


# ---- the state as JSON -------------------------------------------------------------------------------


def _round(values: np.ndarray, digits: int) -> list:
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()


def _data_uri(image: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(plot.png_bytes(image)).decode("ascii")


def _lines(rings: List[np.ndarray], digits: int = 3) -> Dict[str, list]:
    """Polylines as one x and one y list with None between them (Plotly's gaps)."""
    xs: List[Optional[float]] = []
    ys: List[Optional[float]] = []
    for ring in rings:
        ring = np.asarray(ring)
        if len(ring) > 400:  # borders: a point every few km is plenty on screen
            ring = ring[:: int(math.ceil(len(ring) / 400))]
        xs += _round(ring[:, 0], digits) + [None]
        ys += _round(ring[:, 1], digits) + [None]
    return {"x": xs, "y": ys}


class Session:
    """One model being watched: built from a scenario and settings, stepped, drawn."""

    def __init__(self, scenario_name: str, raw_settings: Any, threads: int):
        self.id = uuid.uuid4().hex
        self.scenario = check_scenario_name(scenario_name)
        self.specs = settings_for(self.scenario)
        self.settings = check_settings(self.specs, raw_settings)
        self.lock = threading.Lock()
        self.last_used = time.monotonic()
        started = time.perf_counter()
        if self.scenario == EPSTEIN:
            self.model = build_epstein(self.settings)
            self.series_names = EPSTEIN_SERIES
            self.layers = EPSTEIN_LAYERS
            self.max_steps = EPSTEIN_MAX_STEPS
        else:
            self.model = build_sahel(self.scenario, self.settings, threads)
            self.series_names = SAHEL_SERIES
            self.layers = SAHEL_LAYERS
            self.max_steps = int(self.model.days)
        self.build_seconds = time.perf_counter() - started
        self.history: Dict[str, list] = {name: [] for name in ["step"] + self.series_names}
        self._record()
        self._static = self._make_static()

    # -- stepping --
    def _record(self) -> None:
        values = self.model.series()
        self.history["step"].append(self.model.current_step)
        for name in self.series_names:
            value = float(values[name])
            self.history[name].append(round(value, 6) if math.isfinite(value) else None)

    def step(self, days: int) -> None:
        with self.lock:
            self.last_used = time.monotonic()
            for _ in range(max(0, min(days, self.max_steps - self.model.current_step))):
                self.model.step(1)
                self._record()

    @property
    def done(self) -> bool:
        return self.model.current_step >= self.max_steps

    # -- drawing --
    def _make_static(self) -> Dict[str, Any]:
        # JSON has no infinity: Epstein's "jailed for ever" goes to the page as the text "inf".
        shown = {k: ("inf" if isinstance(v, float) and math.isinf(v) else v) for k, v in self.settings.items()}
        base: Dict[str, Any] = {"scenario": self.scenario, "settings": shown, "layers": self.layers,
                                "series": self.series_names, "max_steps": self.max_steps,
                                "build_seconds": round(self.build_seconds, 3)}
        if self.scenario == EPSTEIN:
            height, width = self.model.raster("cell_state").shape
            base.update(model="epstein", extent=[0, 0, width, height], shape=[height, width],
                        legend={"cell_state": [[label, colour] for _, label, colour in plot.EPSTEIN_CELLS]})
            self._outside = None
            return base
        scenario = load_scenario(self.scenario)
        the_map = scenario.map
        self._map = the_map
        country = np.asarray(the_map.layers["country"])
        self._outside = country != the_map._data.mali_index
        params = self.model.params
        self._price_range = plot.price_range(params)
        towns = the_map.towns
        geometry = the_map.geometry()
        mali_name = the_map.country_names[the_map._data.mali_index]
        links = the_map.roads
        lon_of = dict(zip(towns["name"], towns["lon"]))
        lat_of = dict(zip(towns["name"], towns["lat"]))
        row_of_link = {int(r): i for i, r in enumerate(links["route_row"])}
        corridor_rows = sorted({r for c in the_map.corridors for r in c["route_rows"]})
        segment = lambda i: np.array([[lon_of[links["from"][i]], lat_of[links["from"][i]]],  # noqa: E731
                                      [lon_of[links["to"][i]], lat_of[links["to"][i]]]])
        villages = self.model.columns["village"]
        markets = self.model.columns["market"]
        market_names = [str(towns["name"][int(t)]) for t in markets["town"]]
        population = np.asarray(towns["population_2022"], dtype=float)
        in_mali = np.asarray(towns["in_mali"], dtype=bool)
        labelled = [i for i in np.argsort(-population) if in_mali[i]][:14]
        base.update(
            model="sahel",
            start_date=self.model.start_date, days=int(self.model.days),
            extent=list(the_map.extent), shape=list(the_map.shape),
            borders={"country": _lines([r for f in geometry["borders"] if f["name"] == mali_name for r in f["rings"]]),
                     "neighbours": _lines([r for f in geometry["borders"] if f["name"] != mali_name
                                           for r in f["rings"]])},
            rivers=_lines([line for f in geometry["rivers"] for line in f["lines"]]),
            roads=_lines([segment(i) for i in range(len(links))]),
            corridors=_lines([segment(row_of_link[r]) for r in corridor_rows if r in row_of_link]),
            towns={"name": [str(towns["name"][i]) for i in labelled], "lon": _round(towns["lon"][labelled], 3),
                   "lat": _round(towns["lat"][labelled], 3)},
            villages={"lon": _round(villages["lon"], 3), "lat": _round(villages["lat"], 3)},
            markets={"name": market_names},
            price_range=list(self._price_range),
            legend={"control": [[label, colour] for _, label, colour in plot.CONTROL_CLASSES]},
            colourbars=self._colourbars(),
        )
        return base

    def _layer_range(self, layer: str) -> tuple:
        if layer == "fuel_price":
            return self._price_range
        if layer == "militant_presence":
            return 0.0, 300.0
        style = plot.RASTER_STYLES.get(layer, {})
        return style.get("vmin"), style.get("vmax")

    def _colourbars(self) -> Dict[str, Any]:
        """Each real-valued layer's colour scale (nine stops) and range, for the page's legend."""
        from matplotlib import colormaps
        from matplotlib.colors import to_hex

        bars = {}
        for name, style in plot.RASTER_STYLES.items():
            low, high = self._layer_range(name)
            colours = [to_hex(colormaps[style["cmap"]](x)) for x in np.linspace(0, 1, 9)]
            bars[name] = {"label": style["label"], "colours": colours, "min": low, "max": high}
        return bars

    def static(self) -> Dict[str, Any]:
        return self._static

    def _layer_image(self, layer: str) -> Dict[str, Any]:
        if layer not in self.layers:
            raise InputError(f"layer = {layer!r} is not allowed: expected one of: {', '.join(self.layers)}")
        values = self.model.raster(layer)
        vmin, vmax = self._layer_range(layer) if self.scenario != EPSTEIN else (None, None)
        image = plot.raster_rgba(layer, values, outside=self._outside, vmin=vmin, vmax=vmax)
        return {"name": layer, "image": _data_uri(image), "min": vmin, "max": vmax}

    def state(self, since: int = 0, layer: Optional[str] = None) -> Dict[str, Any]:
        with self.lock:
            self.last_used = time.monotonic()
            since = max(0, min(int(since), len(self.history["step"])))
            out: Dict[str, Any] = {
                "session": self.id, "scenario": self.scenario, "step": self.model.current_step,
                "max_steps": self.max_steps, "done": self.done,
                "series_from": since, "series": {k: v[since:] for k, v in self.history.items()},
                "layer": self._layer_image(layer or self.layers[0]),
            }
            if self.scenario == EPSTEIN:
                return out
            out["date"] = self.model.current_date
            columns = self.model.columns
            village = columns["village"]
            out["villages"] = {"control": "".join(np.asarray(village["control"], dtype=np.uint8).astype("U1"))}
            band = columns["band"]
            alive = np.asarray(band["alive"], dtype=bool)
            out["bands"] = {"lon": _round(band["x"][alive] / 107.9, 3), "lat": _round(band["y"][alive] / 110.6, 3),
                            "fighters": _round(band["fighters"][alive], 0),
                            "acted": np.asarray(band["acted"][alive], dtype=int).tolist(),
                            "duty": np.asarray(band["duty"][alive], dtype=int).tolist()}
            unit = columns["unit"]
            alive = np.asarray(unit["alive"], dtype=bool)
            out["units"] = {"lon": _round(unit["x"][alive] / 107.9, 3), "lat": _round(unit["y"][alive] / 110.6, 3),
                            "troops": _round(unit["troops"][alive], 0),
                            "kind": np.asarray(unit["kind"][alive], dtype=int).tolist(),
                            "role": np.asarray(unit["role"][alive], dtype=int).tolist(),
                            "escorting": (np.asarray(unit["convoy"][alive]) >= 0).astype(int).tolist()}
            market = columns["market"]
            out["markets"] = {"lon": _round(market["x"] / 107.9, 3), "lat": _round(market["y"] / 110.6, 3),
                              "price": _round(market["price"], 0), "stock": _round(market["stock"], 0),
                              "hours": _round(market["electricity_hours"], 1)}
            if "convoy" in columns:
                convoy = columns["convoy"]
                active = np.asarray(convoy["active"], dtype=bool)
                out["convoys"] = {"lon": _round(convoy["lon"][active], 3), "lat": _round(convoy["lat"][active], 3),
                                  "tankers": np.asarray(convoy["tankers"][active], dtype=int).tolist(),
                                  "destroyed": np.asarray(convoy["tankers_destroyed"][active], dtype=int).tolist(),
                                  "escorted": np.asarray(convoy["escorted"][active], dtype=int).tolist(),
                                  "attacked": np.asarray(convoy["attacked"][active], dtype=int).tolist(),
                                  "import": (np.asarray(convoy["corridor"][active]) >= 0).astype(int).tolist()}
            return out


class Sessions:
    """The live sessions of a server, at most MAX_SESSIONS (the least recently used is dropped)."""

    def __init__(self, threads: int):
        self.threads = threads
        self._sessions: "OrderedDict[str, Session]" = OrderedDict()
        self._lock = threading.Lock()

    def create(self, scenario: Any, settings: Any) -> Session:
        session = Session(scenario, settings, self.threads)
        with self._lock:
            self._sessions[session.id] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    def get(self, session_id: Any) -> Session:
        with self._lock:
            session = self._sessions.get(session_id) if isinstance(session_id, str) else None
            if session is None:
                raise KeyError(session_id)
            self._sessions.move_to_end(session_id)
            return session


def settings_json(specs: List[Setting]) -> List[Dict[str, Any]]:
    out = []
    for spec in specs:
        d = asdict(spec)
        if d["maximum"] is not None and not math.isfinite(d["maximum"]):
            d["maximum"] = None
        out.append(d)
    return out
