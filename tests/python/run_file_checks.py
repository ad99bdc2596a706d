"""Checks of run files shared by the crash-safety tests (test_kill.py, test_full_disk.py)."""

import h5py
import numpy as np


def assert_records_are_a_prefix(stopped: h5py.File, full: h5py.File, where: str) -> int:
    """Asserts that a stopped run's file holds the first records of the uninterrupted run's: its steps
    are 0..k, and every variable along a record (unlimited) dimension of the full file (`step`, and for
    the Sahel model `snapshot` and `event`) exists, unless no step was written, and equals the full
    file's first records, as many as it holds. Returns the number of steps it holds."""
    steps = stopped["step"][()] if "step" in stopped else np.zeros(0, dtype=np.int64)
    assert list(steps) == list(range(len(steps))), f"{where}: steps are not a prefix 0..k: {steps}"
    for name, values in full.items():
        if not isinstance(values, h5py.Dataset) or values.ndim == 0 or values.maxshape[0] is not None:
            continue
        if name not in stopped:
            assert len(steps) == 0, f"{where}: variable {name} is missing"
            continue
        kept = stopped[name].shape[0]
        assert kept <= values.shape[0], f"{where}: {name} has more records than the uninterrupted run"
        a, b = stopped[name][()], values[:kept]
        equal = np.array_equal(a, b, equal_nan=True) if a.dtype.kind in "fc" else np.array_equal(a, b)
        assert equal, f"{where}: {name} differs from the uninterrupted run in its first {kept} records"
    return len(steps)
