"""`sahelsim sweep SPEC`: a TOML spec run into its directory, resumed when run again; bad specs exit with
2 naming the field, failed runs with 1, an unwritable directory with 3, Ctrl-C with 130 (docs/SWEEPS.md)."""

import os
import signal
import subprocess
import time

import h5py
import pytest

from sahelsim.sweep import open_sweep
from sahelsim.sweep_spec import load_spec

SPEC = """\
[sweep]
model = "epstein"
design = "factorial"
replicates = 2
seed = 7
steps = 20
outputs = ["active", "jailed"]
output = "out"

[parameters]
legitimacy = { levels = [0.75, 0.85] }
topology = "bounded"
"""


def _write(tmp_path, text, name="spec.toml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def test_sweep_runs_a_spec_and_resumes_when_run_again(run_cli, tmp_path):
    spec = _write(tmp_path, SPEC)
    first = run_cli("sweep", spec)
    assert first.returncode == 0, first.stderr
    assert "4 runs, 4 done (0 already), 0 failed" in first.stdout
    ds = open_sweep(tmp_path / "out")
    assert ds["legitimacy"].values.tolist() == [0.75, 0.75, 0.85, 0.85]
    assert list(ds["topology"].values) == ["bounded"] * 4
    assert sorted(v for v in ds.data_vars if ds[v].dims == ("run", "step")) == ["active", "jailed"]
    again = run_cli("sweep", spec)
    assert again.returncode == 0, again.stderr
    assert "4 done (4 already)" in again.stdout and "0 executed" in again.stdout


def test_sweep_output_option_and_no_resume(run_cli, tmp_path):
    spec = _write(tmp_path, SPEC)
    assert run_cli("sweep", spec, "-o", "elsewhere", "--workers", "1").returncode == 0
    result = run_cli("sweep", spec, "-o", "elsewhere", "--no-resume")
    assert result.returncode == 0, result.stderr
    assert "4 done (0 already)" in result.stdout
    assert not (tmp_path / "out").exists()


def test_sweep_dry_run_lists_the_runs_and_runs_nothing(run_cli, tmp_path):
    result = run_cli("sweep", _write(tmp_path, SPEC), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "runs=4" in result.stdout and "seed" in result.stdout and "legitimacy" in result.stdout
    assert not (tmp_path / "out").exists()


def test_a_scenario_spec_file_relative_to_the_spec(tmp_path):
    (tmp_path / "specs").mkdir()
    _write(tmp_path, '[sweep]\nscenario = "siege-classroom"\nreplicates = 3\n[parameters]\n'
                     'escort_detachments = { levels = [1, 2] }\n', name="specs/sahel.toml")
    spec = load_spec(tmp_path / "specs" / "sahel.toml")
    assert spec.sweep.scenario == "siege-classroom" and len(spec.sweep) == 6
    assert spec.output.endswith("sweeps/sahel")


def test_sweep_with_failed_runs_exits_1_and_lists_them(run_cli, tmp_path):
    spec = _write(tmp_path, SPEC.replace('topology = "bounded"', "citizen_density = { levels = [0.7, 0.97] }"))
    result = run_cli("sweep", spec)
    assert result.returncode == 1, result.stderr
    assert "4 failed" in result.stdout
    assert "must sum to at most 1" in result.stdout


@pytest.mark.parametrize("change, field", [
    (('design = "factorial"', 'design = "sobel"'), "[sweep] design = 'sobel' is not allowed"),
    (('seed = 7', 'seed = "seven"'), "[sweep] seed = 'seven' is not allowed: expected an integer >= 0"),
    (('steps = 20', 'steps = 0'), "[sweep] steps = 0 is not allowed"),
    (('steps = 20', 'step = 20'), "[sweep] unknown key 'step'"),
    (('topology = "bounded"', 'topologie = "bounded"'), "[parameters] unknown parameter 'topologie'"),
    (('topology = "bounded"', 'legitimacy_x = [0.1, 0.2]'), "unknown parameter 'legitimacy_x'"),
    (('topology = "bounded"', 'cop_density = [0.1, 0.2, 0.3]'), "[parameters] cop_density = [0.1, 0.2, 0.3] is "
                                                                 "not allowed: expected [low, high]"),
    (('topology = "bounded"', 'cop_density = [0.1, 1.5]'), "parameter 'cop_density': range high end 1.5"),
    (('model = "epstein"', 'model = "epstien"'), "[sweep] model = 'epstien' is not allowed"),
    (('outputs = ["active", "jailed"]', 'outputs = ["activ"]'), "unknown series 'activ'"),
    (('[sweep]', '[sweeps]'), "unknown section or key 'sweeps'"),
    (('seed = 7', 'seed = = 7'), "not valid TOML"),
    (('topology = "bounded"', 'topology = ' + '[' * 5000 + ']' * 5000), "nested too deeply"),
    (('replicates = 2', 'replicates = 1000000000000'), "[sweep] replicates = 1000000000000 is not allowed"),
    (('replicates = 2', 'threads_per_run = 100000'), "[sweep] threads_per_run = 100000 is not allowed: expected "
                                                     "an integer in [1, 1024]"),
    (('legitimacy = { levels = [0.75, 0.85] }', 'legitimacy = { levels = [0.75, 0.85] }\nk = { levels = ' +
      str([i / 10 for i in range(1000)]) + ' }\nthreshold = { levels = ' + str([i / 1000 for i in range(1000)]) + ' }'),
     "2,000,000 design points x 2 replicates = 4,000,000 runs; a sweep may hold at most 1,000,000"),
])
def test_bad_spec_exits_2_naming_the_field(run_cli, tmp_path, change, field):
    spec = _write(tmp_path, SPEC.replace(*change))
    result = run_cli("sweep", spec)
    assert result.returncode == 2, result.stdout + result.stderr
    assert field in result.stderr
    assert "spec.toml" in result.stderr


def test_a_spec_that_is_not_utf8_or_a_directory_exits_2_naming_it(run_cli, tmp_path):
    (tmp_path / "latin1.toml").write_bytes(SPEC.replace("epstein", "epste\xefn").encode("latin-1"))
    (tmp_path / "specs").mkdir()
    for spec, problem in [("latin1.toml", "latin1.toml: not UTF-8 text"), ("specs", "specs: is a directory")]:
        result = run_cli("sweep", spec, "--dry-run")
        assert result.returncode == 2, result.stdout + result.stderr
        assert problem in result.stderr


def test_an_empty_sweep_directory_exits_2(run_cli, tmp_path):
    spec = _write(tmp_path, SPEC)
    result = run_cli("sweep", spec, "-o", "")
    assert result.returncode == 2 and "the sweep directory name (-o) is empty" in result.stderr
    spec = _write(tmp_path, SPEC.replace('output = "out"', 'output = ""'), name="empty.toml")
    result = run_cli("sweep", spec)
    assert result.returncode == 2 and "[sweep] output = '' is not allowed" in result.stderr
    assert not (tmp_path / "index.csv").exists() and not (tmp_path / "runs").exists()


def test_missing_spec_exits_2(run_cli):
    result = run_cli("sweep", "nowhere.toml")
    assert result.returncode == 2 and "no such sweep spec file" in result.stderr


def test_unwritable_sweep_directory_exits_3(run_cli, tmp_path):
    (tmp_path / "a-file").write_text("")
    result = run_cli("sweep", _write(tmp_path, SPEC), "-o", "a-file/out")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "a-file" in result.stderr


def test_a_directory_holding_another_sweep_exits_2(run_cli, tmp_path):
    assert run_cli("sweep", _write(tmp_path, SPEC)).returncode == 0
    result = run_cli("sweep", _write(tmp_path, SPEC.replace("replicates = 2", "replicates = 3")))
    assert result.returncode == 2
    assert "holds another sweep (it differs in: replicates)" in result.stderr


def test_missing_scheduler_file_exits_2(run_cli, tmp_path):
    result = run_cli("sweep", _write(tmp_path, SPEC), "--scheduler-file", "nowhere.json")
    assert result.returncode == 2 and "--scheduler-file 'nowhere.json' does not exist" in result.stderr
    result = run_cli("sweep", _write(tmp_path, SPEC), "--scheduler", "tcp://127.0.0.1:1", "--workers", "2")
    assert result.returncode == 2 and "--workers sets the local process pool" in result.stderr


# Four runs of a 200x200 lattice, 2 workers: each run takes about a second, so Ctrl-C finds them running.
SLOW_SPEC = SPEC.replace("steps = 20", "steps = 400").replace('topology = "bounded"', "width = 200\nheight = 200")


def _ctrl_c_of_a_sweep(sahelsim_command, tmp_path, ready):
    """Starts `sahelsim sweep` in its own process group, waits until ready(tmp_path), then sends SIGINT to
    the whole group, as Ctrl-C in a terminal does (the spawned workers included)."""
    spec = _write(tmp_path, SLOW_SPEC)
    process = subprocess.Popen(sahelsim_command + ["sweep", spec, "--workers", "2"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not ready(tmp_path) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    assert ready(tmp_path), "the sweep did not get ready in 60 s"
    os.killpg(process.pid, signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return process.returncode, err, process.pid


def _group_ends(process_group, seconds=20.0):
    """True once no process of the group is left (the sweep's workers did not outlive it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(process_group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_ctrl_c_while_the_workers_start_exits_130_without_their_tracebacks(sahelsim_command, tmp_path):
    """Ctrl-C right after the sweep wrote its index, while the spawned workers import sahelsim: they
    printed one KeyboardInterrupt traceback each; now only the sweep's process sees the signal."""
    returncode, err, group = _ctrl_c_of_a_sweep(sahelsim_command, tmp_path,
                                                lambda directory: (directory / "out" / "index.csv").exists())
    assert returncode == 130, err
    assert "Traceback" not in err, err
    assert "interrupted" in err
    assert _group_ends(group), "worker processes outlived the interrupted sweep"


def test_ctrl_c_of_running_runs_marks_them_incomplete_and_the_sweep_resumes(sahelsim_command, run_cli, tmp_path):
    def running(directory):
        return any((directory / "out" / "runs").glob("run-*.h5")) if (directory / "out" / "runs").is_dir() else False

    returncode, err, group = _ctrl_c_of_a_sweep(sahelsim_command, tmp_path, running)
    assert returncode == 130, err
    assert "Traceback" not in err, err
    assert _group_ends(group), "worker processes outlived the interrupted sweep"
    statuses = []
    for path in sorted((tmp_path / "out" / "runs").glob("run-*.h5")):
        with h5py.File(path, "r") as f:
            statuses.append(f.attrs["run_status"].decode() if isinstance(f.attrs["run_status"], bytes)
                            else str(f.attrs["run_status"]))
    assert "incomplete" in statuses, statuses
    resumed = run_cli("sweep", "spec.toml")
    assert resumed.returncode == 0, resumed.stderr
    assert "4 runs, 4 done" in resumed.stdout and "0 failed" in resumed.stdout
