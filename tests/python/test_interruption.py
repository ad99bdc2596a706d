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
