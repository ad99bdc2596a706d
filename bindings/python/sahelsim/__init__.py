"""sahelsim: a parallel agent-based model of insurgent–state–population dynamics.

The engine is C++ (oneTBB, HDF5); this package drives it from Python::

    import sahelsim
    model = sahelsim.Model("epstein", seed=1, threads=2, legitimacy=0.82)
    model.step(10)
    model.series()                      # {'quiet': ..., 'active': ..., 'jailed': ..., ...}
    model.columns["citizens"]["hardship"]   # read-only NumPy view, no copy
    model.run(500, output="run.h5")    # GIL released, Ctrl-C honoured
    ds = sahelsim.open_run("run.h5")   # xarray.Dataset
    sahelsim.series_frame("run.h5", "region")   # tidy table: step, region, per-region series
    sahelsim.event_log("run.h5")       # pandas DataFrame, one row per event
    m = sahelsim.load_map(cell_km=5)   # the Sahel map: m.layers, m.towns, m.route("Bamako", "Gao")
    s = sahelsim.load_scenario("mali-2025")   # a scenario: s.forces, s.events, s.map
    run = sahelsim.Model.from_scenario("mali-2025", parameters={"max_tankers_per_day": 150}, seed=1)
    run.run(output="runs/mali-2025.h5")        # the whole period, one step a day
    run.summary()                               # the calibration indicators: fuel_price_ratio_bamako, ...
    model.run(5000, output="run.h5", checkpoint_every=500)   # run.h5.ckpt every 500 steps
    sahelsim.resume("run.h5")                   # after a kill: continue from the last checkpoint
    sw = sahelsim.Sweep(model="epstein", parameters={"legitimacy": (0.7, 0.9)}, design="lhs", samples=20)
    sw.run("out/")                              # a local process pool, or client=a dask Client
    sahelsim.open_sweep("out/")                 # one xarray.Dataset over `run` (docs/SWEEPS.md)
"""

import importlib
from typing import TYPE_CHECKING

# The public names and the submodule each comes from. They load when first used (PEP 562), so that
# `import sahelsim` is quick and the command line (sahelsim/__main__.py) can catch Ctrl-C while
# NumPy, pandas, xarray and the C++ module load.
_PUBLIC = {
    "CheckpointError": "_core", "RunFileError": "_core", "build_info": "_core",
    "Model": "_model", "checkpoint_info": "_model", "models": "_model", "parameter_table": "_model",
    "parameters": "_model", "resume": "_model",
    "outbursts": "analysis",
    "IncompleteRunWarning": "io", "event_log": "io", "open_run": "io", "series_frame": "io",
    "Map": "map", "load_map": "map",
    "Scenario": "scenario", "check_scenario": "scenario", "load_scenario": "scenario", "scenarios": "scenario",
    "Sweep": "sweep", "SweepResult": "sweep", "open_sweep": "sweep",
}

#: Submodules with heavier imports (SALib, matplotlib), loaded when first used as
#: ``sahelsim.sensitivity``, ``sahelsim.calibration``, ``sahelsim.plot`` or ``sahelsim.report``.
_LAZY_SUBMODULES = ("sensitivity", "calibration", "plot", "report")


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    elif name == "__version__":
        value = importlib.import_module("._core", __name__).build_info()["version"]
    elif name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'sahelsim' has no attribute {name!r}")
    globals()[name] = value  # found directly from now on
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC) | {"__version__"} | set(_LAZY_SUBMODULES))


if TYPE_CHECKING:  # for type checkers and editors: the names above, as plain imports
    from ._core import CheckpointError, RunFileError, build_info  # noqa: F401
    from ._model import Model, checkpoint_info, models, parameter_table, parameters, resume  # noqa: F401
    from .analysis import outbursts  # noqa: F401
    from .io import IncompleteRunWarning, event_log, open_run, series_frame  # noqa: F401
    from .map import Map, load_map  # noqa: F401
    from .scenario import Scenario, check_scenario, load_scenario, scenarios  # noqa: F401
    from .sweep import Sweep, SweepResult, open_sweep  # noqa: F401

__all__ = [
    "Model",
    "models",
    "parameters",
    "parameter_table",
    "open_run",
    "series_frame",
    "event_log",
    "Map",
    "load_map",
    "Scenario",
    "load_scenario",
    "check_scenario",
    "scenarios",
    "outbursts",
    "Sweep",
    "SweepResult",
    "open_sweep",
    "build_info",
    "RunFileError",
    "CheckpointError",
    "checkpoint_info",
    "resume",
    "IncompleteRunWarning",
    "__version__",
]
