"""sahelsim.Model.from_scenario: a Sahel run from a scenario in Python, its overrides, dates, summary
and errors (bindings/module.cpp, bindings/python/sahelsim/_model.py)."""

import json
import math
import pathlib

import pytest
import xarray as xr

import sahelsim

REPO = pathlib.Path(__file__).resolve().parents[2]

from sahel_test_support import SUMMARY_KEYS


def test_from_scenario_takes_the_scenarios_period_seed_and_output():
    model = sahelsim.Model.from_scenario("siege-classroom", threads=1)
    assert model.is_sahel and model.name == "sahel"
    assert model.scenario_name == "siege-classroom"
    assert (model.start_date, model.end_date, model.days) == ("2025-01-01", "2025-04-30", 120)
    assert model.seed == 1  # siege-classroom.toml: seed = 1
    assert model.snapshot_every_days == 1 and model.output_path is None
    assert sahelsim.Model.from_scenario("mali-2025", threads=1).output_path == "runs/mali-2025.h5"


def test_current_date_is_the_day_the_last_step_simulated():
    model = sahelsim.Model.from_scenario("siege-classroom", threads=1)
    assert model.current_date == "2025-01-01"  # the initial state
    model.step(1)
    assert model.current_date == "2025-01-01"  # step 1 simulates the start date
    model.step(30)
    assert model.current_step == 31 and model.current_date == "2025-01-31"


def test_parameter_and_seed_overrides_apply():
    model = sahelsim.Model.from_scenario("siege-classroom", parameters={"max_tankers_per_day": 150}, seed=9,
                                         threads=2)
    assert model.params["max_tankers_per_day"] == 150
    assert model.seed == 9 and model.threads == 2


def test_text_values_are_parsed_as_on_the_command_line():
    model = sahelsim.Model.from_scenario("siege-classroom", parameters={"max_tankers_per_day": "120"}, threads=1)
    assert model.params["max_tankers_per_day"] == 120


def test_a_scenario_object_or_a_path_is_accepted(tmp_path):
    scenario = sahelsim.load_scenario("siege-classroom")
    assert sahelsim.Model.from_scenario(scenario, threads=1).scenario_name == "siege-classroom"
    assert scenario.days == 120
    path = tmp_path / "tiny.toml"
    path.write_text('name = "tiny"\n[map]\ndata = "%s"\n[period]\nstart = 2025-03-01\nend = 2025-03-02\n'
                    % (REPO / "scenarios" / "siege-classroom").as_posix(), encoding="utf-8")
    model = sahelsim.Model.from_scenario(path, threads=1)
    assert (model.scenario_name, model.days, model.seed) == ("tiny", 2, 0)


def test_threads_default_to_the_available_cores():
    assert sahelsim.Model.from_scenario("siege-classroom").threads >= 1


def test_summary_has_the_keys_of_the_summary_json():
    model = sahelsim.Model.from_scenario("siege-classroom", threads=1)
    model.step(3)
    summary = model.summary()
    assert SUMMARY_KEYS <= set(summary)
    assert list(summary) == list(json.loads(model.summary_json()))
    assert isinstance(summary["capital_captured"], bool) and isinstance(summary["tankers_destroyed"], int)
    assert summary["days"] == 3


def test_run_without_steps_runs_the_rest_of_the_period_with_the_scenarios_snapshots(tmp_path):
    path = tmp_path / "five-days.toml"
    path.write_text('name = "five-days"\nseed = 2\n[map]\ndata = "%s"\n[period]\nstart = 2025-03-01\n'
                    'end = 2025-03-05\n[output]\nsnapshot_every_days = 2\n'
                    % (REPO / "scenarios" / "siege-classroom").as_posix(), encoding="utf-8")
    model = sahelsim.Model.from_scenario(path, threads=1)
    model.step(2)
    result = model.run(output=tmp_path / "run.h5")
    assert result["steps_run"] == 3 and model.current_step == 5 and model.current_date == "2025-03-05"
    with xr.open_dataset(tmp_path / "run.h5", engine="h5netcdf") as ds:
        assert ds.attrs["snapshot_every"] == 2 and ds.attrs["seed"] == 2


def test_model_sahel_by_name_is_the_default_scenario():
    model = sahelsim.Model("sahel", seed=3, threads=1, max_tankers_per_day=100)
    assert model.scenario_name == "mali-2025" and model.seed == 3 and model.days == 184
    assert model.params["max_tankers_per_day"] == 100
    assert SUMMARY_KEYS <= set(model.summary())


def test_sahel_parameters_are_in_the_model_registry():
    names = [spec["name"] for spec in sahelsim.parameters("sahel")]
    assert names == [spec["name"] for spec in sahelsim.scenario.sahel_parameters()]
    assert "sahel" in sahelsim.models()


# ---- errors ----

def test_unknown_scenario_raises_listing_the_bundled_ones():
    with pytest.raises(ValueError, match=r"unknown scenario 'nowhere'.*mali-2025, mali-2025-no-blockade, siege-classroom"):
        sahelsim.Model.from_scenario("nowhere")


def test_bad_scenario_file_raises_listing_every_problem(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = ""\n[period]\nstart = 2025-07-01\nend = 2025-06-01\n', encoding="utf-8")
    with pytest.raises(ValueError) as error:
        sahelsim.Model.from_scenario(path)
    lines = str(error.value).splitlines()
    assert len(lines) >= 2
    assert all(line.startswith(str(path) + ":") for line in lines)


def test_unknown_parameter_raises_naming_it():
    with pytest.raises(ValueError, match="unknown parameter 'max_tankers'"):
        sahelsim.Model.from_scenario("siege-classroom", parameters={"max_tankers": 1})


@pytest.mark.parametrize("value, shown", [(-1, "-1"), (2.5, "2.5"), (2**70, str(2**70)), ("many", "'many'")])
def test_bad_parameter_value_raises_with_what_is_allowed(value, shown):
    with pytest.raises(ValueError) as error:
        sahelsim.Model.from_scenario("siege-classroom", parameters={"max_tankers_per_day": value})
    assert f"parameter 'max_tankers_per_day' = {shown} is not allowed: expected an integer in [0, 10000]" in str(error.value)


@pytest.mark.parametrize("seed", [-1, 2**63, 1.5, True])
def test_bad_seed_raises(seed):
    with pytest.raises(ValueError, match="seed = .* is not allowed: expected an integer in"):
        sahelsim.Model.from_scenario("siege-classroom", seed=seed)


@pytest.mark.parametrize("threads", [0, -2, 1.0])
def test_bad_threads_raise(threads):
    with pytest.raises(ValueError, match="threads = .* is not allowed"):
        sahelsim.Model.from_scenario("siege-classroom", threads=threads)


def test_epstein_model_has_no_scenario_or_summary():
    model = sahelsim.Model("epstein", seed=1)
    assert not model.is_sahel and model.days is None and model.current_date is None
    with pytest.raises(TypeError, match="only defined for a Sahel simulation"):
        model.summary()
    with pytest.raises(ValueError, match="steps is required"):
        model.run()


# ---- with the agents ----

def test_same_seed_same_state_for_any_thread_count():
    hashes = set()
    for threads in (1, 2):
        model = sahelsim.Model.from_scenario("siege-classroom", seed=5, threads=threads)
        model.step(5)
        hashes.add(model.state_hash())
    assert len(hashes) == 1


def test_mali_2025_summary_finds_the_blockade_of_3_september_once_it_starts():
    model = sahelsim.Model.from_scenario("mali-2025", threads=2)
    model.step(70)
    summary = model.summary()
    assert summary["blockade_start_day"] == 65  # step 65 simulates 2025-09-03 (step k: start + k - 1)
    assert 0 < summary["legitimacy_start"] < 1 and not summary["capital_captured"]
    assert math.isnan(summary["fuel_price_ratio_bamako"]) or summary["fuel_price_ratio_bamako"] > 0
