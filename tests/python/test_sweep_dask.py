"""Sweeps on a real Dask cluster: a scheduler and two workers started as separate processes with Dask's
command-line tools, on loopback. A worker killed mid-sweep (SIGKILL) loses no run: the scheduler runs
its tasks again on the other worker, and the dataset is the one a serial run of the sweep gives."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import xarray as xr

distributed = pytest.importorskip("distributed")

from sahelsim.sweep import Sweep, open_sweep, run_file_complete  # noqa: E402


def _dask_command():
    candidate = os.path.join(os.path.dirname(sys.executable), "dask")
    return [candidate] if os.path.exists(candidate) else [sys.executable, "-m", "dask"]


def _stop(process):
    """Ends a process this test started (SIGTERM, then SIGKILL)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    directory = tmp_path_factory.mktemp("dask")
    scheduler_file = directory / "scheduler.json"
    log = open(directory / "scheduler.log", "w")
    process = subprocess.Popen(
        _dask_command() + ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                           "--scheduler-file", str(scheduler_file)],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            assert process.poll() is None, (directory / "scheduler.log").read_text()
            assert time.time() < deadline, "the dask scheduler did not start in 60 s"
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written in one go, but give the scheduler a moment to listen
        yield {"file": str(scheduler_file), "address": json.loads(scheduler_file.read_text())["address"],
               "directory": directory}
    finally:
        _stop(process)
        log.close()


@pytest.fixture
def workers(scheduler, tmp_path):
    """Two workers of one thread each, without nannies: each `dask worker` process is the worker."""
    processes, logs = [], []
    for i in range(2):
        log = open(tmp_path / f"worker-{i}.log", "w")
        logs.append(log)
        processes.append(subprocess.Popen(
            _dask_command() + ["worker", "--scheduler-file", scheduler["file"], "--nthreads", "1", "--nworkers", "1",
                               "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--name", f"test-worker-{i}"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "OMP_NUM_THREADS": "1"}))
    client = distributed.Client(scheduler_file=scheduler["file"], timeout="30s")
    try:
        client.wait_for_workers(2, timeout=60)
        yield client, processes
    finally:
        client.close()
        for process in processes:
            _stop(process)
        for log in logs:
            log.close()


#: Runs long enough (about half a second each) for a worker to be killed while it holds one.
SLOW_SWEEP = dict(model="epstein", parameters={"legitimacy": (0.75, 0.85), "width": [150], "height": [150]},
                  design="factorial", samples=5, replicates=2, seed=11, steps=250)


def test_sweep_through_dask_survives_a_killed_worker(workers, tmp_path):
    client, processes = workers
    sweep = Sweep(**SLOW_SWEEP)
    directory = tmp_path / "dask"
    outcome = {}

    def run():
        try:
            outcome["result"] = sweep.run(directory, client=client, progress=False)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = error

    ours = {p.pid: p for p in processes}
    worker_pids = client.run(os.getpid)  # address -> pid
    assert set(worker_pids.values()) == set(ours)
    thread = threading.Thread(target=run)
    thread.start()
    # Wait until some runs are complete and a worker holds a run, then kill that worker.
    victim = None
    deadline = time.time() + 120
    while victim is None and time.time() < deadline and thread.is_alive():
        complete = sum(run_file_complete(str(directory / "runs" / name))
                       for name in (os.listdir(directory / "runs") if (directory / "runs").exists() else []))
        if complete >= 2:
            for address, keys in client.processing().items():
                if keys and address in worker_pids:
                    victim = ours[worker_pids[address]]
                    break
        time.sleep(0.05)
    assert victim is not None, "no worker held a run after two runs had finished"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    thread.join(timeout=180)
    assert not thread.is_alive(), "the sweep did not finish after the worker was killed"
    assert "error" not in outcome, outcome.get("error")
    result = outcome["result"]
    assert (result.total, result.done, result.failed, result.pending) == (10, 10, 0, 0), \
        result.failed_runs.to_string()
    assert [p.poll() is None for p in processes].count(True) == 1  # the survivor ran the rest

    ds = open_sweep(directory)
    assert (ds["status"] == "done").all()
    # The same sweep run one run after another in this process gives the same dataset.
    Sweep(**SLOW_SWEEP).run(tmp_path / "serial", client="serial", progress=False)
    xr.testing.assert_identical(ds.drop_vars("wall_seconds"), open_sweep(tmp_path / "serial").drop_vars("wall_seconds"))


def test_cli_sweep_runs_on_a_dask_scheduler(workers, scheduler, run_cli, tmp_path):
    (tmp_path / "spec.toml").write_text(
        '[sweep]\nmodel = "epstein"\ndesign = "lhs"\nsamples = 3\nreplicates = 2\nseed = 3\nsteps = 20\n'
        'output = "out"\n\n[parameters]\nlegitimacy = [0.7, 0.9]\n', encoding="utf-8")
    result = run_cli("sweep", "spec.toml", "--scheduler", scheduler["address"])
    assert result.returncode == 0, result.stderr
    assert "6 runs, 6 done" in result.stdout
    ds = open_sweep(tmp_path / "out")
    assert (ds["status"] == "done").all() and np.isfinite(ds["active"].values).all()
