"""Parameter sweeps: many runs of one model or scenario, on one machine or a cluster, combined into one
dataset (docs/SWEEPS.md).

::

    import sahelsim
    sw = sahelsim.Sweep(model="epstein", parameters={"legitimacy": (0.7, 0.9), "cop_density": (0.02, 0.08)},
                        design="lhs", samples=20, replicates=2, seed=1, steps=300)
    sw.run("out/")                    # a local process pool; or client=dask.distributed.Client(...)
    ds = sahelsim.open_sweep("out/")  # xarray.Dataset over `run` (and `step` for the series)
    ds.to_dataframe()                 # the tidy table

A sweep is a list of runs: design points (from SALib, or a full factorial) times replicates, each run
with a seed derived from the sweep's seed and its (point, replicate) alone, so the results do not depend
on where or in which order the runs execute. Each run writes its own run file
(``DIR/runs/run-00042.h5``); ``DIR/sweep.json`` holds the sweep and its design, ``DIR/index.csv`` one row
per run (parameters, seed, status, error, path, summary indicators). A failed run is recorded with its
error and never stops the others; running the same sweep into the same directory again resumes it,
skipping the runs whose files are complete.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime
import difflib
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import uuid
import warnings
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd
import xarray as xr

from . import _core
from ._model import MAX_THREADS, Model, available_threads
from ._model import _check_count as _count
from ._model import parameters as parameter_specs

#: The designs: name -> what it is (SALib's samplers for all but the factorial).
DESIGNS = {
    "factorial": "full factorial: every combination of the parameters' levels (itertools.product)",
    "lhs": "Latin hypercube (SALib.sample.latin)",
    "sobol": "Saltelli's extension of the Sobol' sequence for Sobol' indices (SALib.sample.sobol)",
    "morris": "Morris trajectories for elementary effects (SALib.sample.morris)",
}

SAHEL_MODEL = "sahel"
DEFAULT_SCENARIO = "mali-2025"
DEFAULT_STEPS = 500  # models other than sahel, as `sahelsim run`

#: The series kept by default (the run files hold all of them).
DEFAULT_OUTPUTS = {
    "epstein": ["quiet", "active", "jailed", "arrests"],
    "epstein-ethnic": ["quiet", "active", "jailed", "killed", "group_a", "group_b"],
    SAHEL_MODEL: [
        "fuel_price_bamako", "fuel_stock_bamako", "electricity_hours_bamako", "tankers_destroyed", "attacks",
        "legitimacy_mean", "militant_fighters", "displaced", "control_share_insurgent_support",
        "control_share_insurgent_control",
    ],
}

#: Per-run variables of every sweep; parameters, summaries and series may not take these names.
RUN_FIELDS = ["point", "replicate", "seed", "status", "error", "path", "wall_seconds"]
#: Extra columns of index.csv only (they differ between executions of the same sweep).
INDEX_ONLY_FIELDS = ["task_seconds", "started_utc", "finished_utc", "host", "attempts"]

STATUS_DONE, STATUS_FAILED, STATUS_PENDING = "done", "failed", "pending"
SPEC_FILE, INDEX_FILE, RUNS_DIR, LOCK_FILE = "sweep.json", "index.csv", "runs", ".sweep.lock"
FORMAT_VERSION = 1

#: Attempts of one run when the worker process running it dies (the local pool is rebuilt each time).
MAX_ATTEMPTS = 3


# ---- parameters ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Factor:
    """One parameter of a sweep: a range (low, high) sampled by the design, levels (a list of values,
    factorial only), or one fixed value for every run."""

    name: str
    kind: str  # the registry's kind: real, integer, boolean, choice
    low: Any = None
    high: Any = None
    levels: Optional[Tuple[Any, ...]] = None
    value: Any = None

    @property
    def role(self) -> str:
        if self.levels is not None:
            return "levels"
        if self.low is not None:
            return "range"
        return "fixed"

    def to_json(self) -> Dict[str, Any]:
        if self.role == "range":
            return {"range": [self.low, self.high]}
        if self.role == "levels":
            return {"levels": list(self.levels)}
        return {"value": self.value}


def _known_names_hint(name: str, known: Sequence[str], model: str) -> str:
    if len(known) <= 40:
        return f"known parameters: {', '.join(sorted(known))}"
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return ((f"did you mean: {', '.join(close)}? " if close else "")
            + f"{len(known)} parameters, listed by sahelsim.parameters({model!r}) and `sahelsim params {model}`")


def _check_value(name: str, spec: Mapping[str, Any], value: Any, what: str = "value") -> Any:
    """`value` converted to the parameter's kind, or ValueError naming the parameter and what is allowed."""
    kind = spec["kind"]
    allowed = spec["allowed"]
    bad = ValueError(f"parameter {name!r}: {what} {value!r} is not allowed: expected {allowed}")
    if kind == "boolean":
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise bad
    if kind == "choice":
        if isinstance(value, str) and value in spec["choices"]:
            return value
        raise bad
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise bad
    if kind == "integer":
        if float(value) != math.floor(float(value)):
            raise bad
        value = int(value)
    else:
        value = float(value)
        # Infinity only where the parameter allows it (max_jail_term = inf: jailed for ever), and as a
        # level or a fixed value: a range needs finite ends to be sampled.
        if math.isinf(value) and what.startswith("range"):
            raise ValueError(f"parameter {name!r}: {what} {value!r} is not allowed: a range is sampled, so its ends "
                             f"must be finite ({allowed}; give inf as a level or a fixed value)")
        if math.isnan(value) or (math.isinf(value) and value != spec["maximum"]):
            raise bad
    if not spec["minimum"] <= value <= spec["maximum"]:
        raise bad
    return value


def _parse_factor(name: str, given: Any, spec: Mapping[str, Any]) -> _Factor:
    """A tuple (low, high) or {"range": [low, high]} is a range; a list or {"levels": [...]} the levels of
    a factorial design; anything else one fixed value."""
    kind = spec["kind"]
    if isinstance(given, Mapping):
        keys = set(given)
        if keys == {"range"} and isinstance(given["range"], (list, tuple)):
            given = tuple(given["range"])
        elif keys == {"levels"} and isinstance(given["levels"], (list, tuple)):
            given = list(given["levels"])
        elif keys == {"value"}:
            given = given["value"]
        else:
            raise ValueError(f"parameter {name!r}: {dict(given)!r} is not allowed: expected (low, high) for a range, "
                             f"a list of levels, one value, or a dict with one key: range, levels or value")
    if isinstance(given, tuple):
        if len(given) != 2:
            raise ValueError(f"parameter {name!r}: range {given!r} is not allowed: expected (low, high)")
        if kind not in ("real", "integer"):
            raise ValueError(f"parameter {name!r} is {spec['allowed']}: it takes a list of levels (factorial "
                             f"design) or one value, not a range {given!r}")
        low = _check_value(name, spec, given[0], "range low end")
        high = _check_value(name, spec, given[1], "range high end")
        if not low < high:
            raise ValueError(f"parameter {name!r}: range {given!r} is not allowed: expected low < high")
        return _Factor(name, kind, low=low, high=high)
    if isinstance(given, (list, np.ndarray)):
        levels = [_check_value(name, spec, v, "level") for v in list(given)]
        if not levels:
            raise ValueError(f"parameter {name!r}: an empty list of levels is not allowed: expected at least one")
        if len(set(levels)) != len(levels):
            raise ValueError(f"parameter {name!r}: levels {levels!r} are not allowed: expected distinct values")
        return _Factor(name, kind, levels=tuple(levels))
    return _Factor(name, kind, value=_check_value(name, spec, given))


# ---- seeds --------------------------------------------------------------------------------------


def _derived_seed(seed: int, *key: int) -> int:
    """A 63-bit seed from the sweep's seed and a key (numpy SeedSequence: hashes the tuple, so nearby
    keys give unrelated seeds). It fits every model's seed range (scenario seeds: 0 to 2**63 - 1)."""
    state = np.random.SeedSequence(entropy=int(seed), spawn_key=tuple(int(k) for k in key)).generate_state(
        1, np.uint64)[0]
    return int(state) >> 1


_RUN_SEED_KEY, _DESIGN_SEED_KEY, _COMMON_SEED_KEY = 0, 1, 2


def run_seed(sweep_seed: int, point: int, replicate: int, common_seeds: bool = False) -> int:
    """The seed of the run (point, replicate) of a sweep with seed `sweep_seed`; with `common_seeds`,
    replicate r of every point has the same seed (common random numbers)."""
    if common_seeds:
        return _derived_seed(sweep_seed, _COMMON_SEED_KEY, replicate)
    return _derived_seed(sweep_seed, _RUN_SEED_KEY, point, replicate)


# ---- the sweep ----------------------------------------------------------------------------------


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} = {value!r} is not allowed: expected True or False")
    return bool(value)


#: The most runs (design points x replicates) one sweep may hold. A sweep is for hundreds to
#: thousands of runs; a million at a few milliseconds each is already hours on one machine, and its
#: design and record must fit in memory.
MAX_SWEEP_RUNS = 1_000_000


class Sweep:
    """Many runs of one model or scenario: design points times replicates (docs/SWEEPS.md).

    ``model`` is a registered model (``"epstein"``, ``"epstein-ethnic"``; ``"sahel"`` is the scenario
    mali-2025) or ``scenario`` a Sahel scenario (a bundled name or a file). ``parameters`` maps names
    (as in :func:`sahelsim.parameters`) to a range ``(low, high)`` sampled by the design, a list of
    levels (``design="factorial"``) or one value for every run. Designs: ``"factorial"`` (every
    combination of levels; a range gives ``samples`` evenly spaced levels), ``"lhs"`` (``samples``
    points), ``"sobol"`` (Saltelli's scheme: ``samples`` × (D + 2) points, or × (2D + 2) with
    ``second_order``; ``samples`` a power of two), ``"morris"`` (``samples`` trajectories of D + 1
    points on a ``levels``-level grid). Each point runs ``replicates`` times with seeds derived from
    ``seed`` and (point, replicate) alone (:func:`run_seed`). ``steps``: steps per run (default 500;
    for a scenario its whole period, one step a day). ``outputs``: the series kept in the dataset
    (default :data:`DEFAULT_OUTPUTS`; ``"all"`` for every one; the run files hold them all).
    ``threads_per_run``: oneTBB threads of each run (results do not depend on it).
    ``snapshot_every``: rasters every N steps in the run files (default 0: none; None: the scenario's).

    Errors (unknown parameter, range outside what the parameter allows, bad design, samples < 1, a
    Sobol' sample that is not a power of two, ...) raise :class:`ValueError` naming the field::

        sw = Sweep(scenario="mali-2025", parameters={"escort_detachments": [1, 2, 4]}, replicates=8, seed=3)
        len(sw)          # 24 runs
        sw.runs          # one row per run: run, point, replicate, seed, parameters
        sw.run("out/mali-escorts", client=None)   # or a dask.distributed.Client, or any Executor
    """

    def __init__(
        self,
        model: Optional[str] = None,
        parameters: Optional[Mapping[str, Any]] = None,
        *,
        scenario: Optional[Union[str, os.PathLike]] = None,
        design: str = "factorial",
        samples: Optional[int] = None,
        replicates: int = 1,
        seed: int = 0,
        steps: Optional[int] = None,
        outputs: Optional[Union[Sequence[str], str]] = None,
        threads_per_run: int = 1,
        snapshot_every: Optional[int] = 0,
        second_order: bool = False,
        levels: int = 4,
        common_seeds: bool = False,
    ):
        # -- the model or scenario
        if model is not None and scenario is not None and model != SAHEL_MODEL:
            raise ValueError(f"model = {model!r} and scenario = {scenario!r}: give one (a scenario runs the "
                             f"{SAHEL_MODEL!r} model)")
        if model is None and scenario is None:
            raise ValueError("a sweep needs model = NAME (e.g. 'epstein') or scenario = NAME_OR_FILE "
                             "(e.g. 'mali-2025')")
        if model is not None and model not in _core.model_names():
            raise ValueError(f"model = {model!r} is not allowed: expected one of: {', '.join(_core.model_names())}")
        self.model: str = SAHEL_MODEL if scenario is not None else str(model)
        self.scenario: Optional[str] = None
        self._scenario_days: Optional[int] = None
        self._scenario_digest: Optional[str] = None
        if self.model == SAHEL_MODEL:
            self._resolve_scenario(DEFAULT_SCENARIO if scenario is None else scenario)

        # -- counts and seeds
        if design not in DESIGNS:
            close = difflib.get_close_matches(str(design), list(DESIGNS), n=1, cutoff=0.5)
            raise ValueError(f"design = {design!r} is not allowed: expected one of: {', '.join(DESIGNS)}"
                             + (f" (did you mean {close[0]!r}?)" if close else ""))
        self.design: str = design
        self.replicates = _count("replicates", replicates, 1, MAX_SWEEP_RUNS)
        self.seed = _count("seed", seed, 0)  # at most 2**63 - 1: also a scenario's seed range (MAX_SCENARIO_SEED)
        self.threads_per_run = _count("threads_per_run", threads_per_run, 1, MAX_THREADS)
        self.second_order = _flag("second_order", second_order)
        self.levels = _count("levels", levels, 2)
        self.common_seeds = _flag("common_seeds", common_seeds)
        if self.model == SAHEL_MODEL:
            self.steps = self._scenario_days if steps is None else _count("steps", steps, 1)
            if self.steps > _core.scenario_max_days():
                raise ValueError(f"steps = {steps} is not allowed: expected an integer in [1, "
                                 f"{_core.scenario_max_days()}] (one step a day)")
        else:
            self.steps = DEFAULT_STEPS if steps is None else _count("steps", steps, 1)
        if snapshot_every is None:
            if self.model != SAHEL_MODEL:
                raise ValueError("snapshot_every = None (the scenario's) is for scenarios: expected an integer >= 0")
            self.snapshot_every: Optional[int] = None
        else:
            self.snapshot_every = _count("snapshot_every", snapshot_every, 0)

        # -- parameters
        if parameters is None:
            parameters = {}
        if not isinstance(parameters, Mapping):
            raise ValueError(f"parameters = {parameters!r} is not allowed: expected a dict of name: (low, high), "
                             f"[levels] or value")
        specs = {spec["name"]: spec for spec in parameter_specs(self.model)}
        self._factors: List[_Factor] = []
        for name, given in parameters.items():
            if name not in specs:
                raise ValueError(f"unknown parameter {name!r} for model {self.model!r}; "
                                 f"{_known_names_hint(name, list(specs), self.model)}")
            self._factors.append(_parse_factor(name, given, specs[name]))
        self._check_design(samples)
        self.samples: Optional[int] = None if samples is None else int(samples)

        # -- outputs
        self.outputs: List[str] = self._resolve_outputs(outputs)
        self._names = self._variable_names()

        # -- the design
        self._design_matrix, self._points = self._sample()

    # ---- set-up helpers
    def _resolve_scenario(self, scenario: Union[str, os.PathLike]) -> None:
        from .scenario import load_scenario

        given = os.fspath(scenario)
        if given in _core.bundled_scenarios():
            name_or_path = given
        else:
            if not os.path.exists(given):
                raise ValueError(f"scenario = {given!r} is not allowed: expected a bundled scenario "
                                 f"({', '.join(_core.bundled_scenarios())}) or an existing scenario file")
            # Absolute, so that workers in other directories (or on other machines sharing it) find it.
            name_or_path = os.path.abspath(given)
        resolved = load_scenario(name_or_path)  # ValueError lists every problem of a bad file
        self.scenario = name_or_path
        self._scenario_days = resolved.days
        self._scenario_digest = hashlib.sha256(resolved.to_toml().encode()).hexdigest()

    def _check_design(self, samples: Optional[int]) -> None:
        varied = [f for f in self._factors if f.role != "fixed"]
        if self.design != "factorial":
            with_levels = [f.name for f in varied if f.role == "levels"]
            if with_levels:
                raise ValueError(f"design {self.design!r} samples ranges (low, high), but parameter "
                                 f"{with_levels[0]!r} has a list of levels: give it a range, one value, or use "
                                 f"design='factorial'")
            if not varied:
                raise ValueError(f"design {self.design!r} needs at least one parameter with a range (low, high)")
            if samples is None:
                raise ValueError(f"design {self.design!r} needs samples = N (an integer >= 1)")
        if samples is not None:
            _count("samples", samples, 1)
        if self.design == "factorial" and samples is None and any(f.role == "range" for f in varied):
            name = next(f.name for f in varied if f.role == "range")
            raise ValueError(f"design 'factorial' with a range for parameter {name!r} needs samples = N: the "
                             f"number of evenly spaced levels of each range (or give {name!r} a list of levels)")
        if self.design == "sobol" and samples is not None and samples & (samples - 1):
            lower = 1 << (int(samples).bit_length() - 1)
            raise ValueError(f"design 'sobol' needs samples to be a power of two (Saltelli's scheme keeps the "
                             f"Sobol' sequence balanced only then): samples = {samples} is not allowed; use "
                             f"{lower} or {lower * 2}")
        if self.design == "morris" and self.levels % 2:
            raise ValueError(f"levels = {self.levels} is not allowed: the Morris grid needs an even number of levels")
        points = self._planned_points(varied, samples)
        if points * self.replicates > MAX_SWEEP_RUNS:
            raise ValueError(f"this sweep would hold {points:,} design points x {self.replicates:,} replicates = "
                             f"{points * self.replicates:,} runs; a sweep may hold at most {MAX_SWEEP_RUNS:,}: "
                             f"lower samples, levels or replicates, or split it")

    def _planned_points(self, varied: List["_Factor"], samples: Optional[int]) -> int:
        """How many design points the design will have (an upper bound for a factorial whose integer
        ranges have fewer distinct values than samples), computed without sampling."""
        if self.design == "factorial":
            return math.prod(len(f.levels) if f.role == "levels" else samples for f in varied)
        d = sum(1 for f in varied if f.role == "range")
        if self.design == "lhs":
            return samples
        if self.design == "sobol":
            return samples * (2 * d + 2 if self.second_order else d + 2)
        return samples * (d + 1)  # morris: trajectories of d + 1 points

    def _probe_model(self) -> Model:
        if self.model == SAHEL_MODEL:
            return Model.from_scenario(self.scenario, threads=1)
        return Model(self.model, seed=0, threads=1)

    def _series_names(self) -> List[str]:
        """Every series of the model (a model is built to ask it: a scenario's map takes a moment)."""
        return list(self._probe_model().series())

    def _resolve_outputs(self, outputs: Optional[Union[Sequence[str], str]]) -> List[str]:
        if outputs is None:
            default = DEFAULT_OUTPUTS.get(self.model)
            if default is not None:
                return list(default)
            return self._series_names()
        if isinstance(outputs, str):
            if outputs == "all":
                return self._series_names()
            outputs = [outputs]
        known = self._series_names()
        listed = None if isinstance(outputs, Mapping) or not isinstance(outputs, Iterable) else list(outputs)
        if listed is None or not all(isinstance(name, str) for name in listed):
            raise ValueError(f"outputs = {outputs!r} is not allowed: expected 'all', a series name or a list of "
                             f"series names; known series: {', '.join(known)}")
        outputs = listed
        for name in outputs:
            if name not in known:
                raise ValueError(f"outputs: unknown series {name!r} of model {self.model!r}; known series: "
                                 f"{', '.join(known)}")
        if len(set(outputs)) != len(outputs):
            raise ValueError(f"outputs = {outputs!r} is not allowed: expected distinct names")
        return outputs

    def _variable_names(self) -> Dict[str, Dict[str, str]]:
        """Dataset names of the parameters, summaries and series: their own names unless taken by a run
        field or an earlier kind, then prefixed (``summary_``, ``series_``)."""
        taken = set(RUN_FIELDS) | {"run", "step"}
        names: Dict[str, Dict[str, str]] = {"parameter": {}, "summary": {}, "series": {}}
        for factor in self._factors:
            names["parameter"][factor.name] = factor.name
            taken.add(factor.name)
        for key in _summary_keys(self.model):
            name = key if key not in taken else f"summary_{key}"
            names["summary"][key] = name
            taken.add(name)
        for key in self.outputs:
            name = key if key not in taken else f"series_{key}"
            names["series"][key] = name
            taken.add(name)
        return names

    def _sample(self) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
        """The design matrix (points x varied parameters, as the sampler gave it) and each point's
        parameter values (integers rounded, fixed values added)."""
        varied = [f for f in self._factors if f.role != "fixed"]
        fixed = {f.name: f.value for f in self._factors if f.role == "fixed"}
        design_seed = int(_derived_seed(self.seed, _DESIGN_SEED_KEY) & 0xFFFFFFFF)
        if self.design == "factorial":
            level_lists = []
            for factor in varied:
                if factor.role == "levels":
                    level_lists.append(list(factor.levels))
                else:
                    values = np.linspace(factor.low, factor.high, self.samples)
                    if factor.kind == "integer":
                        values = np.unique(np.rint(values).astype(np.int64))
                    level_lists.append([v.item() for v in values])
            combos = list(itertools.product(*level_lists))
            numeric = all(f.kind in ("real", "integer") for f in varied)
            matrix = np.array(combos, dtype=float) if (numeric and varied) else np.empty((len(combos), 0))
            points = [dict(zip([f.name for f in varied], combo)) for combo in combos]
        else:
            from SALib.sample import latin, morris, sobol

            problem = self.problem
            if self.design == "lhs":
                matrix = latin.sample(problem, self.samples, seed=design_seed)
            elif self.design == "sobol":
                matrix = sobol.sample(problem, self.samples, calc_second_order=self.second_order, seed=design_seed)
            else:
                matrix = morris.sample(problem, self.samples, num_levels=self.levels, seed=design_seed)
            matrix = np.asarray(matrix, dtype=float)
            points = []
            for row in matrix:
                point = {}
                for factor, value in zip(varied, row):
                    if factor.kind == "integer":
                        point[factor.name] = int(min(max(round(float(value)), factor.low), factor.high))
                    else:
                        point[factor.name] = float(value)
                points.append(point)
        points = [{**point, **fixed} for point in points]
        order = [f.name for f in self._factors]
        return matrix, [{name: point[name] for name in order} for point in points]

    # ---- what the sweep is
    @property
    def parameters(self) -> Dict[str, Dict[str, Any]]:
        """Each parameter as given: {"range": [low, high]}, {"levels": [...]} or {"value": v}."""
        return {f.name: f.to_json() for f in self._factors}

    @property
    def problem(self) -> Dict[str, Any]:
        """The SALib problem of the parameters with ranges: ``num_vars``, ``names``, ``bounds`` (for
        ``SALib.analyze.sobol.analyze(sw.problem, Y)`` and friends, Y in point order)."""
        ranged = [f for f in self._factors if f.role == "range"]
        return {"num_vars": len(ranged), "names": [f.name for f in ranged],
                "bounds": [[float(f.low), float(f.high)] for f in ranged]}

    @property
    def design_matrix(self) -> np.ndarray:
        """The sampler's points (points x varied parameters, before integers are rounded): the X of
        SALib's Morris analysis."""
        return self._design_matrix.copy()

    @property
    def points(self) -> pd.DataFrame:
        """One row per design point: the parameter values its runs use."""
        frame = pd.DataFrame(self._points, index=pd.RangeIndex(len(self._points), name="point"))
        return frame

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: run, point, replicate, seed, then the parameter values."""
        rows = []
        for task in self._tasks(directory=""):
            rows.append({"run": task["run"], "point": task["point"], "replicate": task["replicate"],
                         "seed": task["seed"], **task["parameters"]})
        return pd.DataFrame(rows).set_index("run")

    def __len__(self) -> int:
        return len(self._points) * self.replicates

    def __repr__(self) -> str:
        target = f"scenario={self.scenario!r}" if self.model == SAHEL_MODEL else f"model={self.model!r}"
        return (f"<sahelsim.Sweep {target} design={self.design!r} points={len(self._points)} "
                f"replicates={self.replicates} runs={len(self)} seed={self.seed} steps={self.steps}>")

    def to_dict(self) -> Dict[str, Any]:
        """What defines the sweep's results (written to DIR/sweep.json; a directory holding another
        sweep is not resumed)."""
        return {
            "model": self.model, "scenario": self.scenario, "scenario_sha256": self._scenario_digest,
            "design": self.design, "samples": self.samples, "replicates": self.replicates, "seed": self.seed,
            "steps": self.steps, "snapshot_every": self.snapshot_every, "second_order": self.second_order,
            "levels": self.levels, "common_seeds": self.common_seeds, "parameters": self.parameters,
            "outputs": list(self.outputs),
        }

    @classmethod
    def load(cls, directory: Union[str, os.PathLike]) -> "Sweep":
        """The sweep written to ``directory`` (its sweep.json)."""
        spec = _read_spec(os.fspath(directory))
        kwargs = dict(spec["sweep"])
        for key in ("scenario_sha256", "threads_per_run"):
            kwargs.pop(key, None)
        if kwargs.get("model") == SAHEL_MODEL:
            kwargs.pop("model")
        else:
            kwargs.pop("scenario", None)
        params = {}
        for name, given in kwargs.pop("parameters").items():
            params[name] = tuple(given["range"]) if "range" in given else (
                list(given["levels"]) if "levels" in given else given["value"])
        return cls(parameters=params, threads_per_run=spec.get("threads_per_run", 1), **kwargs)

    @classmethod
    def from_toml(cls, path: Union[str, os.PathLike]) -> "Sweep":
        """A sweep from a spec file (docs/SWEEPS.md, "Spec files"); its output directory is
        ``sweep_spec.load_spec(path).output``."""
        from .sweep_spec import load_spec

        return load_spec(path).sweep

    # ---- the runs
    def _tasks(self, directory: str) -> List[Dict[str, Any]]:
        width = max(5, len(str(len(self) - 1)))
        tasks = []
        for point, values in enumerate(self._points):
            for replicate in range(self.replicates):
                run = point * self.replicates + replicate
                relative = os.path.join(RUNS_DIR, f"run-{run:0{width}d}.h5")
                tasks.append({
                    "run": run, "point": point, "replicate": replicate,
                    "seed": run_seed(self.seed, point, replicate, self.common_seeds),
                    "model": self.model, "scenario": self.scenario, "parameters": dict(values),
                    "steps": self.steps, "snapshot_every": self.snapshot_every, "threads": self.threads_per_run,
                    "path": relative, "file": os.path.join(directory, relative) if directory else relative,
                    "outputs": list(self.outputs), "attempts": 0,
                })
        return tasks

    def run(
        self,
        directory: Union[str, os.PathLike],
        client: Any = None,
        *,
        workers: Optional[int] = None,
        progress: bool = True,
        resume: bool = True,
    ) -> "SweepResult":
        """Runs the sweep into ``directory`` (created if needed) and returns a :class:`SweepResult`.

        ``client``: None (a local process pool of ``workers`` processes, default cores //
        threads_per_run, started with "spawn": oneTBB does not survive fork), a
        ``dask.distributed.Client`` (its workers must import sahelsim and see ``directory``: a shared
        file system), any ``concurrent.futures.Executor``, or ``"serial"`` (in this process, one run
        after another). ``resume`` (default): runs that the index records as done and whose run files
        are complete are skipped; ``resume=False`` removes the directory's index and run files first.
        ``progress``: a progress bar (done, failed, running, time left) on stderr. Failed runs are
        recorded with their error (index.csv, :func:`open_sweep`) and do not stop the others.
        Ctrl-C stops the sweep; the index keeps what finished, and running it again resumes.
        """
        directory = os.fspath(directory)
        if not directory:
            raise ValueError("directory = '' is not allowed: expected the sweep's own directory (its index and "
                             "run files go there, and resume=False empties it)")
        return _execute_sweep(self, directory, client=client, workers=workers, progress=progress, resume=resume)


@dataclasses.dataclass
class SweepResult:
    """What :meth:`Sweep.run` did: counts of runs by status, the runs executed now (``executed``; the
    others were ``skipped`` as already complete), the wall time of the sweep, and ``run_seconds``: the
    summed time of the tasks it executed, each measured in its worker (building the model, running it,
    its summary), i.e. the runs' own time without the sweep machinery (scheduling, transfers, index)."""

    directory: str
    total: int
    done: int
    failed: int
    pending: int
    executed: int
    skipped: int
    wall_seconds: float
    run_seconds: float

    @property
    def failed_runs(self) -> pd.DataFrame:
        index = read_index(self.directory)
        return index[index["status"] == STATUS_FAILED][["point", "replicate", "seed", "error", "path"]]

    def __str__(self) -> str:
        return (f"sweep {self.directory}: {self.total} runs, {self.done} done ({self.skipped} already), "
                f"{self.failed} failed, {self.pending} not run; {self.executed} executed in "
                f"{self.wall_seconds:.1f} s")


# ---- one run (executed by a worker) -------------------------------------------------------------


def _summary_keys(model: str) -> List[str]:
    if model == SAHEL_MODEL:
        return list(SAHEL_SUMMARY_KEYS)
    keys = []
    for name in DEFAULT_OUTPUTS.get(model, []):
        keys += [f"{name}_mean", f"{name}_max", f"{name}_final"]
    if "active" in DEFAULT_OUTPUTS.get(model, []):
        keys.append("outbursts")
    return keys


#: The keys of Model.summary() of a Sahel run (docs/ODD.md §8, "Calibration summary"), from the C++ model.
SAHEL_SUMMARY_KEYS = list(_core.sahel_summary_keys())


def _series_summary(model: str, path: str) -> Dict[str, float]:
    """Epstein-type runs: mean, max and final value over steps 1..T of each default output, and the
    number of outbursts (more than 50 actives, sahelsim.outbursts)."""
    import h5py

    from .analysis import outbursts

    summary: Dict[str, float] = {}
    with h5py.File(path, "r") as f:
        for name in DEFAULT_OUTPUTS.get(model, []):
            values = np.asarray(f[name][1:], dtype=float)
            summary[f"{name}_mean"] = float(values.mean()) if values.size else math.nan
            summary[f"{name}_max"] = float(values.max()) if values.size else math.nan
            summary[f"{name}_final"] = float(values[-1]) if values.size else math.nan
        if "active" in DEFAULT_OUTPUTS.get(model, []):
            summary["outbursts"] = float(len(outbursts(f["active"][1:])["start"]))
    return summary


def _utc_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _run_model(task: Mapping[str, Any]) -> Tuple[Dict[str, float], float]:
    """Builds and runs one model; returns (summary indicators, the run's wall seconds)."""
    path = task["file"]
    if os.path.lexists(path):  # a file left by an earlier attempt (a killed worker may have left it flagged open)
        os.remove(path)
    if task["model"] == SAHEL_MODEL:
        model = Model.from_scenario(task["scenario"], parameters=task["parameters"], seed=task["seed"],
                                    threads=task["threads"])
        result = model.run(task["steps"], output=path, snapshot_every=task["snapshot_every"])
        summary = {key: (math.nan if value is None else float(value)) for key, value in model.summary().items()}
    else:
        model = Model(task["model"], seed=task["seed"], threads=task["threads"], **task["parameters"])
        result = model.run(task["steps"], output=path, snapshot_every=task["snapshot_every"] or 0)
        summary = _series_summary(task["model"], path)
    return summary, float(result["wall_seconds"])


# True while a worker of the sweep's own pool runs a task (see _stop_worker).
_worker_busy = False


def _start_worker() -> None:
    """Initializer of the sweep's own pool's workers. They are born with SIGINT blocked (see
    _ExecutorBackend._fill), so Ctrl-C in the terminal reaches only the sweep's process, which stops
    its workers with SIGTERM: this handler stops a run as Ctrl-C would (its file closed and marked
    incomplete) and ends an idle worker quietly."""
    signal.signal(signal.SIGTERM, _stop_worker)


def _stop_worker(signum: int, frame: Any) -> None:
    if _worker_busy:
        raise KeyboardInterrupt
    os._exit(128 + signum)


def _execute_run(task: Mapping[str, Any]) -> Dict[str, Any]:
    """Runs one task and returns its record; an exception of the model becomes a failed record."""
    global _worker_busy
    _worker_busy = True
    try:
        return _execute_run_body(task)
    finally:
        _worker_busy = False


def _execute_run_body(task: Mapping[str, Any]) -> Dict[str, Any]:
    started = _utc_now()
    clock = time.perf_counter()
    record: Dict[str, Any] = {"run": task["run"], "started_utc": started, "host": socket.gethostname(),
                              "attempts": task.get("attempts", 0) + 1}
    try:
        os.makedirs(os.path.dirname(task["file"]) or ".", exist_ok=True)
        summary, wall = _run_model(task)
        record.update(status=STATUS_DONE, error="", wall_seconds=wall, summary=summary)
    except Exception as error:  # noqa: BLE001 - any failure of a run is recorded, never raised
        record.update(status=STATUS_FAILED, error=f"{type(error).__name__}: {error}", wall_seconds=math.nan,
                      summary={})
    # The whole task: building the model (a scenario's map), the run, its summary.
    record["task_seconds"] = time.perf_counter() - clock
    record["finished_utc"] = _utc_now()
    return record


def _worker_probe(directory: str) -> Dict[str, Any]:
    """Run on a remote worker before a sweep: can it import sahelsim and see the sweep's directory?"""
    return {"version": _core.build_info()["version"], "sees_directory": os.path.isdir(directory),
            "host": socket.gethostname(), "cores": available_threads()}


# ---- files of a sweep directory -----------------------------------------------------------------


def _read_spec(directory: str) -> Dict[str, Any]:
    path = os.path.join(directory, SPEC_FILE)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{directory!r} holds no sweep: {path!r} does not exist")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def run_file_complete(path: str) -> bool:
    """True when `path` is a run file whose run finished (root attribute run_status == "complete")."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            status = f.attrs.get("run_status", b"")
    except (OSError, KeyError):  # missing, truncated, or left open by a killed writer
        return False
    if isinstance(status, bytes):
        status = status.decode("utf-8", "replace")
    return str(status) == "complete"


def read_index(directory: Union[str, os.PathLike]) -> pd.DataFrame:
    """The sweep's index (DIR/index.csv) as a DataFrame indexed by run, with the parameters' types
    restored (the CSV holds text)."""
    directory = os.fspath(directory)
    spec = _read_spec(directory)
    path = os.path.join(directory, INDEX_FILE)
    if not os.path.exists(path):
        raise FileNotFoundError(f"sweep {directory!r} has no index yet ({path!r}): run it first")
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"status": str, "error": str})
    return _typed_index(frame, spec).set_index("run")


def _typed_index(frame: pd.DataFrame, spec: Mapping[str, Any]) -> pd.DataFrame:
    kinds = spec["parameter_kinds"]
    for name, column in spec["names"]["parameter"].items():
        if column not in frame:
            continue
        kind = kinds[name]
        if kind == "boolean":
            frame[column] = frame[column].map(lambda v: v if isinstance(v, bool) else str(v) == "True")
        elif kind == "choice":
            frame[column] = frame[column].astype(str)
        elif kind == "integer":
            frame[column] = frame[column].astype(np.int64)
        else:
            frame[column] = frame[column].astype(float)
    for column in ("error", "path", "host", "started_utc", "finished_utc", "status"):
        if column in frame:
            frame[column] = frame[column].fillna("").astype(str)
    for column in spec["names"]["summary"].values():
        if column in frame:
            frame[column] = frame[column].astype(float)
    return frame


def open_sweep(directory: Union[str, os.PathLike]) -> xr.Dataset:
    """A sweep's runs as one :class:`xarray.Dataset` over ``run`` (docs/SWEEPS.md, "The dataset").

    Per run (dimension ``run``): the coordinates ``point`` and ``replicate``; ``seed``, ``status``
    ("done", "failed", "pending"), ``error`` (the failure's text, else ""), ``path`` (the run file,
    relative to the directory), ``wall_seconds``, each parameter of the sweep, and the summary
    indicators (a Sahel run's
    calibration indicators, :meth:`sahelsim.Model.summary`; for Epstein's models ``<series>_mean``,
    ``_max``, ``_final`` and ``outbursts``), all float64 with NaN where a run did not finish (booleans
    as 0/1). Per run and step (dimensions ``run``, ``step``): the sweep's ``outputs``, float64,
    NaN-padded for runs that did not finish. Attributes: the sweep (``sweep_*``), the SALib problem
    (``salib_problem``, JSON) and the sahelsim build. ``ds.to_dataframe()`` is the tidy table (one row
    per run and step); ``ds.drop_dims("step").to_dataframe()`` one row per run::

        ds = sahelsim.open_sweep("out/")
        ds["active"].mean("step")                        # per run
        ds["active_max"].groupby("point").mean()         # per design point, over replicates
    """
    import h5py

    directory = os.fspath(directory)
    spec = _read_spec(directory)
    sweep = spec["sweep"]
    names = spec["names"]
    runs = pd.DataFrame(spec["runs"])
    index_path = os.path.join(directory, INDEX_FILE)
    if os.path.exists(index_path):
        index = read_index(directory)
    else:
        index = pd.DataFrame(index=pd.Index([], name="run"))
    n = len(runs)
    status = np.array([STATUS_PENDING] * n, dtype=object)
    error = np.array([""] * n, dtype=object)
    wall = np.full(n, np.nan)
    for column, target in (("status", status), ("error", error), ("wall_seconds", wall)):
        if column in index:
            known = index[column].reindex(runs["run"])
            mask = known.notna().to_numpy()
            target[mask] = known.to_numpy()[mask]
    status = status.astype(str)

    data: Dict[str, Tuple] = {
        "seed": ("run", runs["seed"].to_numpy(np.int64)),
        "status": ("run", status),
        "error": ("run", error.astype(str)),
        "path": ("run", runs["path"].to_numpy().astype(str)),
        "wall_seconds": ("run", wall),
    }
    for name, column in names["parameter"].items():
        values = [p[name] for p in runs["parameters"]]
        kind = spec["parameter_kinds"][name]
        dtype = {"real": np.float64, "integer": np.int64, "boolean": bool}.get(kind, object)
        array = np.array(values, dtype=dtype)
        data[column] = ("run", array.astype(str) if dtype is object else array)
    for key, column in names["summary"].items():
        values = np.full(n, np.nan)
        if column in index:
            known = index[column].reindex(runs["run"]).to_numpy(dtype=float)
            values = np.where(status == STATUS_DONE, known, np.nan)
        data[column] = ("run", values)

    steps = int(sweep["steps"]) + 1
    series = {key: np.full((n, steps), np.nan) for key in names["series"]}
    for i in np.flatnonzero(status == STATUS_DONE):
        path = os.path.join(directory, runs["path"].iloc[i])
        try:
            with h5py.File(path, "r") as f:
                for key, values in series.items():
                    column = np.asarray(f[key][()], dtype=float)
                    values[i, : min(steps, column.size)] = column[:steps]
        except (OSError, KeyError) as error:  # a file removed or damaged after its run
            data["status"][1][i] = STATUS_FAILED
            data["error"][1][i] = f"run file unreadable: {type(error).__name__}: {error}"
            for key in names["summary"].values():
                data[key][1][i] = np.nan
    for key, values in series.items():
        data[names["series"][key]] = (("run", "step"), values)

    # point and replicate are coordinates along run, so that any variable groups by them.
    coords = {"run": np.arange(n, dtype=np.int64), "point": ("run", runs["point"].to_numpy(np.int64)),
              "replicate": ("run", runs["replicate"].to_numpy(np.int64))}
    if series:
        coords["step"] = np.arange(steps, dtype=np.int64)
    ds = xr.Dataset(data, coords=coords)
    for name, column in names["parameter"].items():
        ds[column].attrs["role"] = "parameter"
    for key, column in names["summary"].items():
        ds[column].attrs["role"] = "summary"
    for key, column in names["series"].items():
        ds[column].attrs["role"] = "series"
    ds["status"].attrs["flag_values"] = f"{STATUS_DONE} {STATUS_FAILED} {STATUS_PENDING}"
    ds["path"].attrs["description"] = "run file, relative to the sweep directory"
    ds.attrs.update({
        "title": "sahelsim sweep",
        "sweep_model": sweep["model"],
        "sweep_scenario": sweep["scenario"] or "",
        "sweep_design": sweep["design"],
        "sweep_samples": -1 if sweep["samples"] is None else int(sweep["samples"]),
        "sweep_replicates": int(sweep["replicates"]),
        "sweep_seed": int(sweep["seed"]),
        "sweep_steps": int(sweep["steps"]),
        "sweep_second_order": int(bool(sweep["second_order"])),
        "sweep_levels": int(sweep["levels"]),
        "sweep_common_seeds": int(bool(sweep["common_seeds"])),
        "sweep_parameters": json.dumps(sweep["parameters"]),
        "sweep_outputs": " ".join(sweep["outputs"]),
        "salib_problem": json.dumps(spec["problem"]),
        "sahelsim_version": spec["sahelsim_version"],
    })
    return ds


# ---- running a sweep (the client side) ----------------------------------------------------------


def _failed_record(task: Mapping[str, Any], error: str) -> Dict[str, Any]:
    now = _utc_now()
    return {"run": task["run"], "status": STATUS_FAILED, "error": error, "wall_seconds": math.nan, "summary": {},
            "started_utc": "", "finished_utc": now, "host": "", "attempts": task.get("attempts", 0) + 1}


class _SerialBackend:
    """In this process, one run after another (client="serial")."""

    def __init__(self) -> None:
        self._queue: List[Dict[str, Any]] = []

    def start(self, tasks: List[Dict[str, Any]]) -> None:
        self._queue = list(tasks)

    def poll(self, timeout: float) -> List[Tuple[Dict[str, Any], Dict[str, Any]]]:
        if not self._queue:
            return []
        task = self._queue.pop(0)
        return [(task, _execute_run(task))]

    def finished(self) -> bool:
        return not self._queue

    def running(self) -> int:
        return 1 if self._queue else 0

    def close(self, cancel: bool) -> None:
        self._queue = []


class _ExecutorBackend:
    """A concurrent.futures executor: the sweep's own process pool (rebuilt when a worker process dies,
    the runs it held retried up to MAX_ATTEMPTS times), or one given by the caller. At most `window`
    runs are submitted at a time, so that `running` counts runs that are running."""

    def __init__(self, executor: concurrent.futures.Executor, window: Optional[int], make=None,
                 function=None):
        self._executor = executor
        self._make = make  # rebuilds our own pool; None for the caller's executor
        self._function = function or _execute_run
        self._window = window
        self._waiting: List[Dict[str, Any]] = []
        self._pending: Dict[concurrent.futures.Future, Dict[str, Any]] = {}

    def start(self, tasks: List[Dict[str, Any]]) -> None:
        self._waiting = list(tasks)
        self._fill()

    def _fill(self) -> None:
        # Our own pool starts its worker processes in submit(), from this thread. With SIGINT blocked
        # here they are born with it blocked (a mask survives the spawn's exec), so Ctrl-C does not
        # interrupt them while they import sahelsim (each printed a KeyboardInterrupt traceback);
        # close() stops them. Ctrl-C may still reach this process through another thread: its
        # KeyboardInterrupt waits until the submissions are done, as one that came between starting a
        # worker and sending it its task left the worker to die on an empty pipe (EOFError traceback).
        ours = self._make is not None
        mask = ours and hasattr(signal, "pthread_sigmask")
        # (signal.signal works in the main thread only; getsignal is None for a handler set outside Python)
        handler = ours and threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGINT) is not None
        interrupted: List[Any] = []
        if handler:
            previous_handler = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(frame))
        if mask:
            previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            while self._waiting and (self._window is None or len(self._pending) < self._window):
                task = self._waiting.pop(0)
                self._pending[self._executor.submit(self._function, task)] = task
        finally:
            if mask:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
            if handler:
                signal.signal(signal.SIGINT, previous_handler)
        if interrupted:
            if callable(previous_handler):  # Python's default_int_handler raises KeyboardInterrupt
                previous_handler(signal.SIGINT, interrupted[-1])
            elif previous_handler != signal.SIG_IGN:
                raise KeyboardInterrupt

    def poll(self, timeout: float) -> List[Tuple[Dict[str, Any], Dict[str, Any]]]:
        if not self._pending:
            return []
        done, _ = concurrent.futures.wait(list(self._pending), timeout=timeout,
                                          return_when=concurrent.futures.FIRST_COMPLETED)
        results, broken = [], []
        for future in done:
            task = self._pending.pop(future)
            try:
                results.append((task, future.result()))
            except concurrent.futures.BrokenExecutor as error:
                broken.append((task, error))
            except concurrent.futures.CancelledError:
                results.append((task, _failed_record(task, "cancelled")))
            except Exception as error:  # noqa: BLE001 - e.g. a task that could not be sent to the worker
                results.append((task, _failed_record(task, f"{type(error).__name__}: {error}")))
        if broken and self._make is not None:
            # The pool is dead: every run still in it fails the same way; retry them in a new pool.
            for future, task in list(self._pending.items()):
                future.cancel()
                broken.append((task, None))
            self._pending.clear()
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._make()
            retry = []
            for task, error in broken:
                task = {**task, "attempts": task.get("attempts", 0) + 1}
                if task["attempts"] >= MAX_ATTEMPTS:
                    message = (f"the worker process running this run died {task['attempts']} times (a crash, or "
                               f"out of memory)")
                    results.append((task, {**_failed_record(task, message), "attempts": task["attempts"]}))
                else:
                    retry.append(task)
            self._waiting = retry + self._waiting
        else:
            for task, error in broken:
                results.append((task, _failed_record(task, f"{type(error).__name__}: {error}")))
        self._fill()
        return results

    def finished(self) -> bool:
        return not self._pending and not self._waiting

    def running(self) -> int:
        return sum(1 for future in self._pending if future.running())

    def close(self, cancel: bool) -> None:
        for future in self._pending:
            future.cancel()
        if self._make is None:
            return
        # (a private attribute of ProcessPoolExecutor: its worker processes by pid)
        workers = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=not cancel, cancel_futures=True)
        if cancel:
            _stop_workers(workers)


def _stop_workers(workers: Sequence[Any], grace_seconds: float = 10.0) -> None:
    """Stops the pool's worker processes after Ctrl-C: SIGTERM stops a running run as Ctrl-C would (its
    file marked incomplete, see _start_worker); a worker still alive after grace_seconds is killed
    (its run file is then left as a killed run's: readable, incomplete)."""
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    deadline = time.monotonic() + grace_seconds
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            worker.kill()
            worker.join(1.0)


def _is_dask_client(client: Any) -> bool:
    return type(client).__module__.split(".")[0] == "distributed" and hasattr(client, "scheduler")


class _DaskBackend:
    """A dask.distributed Client: every run is submitted at once; the scheduler balances them over its
    workers and runs again those of a worker that dies."""

    def __init__(self, client: Any, directory: str):
        self._client = client
        self._directory = os.path.abspath(directory)
        self._token = uuid.uuid4().hex[:12]
        self._tasks: Dict[str, Dict[str, Any]] = {}
        self._futures: Dict[str, Any] = {}
        self._completed = None
        self._probe = None
        self._processing = 0
        self._processing_at = 0.0

    def start(self, tasks: List[Dict[str, Any]]) -> None:
        from distributed import as_completed

        # One small task first: it tells whether workers import sahelsim and see the directory.
        self._probe = self._client.submit(_worker_probe, self._directory, pure=False,
                                          key=f"sahelsim-probe-{self._token}")
        tasks = [{**task, "file": os.path.join(self._directory, task["path"])} for task in tasks]
        keys = [f"sahelsim-run-{self._token}-{task['run']}" for task in tasks]
        futures = self._client.map(_execute_run, tasks, key=keys, pure=False) if tasks else []
        for key, task, future in zip(keys, tasks, futures):
            self._tasks[key] = task
            self._futures[key] = future
        self._completed = as_completed(futures)

    def _check_probe(self) -> None:
        if self._probe is None or not self._probe.done():
            return
        probe, self._probe = self._probe, None
        if probe.status != "finished":
            error = probe.exception()
            raise RuntimeError(f"the dask workers cannot run sahelsim sweeps: {type(error).__name__}: {error} "
                               f"(install sahelsim in the workers' environment)")
        info = probe.result()
        local = _core.build_info()["version"]
        if info["version"] != local:
            warnings.warn(f"dask worker on {info['host']} runs sahelsim {info['version']}, this process "
                          f"{local}: results may differ from a local run of the same sweep", stacklevel=2)
        if not info["sees_directory"]:
            raise RuntimeError(f"dask worker on {info['host']} does not see the sweep directory "
                               f"{self._directory!r}: the directory must be on a file system shared by the "
                               f"client and every worker")

    def poll(self, timeout: float) -> List[Tuple[Dict[str, Any], Dict[str, Any]]]:
        self._check_probe()
        batch = self._completed.next_batch(block=False) if self._completed.has_ready() else []
        if not batch:
            time.sleep(min(timeout, 0.2))
            return []
        results = []
        for future in batch:
            if future.status in ("lost", "pending"):
                # Its result was on a worker that died before we fetched it: the scheduler computes
                # it again; wait for that.
                self._completed.add(future)
                continue
            task = self._tasks.pop(future.key)
            self._futures.pop(future.key, None)
            if future.status == "finished":
                record = future.result()
            else:  # "error" (e.g. KilledWorker: the run took down several workers) or "cancelled"
                error = future.exception() if future.status == "error" else "cancelled"
                record = _failed_record(task, f"{type(error).__name__}: {error}" if future.status == "error"
                                        else str(error))
            future.release()
            results.append((task, record))
        return results

    def finished(self) -> bool:
        return not self._tasks

    def running(self) -> int:
        now = time.monotonic()
        if now - self._processing_at > 1.0:
            self._processing_at = now
            try:
                processing = self._client.processing()
                self._processing = sum(1 for keys in processing.values() for key in keys if key in self._tasks)
            except Exception:  # noqa: BLE001 - the count is only shown in the progress bar
                pass
        return self._processing

    def close(self, cancel: bool) -> None:
        if cancel and self._futures:
            self._client.cancel(list(self._futures.values()))
        self._futures.clear()


def _make_backend(client: Any, directory: str, workers: Optional[int], threads_per_run: int, todo: int):
    if client is None:
        count = workers if workers is not None else max(1, available_threads() // threads_per_run)
        count = max(1, min(_count("workers", count, 1), max(todo, 1)))

        def make() -> concurrent.futures.ProcessPoolExecutor:
            return concurrent.futures.ProcessPoolExecutor(max_workers=count,
                                                          mp_context=multiprocessing.get_context("spawn"),
                                                          initializer=_start_worker)

        return _ExecutorBackend(make(), window=count, make=make)
    if isinstance(client, str):
        if client == "serial":
            return _SerialBackend()
        raise ValueError(f"client = {client!r} is not allowed: expected None (a local process pool), 'serial', "
                         f"a dask.distributed.Client or a concurrent.futures.Executor")
    if _is_dask_client(client):
        return _DaskBackend(client, directory)
    if isinstance(client, concurrent.futures.Executor):
        return _ExecutorBackend(client, window=getattr(client, "_max_workers", None))
    raise ValueError(f"client = {client!r} is not allowed: expected None (a local process pool), 'serial', "
                     f"a dask.distributed.Client or a concurrent.futures.Executor")


class _DirectoryLock:
    """An exclusive lock on a sweep directory for the time of a run (fcntl, released if we die)."""

    def __init__(self, directory: str):
        self._path = os.path.join(directory, LOCK_FILE)
        self._file = None

    def __enter__(self) -> "_DirectoryLock":
        self._file = open(self._path, "a+")
        try:
            import fcntl

            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not on a POSIX system: no lock
            pass
        except OSError:
            self._file.close()
            raise BlockingIOError(f"another sweep is running in {os.path.dirname(self._path)!r}") from None
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()


def _write_atomically(path: str, text: str) -> None:
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(temporary, path)


def _spec_document(sweep: Sweep, tasks: List[Dict[str, Any]]) -> Dict[str, Any]:
    specs = {spec["name"]: spec for spec in parameter_specs(sweep.model)}
    info = _core.build_info()
    return {
        "format": FORMAT_VERSION,
        "sweep": sweep.to_dict(),
        "threads_per_run": sweep.threads_per_run,
        "problem": sweep.problem,
        "design_matrix": sweep._design_matrix.tolist(),
        "parameter_kinds": {f.name: specs[f.name]["kind"] for f in sweep._factors},
        "names": sweep._names,
        "runs": [{key: task[key] for key in ("run", "point", "replicate", "seed", "parameters", "path")}
                 for task in tasks],
        "sahelsim_version": info.get("version", ""),
        "sahelsim_git_commit": info.get("git_commit", ""),
    }


def _index_row(task: Mapping[str, Any], record: Optional[Mapping[str, Any]], names) -> Dict[str, Any]:
    row: Dict[str, Any] = {"run": task["run"], "point": task["point"], "replicate": task["replicate"],
                           "seed": task["seed"]}
    record = record or {}
    row["status"] = record.get("status", STATUS_PENDING)
    row["error"] = record.get("error", "")
    row["path"] = task["path"]
    row["wall_seconds"] = record.get("wall_seconds", math.nan)
    for field in INDEX_ONLY_FIELDS:
        row[field] = record.get(field, {"attempts": 0, "task_seconds": math.nan}.get(field, ""))
    for name, column in names["parameter"].items():
        row[column] = task["parameters"][name]
    summary = record.get("summary", {})
    for key, column in names["summary"].items():
        value = summary.get(key, math.nan)
        row[column] = math.nan if value is None else float(value)
    return row


def _execute_sweep(sweep: Sweep, directory: str, *, client: Any, workers: Optional[int], progress: bool,
                   resume: bool) -> SweepResult:
    started = time.perf_counter()
    try:
        os.makedirs(os.path.join(directory, RUNS_DIR), exist_ok=True)
    except OSError as error:
        raise OSError(f"cannot create the sweep directory {directory!r}: {error.strerror or error}") from None
    with _DirectoryLock(directory):
        tasks = sweep._tasks(os.path.abspath(directory))
        document = _spec_document(sweep, tasks)
        spec_path = os.path.join(directory, SPEC_FILE)
        index_path = os.path.join(directory, INDEX_FILE)
        records: Dict[int, Dict[str, Any]] = {}
        if os.path.exists(spec_path) and resume:
            with open(spec_path, encoding="utf-8") as f:
                previous = json.load(f)
            current = json.loads(json.dumps(document["sweep"]))
            if previous.get("sweep") != current:
                differing = sorted(k for k in set(current) | set(previous.get("sweep", {}))
                                   if current.get(k) != previous.get("sweep", {}).get(k))
                raise ValueError(f"{directory!r} holds another sweep (it differs in: {', '.join(differing)}); "
                                 f"run this one into another directory, or with resume=False (--no-resume) to "
                                 f"replace it")
            if os.path.exists(index_path):
                index = read_index(directory)
                for task in tasks:
                    if task["run"] in index.index and index.at[task["run"], "status"] == STATUS_DONE \
                            and run_file_complete(task["file"]):
                        row = index.loc[task["run"]]
                        records[task["run"]] = {
                            "status": STATUS_DONE, "error": "", "wall_seconds": float(row["wall_seconds"]),
                            "task_seconds": float(row.get("task_seconds", math.nan)),
                            "started_utc": row.get("started_utc", ""), "finished_utc": row.get("finished_utc", ""),
                            "host": row.get("host", ""), "attempts": int(row.get("attempts", 1)),
                            "summary": {key: row[column] for key, column in sweep._names["summary"].items()
                                        if column in row},
                        }
        elif not resume:
            for path in (index_path, spec_path):
                if os.path.exists(path):
                    os.remove(path)
            runs_dir = os.path.join(directory, RUNS_DIR)
            for name in os.listdir(runs_dir):
                if name.startswith("run-") and name.endswith(".h5"):
                    os.remove(os.path.join(runs_dir, name))
        _write_atomically(spec_path, json.dumps(document, indent=1) + "\n")

        skipped = len(records)
        todo = [task for task in tasks if task["run"] not in records]
        names = sweep._names

        def write_index() -> None:
            rows = [_index_row(task, records.get(task["run"]), names) for task in tasks]
            frame = pd.DataFrame(rows)
            _write_atomically(index_path, frame.to_csv(index=False))

        write_index()
        counts = {STATUS_DONE: skipped, STATUS_FAILED: 0}
        run_seconds = 0.0
        executed = 0
        bar = None
        if progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), unit="run", desc="sweep", file=sys.stderr, dynamic_ncols=True,
                       smoothing=0.05)
        backend = _make_backend(client, directory, workers, sweep.threads_per_run, len(todo))
        finished_cleanly = False
        try:
            backend.start(todo)
            last_write = time.monotonic()
            while not backend.finished():
                for task, record in backend.poll(timeout=0.5):
                    records[task["run"]] = record
                    counts[record["status"]] = counts.get(record["status"], 0) + 1
                    executed += 1
                    if math.isfinite(record.get("task_seconds", math.nan)):
                        run_seconds += record["task_seconds"]
                    if bar is not None:
                        bar.update(1)
                if bar is not None:
                    bar.set_postfix_str(f"done {counts[STATUS_DONE] - skipped}, failed {counts[STATUS_FAILED]}, "
                                        f"running {backend.running()}", refresh=True)
                if time.monotonic() - last_write > 2.0:
                    write_index()
                    last_write = time.monotonic()
            finished_cleanly = True
        finally:
            backend.close(cancel=not finished_cleanly)
            if bar is not None:
                bar.close()
            write_index()
        done = sum(1 for r in records.values() if r["status"] == STATUS_DONE)
        failed = sum(1 for r in records.values() if r["status"] == STATUS_FAILED)
        return SweepResult(directory=directory, total=len(tasks), done=done, failed=failed,
                           pending=len(tasks) - done - failed, executed=executed, skipped=skipped,
                           wall_seconds=time.perf_counter() - started, run_seconds=run_seconds)
