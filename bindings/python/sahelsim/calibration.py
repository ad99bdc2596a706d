"""Pattern-oriented calibration of the Sahel model: a rejection (ABC-style) search over plausible
parameter ranges that keeps the parameter sets whose runs reproduce every calibration target of
SAHEL-MODEL.md at once, with a sweep as its engine.

    result = sahelsim.calibration.rejection_search(
        {"escort_detachments": (1, 5), "ambush_daily_probability": (0.05, 0.3)},
        samples=64, replicates=3, seed=1, directory="out/abc")
    result.accepted            # the parameter sets that pass every target (in enough replicates)
    result.target_pass_rates   # per target, the share of points that pass it

Each design point (a Latin hypercube over the ranges) runs `replicates` times; a point passes a
target when at least `min_pass_share` of its replicates do, and is accepted when it passes all of
them. The targets (TARGETS) are the bands of docs/VALIDATION.md ("Sahel model"); targets 8 and 9
need per-village data and pooled ambush locations, which a sweep's summaries do not hold, so the
search uses their summary proxies (legitimacy falls; some ambushes in the 2025 zones).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Tuple, Union

import numpy as np
import pandas as pd

from .sweep import Sweep, open_sweep


def _between(low: float, high: float) -> Callable[[Mapping[str, Any]], bool]:
    return lambda s: s is not None and low <= s <= high


def _value(summary: Mapping[str, Any], key: str) -> Optional[float]:
    value = summary.get(key)
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


#: Target name -> (description, test on one run's summary dict). Bands as in docs/VALIDATION.md.
TARGETS: Dict[str, Tuple[str, Callable[[Mapping[str, Any]], bool]]] = {
    "1_fuel_price": ("fuel price in Bamako 2.5-6 x within 8 weeks of the blockade",
                     lambda s: _between(2.5, 6.0)(_value(s, "fuel_price_ratio_bamako"))),
    "2_electricity": ("electricity in Bamako falls to 3-9 h/day",
                      lambda s: _between(3.0, 9.0)(_value(s, "electricity_hours_bamako_min"))),
    "3_tankers": ("100-300 tankers destroyed in the blockade's first 90 days",
                  lambda s: _between(100, 300)(_value(s, "tankers_destroyed_first_90_days"))),
    "4_convoy_loss": ("an escorted convoy loses 0.35-0.7 of its tankers",
                      lambda s: _between(0.35, 0.7)(_value(s, "max_convoy_loss_fraction"))),
    "5_simultaneous": ("a day with >= 5 attacks >= 300 km apart",
                       lambda s: (_value(s, "max_attacks_one_day") or 0) >= 5
                       and (_value(s, "max_attack_spread_km_one_day") or 0) >= 300),
    "6_state_share": ("state and partner forces cause 0.5-0.9 of civilian deaths",
                      lambda s: _between(0.5, 0.9)(_value(s, "state_share_civilian_deaths"))),
    "7_capital_rural": ("capital never captured; >= 0.1 of rural people near corridors under insurgents",
                        lambda s: not bool(s.get("capital_captured"))
                        and (_value(s, "insurgent_rural_share_near_corridors") or 0) >= 0.1),
    "8_legitimacy": ("mean legitimacy falls",
                     lambda s: (_value(s, "legitimacy_end") or 1) < (_value(s, "legitimacy_start") or 0)),
    "9_ambush_zones": ("some ambushes where they happened in 2025",
                       lambda s: (_value(s, "ambush_share_in_2025_zones") or 0) > 0),
}


def evaluate_targets(summary: Mapping[str, Any]) -> Dict[str, bool]:
    """Which targets one run's summary (Model.summary() or a sweep row) passes."""
    return {name: bool(test(summary)) for name, (_, test) in TARGETS.items()}


@dataclass
class CalibrationResult:
    """The outcome of a rejection search: `points` (one row per design point: parameters, the share
    of replicates passing each target, passes_all, accepted), `accepted` (the accepted points),
    `target_pass_rates` (per target, the share of points passing it) and the sweep's directory."""

    points: pd.DataFrame
    accepted: pd.DataFrame
    target_pass_rates: pd.Series
    directory: str

    def __str__(self) -> str:
        return (f"rejection search in {self.directory}: {len(self.points)} parameter sets, {len(self.accepted)} "
                f"accepted (pass every target)")


def evaluate_sweep(directory: Union[str, os.PathLike], min_pass_share: float = 0.5) -> CalibrationResult:
    """Scores a finished Sahel sweep against TARGETS (see the module docstring)."""
    ds = open_sweep(directory)
    names = list(TARGETS)
    parameters = [name for name in _sweep_parameters(ds)]
    keys = [k for k in ds.data_vars if ds[k].dims == ("run",)]
    rows = []
    for i in range(ds.sizes["run"]):
        if str(ds["status"].values[i]) != "done":
            continue
        summary = {k: ds[k].values[i].item() if hasattr(ds[k].values[i], "item") else ds[k].values[i] for k in keys}
        passed = evaluate_targets(summary)
        rows.append({"point": int(ds["point"].values[i]), **{p: summary[p] for p in parameters},
                     **{f"pass_{n}": passed[n] for n in names}})
    if not rows:
        raise ValueError(f"{directory}: no finished runs to evaluate")
    runs = pd.DataFrame(rows)
    points = runs.groupby("point").mean(numeric_only=True)
    for n in names:
        points[f"pass_{n}"] = runs.groupby("point")[f"pass_{n}"].mean()
    pass_columns = [f"pass_{n}" for n in names]
    points["passes_all"] = (points[pass_columns] >= min_pass_share).all(axis=1)
    points["accepted"] = points["passes_all"]
    rates = pd.Series({n: float((points[f"pass_{n}"] >= min_pass_share).mean()) for n in names}, name="pass_rate")
    return CalibrationResult(points=points, accepted=points[points["accepted"]], target_pass_rates=rates,
                             directory=str(directory))


def _sweep_parameters(ds) -> list:
    import json

    return list(json.loads(ds.attrs.get("sweep_parameters", "{}")))


def rejection_search(ranges: Mapping[str, Tuple[float, float]], *, samples: int = 64, replicates: int = 3,
                     seed: int = 1, directory: Union[str, os.PathLike] = "calibration", scenario: str = "mali-2025",
                     client: Any = None, min_pass_share: float = 0.5, progress: bool = False,
                     **sweep_options: Any) -> CalibrationResult:
    """Runs a Latin-hypercube sweep of `scenario` over `ranges` (parameter -> (low, high), within
    each parameter's allowed range) and scores it with evaluate_sweep. `client` and the other sweep
    options go to Sweep / Sweep.run; an interrupted search resumes like any sweep."""
    sweep = Sweep(scenario=scenario, parameters=dict(ranges), design="lhs", samples=samples,
                  replicates=replicates, seed=seed, **sweep_options)
    sweep.run(str(directory), client=client, progress=progress)
    return evaluate_sweep(directory, min_pass_share=min_pass_share)


__all__ = ["TARGETS", "evaluate_targets", "CalibrationResult", "evaluate_sweep", "rejection_search"]
