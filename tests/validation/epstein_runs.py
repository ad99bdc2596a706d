"""Runs of Epstein's models for the validation suite: many seeds, in parallel worker processes.

A run is described by a `Run` (model, seed, steps, parameters, series to record); `simulate` runs a
batch of them, reusing results already computed in this process (several claims share the run-2
reference runs), and `outburst_statistics` summarises run-2 style time series.

Sizes: `SAHELSIM_VALIDATION=full` selects the full measurements (`make validate`), anything else the
reduced ones (`make test`); `size(reduced, full)` picks the number for the current mode. Worker
processes (spawned, never forked: oneTBB does not support fork) default to min(2, cores);
`SAHELSIM_VALIDATION_WORKERS=1` runs everything in the test process.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

MODE = "full" if os.environ.get("SAHELSIM_VALIDATION", "").strip().lower() == "full" else "reduced"
FULL = MODE == "full"

#: Outbursts (EPSTEIN.md): actives exceed this many, and the outburst ends when they fall back.
OUTBURST_THRESHOLD = 50
#: Every run starts with all citizens quiet, so the first steps hold one big transient outburst;
#: outbursts starting before this step, and waits before them, are left out of the statistics.
BURN_IN_STEPS = 100


def size(reduced, full):
    """The number to use in the current mode."""
    return full if FULL else reduced


@dataclass(frozen=True)
class Run:
    """One simulation to run: `params` are the model's keyword parameters as sorted (name, value)
    pairs; `record` names the series kept for every step; with `until_extinction` (Model II) the run
    stops at the first step where one group has no living member, or after `steps` steps."""

    model: str
    seed: int
    steps: int
    params: Tuple[Tuple[str, object], ...] = ()
    record: Tuple[str, ...] = ("active",)
    until_extinction: bool = False


def runs(model: str, seeds: Iterable[int], steps: int, record: Sequence[str] = ("active",),
         until_extinction: bool = False, **params) -> List[Run]:
    """One `Run` per seed, all with the same parameters."""
    frozen = tuple(sorted(params.items()))
    return [Run(model, int(seed), int(steps), frozen, tuple(record), until_extinction) for seed in seeds]


def run_one(run: Run) -> Dict[str, np.ndarray]:
    """Runs one simulation; returns each recorded series (index t holds the state after step t+1),
    its value before the first step (`initial_<name>`) and, for `until_extinction`, `extinction_step`
    (the first step with a group extinct, or -1) and `survivor` (0 = group A, 1 = group B, -1 none)."""
    import sahelsim  # imported here so that worker processes import it themselves

    model = sahelsim.Model(run.model, seed=run.seed, threads=1, **dict(run.params))
    initial = model.series()
    series = {name: np.zeros(run.steps, dtype=np.float64) for name in run.record}
    extinction_step = -1
    done = 0
    for t in range(run.steps):
        model.step(1)
        values = model.series()
        for name in run.record:
            series[name][t] = values[name]
        done = t + 1
        if run.until_extinction and (values["group_a"] == 0 or values["group_b"] == 0):
            extinction_step = t + 1
            break
    result = {name: column[:done] for name, column in series.items()}
    result.update({f"initial_{name}": np.array(initial[name]) for name in run.record})
    if run.until_extinction:
        result["extinction_step"] = np.array(extinction_step)
        last = model.series()
        result["survivor"] = np.array(-1 if extinction_step < 0 else (0 if last["group_a"] > 0 else 1))
    return result


_results: Dict[Run, Dict[str, np.ndarray]] = {}
_pool: Optional[concurrent.futures.ProcessPoolExecutor] = None


def worker_count() -> int:
    configured = os.environ.get("SAHELSIM_VALIDATION_WORKERS", "").strip()
    if configured:
        return max(1, int(configured))
    return max(1, min(2, os.cpu_count() or 1))


def _executor() -> Optional[concurrent.futures.ProcessPoolExecutor]:
    global _pool
    if worker_count() == 1:
        return None
    if _pool is None:
        _pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=worker_count(), mp_context=multiprocessing.get_context("spawn"))
    return _pool


def shutdown() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


def simulate(batch: Sequence[Run]) -> List[Dict[str, np.ndarray]]:
    """Results of every run in `batch`, in order (each run computed once per process)."""
    missing = list(dict.fromkeys(r for r in batch if r not in _results))
    pool = _executor() if len(missing) > 1 else None
    if pool is None:
        for run in missing:
            _results[run] = run_one(run)
    else:
        # Longest runs first keeps both workers busy to the end.
        ordered = sorted(missing, key=lambda r: -r.steps)
        for run, result in zip(ordered, pool.map(run_one, ordered, chunksize=1)):
            _results[run] = result
    return [_results[r] for r in batch]


# ---------------------------------------------------------------------------------------------
# Outburst statistics (run 2)


@dataclass
class OutburstStatistics:
    """Outbursts pooled over runs, after the burn-in; an outburst still running at the end of its run
    is left out, and waits are counted only between two complete outbursts of the same run."""

    runs: int
    steps: int
    counts: np.ndarray  # outbursts per run
    sizes: np.ndarray  # total activation (sum of actives over the outburst's steps)
    waits: np.ndarray  # steps from the end of one outburst to the start of the next
    peaks: np.ndarray
    durations: np.ndarray
    rise_steps: np.ndarray  # steps from an outburst's start to its peak
    growth: np.ndarray  # actives at an outburst's second step / actives the step before it started
    run_mean_sizes: np.ndarray  # mean size of each run's outbursts (independent across runs)
    run_mean_waits: np.ndarray  # mean wait of each run (runs with at least two outbursts)
    calm_fraction: float  # share of post-burn-in steps with actives at or below the threshold
    calm_median_actives: float

    def summary(self) -> Dict[str, float]:
        def mean_sd(x):
            return (float(np.mean(x)), float(np.std(x, ddof=1))) if len(x) > 1 else (float("nan"),) * 2

        s_mean, s_sd = mean_sd(self.sizes)
        w_mean, w_sd = mean_sd(self.waits)
        return {
            "runs": self.runs,
            "steps": self.steps,
            "outbursts": int(self.counts.sum()),
            "outbursts_per_1000_steps": float(self.counts.mean() * 1000.0 / (self.steps - BURN_IN_STEPS)),
            "size_mean": s_mean,
            "size_sd": s_sd,
            "wait_mean": w_mean,
            "wait_sd": w_sd,
            "wait_cv": w_sd / w_mean if w_mean > 0 else float("nan"),
            "peak_mean": float(np.mean(self.peaks)) if len(self.peaks) else float("nan"),
            "duration_mean": float(np.mean(self.durations)) if len(self.durations) else float("nan"),
            "rise_mean": float(np.mean(self.rise_steps)) if len(self.rise_steps) else float("nan"),
            "two_step_growth_median": float(np.median(self.growth)) if len(self.growth) else float("nan"),
            "calm_fraction": self.calm_fraction,
        }


def outbursts_after_burn_in(active: np.ndarray):
    """`sahelsim.outbursts` restricted to complete outbursts starting after the burn-in."""
    import sahelsim

    o = sahelsim.outbursts(np.asarray(active, dtype=np.int64), threshold=OUTBURST_THRESHOLD)
    keep = (o["start"] >= BURN_IN_STEPS) & (o["end"] < len(active))
    return {key: o[key][keep] for key in ("start", "end", "size", "peak")}


def outburst_statistics(actives: Sequence[np.ndarray]) -> OutburstStatistics:
    counts, sizes, waits, peaks, durations, rises, growth = [], [], [], [], [], [], []
    run_mean_sizes, run_mean_waits = [], []
    calm_steps = total_steps = 0
    calm_values = []
    for active in actives:
        active = np.asarray(active, dtype=np.int64)
        o = outbursts_after_burn_in(active)
        counts.append(len(o["start"]))
        sizes.extend(o["size"])
        peaks.extend(o["peak"])
        durations.extend(o["end"] - o["start"])
        waits.extend(o["start"][1:] - o["end"][:-1])
        rises.extend(int(np.argmax(active[s:e])) for s, e in zip(o["start"], o["end"]))
        growth.extend(active[s + 1] / max(1, active[s - 1]) for s in o["start"])
        if len(o["size"]):
            run_mean_sizes.append(float(np.mean(o["size"])))
        if len(o["start"]) > 1:
            run_mean_waits.append(float(np.mean(o["start"][1:] - o["end"][:-1])))
        tail = active[BURN_IN_STEPS:]
        calm = tail <= OUTBURST_THRESHOLD
        calm_steps += int(calm.sum())
        total_steps += len(tail)
        calm_values.append(tail[calm])
    calm_all = np.concatenate(calm_values) if calm_values else np.array([])
    as_array = lambda x: np.asarray(x, dtype=np.float64)  # noqa: E731
    return OutburstStatistics(
        runs=len(actives),
        steps=max((len(a) for a in actives), default=0),
        counts=as_array(counts),
        sizes=as_array(sizes),
        waits=as_array(waits),
        peaks=as_array(peaks),
        durations=as_array(durations),
        rise_steps=as_array(rises),
        growth=as_array(growth),
        run_mean_sizes=as_array(run_mean_sizes),
        run_mean_waits=as_array(run_mean_waits),
        calm_fraction=calm_steps / total_steps if total_steps else float("nan"),
        calm_median_actives=float(np.median(calm_all)) if len(calm_all) else float("nan"),
    )


# ---------------------------------------------------------------------------------------------
# The run-2 reference runs, shared by several tests (computed once per session)

RUN2_SEEDS = range(size(12, 60))
RUN2_STEPS = size(2000, 5000)


def run2_runs(activation: str = "sequential", **params) -> List[Run]:
    """Run-2 defaults (Model I's defaults) with `activation`, over the shared seeds and length."""
    return runs("epstein", RUN2_SEEDS, RUN2_STEPS, activation=activation, **params)
