"""Sensitivity analysis of a sweep through SALib: Sobol' indices (first order and total) of a
"sobol" sweep, Morris screening of a "morris" sweep, and a bar chart of either.

    sw = sahelsim.Sweep(scenario="mali-2025", design="sobol", samples=16, seed=1,
                        parameters={"escort_detachments": (1, 6), "ambush_daily_probability": (0.05, 0.3)})
    sw.run("out/sobol")
    table = sahelsim.sensitivity.sobol_indices("out/sobol", "fuel_price_ratio_bamako")
    sahelsim.sensitivity.plot_indices(table)

An output is a per-run variable of the sweep dataset (a summary indicator such as
``fuel_price_ratio_bamako`` or ``outbursts``) or a series reduced over steps, written
``"NAME:REDUCTION"`` with REDUCTION one of mean, max, min, last, sum (e.g. ``"active:mean"``).
Replicates of a design point are averaged first (SALib's estimators expect one value per point).
The parameter values and the SALib problem come from the sweep itself, so the indices always match
the design that produced the runs. A failed run makes its point NaN; SALib's estimators need every
point, so they raise ValueError naming the failed runs.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Optional, Union

import numpy as np
import pandas as pd
import xarray as xr

from .sweep import open_sweep

REDUCTIONS = {"mean": np.nanmean, "max": np.nanmax, "min": np.nanmin, "sum": np.nansum,
              "last": lambda a, axis: a[:, -1]}

SweepLike = Union[str, os.PathLike, xr.Dataset]


def _dataset(sweep: SweepLike) -> xr.Dataset:
    return sweep if isinstance(sweep, xr.Dataset) else open_sweep(sweep)


def _problem(ds: xr.Dataset) -> dict:
    if "salib_problem" not in ds.attrs:
        raise ValueError("this sweep has no SALib problem: run a sweep with design 'sobol' or 'morris'")
    return json.loads(ds.attrs["salib_problem"])


def output_per_point(sweep: SweepLike, output: str) -> np.ndarray:
    """One value of `output` per design point (replicates averaged), in point order."""
    ds = _dataset(sweep)
    name, _, reduction = output.partition(":")
    if name not in ds.data_vars:
        known = sorted(v for v in ds.data_vars if "run" in ds[v].dims and ds[v].dtype.kind in "fiub")
        raise ValueError(f"output {name!r} is not in this sweep: expected one of: {', '.join(known)}")
    var = ds[name]
    if "step" in var.dims:
        if reduction not in REDUCTIONS:
            raise ValueError(f"output {output!r}: {name!r} is a series; add a reduction, one of: "
                             f"{', '.join(f'{name}:{r}' for r in REDUCTIONS)}")
        values = REDUCTIONS[reduction](var.transpose("run", "step").values.astype(float), axis=1)
    elif reduction:
        raise ValueError(f"output {output!r}: {name!r} is one number per run; give it without ':{reduction}'")
    else:
        values = var.values.astype(float)
    failed = ds["status"].values != "done"
    if failed.any():
        runs = ", ".join(str(int(r)) for r in ds["run"].values[failed][:10])
        raise ValueError(f"runs {runs} did not finish (status != 'done'): re-run the sweep (it resumes) before "
                         f"computing sensitivity indices")
    frame = pd.DataFrame({"point": ds["point"].values, "value": values})
    return frame.groupby("point")["value"].mean().sort_index().to_numpy()


@contextlib.contextmanager
def _bootstrap_seed(seed: Optional[int]):
    """SALib's analyzers seed NumPy's global generator only for a true seed (``if seed:``), so seed 0
    would bootstrap from whatever state the process is in: seed it here (and put the state back)."""
    if seed is None:
        yield
        return
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def sobol_indices(sweep: SweepLike, output: str, *, confidence: float = 0.95, seed: Optional[int] = 0) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol' indices of `output` with their confidence half-widths,
    one row per parameter, from a ``design="sobol"`` sweep (SALib.analyze.sobol)."""
    from SALib.analyze import sobol

    ds = _dataset(sweep)
    if ds.attrs.get("sweep_design") != "sobol":
        raise ValueError(f"Sobol' indices need a sweep with design 'sobol', not {ds.attrs.get('sweep_design')!r}")
    problem = _problem(ds)
    y = output_per_point(ds, output)
    second = bool(int(ds.attrs.get("sweep_second_order", 0)))
    with _bootstrap_seed(seed):
        result = sobol.analyze(problem, y, calc_second_order=second, conf_level=confidence, seed=seed,
                               print_to_console=False)
    return pd.DataFrame({"parameter": problem["names"], "S1": result["S1"], "S1_conf": result["S1_conf"],
                         "ST": result["ST"], "ST_conf": result["ST_conf"]}).set_index("parameter")


def morris_indices(sweep: SweepLike, output: str, *, confidence: float = 0.95, seed: Optional[int] = 0) -> pd.DataFrame:
    """Morris elementary-effect statistics (mu, mu_star with its confidence, sigma) of `output`, one
    row per parameter, from a ``design="morris"`` sweep (SALib.analyze.morris)."""
    from SALib.analyze import morris

    ds = _dataset(sweep)
    if ds.attrs.get("sweep_design") != "morris":
        raise ValueError(f"Morris screening needs a sweep with design 'morris', not {ds.attrs.get('sweep_design')!r}")
    problem = _problem(ds)
    y = output_per_point(ds, output)
    points = pd.DataFrame({name: ds[name].values for name in problem["names"]})
    points["point"] = ds["point"].values
    x = points.groupby("point").first().sort_index()[problem["names"]].to_numpy(dtype=float)
    levels = int(ds.attrs.get("sweep_levels", 4))
    with _bootstrap_seed(seed):
        result = morris.analyze(problem, x, y, conf_level=confidence, num_levels=levels, seed=seed,
                                print_to_console=False)
    return pd.DataFrame({"parameter": problem["names"], "mu": result["mu"], "mu_star": result["mu_star"],
                         "mu_star_conf": result["mu_star_conf"], "sigma": result["sigma"]}).set_index("parameter")


def plot_indices(table: pd.DataFrame, ax=None, title: Optional[str] = None):
    """Bar chart of a sobol_indices (S1 and ST with confidence bars) or morris_indices (mu_star)
    table; returns the matplotlib Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 1.1 * len(table), 3.2))
    x = np.arange(len(table))
    if "ST" in table:
        ax.bar(x - 0.2, table["S1"], 0.4, yerr=table["S1_conf"], capsize=3, label="first order (S1)")
        ax.bar(x + 0.2, table["ST"], 0.4, yerr=table["ST_conf"], capsize=3, label="total (ST)")
        ax.set_ylabel("Sobol' index")
        ax.legend()
    elif "mu_star" in table:
        ax.bar(x, table["mu_star"], 0.6, yerr=table["mu_star_conf"], capsize=3)
        ax.set_ylabel("Morris μ*")
    else:
        raise ValueError("expected a table from sobol_indices or morris_indices")
    ax.set_xticks(x)
    ax.set_xticklabels(table.index, rotation=20, ha="right")
    ax.axhline(0, color="grey", lw=0.5)
    if title:
        ax.set_title(title)
    return ax


__all__ = ["output_per_point", "sobol_indices", "morris_indices", "plot_indices", "REDUCTIONS"]
