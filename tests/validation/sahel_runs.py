"""Runs of the Sahel model's scenarios for the calibration validation: many seeds, in worker processes.

`calibration_runs(scenario, seeds)` runs each seed of a bundled scenario over its whole period and
returns, per seed, the calibration summary (`Model.summary()`, the keys of `sahelsim run
--summary-json`), a few daily series and what target 8 needs from the villages at the end (their
legitimacy at the start and the end, population, exposure to state abuses and to fuel shortage).
Results are cached per process, so the tests of the different targets share one set of runs.

Sizes follow epstein_runs: `SAHELSIM_VALIDATION=full` (`make validate`) or reduced (`make test`).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from typing import Dict, List, Sequence, Tuple

import numpy as np

from epstein_runs import FULL, size

#: Seeds of the default scenario and of the counterfactual (SAHEL-MODEL.md: "over at least 20 seeds").
SEEDS = tuple(range(1, 1 + size(4, 24)))

SERIES = ("fuel_price_bamako", "electricity_hours_bamako", "tankers_destroyed", "legitimacy_mean",
          "attacks", "militant_fighters", "displaced")
VILLAGE_COLUMNS = ("legitimacy", "legitimacy_initial", "residents", "abuse_exposure", "shortage_exposure")

_cache: Dict[Tuple[str, int], Dict[str, object]] = {}


def run_one(job: Tuple[str, int]) -> Dict[str, object]:
    """One whole run of `scenario` with `seed`, on one thread."""
    import sahelsim  # imported in the worker

    scenario, seed = job
    model = sahelsim.Model.from_scenario(scenario, seed=seed, threads=1)
    days = int(model.days)
    series = {name: np.zeros(days) for name in SERIES}
    for day in range(days):
        model.step(1)
        values = model.series()
        for name in SERIES:
            series[name][day] = values[name]
    villages = model.columns["village"]
    return {
        "summary": dict(model.summary()),
        "series": series,
        "villages": {name: np.array(villages[name], dtype=np.float64) for name in VILLAGE_COLUMNS},
    }


def calibration_runs(scenario: str, seeds: Sequence[int] = SEEDS) -> List[Dict[str, object]]:
    """The runs of `scenario` for `seeds`, computed once per process (in parallel workers)."""
    missing = [(scenario, int(s)) for s in seeds if (scenario, int(s)) not in _cache]
    if missing:
        workers = int(os.environ.get("SAHELSIM_VALIDATION_WORKERS", min(2, os.cpu_count() or 1)))
        if workers <= 1:
            results = [run_one(job) for job in missing]
        else:
            context = multiprocessing.get_context("spawn")  # oneTBB does not support fork
            with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                results = list(pool.map(run_one, missing))
        for job, result in zip(missing, results):
            _cache[job] = result
    return [_cache[(scenario, int(s))] for s in seeds]


def summaries(scenario: str) -> Dict[str, np.ndarray]:
    """Each summary key as an array over the seeds (NaN for null values)."""
    runs = calibration_runs(scenario)
    keys = runs[0]["summary"].keys()
    out = {}
    for key in keys:
        values = [r["summary"][key] for r in runs]
        out[key] = np.array([np.nan if v is None else float(v) for v in values])
    return out


def band_report(values: np.ndarray, low: float, high: float) -> Dict[str, float]:
    """Mean, median, min, max over seeds and the share of seeds inside [low, high]."""
    finite = values[np.isfinite(values)]
    return dict(seeds=int(values.size), mean=float(np.mean(finite)) if finite.size else float("nan"),
                median=float(np.median(finite)) if finite.size else float("nan"),
                min=float(np.min(finite)) if finite.size else float("nan"),
                max=float(np.max(finite)) if finite.size else float("nan"),
                in_band=float(np.mean((values >= low) & (values <= high))), band_low=low, band_high=high)


__all__ = ["FULL", "SEEDS", "calibration_runs", "summaries", "band_report"]
