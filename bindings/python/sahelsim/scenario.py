"""Sahel scenario files: the map, period, seed, parameters, forces, events and output of a run.

::

    import sahelsim
    sahelsim.scenarios()                        # ['mali-2025', 'mali-2025-no-blockade', 'siege-classroom']
    s = sahelsim.load_scenario("mali-2025")     # a bundled name, or a path to a .toml file
    s.period                                    # {'start': '2025-07-01', 'end': '2025-12-31'}
    s.forces[0]                                 # {'kind': 'militant', 'name': ..., 'strength': ..., 'position': ...}
    s.map                                       # the sahelsim.Map built for it (built on first use)
    s.days                                      # 184: days in the period, both ends included
    print(s.to_toml())                          # the resolved scenario, every default filled in
    run = sahelsim.Model.from_scenario(s, seed=3)   # a Sahel run of it (see sahelsim.Model)

The format is described in docs/SCENARIOS.md; the files are read and checked in C++
(``models/sahel/scenario``). A scenario with problems raises ValueError listing every problem, each
as ``FILE:LINE:COL: field '...' = ... is not allowed: expected ...``.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import Any, Dict, List, Optional, Union

from . import _core


def scenarios() -> List[str]:
    """The names of the scenarios bundled with sahelsim."""
    return list(_core.bundled_scenarios())


def sahel_parameters() -> List[Dict[str, str]]:
    """The Sahel model's parameters with unit, default, allowed values, description and source."""
    return list(_core.sahel_parameter_specs())


def check_scenario(name_or_path: Union[str, os.PathLike]) -> List[str]:
    """Every problem of a scenario (its map built too); an empty list when it is fine."""
    return list(_core.check_scenario(os.fspath(name_or_path)))


class Scenario:
    """A resolved scenario (see the module docstring). Build it with :func:`load_scenario`."""

    def __init__(self, name_or_path: Union[str, os.PathLike]):
        self._name_or_path = os.fspath(name_or_path)
        resolved = _core.load_scenario(self._name_or_path)
        self._toml: str = resolved["toml"]
        self.source: str = resolved["source"]
        self.map_origin: str = resolved["map_origin"]
        self.values: Dict[str, Any] = json.loads(resolved["json"])
        self._map = None

    @property
    def name(self) -> str:
        return self.values["name"]

    @property
    def description(self) -> str:
        return self.values["description"]

    @property
    def seed(self) -> int:
        return self.values["seed"]

    @property
    def map_settings(self) -> Dict[str, Any]:
        """[map]: data ("default" or a directory) and cell_km."""
        return dict(self.values["map"])

    @property
    def period(self) -> Dict[str, str]:
        return dict(self.values["period"])

    @property
    def days(self) -> int:
        """Days in the period, both ends included (mali-2025: 184); a Sahel run's default length."""
        start, end = (datetime.date.fromisoformat(self.period[k]) for k in ("start", "end"))
        return (end - start).days + 1

    @property
    def parameters(self) -> Dict[str, Any]:
        return dict(self.values["parameters"])

    @property
    def forces(self) -> List[Dict[str, Any]]:
        return [dict(f) for f in self.values["forces"]]

    @property
    def events(self) -> List[Dict[str, Any]]:
        return [dict(e) for e in self.values["events"]]

    @property
    def output(self) -> Dict[str, Any]:
        return dict(self.values["output"])

    @property
    def map(self):
        """The sahelsim.Map of this scenario (its data pack, cell_km and seed), built on first use."""
        if self._map is None:
            from .map import Map

            self._map = Map._from_core(_core.build_scenario_map(self._name_or_path))
        return self._map

    def to_dict(self) -> Dict[str, Any]:
        return json.loads(json.dumps(self.values))

    def to_json(self, indent: Optional[int] = 2) -> str:
        return json.dumps(self.values, indent=indent, ensure_ascii=False)

    def to_toml(self) -> str:
        return self._toml

    def __repr__(self) -> str:
        return (f"Scenario({self.name!r}, {self.period['start']} to {self.period['end']}, "
                f"{len(self.values['forces'])} forces, {len(self.values['events'])} events)")


def load_scenario(name_or_path: Union[str, os.PathLike]) -> Scenario:
    """A bundled scenario by name (see :func:`scenarios`) or a scenario file by path. ValueError lists
    every problem of a bad scenario."""
    return Scenario(name_or_path)
