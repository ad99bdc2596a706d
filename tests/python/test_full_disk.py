"""A full disk: the run stops with a clear error (exit 3) and leaves a run file that opens, is marked
incomplete with the reason, and holds a prefix of the uninterrupted run's records; never a crash and
never a file that looks complete.

Each case runs `sahelsim run` on a small tmpfs mounted in a private mount namespace (`unshare -rm`),
so the disk really fills up (ENOSPC). The run files are copied out of the namespace and checked
outside it. The writer keeps 2 MiB in PATH.reserve while it writes and stops before a write that the
free space could not hold (RunFileWriter, docs/RELIABILITY.md "Full disk").
"""

import shlex
import shutil
import subprocess
import warnings

import h5py
import pytest

import sahelsim
from run_file_checks import assert_records_are_a_prefix

EPSTEIN = ["epstein", "--steps", "200", "--set", "width=200", "--set", "height=200", "--snapshot-every", "1"]
SAHEL = ["mali-2025", "--days", "60", "--snapshot-every", "1"]


def _namespaces_available() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _namespaces_available(), reason="needs `unshare -rm` (mount namespaces) to make a small file system")


def _run_on_small_disk(sahelsim_command, tmp_path, size, runs):
    """Mounts a tmpfs of `size` at tmp_path/disk and runs each `runs` argument list there (at the same
    time when there are several); returns {name: (exit code, stderr, copied file or None)} and the
    names of the files the disk held afterwards."""
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    lines = [f"mount -t tmpfs -o size={size} none {shlex.quote(str(disk))} || exit 97"]
    for name, args in runs.items():
        command = sahelsim_command + ["run", *args, "--threads", "1", "-o", str(disk / f"{name}.h5")]
        lines.append(
            f"( {shlex.join(command)} >/dev/null 2>{shlex.quote(str(out / (name + '.err')))}; "
            f"echo $? >{shlex.quote(str(out / (name + '.rc')))} ) &"
        )
    lines += ["wait", f"ls -A {shlex.quote(str(disk))} >{shlex.quote(str(out / 'listing'))}",
              f"cp -p {shlex.quote(str(disk))}/*.h5 {shlex.quote(str(out))}/ 2>/dev/null; exit 0"]
    done = subprocess.run(["unshare", "-rm", "sh", "-c", "\n".join(lines)], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert done.returncode == 0, f"could not set up the small file system: {done.stderr}"
    results = {}
    for name in runs:
        copied = out / f"{name}.h5"
        results[name] = (int((out / f"{name}.rc").read_text()), (out / f"{name}.err").read_text(),
                         copied if copied.exists() else None)
    return results, (out / "listing").read_text().split()


def _reference(sahelsim_command, tmp_path, args):
    path = tmp_path / "reference.h5"
    subprocess.run(sahelsim_command + ["run", *args, "--threads", "1", "-o", str(path)], check=True,
                   capture_output=True, timeout=300)
    return path


def _check_stopped_run(code, stderr, path, reference, name):
    assert code == 3, f"{name}: exit {code} (a negative code is a signal), stderr:\n{stderr}"
    assert "Traceback" not in stderr, stderr
    assert "No space left on device" in stderr and f"{name}.h5" in stderr, stderr
    if path is None:
        return 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sahelsim.IncompleteRunWarning)
        dataset = sahelsim.open_run(path)
    assert dataset.attrs["run_status"] == "incomplete", f"{name}: a stopped run looks complete"
    assert "No space left on device" in dataset.attrs["run_status_reason"], dataset.attrs["run_status_reason"]
    steps = int(dataset.sizes["step"])
    with h5py.File(path, "r") as stopped, h5py.File(reference, "r") as full:
        assert assert_records_are_a_prefix(stopped, full, name) == steps, name
    return steps


def test_disk_too_small_for_the_reserve_fails_before_running(sahelsim_command, tmp_path):
    results, listing = _run_on_small_disk(sahelsim_command, tmp_path, "1m", {"run": EPSTEIN})
    code, stderr, path = results["run"]
    assert code == 3 and "No space left on device" in stderr and "run.h5" in stderr, stderr
    assert path is None and listing == [], f"left behind: {listing}"


def test_disk_full_while_writing_the_header(sahelsim_command, tmp_path):
    results, listing = _run_on_small_disk(sahelsim_command, tmp_path, "2200k", {"run": EPSTEIN})
    code, stderr, path = results["run"]
    _check_stopped_run(code, stderr, path, _reference(sahelsim_command, tmp_path, EPSTEIN), "run")
    assert listing in ([], ["run.h5"]), f"left behind: {listing}"


def test_disk_full_during_an_epstein_run(sahelsim_command, tmp_path):
    results, listing = _run_on_small_disk(sahelsim_command, tmp_path, "6m", {"run": EPSTEIN})
    code, stderr, path = results["run"]
    steps = _check_stopped_run(code, stderr, path, _reference(sahelsim_command, tmp_path, EPSTEIN), "run")
    assert 0 < steps < 201, f"the disk should fill part-way, not at {steps} records"
    assert listing == ["run.h5"], f"left behind: {listing}"


def test_disk_full_during_a_sahel_run(sahelsim_command, tmp_path):
    results, listing = _run_on_small_disk(sahelsim_command, tmp_path, "6m", {"run": SAHEL})
    code, stderr, path = results["run"]
    steps = _check_stopped_run(code, stderr, path, _reference(sahelsim_command, tmp_path, SAHEL), "run")
    assert steps > 0, "the step records written before the disk filled up were lost"
    assert listing == ["run.h5"], f"left behind: {listing}"


def test_four_runs_filling_one_disk_together(sahelsim_command, tmp_path):
    runs = {f"run{seed}": EPSTEIN[:-2] + ["--snapshot-every", "1", "--seed", str(seed)] for seed in (1, 2, 3, 4)}
    results, listing = _run_on_small_disk(sahelsim_command, tmp_path, "12m", runs)
    stopped = 0
    for name, (code, stderr, path) in results.items():
        if code == 0:
            with h5py.File(path, "r") as f:
                assert f.attrs["run_status"] in (b"complete", "complete")
            continue
        stopped += 1
        (tmp_path / name).mkdir()
        _check_stopped_run(code, stderr, path, _reference(sahelsim_command, tmp_path / name, runs[name]), name)
    assert stopped >= 1, "12 MiB should not hold four runs with snapshots"
    assert sorted(listing) == sorted(f"{name}.h5" for name in runs), f"left behind: {listing}"
