"""Interrupted runs: Ctrl-C stops cleanly, and a killed run leaves a readable file marked
incomplete that holds the steps flushed before the kill (HDF5 SWMR)."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import h5py
import pytest

import sahelsim

LONG_RUN = textwrap.dedent(
    """
    import sys, sahelsim
    model = sahelsim.Model("epstein", seed=1, width=200, height=200, activation="synchronous")
    print("started", flush=True)
    try:
        model.run(10**7, sys.argv[1])
    except KeyboardInterrupt:
        print("interrupted at", model.current_step, flush=True)
        sys.exit(130)
    """
)


def _start_long_run(path):
    process = subprocess.Popen([sys.executable, "-c", LONG_RUN, str(path)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "started"
    return process


def _wait_for_steps(path, minimum, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with h5py.File(path, "r", swmr=True) as f:
                if f["step"].shape[0] >= minimum:
                    return f["step"].shape[0]
        except (OSError, KeyError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"run file {path} did not reach {minimum} steps in {timeout} s")


def test_ctrl_c_raises_keyboard_interrupt_and_marks_file_incomplete(tmp_path):
    path = tmp_path / "run.h5"
    process = _start_long_run(path)
    _wait_for_steps(path, 100)
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 130, out
    assert "interrupted at" in out
    with pytest.warns(sahelsim.IncompleteRunWarning, match="incomplete"):
        ds = sahelsim.open_run(path)
    assert ds.attrs["run_status"] == "incomplete"
    assert "KeyboardInterrupt" in ds.attrs["run_status_reason"] or "interrupt" in ds.attrs["run_status_reason"]
    assert ds.sizes["step"] >= 100


def test_killed_run_leaves_readable_incomplete_file_with_flushed_steps(tmp_path):
    path = tmp_path / "run.h5"
    process = _start_long_run(path)
    seen = _wait_for_steps(path, 200)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with pytest.warns(sahelsim.IncompleteRunWarning):
        ds = sahelsim.open_run(path)
    assert ds.attrs["run_status"] == "incomplete"
    assert ds.sizes["step"] >= seen
    steps = ds["step"].values
    assert list(steps) == list(range(len(steps)))
    assert (ds["quiet"] + ds["active"] + ds["jailed"] == ds["quiet"][0]).all()


def test_live_reader_sees_a_run_while_it_is_written(tmp_path):
    path = tmp_path / "run.h5"
    process = _start_long_run(path)
    try:
        _wait_for_steps(path, 64)
        first = sahelsim.open_run(path, live=True).sizes["step"]
        _wait_for_steps(path, first + 64)
        second = sahelsim.open_run(path, live=True).sizes["step"]
        assert second > first
    finally:
        process.kill()
        process.wait()


# Reads the run file at argv[1] with open_run(live=True) every 0.1 s until it has been complete for
# five reads.
LIVE_READER = """
import sys, time, warnings
import sahelsim
warnings.simplefilter("ignore")
status, complete_reads, deadline = "", 0, time.monotonic() + 100
while complete_reads < 5 and time.monotonic() < deadline:
    try:
        ds = sahelsim.open_run(sys.argv[1], live=True)
    except OSError:  # not created yet, or its header not written yet
        time.sleep(0.01)
        continue
    status = ds.attrs.get("run_status")
    complete_reads += status == "complete"
    ds.close()
    time.sleep(0.1)  # as a monitor polls
print(status)
"""


def test_a_live_reader_reading_over_and_over_survives_the_end_of_the_run(sahelsim_command, tmp_path):
    """The writer marks a finished run complete by reopening the closed file; it did so at once, under
    a live reader's feet, and the reader's process died in HDF5 (double free) when it closed the file.
    It now waits for live readers to close it (open_run(live=True) reads and closes at once)."""
    path = tmp_path / "run.h5"
    writer = subprocess.Popen(sahelsim_command + ["run", "siege-classroom", "--days", "7000", "--snapshot-every",
                                                  "30", "--threads", "1", "-o", str(path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    reader = subprocess.Popen([sys.executable, "-c", LIVE_READER, str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    out, err = reader.communicate(timeout=150)
    assert writer.wait(timeout=150) == 0, writer.stderr.read()
    assert reader.returncode == 0, err
    assert out.strip() == "complete"
