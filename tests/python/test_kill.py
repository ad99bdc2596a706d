"""Crash safety: a CLI run killed with SIGKILL at any moment leaves either no run file (killed before
the file was created) or a run file that opens (`sahelsim.open_run`, with an IncompleteRunWarning), is
marked incomplete (`run_status != "complete"`), and holds, along each record dimension (`step`, and for
the Sahel model `snapshot` and `event`), a prefix 0..k whose values equal those of an uninterrupted
run, including every record a reader saw flushed just before the kill. A kill that comes after the run
ended finds the complete file.

The kill moments are seeded and spread over the time in which a reader saw a timed reference run's
records grow (one in each of N equal slices, timed from the moment the run's file appears, so that a
slow start-up on a loaded machine does not push them all before the first step), plus kills at once
and during start-up, one before the first records and one between the last records and the exit:
22 for Epstein, 10 for the Sahel model.
Ctrl-C (SIGINT) in Python and one SIGKILL of a Python run are in test_interruption.py; Ctrl-C in the
CLI (exit 130) is the last test of this file. docs/RELIABILITY.md lists every promise and its test.
"""

import os
import random
import shutil
import signal
import subprocess
import time
import warnings

import h5py
import pytest

import sahelsim
from run_file_checks import assert_records_are_a_prefix
from sahelsim.cli import command_line as _command  # the installed console script

SEED = 20261126

# Epstein on a 200x200 lattice: about 1.5 s of stepping on one core (records are written in blocks).
EPSTEIN_STEPS = 400
EPSTEIN = ["epstein", "--steps", str(EPSTEIN_STEPS), "--seed", "1", "--set", "width=200", "--set", "height=200"]
# The default scenario, its whole period (184 days), a snapshot every 5 days: about 1.7 s.
SAHEL_DAYS = 184
SAHEL = ["mali-2025", "--seed", "1", "--snapshot-every", "5"]




class OpenRunFailed(AssertionError):
    """sahelsim.open_run could not open a killed run's file (the other checks passed)."""


def _readable_copy(path, directory):
    """`path` if HDF5 opens it as an SWMR reader; else (a writer killed before it started SWMR
    writing) a copy cleared with `h5clear -s`, or None if h5clear is not installed."""
    try:
        with h5py.File(path, "r", swmr=True):
            return path
    except OSError as error:
        if "file signature not found" in str(error):
            return None  # killed before HDF5 wrote its superblock: nothing to read (open_run fails too)
        if "not already open for SWMR writing" not in str(error):
            raise
        if not shutil.which("h5clear"):
            return None
    copy = directory / f"cleared-{os.path.basename(path)}"
    shutil.copy(path, copy)
    subprocess.run(["h5clear", "-s", str(copy)], check=True, capture_output=True)
    return copy


def _steps_seen(path) -> int:
    """The steps a SWMR reader sees in the file right now (0 if it does not exist or cannot be read yet)."""
    try:
        with h5py.File(path, "r", swmr=True) as f:
            return int(f["step"].shape[0])
    except (OSError, KeyError):
        return 0


def _wait_for_file(path, process, timeout=120.0) -> bool:
    """Waits until `path` exists (the writer publishes it when its header is complete, just before
    step 0 is recorded) or the process ended; True if it exists."""
    deadline = time.monotonic() + timeout
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    return path.exists()


def _run_reference(args, directory):
    """The uninterrupted run, and when a SWMR reader saw its records, in seconds after its file
    appeared: (first, last, end) = the first records, the last ones (the run's whole length), and the
    process's exit (after writing the file's final attributes and closing it). Records are flushed in
    blocks, so kills land mid-run (some records, not all) only between `first` and `last`; the
    start-up before the file (imports, the map build) and the exit after the last records vary most
    with the machine's load."""
    path = directory / "reference.h5"
    process = subprocess.Popen(_command() + ["run", *args, "--threads", "1", "-o", str(path)],
                               stdout=subprocess.DEVNULL)
    assert _wait_for_file(path, process), "the reference run wrote no file"
    appeared = time.monotonic()
    first = last = None
    previous = 0
    while process.poll() is None:
        seen = _steps_seen(path)  # 0 also while the writer is closing the file
        if seen > previous:
            now = time.monotonic() - appeared
            first = now if first is None else first
            last, previous = now, seen
        time.sleep(0.01)  # more often slows the run it times
    assert process.wait(timeout=120) == 0
    end = time.monotonic() - appeared
    with warnings.catch_warnings():
        warnings.simplefilter("error", sahelsim.IncompleteRunWarning)
        assert sahelsim.open_run(path).attrs["run_status"] == "complete"
    assert first is not None and last > first, f"a reader saw no records grow while the reference ran: {first}, {last}"
    return path, (first, last, end)


def _kill_delays(timing, kill_points, seed):
    """(after the file appeared?, delay): two kills at start-up, timed from the process's start (at
    once, and a random moment in its first 0.3 s, before the file exists); then, timed from the file's
    appearance, one before the first records, one in each of `kill_points - 2` equal slices of the
    reference's records (first to last), and one between its last records and its exit."""
    first, last, end = timing
    rng = random.Random(seed)
    slices = kill_points - 2
    stratified = [(True, first + (last - first) * (i + rng.random()) / slices) for i in range(slices)]
    return ([(False, 0.0), (False, 0.3 * rng.random()), (True, first * rng.random())] + stratified
            + [(True, last + (end - last) * rng.random())])


def _kill_campaign(args, total_steps, kill_points, seed, directory):
    reference, timing = _run_reference(args, directory)
    outcomes, open_failures = [], []
    with h5py.File(reference, "r") as ref:
        for index, (after_file, delay) in enumerate(_kill_delays(timing, kill_points, seed)):
            path = directory / f"killed-{index}.h5"
            process = subprocess.Popen(_command() + ["run", *args, "--threads", "1", "-o", str(path)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=directory)
            if after_file:
                _wait_for_file(path, process)
            time.sleep(delay)
            seen = _steps_seen(path)  # flushed before the kill: the killed file must still hold them
            finished_first = process.poll() is not None
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            anchor = "after the file appeared" if after_file else "after the start"
            where = (f"kill {index} at {delay:.3f} s {anchor} (the reference's records from {timing[0]:.3f} to "
                     f"{timing[1]:.3f} s, its exit at {timing[2]:.3f} s; a reader saw {seen} steps)")

            if not path.exists():
                assert seen == 0, where
                outcomes.append(("no file", delay, 0))
                continue
            # It opens, with the warning of a file not marked complete unless the run had ended.
            # A failure of open_run is collected (and raised at the end as OpenRunFailed) so that the
            # other promises are still checked, on the file as HDF5 sees it.
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    ds = sahelsim.open_run(path)
                incomplete_warning = any(issubclass(w.category, sahelsim.IncompleteRunWarning) for w in caught)
                ds.close()
            except Exception as error:  # noqa: BLE001 - any failure to open is a broken promise
                open_failures.append(f"{where}: open_run raised {type(error).__name__}: {str(error)[:160]}")
                incomplete_warning = None  # unknown

            readable = _readable_copy(path, directory)
            if readable is None:
                assert open_failures and open_failures[-1].startswith(where), f"{where}: unreadable, yet open_run opened it"
                outcomes.append((f"unreadable ({path.stat().st_size} bytes)", delay, 0))
                continue
            with h5py.File(readable, "r", swmr=True) as f:
                status = f.attrs.get("run_status", b"missing")
                status = status.decode() if isinstance(status, bytes) else str(status)
                steps_kept = assert_records_are_a_prefix(f, ref, where)
                assert steps_kept >= seen, f"{where}: the file holds {steps_kept} steps, fewer than the {seen} seen"

            if finished_first or status == "complete":
                assert status == "complete" and steps_kept == total_steps + 1 and incomplete_warning is not True, where
                outcomes.append(("complete", delay, steps_kept))
            else:
                assert status != "complete", where
                assert incomplete_warning is not False, f"{where}: no IncompleteRunWarning"
                outcomes.append(("incomplete", delay, steps_kept))

    summary = "\n".join(f"{kind:24} {delay:6.3f} s {steps:4d} steps" for kind, delay, steps in outcomes)
    print(summary)
    mid_run = [o for o in outcomes if o[0] == "incomplete" and 0 < o[2] < total_steps + 1]
    # Not vacuous: most kills land mid-run, with steps already written, at several points of the run.
    assert len(outcomes) == kill_points + 2
    assert len(mid_run) >= kill_points // 3, f"too few kills landed mid-run:\n{summary}"
    assert len({o[2] for o in mid_run}) >= 2, f"kills did not spread over the run:\n{summary}"
    if open_failures:
        raise OpenRunFailed(f"{len(open_failures)} of {len(outcomes)} killed run files do not open:\n"
                            + "\n".join(open_failures))
    return outcomes


def test_sigkill_of_epstein_run_at_22_moments(tmp_path):
    _kill_campaign(EPSTEIN, EPSTEIN_STEPS, kill_points=20, seed=SEED, directory=tmp_path)


def test_sigkill_of_sahel_run_at_10_moments(tmp_path):
    _kill_campaign(SAHEL, SAHEL_DAYS, kill_points=8, seed=SEED + 1, directory=tmp_path)


def test_ctrl_c_in_the_cli_exits_130_and_marks_the_file_incomplete(tmp_path):
    """SIGINT (Ctrl-C) of `sahelsim run`: exit code 130, the file kept, marked incomplete, the steps
    written so far intact (the Python API's Ctrl-C is in test_interruption.py)."""
    path = tmp_path / "interrupted.h5"
    args = ["epstein", "--steps", "100000", "--seed", "1", "--set", "width=200", "--set", "height=200"]
    process = subprocess.Popen(_command() + ["run", *args, "--threads", "1", "-o", str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while _steps_seen(path) < 64 and time.monotonic() < deadline:
        time.sleep(0.05)
    seen = _steps_seen(path)
    assert seen >= 64, "the run wrote no steps in 60 s"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err, err
    with pytest.warns(sahelsim.IncompleteRunWarning):
        ds = sahelsim.open_run(path)
    assert ds.attrs["run_status"] == "incomplete"
    assert ds.sizes["step"] >= seen
    assert list(ds["step"].values) == list(range(ds.sizes["step"]))
