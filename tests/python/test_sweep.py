"""sahelsim.Sweep and open_sweep: designs and seeds, input checks, the combined dataset, failures,
resuming, and results that do not depend on the executor (docs/SWEEPS.md)."""

import concurrent.futures
import json
import math
import os

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sahelsim
from sahelsim import sweep as sweep_module
from sahelsim.sweep import Sweep, open_sweep, run_seed

EPSTEIN_LHS = dict(model="epstein", parameters={"legitimacy": (0.7, 0.9), "cop_density": (0.02, 0.08)},
                   design="lhs", samples=4, replicates=2, seed=1, steps=30)


def _without_timing(ds):
    return ds.drop_vars("wall_seconds")


# ---- designs and seeds ----

def test_same_seed_gives_the_same_design_and_seeds():
    a, b = Sweep(**EPSTEIN_LHS), Sweep(**EPSTEIN_LHS)
    pd.testing.assert_frame_equal(a.runs, b.runs)
    np.testing.assert_array_equal(a.design_matrix, b.design_matrix)
    other = Sweep(**{**EPSTEIN_LHS, "seed": 2})
    assert not np.allclose(a.design_matrix, other.design_matrix)
    assert set(a.runs["seed"]).isdisjoint(other.runs["seed"])


def test_each_run_has_its_own_seed_from_sweep_seed_point_and_replicate():
    sw = Sweep(**EPSTEIN_LHS)
    runs = sw.runs
    assert runs["seed"].is_unique
    for run, row in runs.iterrows():
        assert row["seed"] == run_seed(1, row["point"], row["replicate"])
        assert 0 <= row["seed"] < 2**63
    # A replicate's seed does not depend on how many replicates or points the sweep has.
    more = Sweep(**{**EPSTEIN_LHS, "replicates": 3}).runs
    assert more.set_index(["point", "replicate"]).loc[(2, 1), "seed"] == runs.set_index(
        ["point", "replicate"]).loc[(2, 1), "seed"]


def test_common_seeds_give_replicate_r_the_same_seed_at_every_point():
    runs = Sweep(**{**EPSTEIN_LHS, "common_seeds": True}).runs
    assert runs.groupby("replicate")["seed"].nunique().tolist() == [1, 1]
    assert runs.groupby("point")["seed"].nunique().tolist() == [2] * 4


def test_lhs_points_lie_in_their_ranges_one_row_per_sample():
    sw = Sweep(**EPSTEIN_LHS)
    assert len(sw.points) == 4 and len(sw) == 8
    assert sw.points["legitimacy"].between(0.7, 0.9).all()
    assert sw.points["cop_density"].between(0.02, 0.08).all()
    assert sw.problem == {"num_vars": 2, "names": ["legitimacy", "cop_density"],
                          "bounds": [[0.7, 0.9], [0.02, 0.08]]}


def test_factorial_combines_levels_and_evenly_spaced_range_levels():
    sw = Sweep(model="epstein", parameters={"legitimacy": (0.7, 0.9), "movement": [True, False],
                                            "topology": "bounded"}, design="factorial", samples=3, steps=10)
    points = sw.points
    assert len(points) == 6
    assert points["legitimacy"].tolist() == pytest.approx([0.7, 0.7, 0.8, 0.8, 0.9, 0.9])
    assert points["movement"].tolist() == [True, False] * 3
    assert (points["topology"] == "bounded").all()


def test_sobol_gives_saltelli_sample_of_n_times_d_plus_2_points():
    sw = Sweep(model="epstein", parameters={"legitimacy": (0.7, 0.9), "cop_density": (0.02, 0.08),
                                            "k": (1.0, 3.0)}, design="sobol", samples=8, steps=10)
    assert len(sw.points) == 8 * (3 + 2)
    second = Sweep(model="epstein", parameters={"legitimacy": (0.7, 0.9), "cop_density": (0.02, 0.08)},
                   design="sobol", samples=4, second_order=True, steps=10)
    assert len(second.points) == 4 * (2 * 2 + 2)


def test_morris_gives_trajectories_of_d_plus_1_points_on_the_grid():
    sw = Sweep(model="epstein", parameters={"legitimacy": (0.7, 0.9), "cop_density": (0.02, 0.08)},
               design="morris", samples=5, levels=4, steps=10)
    assert len(sw.points) == 5 * 3
    grid = 0.7 + 0.2 * np.arange(4) / 3
    assert all(np.isclose(v, grid).any() for v in sw.points["legitimacy"])


def test_integer_parameters_are_rounded_within_their_range():
    sw = Sweep(model="epstein", parameters={"width": (20, 30)}, design="lhs", samples=6, steps=10)
    widths = sw.points["width"].tolist()
    assert all(isinstance(w, int) and 20 <= w <= 30 for w in widths)
    assert not np.allclose(sw.design_matrix[:, 0], np.round(sw.design_matrix[:, 0]))  # the sampler's own values


# ---- input checks ----

@pytest.mark.parametrize("kwargs, message", [
    (dict(parameters={"legitimcy": (0.7, 0.9)}), r"unknown parameter 'legitimcy' for model 'epstein'; known "
                                                 r"parameters: .*legitimacy"),
    (dict(parameters={"legitimacy": (0.7, 1.2)}), r"parameter 'legitimacy': range high end 1\.2 is not allowed: "
                                                  r"expected a real number in \[0, 1\]"),
    (dict(parameters={"legitimacy": (0.9, 0.7)}), r"expected low < high"),
    (dict(parameters={"topology": ("torus", "bounded")}), r"'topology' .*takes a list of levels"),
    (dict(design="sobel"), r"design = 'sobel' is not allowed: expected one of: factorial, lhs, sobol, morris "
                           r"\(did you mean 'sobol'\?\)"),
    (dict(samples=0), r"samples = 0 is not allowed: expected an integer >= 1"),
    (dict(design="sobol", samples=20), r"design 'sobol' needs samples to be a power of two.*use 16 or 32"),
    (dict(parameters={"legitimacy": [0.7, 0.9]}), r"design 'lhs' samples ranges.*'legitimacy' has a list of levels"),
    (dict(design="factorial", samples=None), r"factorial.*'legitimacy' needs samples"),
    (dict(design="morris", levels=3), r"levels = 3 is not allowed.*even"),
    (dict(replicates=0), r"replicates = 0 is not allowed"),
    (dict(seed=-1), r"seed = -1 is not allowed"),
    (dict(outputs=["actives"]), r"outputs: unknown series 'actives' of model 'epstein'; known series: .*active"),
    (dict(outputs=5), r"outputs = 5 is not allowed: expected 'all', a series name or a list of series names"),
    (dict(outputs=[1, 2]), r"outputs = \[1, 2\] is not allowed: expected 'all', a series name or a list"),
    (dict(seed=2**64), r"seed = 18446744073709551616 is not allowed: expected an integer in \[0, 2\*\*63 - 1\]"),
    (dict(model="epstien"), r"model = 'epstien' is not allowed: expected one of: .*epstein"),
    (dict(model=None), r"a sweep needs model = NAME"),
    (dict(scenario="no-such-scenario"), r"scenario = 'no-such-scenario' is not allowed"),
    (dict(second_order="no"), r"second_order = 'no' is not allowed: expected True or False"),
    (dict(common_seeds=1), r"common_seeds = 1 is not allowed: expected True or False"),
    (dict(threads_per_run=2000), r"threads_per_run = 2000 is not allowed: expected an integer in \[1, 1024\]"),
    (dict(samples=2_000_000), r"2,000,000 runs; a sweep may hold at most 1,000,000"),
    (dict(parameters={"max_jail_term": (30.0, math.inf)}), r"range high end inf is not allowed: a range is sampled"),
])
def test_bad_input_raises_value_error_naming_the_field(kwargs, message):
    base = dict(model="epstein", parameters={"legitimacy": (0.7, 0.9)}, design="lhs", samples=4, steps=10)
    if "scenario" in kwargs:
        base.pop("model")
        base["parameters"] = {}
        base["design"] = "factorial"
    with pytest.raises(ValueError, match=message):
        Sweep(**{**base, **kwargs})


def test_infinity_is_a_level_where_the_parameter_allows_it(tmp_path):
    sw = Sweep(model="epstein", parameters={"max_jail_term": [30.0, math.inf], "width": 20, "height": 20}, steps=5)
    result = sw.run(tmp_path / "sweep", client="serial", progress=False)
    assert (result.done, result.failed) == (2, 0)
    assert open_sweep(tmp_path / "sweep")["max_jail_term"].values.tolist() == [30.0, math.inf]
    with pytest.raises(ValueError, match=r"level inf is not allowed: expected a real number in \[0, 1\]"):
        Sweep(model="epstein", parameters={"legitimacy": [0.5, math.inf]})


def test_an_empty_sweep_directory_is_refused(tmp_path):
    sw = Sweep(model="epstein", parameters={"legitimacy": [0.7, 0.8], "width": 20, "height": 20}, steps=5)
    with pytest.raises(ValueError, match="directory = '' is not allowed"):
        sw.run("", client="serial", progress=False)


def test_sahel_parameters_are_checked_against_the_sahel_registry():
    with pytest.raises(ValueError, match=r"parameter 'escort_detachments': level 500 is not allowed: expected an "
                                         r"integer in \[0, 200\]"):
        Sweep(scenario="siege-classroom", parameters={"escort_detachments": [1, 500]})
    with pytest.raises(ValueError, match=r"unknown parameter 'escort_detachment' .*did you mean: escort_detachments"):
        Sweep(scenario="siege-classroom", parameters={"escort_detachment": [1, 2]})


# ---- running, the dataset ----

@pytest.fixture(scope="module")
def epstein_sweep_dir(tmp_path_factory):
    """The LHS sweep run on the default local process pool (spawned workers)."""
    directory = tmp_path_factory.mktemp("sweep") / "out"
    result = Sweep(**EPSTEIN_LHS).run(directory, workers=2, progress=False)
    assert (result.total, result.done, result.failed, result.executed) == (8, 8, 0, 8)
    return directory


def test_sweep_directory_has_spec_index_and_one_run_file_per_run(epstein_sweep_dir):
    files = sorted(os.listdir(epstein_sweep_dir / "runs"))
    assert files == [f"run-{i:05d}.h5" for i in range(8)]
    spec = json.loads((epstein_sweep_dir / "sweep.json").read_text())
    assert spec["sweep"]["design"] == "lhs" and len(spec["runs"]) == 8
    index = pd.read_csv(epstein_sweep_dir / "index.csv")
    assert list(index.columns[:8]) == ["run", "point", "replicate", "seed", "status", "error", "path", "wall_seconds"]
    assert (index["status"] == "done").all()
    assert {"legitimacy", "cop_density", "active_mean", "active_max", "outbursts"} <= set(index.columns)
    for path in index["path"]:
        assert sweep_module.run_file_complete(str(epstein_sweep_dir / path))


def test_open_sweep_combines_runs_along_run_and_step(epstein_sweep_dir):
    ds = open_sweep(epstein_sweep_dir)
    assert dict(ds.sizes) == {"run": 8, "step": 31}
    assert ds["active"].dims == ("run", "step") and ds["active"].dtype == np.float64
    assert ds["legitimacy"].dims == ("run",) and ds["legitimacy"].attrs["role"] == "parameter"
    assert ds["active_max"].attrs["role"] == "summary"
    assert (ds["status"] == "done").all()
    sw = Sweep(**EPSTEIN_LHS)
    np.testing.assert_array_equal(ds["seed"].values, sw.runs["seed"].values)
    np.testing.assert_array_equal(ds["legitimacy"].values, sw.runs["legitimacy"].values)
    # Series and summaries are those of the run files.
    run3 = sahelsim.open_run(epstein_sweep_dir / str(ds["path"].values[3]))
    np.testing.assert_array_equal(ds["active"].values[3], run3["active"].values)
    assert ds["active_max"].values[3] == run3["active"].values[1:].max()
    assert run3.attrs["seed"] == ds["seed"].values[3]
    assert json.loads(ds.attrs["salib_problem"])["names"] == ["legitimacy", "cop_density"]


def test_to_dataframe_is_tidy_one_row_per_run_and_step(epstein_sweep_dir):
    ds = open_sweep(epstein_sweep_dir)
    frame = ds.to_dataframe()
    assert len(frame) == 8 * 31 and frame.index.names == ["run", "step"]
    assert {"legitimacy", "seed", "status", "active", "active_mean"} <= set(frame.columns)
    per_run = ds.drop_dims("step").to_dataframe()
    assert len(per_run) == 8 and "active" not in per_run
    by_point = ds["active_max"].groupby("point").mean()
    assert by_point.sizes == {"point": 4}


def test_results_do_not_depend_on_executor_or_order(epstein_sweep_dir, tmp_path):
    """The process pool (above), runs one after another in this process, and a thread pool give the same
    dataset, apart from the runs' wall times."""
    pool = open_sweep(epstein_sweep_dir)
    Sweep(**EPSTEIN_LHS).run(tmp_path / "serial", client="serial", progress=False)
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as executor:
        Sweep(**EPSTEIN_LHS).run(tmp_path / "threads", client=executor, progress=False)
    xr.testing.assert_identical(_without_timing(pool), _without_timing(open_sweep(tmp_path / "serial")))
    xr.testing.assert_identical(_without_timing(pool), _without_timing(open_sweep(tmp_path / "threads")))


def test_sweep_load_rebuilds_the_sweep_from_its_directory(epstein_sweep_dir):
    loaded = Sweep.load(epstein_sweep_dir)
    pd.testing.assert_frame_equal(loaded.runs, Sweep(**EPSTEIN_LHS).runs)


def test_a_series_named_like_a_parameter_gets_the_series_prefix(tmp_path):
    sw = Sweep(model="epstein", parameters={"legitimacy": [0.8]}, outputs=["active", "legitimacy"], steps=5)
    sw.run(tmp_path, client="serial", progress=False)
    ds = open_sweep(tmp_path)
    assert ds["legitimacy"].dims == ("run",)
    assert ds["series_legitimacy"].dims == ("run", "step")
    assert (ds["series_legitimacy"] == 0.8).all()


def test_a_sweep_without_outputs_has_one_row_per_run(tmp_path):
    Sweep(model="epstein", replicates=3, steps=5, outputs=[]).run(tmp_path, client="serial", progress=False)
    ds = open_sweep(tmp_path)
    assert dict(ds.sizes) == {"run": 3}
    assert len(ds.to_dataframe()) == 3 and np.isfinite(ds["active_max"].values).all()


# ---- failures ----

def test_failed_runs_are_recorded_and_the_others_complete(tmp_path):
    """citizen_density 0.95 + cop_density 0.1 > 1: the model refuses that point; its runs fail, the rest run."""
    sw = Sweep(model="epstein", parameters={"citizen_density": [0.7, 0.95], "cop_density": [0.04, 0.1]},
               replicates=2, seed=4, steps=20)
    result = sw.run(tmp_path, workers=2, progress=False)
    assert (result.total, result.done, result.failed, result.pending) == (8, 6, 2, 0)
    ds = open_sweep(tmp_path)
    failed = ds.where(ds["status"] == "failed", drop=True)
    assert failed["citizen_density"].values.tolist() == [0.95, 0.95]
    assert failed["cop_density"].values.tolist() == [0.1, 0.1]
    assert all("ValueError" in e and "must sum to at most 1" in e for e in failed["error"].values)
    assert np.isnan(failed["active"].values).all() and np.isnan(failed["active_mean"].values).all()
    done = ds.where(ds["status"] == "done", drop=True)
    assert not np.isnan(done["active"].values).any()
    index = pd.read_csv(tmp_path / "index.csv")
    assert index.loc[index["status"] == "failed", "error"].str.contains("must sum to at most 1").all()
    assert list(result.failed_runs.index) == [6, 7]


def test_an_exception_in_a_run_becomes_a_failed_record(tmp_path, monkeypatch):
    original = sweep_module._run_model

    def flaky(task):
        if task["run"] == 1:
            raise RuntimeError("disk on fire")
        return original(task)

    monkeypatch.setattr(sweep_module, "_run_model", flaky)
    sw = Sweep(model="epstein", replicates=3, steps=5)
    result = sw.run(tmp_path, client="serial", progress=False)
    assert (result.done, result.failed) == (2, 1)
    ds = open_sweep(tmp_path)
    assert ds["status"].values.tolist() == ["done", "failed", "done"]
    assert ds["error"].values[1] == "RuntimeError: disk on fire"


# ---- resuming ----

def _count_runs(monkeypatch):
    executed = []
    original = sweep_module._run_model

    def counting(task):
        executed.append(task["run"])
        return original(task)

    monkeypatch.setattr(sweep_module, "_run_model", counting)
    return executed


def test_resume_skips_complete_runs_and_reruns_missing_and_truncated_files(tmp_path, monkeypatch):
    sw = Sweep(**EPSTEIN_LHS)
    first = sw.run(tmp_path, client="serial", progress=False)
    assert first.executed == 8
    before = open_sweep(tmp_path)
    os.remove(tmp_path / "runs" / "run-00002.h5")
    with open(tmp_path / "runs" / "run-00005.h5", "r+b") as f:  # a run file cut short
        f.truncate(os.path.getsize(tmp_path / "runs" / "run-00005.h5") // 2)
    executed = _count_runs(monkeypatch)
    second = Sweep(**EPSTEIN_LHS).run(tmp_path, client="serial", progress=False)
    assert sorted(executed) == [2, 5]
    assert (second.executed, second.skipped, second.done) == (2, 6, 8)
    xr.testing.assert_identical(_without_timing(before), _without_timing(open_sweep(tmp_path)))
    executed.clear()
    third = Sweep(**EPSTEIN_LHS).run(tmp_path, client="serial", progress=False)
    assert executed == [] and third.skipped == 8


def test_an_interrupted_sweep_resumes_where_it_stopped(tmp_path, monkeypatch):
    original = sweep_module._execute_run
    calls = []

    def interrupted(task):
        calls.append(task["run"])
        if len(calls) == 4:
            raise KeyboardInterrupt
        return original(task)

    monkeypatch.setattr(sweep_module, "_execute_run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Sweep(**EPSTEIN_LHS).run(tmp_path, client="serial", progress=False)
    index = pd.read_csv(tmp_path / "index.csv")
    assert index["status"].tolist() == ["done"] * 3 + ["pending"] * 5
    monkeypatch.setattr(sweep_module, "_execute_run", original)
    executed = _count_runs(monkeypatch)
    result = Sweep(**EPSTEIN_LHS).run(tmp_path, client="serial", progress=False)
    assert executed == [3, 4, 5, 6, 7] and result.done == 8


def test_resume_retries_failed_runs(tmp_path, monkeypatch):
    original = sweep_module._run_model
    monkeypatch.setattr(sweep_module, "_run_model", lambda task: (_ for _ in ()).throw(RuntimeError("flaky")))
    sw = Sweep(model="epstein", replicates=2, steps=5)
    assert sw.run(tmp_path, client="serial", progress=False).failed == 2
    monkeypatch.setattr(sweep_module, "_run_model", original)
    result = sw.run(tmp_path, client="serial", progress=False)
    assert (result.done, result.failed, result.executed) == (2, 0, 2)


def test_a_directory_holding_another_sweep_is_not_resumed(tmp_path):
    Sweep(model="epstein", replicates=2, steps=5).run(tmp_path, client="serial", progress=False)
    with pytest.raises(ValueError, match=r"holds another sweep \(it differs in: replicates\)"):
        Sweep(model="epstein", replicates=3, steps=5).run(tmp_path, client="serial", progress=False)
    result = Sweep(model="epstein", replicates=3, steps=5).run(tmp_path, client="serial", progress=False,
                                                               resume=False)
    assert (result.executed, result.done) == (3, 3)


def test_a_directory_in_use_by_another_sweep_is_refused(tmp_path):
    os.makedirs(tmp_path / "runs")
    with sweep_module._DirectoryLock(str(tmp_path)):
        with pytest.raises(BlockingIOError, match="another sweep is running"):
            Sweep(model="epstein", steps=5).run(tmp_path, client="serial", progress=False)


# ---- the Sahel model ----

def test_sahel_summary_keys_are_those_of_the_model():
    model = sahelsim.Model.from_scenario("siege-classroom", threads=1)
    model.step(1)
    assert sweep_module.SAHEL_SUMMARY_KEYS == list(model.summary())


def test_sahel_scenario_sweep_keeps_calibration_indicators_and_series(tmp_path):
    sw = Sweep(scenario="siege-classroom", parameters={"escort_detachments": [1, 3]}, replicates=2, seed=5,
               steps=10, outputs=["fuel_price_bamako", "attacks"])
    result = sw.run(tmp_path, workers=2, progress=False)
    assert (result.done, result.failed) == (4, 0)
    ds = open_sweep(tmp_path)
    assert dict(ds.sizes) == {"run": 4, "step": 11}
    assert ds["escort_detachments"].values.tolist() == [1, 1, 3, 3]
    assert ds["escort_detachments"].dtype == np.int64
    assert ds["days"].values.tolist() == [10.0] * 4
    assert set(ds["capital_captured"].values) <= {0.0, 1.0}
    assert np.isfinite(ds["fuel_price_bamako"].values).all()
    run0 = sahelsim.open_run(tmp_path / str(ds["path"].values[0]))
    assert run0.attrs["escort_detachments"] == 1 and run0.attrs["seed"] == ds["seed"].values[0]
    assert run0.attrs["summary_legitimacy_end"] == pytest.approx(ds["legitimacy_end"].values[0])


def test_mali_2025_lhs_sweep_of_short_runs(tmp_path):
    sw = Sweep(scenario="mali-2025", parameters={"legitimacy_initial": (0.5, 0.8)}, design="lhs", samples=2,
               seed=2, steps=5)
    assert sw.steps == 5 and Sweep(scenario="mali-2025").steps == 184
    assert Sweep(model="sahel").scenario == "mali-2025"
    result = sw.run(tmp_path, client="serial", progress=False)
    assert result.done == 2
    ds = open_sweep(tmp_path)
    assert dict(ds.sizes) == {"run": 2, "step": 6}
    assert ds.attrs["sweep_scenario"] == "mali-2025"
    assert (ds["legitimacy_start"] != ds["legitimacy_start"][0]).any()  # legitimacy_initial differs between runs
    assert math.isnan(ds["fuel_price_ratio_bamako"].values[0])  # no blockade within five days


def test_a_sobol_sweep_feeds_salib_analyze_in_point_order(tmp_path):
    from SALib.analyze import sobol

    sw = Sweep(model="epstein", parameters={"legitimacy": (0.6, 0.9), "cop_density": (0.02, 0.08)},
               design="sobol", samples=8, seed=3, steps=20)
    sw.run(tmp_path, client="serial", progress=False)
    ds = open_sweep(tmp_path)
    y = ds["active_mean"].groupby("point").mean().values
    assert len(y) == len(sw.points) == 8 * 4
    indices = sobol.analyze(json.loads(ds.attrs["salib_problem"]), y, calc_second_order=False, seed=1)
    assert set(indices) >= {"S1", "ST"} and len(indices["ST"]) == 2


# ---- a worker process that dies ----

CRASHING_WORKER = '''
import os


def run(task):
    """Kills its worker process: run 1 on its first attempt, run 2 always."""
    marker = task["file"] + ".crashed"
    if task["run"] == 2 or (task["run"] == 1 and not os.path.exists(marker)):
        open(marker, "w").close()
        os._exit(1)
    return {"run": task["run"], "status": "done", "error": "", "wall_seconds": 0.0, "summary": {},
            "attempts": task["attempts"] + 1}
'''


def test_local_pool_is_rebuilt_when_a_worker_dies_and_its_runs_retried(tmp_path, monkeypatch):
    (tmp_path / "crashing_worker.py").write_text(CRASHING_WORKER)
    monkeypatch.syspath_prepend(str(tmp_path))  # spawned workers inherit sys.path
    import crashing_worker

    def make():
        return concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=sweep_module.multiprocessing
                                                      .get_context("spawn"))

    backend = sweep_module._ExecutorBackend(make(), window=1, make=make, function=crashing_worker.run)
    backend.start([{"run": run, "attempts": 0, "file": str(tmp_path / f"run-{run}")} for run in range(4)])
    records = {}
    while not backend.finished():
        for task, record in backend.poll(timeout=1.0):
            records[task["run"]] = record
    backend.close(cancel=False)
    assert [records[run]["status"] for run in range(4)] == ["done", "done", "failed", "done"]
    assert records[1]["attempts"] == 2
    assert records[2]["attempts"] == sweep_module.MAX_ATTEMPTS
    assert "the worker process running this run died 3 times" in records[2]["error"]
