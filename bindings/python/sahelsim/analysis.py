"""Analysis helpers for Epstein's civil violence runs."""

from __future__ import annotations

from typing import Dict

import numpy as np


def outbursts(active, threshold: int = 50) -> Dict[str, np.ndarray]:
    """Outbursts in a series of active counts (EPSTEIN.md): an outburst starts when the number of
    actives exceeds ``threshold`` and ends when it falls to ``threshold`` or below.

    Returns arrays ``start`` and ``end`` (first step above, first step back at or below; ``end`` is
    the series length for an outburst still running at the end), ``size`` (total activation: the sum
    of actives over the outburst's steps), ``peak``, and ``waiting`` (steps between the end of one
    outburst and the start of the next).

    Counts of one run are integers; a real-valued series (e.g. the mean over a sweep's replicates) is
    taken as it is, and ``size`` and ``peak`` are then real too. NaN is refused (ValueError).
    """
    a = np.asarray(active)
    if a.ndim != 1 or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise ValueError(f"active must be a 1-D series of numbers, got an array of shape {a.shape} and type {a.dtype}")
    if np.issubdtype(a.dtype, np.floating) and np.isnan(a).any():
        raise ValueError(f"active has NaN at step {int(np.flatnonzero(np.isnan(a))[0])}: expected numbers")
    kind = np.int64 if np.issubdtype(a.dtype, np.integer) else np.float64
    a = a.astype(kind)
    above = a > threshold
    edges = np.diff(np.concatenate(([0], above.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    sizes = [a[s:e].sum() for s, e in zip(starts, ends)]
    peaks = [a[s:e].max() for s, e in zip(starts, ends)]
    waiting = starts[1:] - ends[:-1] if len(starts) > 1 else np.array([], dtype=np.int64)
    return {
        "start": starts,
        "end": ends,
        "size": np.array(sizes, dtype=kind),
        "peak": np.array(peaks, dtype=kind),
        "waiting": np.asarray(waiting, dtype=np.int64),
    }
