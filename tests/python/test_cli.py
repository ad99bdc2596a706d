"""The `sahelsim` command line: runs, summaries, help and clear errors with exit codes."""

import os
import resource
import signal
import subprocess
import sys
import time

import pytest
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


@pytest.mark.parametrize("make, kind", [
    (lambda path: path.mkdir(), "a directory"),
    (lambda path: os.mkfifo(path), "a named pipe"),  # a device such as /dev/null is refused the same way
])
def test_an_output_that_is_not_a_regular_file_exits_3_and_is_kept(run_cli, tmp_path, make, kind):
    make(tmp_path / "out.h5")
    for command in (["run", "epstein", "--steps", "2"], ["run", "siege-classroom", "--days", "2"]):
        result = run_cli(*command, "-o", "out.h5")
        assert result.returncode == 3, result.stderr
        assert f"cannot write run file 'out.h5': it is {kind}, not a regular file" in result.stderr
    assert not (tmp_path / "out.h5").is_file()
    assert not (tmp_path / "out.h5.part").exists()


def test_a_link_to_a_run_file_is_written_through(run_cli, tmp_path):
    (tmp_path / "target.h5").write_text("old")
    (tmp_path / "link.h5").symlink_to("target.h5")
    result = run_cli("run", "epstein", "--steps", "2", "-o", "link.h5")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "link.h5").is_symlink()
    assert xr.open_dataset(tmp_path / "target.h5", engine="h5netcdf").attrs["run_status"] == "complete"


def test_an_empty_output_name_exits_2(run_cli):
    for command in (["run", "epstein", "--steps", "2"], ["run", "siege-classroom", "--days", "2"]):
        result = run_cli(*command, "-o", "")
        assert result.returncode == 2, result.stderr
        assert "the run file name is empty" in result.stderr


@pytest.mark.parametrize("options, message", [
    (["--summary-json", "s.h5"], "--summary-json 's.h5' is the same file as -o 's.h5'"),
    (["--checkpoint-every", "1", "--checkpoint", "./s.h5"], "--checkpoint './s.h5' is the same file as -o 's.h5'"),
])
def test_two_outputs_naming_one_file_exit_2_before_anything_is_written(run_cli, tmp_path, options, message):
    result = run_cli("run", "siege-classroom", "--days", "2", "-o", "s.h5", *options)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert not (tmp_path / "s.h5").exists()


@pytest.mark.parametrize("option, value, message", [
    ("--steps", str(2**63), "--steps 9223372036854775808 is not allowed: expected an integer in [0, 2**63 - 1]"),
    ("--threads", str(2**32), "--threads 4294967296 is not allowed: expected an integer in [1, 1024]"),
    ("--snapshot-every", str(2**64), "out of range"),
    ("--checkpoint-every", str(2**63), "expected an integer in [0, 2**63 - 1]"),
    ("--seed", str(2**64), "out of range"),
])
def test_integers_beyond_64_bits_exit_2(run_cli, option, value, message):
    result = run_cli("run", "epstein", option, value, "-o", "x.h5")
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_output_cut_short_by_its_reader_ends_quietly(sahelsim_command):
    with subprocess.Popen(sahelsim_command + ["params"], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        process.stdout.readline()
        process.stdout.close()  # as `sahelsim params | head -1` does
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0
    assert "Broken pipe" not in stderr and "Traceback" not in stderr


def test_a_model_larger_than_the_memory_allowed_exits_2_saying_so(run_cli):
    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    result = run_cli("run", "epstein", "--set", "width=32768", "--set", "height=32768", "--steps", "1",
                     "-o", "big.h5", preexec_fn=limit_memory)
    assert result.returncode == 2, result.stderr
    assert "out of memory" in result.stderr and "Traceback" not in result.stderr


def test_an_argument_that_is_not_utf8_exits_2(sahelsim_command, tmp_path):
    # Linux file names may hold any bytes; sahelsim's names and paths are UTF-8 text.
    result = subprocess.run(sahelsim_command + ["run", "epstein", "--steps", "2", "-o", b"r\xff.h5"],
                            capture_output=True, cwd=tmp_path, timeout=60)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, stderr
    assert "is not valid UTF-8" in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6])
def test_ctrl_c_while_the_command_starts_exits_130_without_a_traceback(sahelsim_command, tmp_path, delay):
    """Ctrl-C while Python loads sahelsim (about half a second: NumPy, pandas, xarray, the C++ module)
    printed a traceback of the imports; the console script now loads the command line inside a handler
    (sahelsim/__main__.py). At 0.0 the signal may come before Python handles it: killed by SIGINT."""
    process = subprocess.Popen(sahelsim_command + ["run", "epstein", "--steps", "1000000", "-o", "r.h5"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode in (130, -signal.SIGINT), err
    assert "Traceback" not in err, err


def test_python_m_sahelsim_is_the_command_line():
    result = subprocess.run([sys.executable, "-m", "sahelsim", "--version"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sahelsim ")
