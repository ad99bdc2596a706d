"""Golden runs: small reference run files in tests/golden/ guard against unintended changes of results.

Each configuration of experiments/regenerate_golden.py is run again (with 1, 2, 3, 4 and 8 threads) and every
variable of the new file is compared bitwise with the golden file (NaN-aware for floats), as are the
attributes of the file and of each variable, except those listed in EXCLUDED_ATTRIBUTES (times, build
and version information, the thread count) and the HDF5 dimension-scale references. When a change
alters results on purpose, regenerate the files (tests/golden/README.md) and say so in the commit.
"""

import importlib.util
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "tests" / "golden"

_spec = importlib.util.spec_from_file_location("regenerate_golden", ROOT / "experiments" / "regenerate_golden.py")
regenerate_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regenerate_golden)

# File attributes that legitimately differ between two runs of the same configuration.
EXCLUDED_ATTRIBUTES = {
    "created_utc",  # wall-clock times
    "run_id",  # random: tells this run's file and checkpoints from every other run's
    "finished_utc",
    "wall_seconds",
    "threads",  # the thread count (results must not depend on it; that is what is tested)
    "sahelsim_version",  # build information
    "sahelsim_git_commit",
    "compiler",
    "tbb_version",
    "hdf5_version",
    "boost_version",
}
# Per-variable HDF5 attributes holding object references (dimension scales): addresses, not values.
REFERENCE_ATTRIBUTES = {"DIMENSION_LIST", "REFERENCE_LIST"}


def _equal(a, b) -> bool:
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    if a.dtype.kind == "V" and a.dtype.names:  # compound: field by field
        return all(_equal(a[field], b[field]) for field in a.dtype.names)
    return bool(np.array_equal(a, b))


def _objects(f: h5py.File) -> dict:
    found = {"/": f}
    f.visititems(lambda name, obj: found.__setitem__(name, obj))
    return found


def _attribute_differences(name, golden, new, excluded) -> list[str]:
    skip = excluded | REFERENCE_ATTRIBUTES
    g_keys = {k for k in golden.attrs if k not in skip}
    n_keys = {k for k in new.attrs if k not in skip}
    problems = []
    if g_keys != n_keys:
        problems.append(
            f"{name}: attributes differ: only in golden {sorted(g_keys - n_keys)}, only in new {sorted(n_keys - g_keys)}"
        )
    for key in sorted(g_keys & n_keys):
        if not _equal(golden.attrs[key], new.attrs[key]):
            problems.append(f"{name}: attribute {key!r}: golden {golden.attrs[key]!r}, new {new.attrs[key]!r}")
    return problems


def compare_run_files(golden_path, new_path) -> list[str]:
    """Every difference between two run files, variables first (in file order), then attributes."""
    problems = []
    with h5py.File(golden_path, "r") as golden, h5py.File(new_path, "r") as new:
        g_objects, n_objects = _objects(golden), _objects(new)
        if set(g_objects) != set(n_objects):
            problems.append(
                f"variables differ: only in golden {sorted(set(g_objects) - set(n_objects))}, "
                f"only in new {sorted(set(n_objects) - set(g_objects))}"
            )
        for name in sorted(set(g_objects) & set(n_objects)):
            g, n = g_objects[name], n_objects[name]
            if isinstance(g, h5py.Dataset) != isinstance(n, h5py.Dataset):
                problems.append(f"{name}: a dataset in one file, a group in the other")
            elif isinstance(g, h5py.Dataset):
                if g.shape != n.shape or g.dtype != n.dtype:
                    problems.append(f"variable {name}: shape/dtype golden {g.shape} {g.dtype}, new {n.shape} {n.dtype}")
                elif not _equal(g[()], n[()]):
                    differ = np.flatnonzero(~_elementwise_equal(g[()], n[()]))
                    problems.append(
                        f"variable {name}: {differ.size} of {g.size} values differ (first at flat index {differ[0]})"
                        if differ.size
                        else f"variable {name}: values differ"
                    )
        for name in sorted(set(g_objects) & set(n_objects)):
            problems += _attribute_differences(name, g_objects[name], n_objects[name], EXCLUDED_ATTRIBUTES if name == "/" else set())
    return problems


def _elementwise_equal(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    if a.dtype.kind in "fc":
        return ((a == b) | (np.isnan(a) & np.isnan(b))).ravel()
    if a.dtype.names:
        result = np.ones(a.size, dtype=bool)
        for field in a.dtype.names:
            result &= _elementwise_equal(a[field], b[field]).reshape(a.size, -1).all(axis=1)
        return result
    return (a == b).ravel()


THREAD_COUNTS = [1, 2, 3, 4, 8]


@pytest.mark.parametrize("threads", THREAD_COUNTS)
@pytest.mark.parametrize("name", sorted(regenerate_golden.CONFIGS))
def test_run_matches_golden_file(name, threads, tmp_path):
    golden = GOLDEN_DIR / f"{name}.h5"
    assert golden.exists(), f"missing {golden}: run experiments/regenerate_golden.py"
    new = tmp_path / f"{name}.h5"
    result = subprocess.run(
        regenerate_golden.command(name, new, threads=threads), capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    problems = compare_run_files(golden, new)
    assert not problems, (
        f"{name} (threads {threads}) differs from its golden file; first difference: {problems[0]}\n"
        + "\n".join(problems[1:20])
        + "\nIf the change of results is intended, run experiments/regenerate_golden.py and say so in the commit."
    )


# The default scenario over its whole period (184 days) with snapshots, well beyond the short golden runs.
FULL_SAHEL_RUN = ["mali-2025", "--seed", "3", "--snapshot-every", "23"]


def test_full_sahel_run_gives_the_same_file_for_every_thread_count_and_on_repeat(sahelsim_command, tmp_path):
    """Whole files of the full Sahel model: 1, 2, 3, 4 and 8 threads, and 2 threads twice, all equal."""
    files = {}
    for label, threads in [("2", 2), ("2-repeat", 2), ("1", 1), ("3", 3), ("4", 4), ("8", 8)]:
        path = tmp_path / f"threads-{label}.h5"
        result = subprocess.run(
            sahelsim_command + ["run", *FULL_SAHEL_RUN, "--threads", str(threads), "-o", str(path)],
            capture_output=True, text=True, timeout=600, cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        files[label] = path
    with h5py.File(files["2"], "r") as f:
        status = f.attrs["run_status"]
        status = status.decode() if isinstance(status, bytes) else str(status)
        assert f["step"].shape[0] == 185 and status == "complete", "the reference run is not the whole period"
    for label, path in files.items():
        problems = compare_run_files(files["2"], path)
        assert not problems, f"mali-2025 with {label} threads differs from 2 threads: " + "\n".join(problems[:20])


def test_comparison_detects_a_changed_value(tmp_path):
    """The comparison itself is not vacuous: one changed value or attribute is reported by name."""
    golden = GOLDEN_DIR / "epstein-40x40-50steps-seed1.h5"
    copy = tmp_path / "changed.h5"
    shutil.copy(golden, copy)
    assert compare_run_files(golden, copy) == []
    with h5py.File(copy, "r+") as f:
        f["active"][7] += 1
    problems = compare_run_files(golden, copy)
    assert problems and problems[0].startswith("variable active:"), problems
    shutil.copy(golden, copy)
    with h5py.File(copy, "r+") as f:
        f.attrs["legitimacy"] = 0.83
        f.attrs["wall_seconds"] = 99.0  # excluded: no difference
    problems = compare_run_files(golden, copy)
    assert len(problems) == 1 and problems[0].startswith("/: attribute 'legitimacy'"), problems
