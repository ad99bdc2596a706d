"""Class settings applied to a scenario: its events and forces edited, written as a scenario file.

The engine reads scenarios from TOML files (bundled names or paths), so a scenario with the class's
changes (blockade on or off and its start, insurgent strength, partner force, a legitimacy shock) is
written to a temporary file and built from there; parameters (escorts, discipline, initial
legitimacy) are passed to ``Model.from_scenario`` as overrides and need no edit.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import Any, Dict, List, Optional

from ..scenario import Scenario, load_scenario

#: Scenarios without a blockade borrow their counterpart's blockade when the class turns one on.
BLOCKADE_COUNTERPART = {"mali-2025-no-blockade": "mali-2025"}

_HERE = os.path.dirname(os.path.abspath(__file__))


def scenario_data_dir(scenario: Scenario) -> Optional[str]:
    """An absolute directory holding `scenario`'s map data, or None for the embedded default pack.

    A bundled scenario's own data pack (e.g. siege-classroom's) is compiled into sahelsim; a file
    written elsewhere must name it as a directory: the copy installed with this package
    (``sahelsim/demo/scenario_data/NAME``, pyproject's ``wheel.packages``) or, in a source checkout,
    ``scenarios/NAME``.
    """
    data = scenario.map_settings["data"]
    if data == "default":
        return None
    if not scenario.map_origin.startswith("bundled:"):
        # A scenario file on disk: its data directory is relative to the file.
        base = os.path.dirname(os.path.abspath(scenario.source))
        return os.path.normpath(os.path.join(base, data))
    data = scenario.map_origin[len("bundled:"):]  # (the resolved text names it "bundled:NAME")
    candidates = [os.path.join(_HERE, "scenario_data", data),
                  os.path.join(os.path.realpath(_HERE), "..", "..", "..", "..", "scenarios", data)]
    for candidate in candidates:
        if os.path.isfile(os.path.join(candidate, "towns.csv")):
            return os.path.normpath(candidate)
    raise ValueError(f"the map data {data!r} of scenario {scenario.name!r} is not installed as files "
                     f"(looked in: {', '.join(os.path.normpath(c) for c in candidates)}); reinstall sahelsim")


def _toml_value(value: Any, dates: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} cannot be written to a scenario file")
        return repr(value)
    if isinstance(value, str):
        if dates:
            return value  # a TOML local date, YYYY-MM-DD
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML basic-string escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise ValueError(f"{value!r} cannot be written to a scenario file")


def scenario_toml(values: Dict[str, Any], data_dir: Optional[str]) -> str:
    """A scenario file for resolved scenario `values` (``Scenario.values``), its map data named by
    the absolute `data_dir` (None: the embedded default pack)."""
    lines = [f"name = {_toml_value(values['name'])}",
             f"description = {_toml_value(values.get('description', ''))}",
             f"seed = {int(values.get('seed', 0))}", "",
             "[map]",
             f"data = {_toml_value('default' if data_dir is None else data_dir)}",
             f"cell_km = {_toml_value(float(values['map']['cell_km']))}", "",
             "[period]",
             f"start = {values['period']['start']}",
             f"end = {values['period']['end']}", ""]
    if values.get("parameters"):
        lines.append("[parameters]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in values["parameters"].items()]
        lines.append("")
    for force in values.get("forces", []):
        lines.append("[[forces]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in force.items()]
        lines.append("")
    for event in values.get("events", []):
        lines.append("[[events]]")
        lines += [f"{k} = {_toml_value(v, dates=(k == 'date'))}" for k, v in event.items()]
        lines.append("")
    snapshot = values.get("output", {}).get("snapshot_every_days", 0)
    lines += ["[output]", f"snapshot_every_days = {int(snapshot)}", ""]
    return "\n".join(lines)


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def blockade_day(scenario: Scenario, events: Optional[List[Dict[str, Any]]] = None) -> Optional[int]:
    """The day of the scenario's period (1 = the start date, as steps count) of the first blockade
    among `events` (default: the scenario's own), None without one."""
    dates = [_date(e["date"]) for e in (scenario.events if events is None else events) if e["kind"] == "blockade"]
    if not dates:
        return None
    return (min(dates) - _date(scenario.period["start"])).days + 1


def blockade_events(scenario: Scenario) -> List[Dict[str, Any]]:
    """The blockade and lift events the class's blockade switch acts on: the scenario's own, or its
    counterpart's (mali-2025-no-blockade borrows mali-2025's)."""
    own = [e for e in scenario.events if e["kind"] in ("blockade", "lift_blockade")]
    if own or scenario.name not in BLOCKADE_COUNTERPART:
        return own
    other = load_scenario(BLOCKADE_COUNTERPART[scenario.name])
    return [e for e in other.events if e["kind"] in ("blockade", "lift_blockade")]


def edited_values(scenario: Scenario, *, blockade: bool, blockade_start_day: Optional[int],
                  insurgent_strength: float = 1.0, partner_force: bool = True,
                  shock_delta: float = 0.0, shock_day: int = 1) -> Dict[str, Any]:
    """`scenario`'s values with the class's changes (days of the period count from 1, the start date,
    as steps do):

    - ``blockade`` False removes every blockade and lift; True keeps them (or borrows the
      counterpart's), moved so that the first blockade falls on ``blockade_start_day`` (later lifts
      move with it; those that would fall after the period are dropped);
    - ``insurgent_strength`` multiplies the strength of every militant force (at least 1 fighter);
    - ``partner_force`` False removes the partner forces and the events naming them;
    - ``shock_delta`` (not 0) adds a legitimacy_shock event on ``shock_day``.
    """
    values = scenario.to_dict()
    start, end = _date(values["period"]["start"]), _date(values["period"]["end"])
    events = [e for e in values["events"] if e["kind"] not in ("blockade", "lift_blockade")]
    if blockade:
        moved = [dict(e) for e in blockade_events(scenario)]
        first = min((_date(e["date"]) for e in moved if e["kind"] == "blockade"), default=None)
        if first is not None and blockade_start_day is not None:
            shift = start + datetime.timedelta(days=blockade_start_day - 1) - first
            for e in moved:
                e["date"] = (_date(e["date"]) + shift).isoformat()
        events += [e for e in moved if start <= _date(e["date"]) <= end]
    if not partner_force:
        partners = {f["name"] for f in values["forces"] if f["kind"] == "partner"}
        values["forces"] = [f for f in values["forces"] if f["kind"] != "partner"]
        events = [e for e in events if not (e["kind"] == "partner_replaces" and
                                            (e.get("old") in partners or e.get("new") in partners))]
    if insurgent_strength != 1.0:
        for force in values["forces"]:
            if force["kind"] == "militant":
                force["strength"] = int(min(1_000_000, max(1, round(force["strength"] * insurgent_strength))))
    if shock_delta:
        events.append({"date": (start + datetime.timedelta(days=shock_day - 1)).isoformat(), "kind": "legitimacy_shock",
                       "delta": float(shock_delta), "note": "legitimacy shock set in sahelsim demo"})
    # The engine keeps events in date order, same-day events in file order; a stable sort keeps that.
    values["events"] = sorted(events, key=lambda e: e["date"])
    return values
