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

from ._core import CheckpointError, RunFileError, build_info
from ._model import Model, checkpoint_info, models, parameter_table, parameters, resume
from .analysis import outbursts
from .io import IncompleteRunWarning, event_log, open_run, series_frame
from .map import Map, load_map
from .scenario import Scenario, check_scenario, load_scenario, scenarios
from .sweep import Sweep, SweepResult, open_sweep

__version__ = build_info()["version"]

#: Submodules with heavier imports (SALib, matplotlib), loaded when first used as
#: ``sahelsim.sensitivity``, ``sahelsim.calibration``, ``sahelsim.plot`` or ``sahelsim.report``.
_LAZY_SUBMODULES = ("sensitivity", "calibration", "plot", "report")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'sahelsim' has no attribute {name!r}")

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
