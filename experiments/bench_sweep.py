"""Sweep throughput and overhead on this machine (issue 5, "Performance"; docs/PERFORMANCE.md).

    python experiments/bench_sweep.py                       # both cases below, 2 workers
    python experiments/bench_sweep.py --case sahel --runs 200 --executor dask

Cases: Epstein run 2 (500 steps, legitimacy and cop density over a Latin hypercube) and the default
Sahel scenario (184 days, escort_detachments and ambush_daily_probability over a Latin hypercube).
Each sweep runs through a local Dask cluster (LocalCluster, `--workers` processes of one thread) or
a spawned process pool. Reported: runs per hour, and the sweep machinery's overhead = (workers ×
wall time − the runs' own time) / the runs' own time, where a run's own time is its time inside the
worker (map and model construction, stepping, its run file and summary: SweepResult.run_seconds). Also writes the combined dataset's
shape, which is the "200-run Latin hypercube combined into one dataset" of the issue.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time

import sahelsim

CASES = {
    "epstein": dict(model="epstein", parameters={"legitimacy": (0.7, 0.9), "cop_density": (0.02, 0.08)}, steps=500),
    "sahel": dict(scenario="mali-2025",
                  parameters={"escort_detachments": (1, 5), "ambush_daily_probability": (0.05, 0.3)}),
}


def run_case(name: str, runs: int, workers: int, executor: str, keep: str = "") -> dict:
    directory = keep or tempfile.mkdtemp(prefix=f"bench-sweep-{name}-")
    sweep = sahelsim.Sweep(design="lhs", samples=runs, replicates=1, seed=1, **CASES[name])
    client = cluster = None
    if executor == "dask":
        from dask.distributed import Client, LocalCluster
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    elif executor == "pool":
        import concurrent.futures
        import multiprocessing
        client = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        start = time.perf_counter()
        outcome = sweep.run(directory, client=client, progress=False)
        wall = time.perf_counter() - start
    finally:
        if executor == "dask":
            client.close()
            cluster.close()
        elif client is not None:
            client.shutdown()
    ds = sahelsim.open_sweep(directory)
    own = float(outcome.run_seconds)  # each run's own time in its worker: map, model, steps, run file
    done = int((ds["status"] == "done").sum())
    result = dict(case=name, executor=executor, workers=workers, runs=runs, done=done, wall_s=wall,
                  runs_per_hour=done / wall * 3600, run_own_s=own, mean_run_s=own / max(done, 1),
                  overhead=(workers * wall - own) / own, dataset=dict(ds.sizes))
    if not keep:
        shutil.rmtree(directory, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--runs", type=int, default=0, help="runs per case (default: 200 Sahel, 400 Epstein)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--executor", choices=["dask", "pool"], default="dask")
    parser.add_argument("--keep", default="", help="keep the sweep in this directory (one case)")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for name in (CASES if args.case == "all" else [args.case]):
        runs = args.runs or (200 if name == "sahel" else 400)
        r = run_case(name, runs, args.workers, args.executor, args.keep)
        print(f"{r['case']:8s} {r['executor']:5s} workers {r['workers']}: {r['done']}/{r['runs']} runs in {r['wall_s']:.1f} s "
              f"= {r['runs_per_hour']:,.0f} runs/h; mean run {r['mean_run_s']:.3f} s; overhead {100 * r['overhead']:.1f} %; "
              f"dataset {r['dataset']}")


if __name__ == "__main__":
    main()
