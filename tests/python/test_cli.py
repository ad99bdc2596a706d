"""The `sahelsim` command line: runs, summaries, help and clear errors with exit codes."""

import xarray as xr


def test_run_epstein_writes_file_and_prints_summary(run_cli, tmp_path):
    result = run_cli("run", "epstein", "--set", "legitimacy=0.82", "--steps", "80", "--seed", "1",
                     "--threads", "2", "-o", "run.h5")
    assert result.returncode == 0, result.stderr
    assert "run file   run.h5" in result.stdout
    assert "outbursts" in result.stdout
    ds = xr.open_dataset(tmp_path / "run.h5", engine="h5netcdf")
    assert ds.sizes["step"] == 81
    assert ds.attrs["legitimacy"] == 0.82 and ds.attrs["threads"] == 2


def test_run_without_output_writes_into_runs_directory(run_cli, tmp_path):
    result = run_cli("run", "epstein", "--steps", "5")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "runs" / "epstein-seed1.h5").exists()


def test_help_documents_every_command(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ["run", "models", "params"]:
        assert command in result.stdout
    run_help = run_cli("run", "--help").stdout
    for option in ["--set", "--steps", "--seed", "--threads", "--output", "--snapshot-every"]:
        assert option in run_help


def test_params_lists_units_defaults_and_ranges(run_cli):
    result = run_cli("params", "epstein")
    assert result.returncode == 0
    assert "legitimacy = 0.82  [1]  a real number in [0, 1]" in result.stdout


def test_unknown_parameter_exits_2_naming_it(run_cli):
    result = run_cli("run", "epstein", "--set", "legitimcy=0.8", "--steps", "1")
    assert result.returncode == 2
    assert "unknown parameter 'legitimcy'" in result.stderr


def test_out_of_range_value_exits_2_with_allowed_range(run_cli):
    result = run_cli("run", "epstein", "--set", "legitimacy=2", "--steps", "1")
    assert result.returncode == 2
    assert "'legitimacy' = 2 is not allowed: expected a real number in [0, 1]" in result.stderr


def test_malformed_set_exits_2(run_cli):
    result = run_cli("run", "--set", "legitimacy", "--steps", "1")
    assert result.returncode == 2
    assert "expected NAME=VALUE" in result.stderr


def test_unknown_scenario_or_model_exits_2(run_cli):
    result = run_cli("run", "nosuchmodel", "--steps", "1")
    assert result.returncode == 2
    assert "unknown scenario 'nosuchmodel'" in result.stderr
    assert "epstein" in result.stderr  # the models it could also have been


def test_negative_steps_exit_2(run_cli):
    result = run_cli("run", "--steps", "-3")
    assert result.returncode == 2


def test_unwritable_output_exits_3(run_cli):
    result = run_cli("run", "--steps", "1", "-o", "/nonexistent-dir/run.h5")
    assert result.returncode == 3
    assert "/nonexistent-dir" in result.stderr
