"""The Python face of a simulation: build a model from keyword parameters and run it."""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional

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


def _check_count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} = {value!r} is not allowed: expected an integer >= {minimum}")
    if value < minimum:
        raise ValueError(f"{name} = {value} is not allowed: expected an integer >= {minimum}")
    return int(value)


class Model:
    """One simulation of a registered model.

    Parameters are keyword arguments named as in :func:`parameters`; unknown names and values out of
    range raise :class:`ValueError` naming the parameter, the value and what is allowed. ``seed``
    selects the random streams; ``threads`` the oneTBB threads of this simulation (results are
    bitwise identical for any thread count with ``activation="synchronous"``; the sequential
    reference scheme is serial).
    """

    def __init__(self, model: str = "epstein", *, seed: int = 0, threads: int = 1, **params: Any):
        seed = _check_count("seed", seed, 0)
        if seed >= 2**64:
            raise ValueError(f"seed = {seed} is not allowed: expected an integer in [0, 2**64)")
        threads = _check_count("threads", threads, 1)
        if model not in _core.model_names():
            raise ValueError(f"unknown model {model!r}: expected one of: {', '.join(_core.model_names())}")
        self._sim = _core.Simulation(model, params, seed, threads)

    # ---- running ----
    def step(self, n: int = 1) -> "Model":
        """Advances ``n`` steps (GIL released; Ctrl-C raises KeyboardInterrupt between steps)."""
        self._sim.step(_check_count("n", n, 0))
        return self

    def run(
        self,
        steps: int,
        output: Optional[os.PathLike | str] = None,
        *,
        snapshot_every: int = 0,
        progress: Optional[Callable[[int], None]] = None,
    ) -> Dict[str, Any]:
        """Runs ``steps`` steps, writing the run file ``output`` (netCDF-4/HDF5) if given.

        The file holds every parameter, the seed, the thread count, the build, the per-step series
        (step 0 is the initial state) and, every ``snapshot_every`` steps, the lattice rasters. If the
        run is interrupted (Ctrl-C) or fails, the file is kept with ``run_status = "incomplete"``.
        ``progress(steps_done)`` is called between steps on the calling thread.
        """
        steps = _check_count("steps", steps, 0)
        snapshot_every = _check_count("snapshot_every", snapshot_every, 0)
        path = ""
        if output is not None:
            path = os.fspath(output)
            parent = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(parent):
                raise FileNotFoundError(f"cannot write run file {path!r}: directory {parent!r} does not exist")
        return dict(self._sim.run(steps, path, snapshot_every, progress))

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
        """A (height, width) uint8 copy of one raster (see ``raster_names``)."""
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

    def __repr__(self) -> str:
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
