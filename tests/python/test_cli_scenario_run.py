"""`sahelsim run` of Sahel scenarios: the default scenario, overrides of the file, the calibration
summary and --summary-json, and bad input with exit codes 2 and 3."""

import json
import pathlib

import pytest
import xarray as xr

import sahelsim

REPO = pathlib.Path(__file__).resolve().parents[2]

from sahel_test_support import SUMMARY_KEYS


def _attrs(path):
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return dict(ds.attrs), dict(ds.sizes)


def _write_scenario(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---- what runs by default ----

def test_bare_run_runs_the_default_scenario_mali_2025(run_cli, tmp_path):
    result = run_cli("run", "--days", "2", "-o", "out.h5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("scenario   mali-2025 ")
    assert "days 2 (2025-07-01 to 2025-07-02)" in result.stdout
    attrs, sizes = _attrs(tmp_path / "out.h5")
    assert sizes["step"] == 3  # step 0 is the initial state


def test_bare_run_writes_the_scenarios_output_path_creating_its_directory(run_cli, tmp_path):
    result = run_cli("run", "--days", "1")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "runs" / "mali-2025.h5").is_file()  # mali-2025.toml: output.path = "runs/mali-2025.h5"
    assert "run file   runs/mali-2025.h5" in result.stdout


def test_model_name_sahel_runs_the_default_scenario(run_cli):
    result = run_cli("run", "sahel", "--days", "1", "-o", "out.h5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("scenario   mali-2025 ")


def test_scenario_without_output_path_writes_runs_name_h5_with_its_snapshot_interval(run_cli, tmp_path):
    result = run_cli("run", "siege-classroom", "--days", "5")
    assert result.returncode == 0, result.stderr
    attrs, _ = _attrs(tmp_path / "runs" / "siege-classroom.h5")
    assert attrs["snapshot_every"] == 1  # siege-classroom.toml: output.snapshot_every_days = 1
    assert attrs["seed"] == 1  # siege-classroom.toml: seed = 1


def test_scenario_file_by_path_runs_its_period_into_its_output_path(run_cli, tmp_path):
    _write_scenario(tmp_path / "tiny.toml", """
name = "tiny"
seed = 4
[map]
data = "%s"
[period]
start = 2025-01-01
end = 2025-01-03
[output]
path = "out/deep/tiny.h5"
snapshot_every_days = 2
""" % (REPO / "scenarios" / "siege-classroom").as_posix())
    result = run_cli("run", "tiny.toml")
    assert result.returncode == 0, result.stderr
    attrs, sizes = _attrs(tmp_path / "out" / "deep" / "tiny.h5")
    assert sizes["step"] == 4  # the period's 3 days
    assert attrs["seed"] == 4 and attrs["snapshot_every"] == 2


# ---- options override the file ----

def test_days_seed_threads_set_and_output_override_the_scenario(run_cli, tmp_path):
    result = run_cli("run", "siege-classroom", "--days", "5", "--seed", "9", "--threads", "2",
                     "--set", "max_tankers_per_day=150", "--snapshot-every", "3", "-o", "x.h5")
    assert result.returncode == 0, result.stderr
    attrs, sizes = _attrs(tmp_path / "x.h5")
    assert sizes["step"] == 6
    assert attrs["seed"] == 9 and attrs["threads"] == 2 and attrs["snapshot_every"] == 3
    assert attrs["max_tankers_per_day"] == 150
    assert "set        max_tankers_per_day=150" in result.stdout
    assert not (tmp_path / "runs").exists()


def test_steps_is_days_for_a_scenario(run_cli, tmp_path):
    result = run_cli("run", "siege-classroom", "--steps", "4", "-o", "x.h5")
    assert result.returncode == 0, result.stderr
    assert _attrs(tmp_path / "x.h5")[1]["step"] == 5


# ---- the summary ----

def test_summary_lists_each_calibration_indicator_with_its_target(run_cli):
    result = run_cli("run", "siege-classroom", "--days", "5", "-o", "x.h5")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for fragment in ["scenario   siege-classroom", "seed 1", "threads", "days 5", "wall time", "run file   x.h5",
                     "2.5–6", "100–300", "majority (data 0.77)", "capital captured", "never", "falls"]:
        assert fragment in out, fragment
    assert len(out.splitlines()) <= 25  # one screen


def test_summary_json_writes_the_calibration_indicators(run_cli, tmp_path):
    result = run_cli("run", "siege-classroom", "--days", "5", "-o", "x.h5", "--summary-json", "summary.json")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary)
    assert isinstance(summary["capital_captured"], bool)
    assert summary["days"] == 5


def test_summary_names_the_scenarios_blockade_day(run_cli):
    result = run_cli("run", "mali-2025", "--days", "3", "-o", "x.h5")
    assert result.returncode == 0, result.stderr
    # Day 65, as the summary's blockade_start_day: day 1 is the start date (2025-07-01).
    assert "blockade   from day 65 (2025-09-03, after the last day run)" in result.stdout
    assert "blockade   none in this scenario" in run_cli("run", "mali-2025-no-blockade", "--days", "1",
                                                         "-o", "y.h5").stdout


def test_mali_2025_summary_json_holds_the_models_indicators(run_cli, tmp_path):
    result = run_cli("run", "mali-2025", "--days", "3", "-o", "x.h5", "--summary-json", "s.json")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["days"] == 3 and summary["capital_captured"] is False
    assert 0 < summary["legitimacy_start"] < 1 and 0 <= summary["legitimacy_end"] <= 1
    assert f"{summary['legitimacy_start']:.3f} -> {summary['legitimacy_end']:.3f}" in result.stdout


# ---- params and models ----

def test_params_without_model_lists_the_sahel_parameters(run_cli):
    result = run_cli("params")
    assert result.returncode == 0
    assert "max_tankers_per_day = " in result.stdout and "an integer in [0, 10000]" in result.stdout
    assert result.stdout == run_cli("params", "sahel").stdout


def test_models_lists_sahel_and_the_epstein_models(run_cli):
    names = [line.split()[0] for line in run_cli("models").stdout.splitlines()]
    assert {"sahel", "epstein", "epstein-ethnic"} <= set(names)


# ---- bad input: exit 2, naming the value and what is allowed ----

def test_unknown_scenario_exits_2_listing_the_bundled_ones(run_cli):
    result = run_cli("run", "mali-2052", "--days", "1")
    assert result.returncode == 2
    assert "unknown scenario 'mali-2052'" in result.stderr
    assert "mali-2025, mali-2025-no-blockade, siege-classroom" in result.stderr


def test_unknown_parameter_exits_2_with_suggestion(run_cli):
    result = run_cli("run", "siege-classroom", "--set", "max_tankers_per_dya=10", "--days", "1")
    assert result.returncode == 2
    assert "unknown parameter 'max_tankers_per_dya' for scenario 'siege-classroom'" in result.stderr
    assert "did you mean: max_tankers_per_day" in result.stderr and "sahelsim params sahel" in result.stderr


@pytest.mark.parametrize("value, shown", [("-5", "-5"), ("lots", "'lots'"), ("1.5", "'1.5'")])
def test_bad_parameter_value_exits_2_with_allowed_range(run_cli, value, shown):
    result = run_cli("run", "siege-classroom", "--set", f"max_tankers_per_day={value}", "--days", "1")
    assert result.returncode == 2
    assert f"'max_tankers_per_day' = {shown} is not allowed: expected an integer in [0, 10000]" in result.stderr


@pytest.mark.parametrize("days", ["0", "-1", "7321"])
def test_days_out_of_range_exits_2(run_cli, days):
    result = run_cli("run", "siege-classroom", "--days", days)
    assert result.returncode == 2
    assert f"--days {days} is not allowed: expected an integer in [1, 7320]" in result.stderr


@pytest.mark.parametrize("seed", ["-1", "9223372036854775808", "seven"])
def test_bad_seed_exits_2(run_cli, seed):
    result = run_cli("run", "siege-classroom", "--seed", seed, "--days", "1")
    assert result.returncode == 2
    assert seed in result.stderr


def test_bad_scenario_file_exits_2_listing_every_problem(run_cli, tmp_path):
    _write_scenario(tmp_path / "bad.toml", """name = "bad"
seed = -3
[period]
start = 2025-07-01
end = 2025-07-10
[parameters]
max_tankers_per_day = "many"
""")
    result = run_cli("run", "bad.toml")
    assert result.returncode == 2
    assert "bad.toml:2:8: field 'seed' = -3 is not allowed" in result.stderr
    assert "bad.toml:7:23: field 'parameters.max_tankers_per_day'" in result.stderr


def test_days_for_a_non_sahel_model_exits_2(run_cli):
    result = run_cli("run", "epstein", "--days", "3")
    assert result.returncode == 2
    assert "use --steps" in result.stderr


def test_disagreeing_days_and_steps_exit_2(run_cli):
    result = run_cli("run", "siege-classroom", "--days", "3", "--steps", "4")
    assert result.returncode == 2


# ---- output that cannot be written: exit 3, before the model is built ----

def test_unwritable_output_exits_3(run_cli, tmp_path):
    result = run_cli("run", "siege-classroom", "--days", "1", "-o", str(tmp_path / "missing" / "run.h5"))
    assert result.returncode == 3
    assert "missing" in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_unwritable_summary_json_exits_3_before_running(run_cli, tmp_path):
    result = run_cli("run", "siege-classroom", "--days", "1", "-o", "x.h5",
                     "--summary-json", str(tmp_path / "missing" / "s.json"))
    assert result.returncode == 3
    assert not (tmp_path / "x.h5").exists()
