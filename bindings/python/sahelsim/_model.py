"""The Python face of a simulation: build a model from keyword parameters, or a Sahel run from a
scenario, and run it."""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

import numpy as np

from . import _core


def models() -> List[str]:
    """Names of the runnable models (e.g. ``epstein``, ``epstein-ethnic``)."""
    return list(_core.model_names())


def parameters(model: str) -> List[Dict[str, Any]]:
    """The parameter registry of ``model``: one dict per parameter with ``name``, ``kind``,
    ``unit``, ``default``, ``minimum``/``maximum`` or ``choices``, ``description`` and ``source``.

    It is the same registry the C++ model, the command line and the run files use.
    """
    return list(_core.parameter_specs(model))


#: The largest count (steps, snapshot intervals, ...) the C++ core takes: a signed 64-bit integer.
MAX_COUNT = 2**63 - 1
#: The most oneTBB threads a simulation may use (the C++ core's limit).
MAX_THREADS = int(_core.MAX_THREADS)


def _check_count(name: str, value: Any, minimum: int, maximum: Optional[int] = None) -> int:
    expected = f"an integer >= {minimum}" if maximum is None else f"an integer in [{minimum}, {maximum}]"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} = {value!r} is not allowed: expected {expected}")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} = {value} is not allowed: expected {expected}")
    if maximum is None and value > MAX_COUNT:
        raise ValueError(f"{name} = {value} is not allowed: expected an integer in [{minimum}, 2**63 - 1]")
    return int(value)


#: Scenario seeds are TOML integers: 0 to 2**63 - 1 (docs/SCENARIOS.md).
MAX_SCENARIO_SEED = 2**63 - 1


def available_threads() -> int:
    """The cores this process may run on (the default ``threads`` of a scenario run)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Model:
    """One simulation of a registered model, or a Sahel run of a scenario.

    Parameters are keyword arguments named as in :func:`parameters`; unknown names and values out of
    range raise :class:`ValueError` naming the parameter, the value and what is allowed. ``seed``
    selects the random streams; ``threads`` the oneTBB threads of this simulation (results are
    bitwise identical for any thread count with ``activation="synchronous"``; the sequential
    reference scheme is serial)::

        model = sahelsim.Model("epstein", seed=1, threads=2, legitimacy=0.82)
        model.run(500, output="run.h5", snapshot_every=50)

    A Sahel run starts from a scenario (:meth:`from_scenario`); ``Model("sahel", ...)`` is the
    default scenario, mali-2025, with the given parameters and seed::

        model = sahelsim.Model.from_scenario("mali-2025", parameters={"max_tankers_per_day": 150}, seed=3)
        model.run(output="runs/mali-2025.h5")    # the whole period, snapshots as the scenario says
        model.summary()["fuel_price_ratio_bamako"]
    """

    def __init__(self, model: str = "epstein", *, seed: int = 0, threads: int = 1, **params: Any):
        seed = _check_count("seed", seed, 0, 2**64 - 1)
        threads = _check_count("threads", threads, 1, MAX_THREADS)
        if model not in _core.model_names():
            raise ValueError(f"unknown model {model!r}: expected one of: {', '.join(_core.model_names())}")
        self._sim = _core.Simulation(model, params, seed, threads)

    @classmethod
    def from_scenario(
        cls,
        scenario: Union[str, os.PathLike, "Scenario"] = "mali-2025",
        parameters: Optional[Mapping[str, Any]] = None,
        *,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
    ) -> "Model":
        """A Sahel run of ``scenario``: a bundled name (:func:`sahelsim.scenarios`), a path to a
        scenario file, or a :class:`sahelsim.Scenario`.

        ``parameters`` override the scenario's ``[parameters]`` (names as in
        ``sahelsim.parameters("sahel")``; values as Python numbers, booleans or text); ``seed``
        overrides its seed (an integer in [0, 2**63 - 1]); ``threads`` is the oneTBB threads (default:
        every core this process may use; results are bitwise identical for any count). The map is
        built here (GIL released).

        A scenario with problems raises :class:`ValueError` listing every problem, one a line (as
        ``sahelsim scenario check`` does); an unknown parameter or a value out of range raises
        :class:`ValueError` naming the parameter, the value and what is allowed::

            model = sahelsim.Model.from_scenario("siege-classroom", seed=2, threads=2)
            model.step(10)
            model.current_date          # '2025-01-10': step 10 simulated the tenth day
            model.summary()             # the calibration indicators so far
            model.run(output="siege.h5", snapshot_every=1)   # the remaining days of the period
        """
        from .scenario import Scenario

        if isinstance(scenario, Scenario):
            name_or_path = scenario._name_or_path
        else:
            name_or_path = os.fspath(scenario)
        if parameters is None:
            parameters = {}
        if not isinstance(parameters, Mapping):
            raise ValueError(f"parameters = {parameters!r} is not allowed: expected a dict of name: value")
        if seed is not None:
            seed = _check_count("seed", seed, 0, MAX_SCENARIO_SEED)
        threads = available_threads() if threads is None else _check_count("threads", threads, 1, MAX_THREADS)
        model = cls.__new__(cls)
        model._sim = _core.Simulation.from_scenario(name_or_path, dict(parameters), seed, threads)
        return model

    @classmethod
    def from_checkpoint(cls, checkpoint: Union[str, os.PathLike], *, threads: Optional[int] = None) -> "Model":
        """The model a checkpoint was saved from, rebuilt (model, parameters, seed; a Sahel run: its
        scenario) and restored to the checkpoint's step. ``threads`` defaults to the thread count
        that wrote it (results are the same for any count).

        A checkpoint that is missing, corrupt, truncated, of another format or sahelsim version raises
        :class:`sahelsim.CheckpointError` (a :class:`ValueError`) naming the file and the problem::

            model = sahelsim.Model.from_checkpoint("runs/mali-2025.h5.ckpt")
            model.current_step        # the checkpoint's step
            model.resume()            # continue its run file to the end (see resume)
        """
        path = os.fspath(checkpoint)
        if threads is None:
            threads = max(1, int(_core.checkpoint_info(path)["threads"]))
        threads = _check_count("threads", threads, 1, MAX_THREADS)
        model = cls.__new__(cls)
        model._sim = _core.Simulation.from_checkpoint(path, threads)
        model._checkpoint = path
        return model

    # ---- running ----
    def step(self, n: int = 1) -> "Model":
        """Advances ``n`` steps (GIL released; Ctrl-C raises KeyboardInterrupt between steps)."""
        self._sim.step(_check_count("n", n, 0))
        return self

    def run(
        self,
        steps: Optional[int] = None,
        output: Optional[os.PathLike | str] = None,
        *,
        snapshot_every: Optional[int] = None,
        progress: Optional[Callable[[int], None]] = None,
        checkpoint_every: int = 0,
        checkpoint: Optional[os.PathLike | str] = None,
        keep_checkpoint: bool = False,
    ) -> Dict[str, Any]:
        """Runs ``steps`` steps, writing the run file ``output`` (netCDF-4/HDF5) if given.

        The file holds every parameter, the seed, the thread count, the build, the per-step series
        (step 0 is the initial state) and, every ``snapshot_every`` steps, the rasters. If the
        run is interrupted (Ctrl-C) or fails, the file is kept with ``run_status = "incomplete"``.
        ``progress(steps_done)`` is called between steps on the calling thread. Returns
        ``{"steps_run", "wall_seconds", "output"}``.

        For a Sahel run a step is a day: ``steps`` defaults to the days left in the scenario's
        period and ``snapshot_every`` to its ``output.snapshot_every_days``. For other models
        ``steps`` is required and ``snapshot_every`` defaults to 0 (no snapshots)::

            model.run(30, output="run.h5", snapshot_every=7)

        ``checkpoint_every=N`` saves the model's state every N steps (at steps N, 2N, ...) to
        ``checkpoint`` (default: ``output`` + ``".ckpt"``), after the run file's records up to that
        step are flushed. A killed or interrupted run is continued with :func:`sahelsim.resume`
        (or :meth:`from_checkpoint` and :meth:`resume`); the finished file equals the uninterrupted
        run's. The checkpoint is removed when the run completes, unless ``keep_checkpoint``.
        Returns ``{"steps_run", "wall_seconds", "output", "checkpoint"}``::

            model.run(500, output="run.h5", checkpoint_every=100)   # run.h5.ckpt at 100, 200, ...
        """
        if steps is None:
            if not self._sim.is_sahel:
                raise ValueError(f"steps is required for model {self.name!r}: expected an integer >= 0")
            steps = max(0, self._sim.days - self._sim.current_step)
        steps = _check_count("steps", steps, 0)
        if snapshot_every is None:
            snapshot_every = self._sim.snapshot_every_days if self._sim.is_sahel else 0
        snapshot_every = _check_count("snapshot_every", snapshot_every, 0)
        path = ""
        if output is not None:
            path = os.fspath(output)
            if not path:
                raise ValueError("output = '' is not allowed: expected a file path (or None for no run file)")
            parent = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(parent):
                raise FileNotFoundError(f"cannot write run file {path!r}: directory {parent!r} does not exist")
        checkpoint_every = _check_count("checkpoint_every", checkpoint_every, 0)
        checkpoint_path = "" if checkpoint is None else os.fspath(checkpoint)
        if checkpoint_every and not path and not checkpoint_path:
            raise ValueError("checkpoint_every needs a run file (output) or a checkpoint path")
        return dict(self._sim.run(steps, path, snapshot_every, progress, 1, checkpoint_every, checkpoint_path,
                                  bool(keep_checkpoint), ""))

    def resume(
        self,
        output: Optional[os.PathLike | str] = None,
        *,
        checkpoint: Optional[os.PathLike | str] = None,
        progress: Optional[Callable[[int], None]] = None,
        checkpoint_every: int = 0,
        keep_checkpoint: bool = False,
    ) -> Dict[str, Any]:
        """Continues the run a checkpoint belongs to, after :meth:`from_checkpoint` or
        :meth:`load_checkpoint` restored this model from it: the run file (``output``, default the
        one the run wrote) is rebuilt with its records up to the checkpoint's step (anything after it,
        e.g. from a run killed later, is cut), then the run goes on to the step it was asked for and
        the file is marked complete. The original run's snapshots and checkpoint interval are kept
        (``checkpoint_every`` > 0 overrides the latter). Returns what :meth:`run` returns."""
        path = os.fspath(checkpoint) if checkpoint is not None else getattr(self, "_checkpoint", None)
        if path is None:
            raise ValueError("resume() needs the checkpoint this model was restored from: "
                             "use Model.from_checkpoint(path) or load_checkpoint(path) first, or pass checkpoint=")
        checkpoint_every = _check_count("checkpoint_every", checkpoint_every, 0)
        out = "" if output is None else os.fspath(output)
        return dict(self._sim.run(0, out, 0, progress, 1, checkpoint_every, "", bool(keep_checkpoint), path))

    # ---- checkpoints ----
    def save_checkpoint(self, path: Union[str, os.PathLike]) -> str:
        """Saves the model's complete state to ``path`` (atomically: a kill leaves the old file or
        the new one). :meth:`load_checkpoint` or :meth:`from_checkpoint` restore it. Returns the path."""
        path = os.fspath(path)
        self._sim.save_checkpoint(path)
        return path

    def load_checkpoint(self, path: Union[str, os.PathLike]) -> Dict[str, Any]:
        """Restores the state saved in ``path`` into this model, which must be built from the same
        model, parameters and seed (a Sahel run: the same scenario); anything else raises
        :class:`sahelsim.CheckpointError` (a :class:`ValueError`) naming the file and what differs.
        Returns the checkpoint's header (:func:`sahelsim.checkpoint_info`)."""
        path = os.fspath(path)
        info = dict(self._sim.load_checkpoint(path))
        self._checkpoint = path
        return info

    # ---- state ----
    @property
    def name(self) -> str:
        return self._sim.model_name

    @property
    def current_step(self) -> int:
        return self._sim.current_step

    @property
    def seed(self) -> int:
        return self._sim.seed

    @property
    def threads(self) -> int:
        return self._sim.threads

    @property
    def params(self) -> Dict[str, Any]:
        """Every parameter's resolved value."""
        return dict(self._sim.parameters)

    def series(self) -> Dict[str, Any]:
        """The current value of every per-step series (``quiet``, ``active``, ``jailed``, ...)."""
        return dict(self._sim.series())

    @property
    def columns(self) -> Dict[str, Dict[str, np.ndarray]]:
        """Agent state by table and column, as read-only NumPy views of the engine's memory (no
        copy; the views keep the model alive and show its state as it steps)."""
        return self._sim.columns()

    def raster(self, name: str = "cell_state") -> np.ndarray:
        """A (height, width) copy of one raster (see ``raster_names``): uint8 cells, or float32 for a
        real-valued raster (e.g. a Sahel price or legitimacy raster)."""
        return self._sim.raster(name)

    @property
    def raster_names(self) -> List[str]:
        return list(self._sim.raster_names())

    def state_hash(self) -> int:
        """A hash of the whole model state (equal hashes: bitwise identical state)."""
        return self._sim.state_hash()

    def describe_schedule(self) -> str:
        """The phases of a step, each with the state it reads and writes."""
        return self._sim.describe_schedule()

    # ---- Sahel runs (None for other models) ----
    @property
    def is_sahel(self) -> bool:
        """True for a Sahel run (from a scenario, or ``Model("sahel")``)."""
        return self._sim.is_sahel

    @property
    def scenario_name(self) -> Optional[str]:
        """The scenario's ``name`` (e.g. ``"mali-2025"``)."""
        return self._sim.scenario_name

    @property
    def scenario_source(self) -> Optional[str]:
        """The file (or bundled name) the scenario was read from."""
        return self._sim.scenario_source

    @property
    def days(self) -> Optional[int]:
        """Days in the scenario's period, both ends included (mali-2025: 184)."""
        return self._sim.days

    @property
    def start_date(self) -> Optional[str]:
        return self._sim.start_date

    @property
    def end_date(self) -> Optional[str]:
        return self._sim.end_date

    @property
    def current_date(self) -> Optional[str]:
        """The date of the day the last step simulated, ISO 8601: step k (k >= 1) simulates the
        scenario's start plus k - 1 days, so this is the start date both before the first step
        (``current_step`` 0) and after it, and the scenario's last date after a whole run
        (mali-2025: '2025-12-31'). None for a model without dates (Epstein)."""
        return self._sim.current_date

    @property
    def output_path(self) -> Optional[str]:
        """The scenario's ``output.path``, or None when it names none."""
        return self._sim.output_path

    @property
    def snapshot_every_days(self) -> Optional[int]:
        """The scenario's ``output.snapshot_every_days`` (0: no snapshots)."""
        return self._sim.snapshot_every_days

    def summary(self) -> Dict[str, Any]:
        """The calibration indicators (docs/ODD.md §9) measured on the run so far, with the keys of
        ``sahelsim run --summary-json``: ``fuel_price_ratio_bamako``, ``electricity_hours_bamako_min``,
        ``tankers_destroyed``, ``tankers_destroyed_first_90_days``, ``max_convoy_loss_fraction``,
        ``max_attacks_one_day``, ``max_attack_spread_km_one_day``, ``state_share_civilian_deaths``,
        ``capital_captured``, ``legitimacy_start``, ``legitimacy_end``, ... (NaN where a quantity is
        undefined, e.g. the price ratio of a run without blockade). TypeError for a non-Sahel model::

            model = sahelsim.Model.from_scenario("mali-2025", seed=1)
            model.run()
            s = model.summary()
            s["fuel_price_ratio_bamako"], s["capital_captured"]
        """
        return dict(self._sim.summary())

    def summary_json(self) -> str:
        """:meth:`summary` as one JSON object, as the C++ model writes it (``--summary-json``)."""
        return self._sim.summary_json()

    def __repr__(self) -> str:
        if self.is_sahel:
            return (f"<sahelsim.Model sahel scenario={self.scenario_name!r} day={self.current_step}/{self.days} "
                    f"date={self.current_date} seed={self.seed} threads={self.threads}>")
        return f"<sahelsim.Model {self.name!r} step={self.current_step} seed={self.seed} threads={self.threads}>"


def parameter_table(model: str) -> str:
    """The parameter registry of ``model`` as a Markdown table (used in docs/ODD-epstein.md; a test
    checks that the document and the registry agree)."""
    rows = ["| name | unit | default | allowed | description | source |", "|---|---|---|---|---|---|"]
    for spec in parameters(model):
        default = spec["default"]
        shown = str(default).lower() if isinstance(default, bool) else str(default)
        rows.append(
            f"| `{spec['name']}` | {spec['unit']} | {shown} | {spec['allowed']} | {spec['description']} | {spec['source']} |"
        )
    return "\n".join(rows)


def checkpoint_info(path: Union[str, os.PathLike]) -> Dict[str, Any]:
    """What a checkpoint file says about itself: ``model``, ``step``, ``seed``, ``parameters``,
    ``sahelsim_version``, ``threads`` and, for one written by a run, ``run`` (its run file ``output``,
    ``steps``, ``snapshot_every``, ``checkpoint_every``, ``records`` per record dimension). Raises
    :class:`sahelsim.CheckpointError` for a file that is not a whole, valid checkpoint."""
    return dict(_core.checkpoint_info(os.fspath(path)))


def resume(
    output: Union[str, os.PathLike],
    *,
    checkpoint: Optional[Union[str, os.PathLike]] = None,
    threads: Optional[int] = None,
    progress: Optional[Callable[[int], None]] = None,
) -> "Model":
    """Continues a checkpointed run whose process was killed or interrupted (or that finished and
    kept its checkpoint): rebuilds the model from ``checkpoint`` (default ``output`` + ``".ckpt"``),
    cuts the run file ``output`` back to the checkpoint's step and runs to the end. The finished file
    is bitwise equal to an uninterrupted run's (apart from its times). Returns the model::

        model = sahelsim.Model("epstein", seed=1)
        model.run(5000, output="run.h5", checkpoint_every=500)   # killed at step 3,700
        model = sahelsim.resume("run.h5")                         # from step 3,500 to 5,000
    """
    output = os.fspath(output)
    path = os.fspath(checkpoint) if checkpoint is not None else _core.default_checkpoint_path(output)
    model = Model.from_checkpoint(path, threads=threads)
    model.last_run = model.resume(output, checkpoint=path, progress=progress)
    return model

