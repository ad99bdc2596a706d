"""Analysis helpers for Epstein's civil violence runs."""

from __future__ import annotations

from typing import Dict, List

import numpy as np


def outbursts(active, threshold: int = 50) -> Dict[str, np.ndarray]:
    """Outbursts in a series of active counts (EPSTEIN.md): an outburst starts when the number of
    actives exceeds ``threshold`` and ends when it falls to ``threshold`` or below.

    Returns arrays ``start`` and ``end`` (first step above, first step back at or below; ``end`` is
    the series length for an outburst still running at the end), ``size`` (total activation: the sum
    of actives over the outburst's steps), ``peak``, and ``waiting`` (steps between the end of one
    outburst and the start of the next).
    """
    a = np.asarray(active, dtype=np.int64)
    above = a > threshold
    edges = np.diff(np.concatenate(([0], above.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    sizes: List[int] = [int(a[s:e].sum()) for s, e in zip(starts, ends)]
    peaks: List[int] = [int(a[s:e].max()) for s, e in zip(starts, ends)]
    waiting = starts[1:] - ends[:-1] if len(starts) > 1 else np.array([], dtype=np.int64)
    return {
        "start": starts,
        "end": ends,
        "size": np.array(sizes, dtype=np.int64),
        "peak": np.array(peaks, dtype=np.int64),
        "waiting": np.asarray(waiting, dtype=np.int64),
    }
