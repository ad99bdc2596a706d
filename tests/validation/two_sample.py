"""Two-sample statistics in NumPy alone (SciPy is not a dependency of sahelsim's tests).

- `mann_whitney`: Mann–Whitney U, two-sided p-value from the normal approximation with tie and
  continuity corrections (as scipy.stats.mannwhitneyu(method="asymptotic")).
- `kolmogorov_smirnov`: two-sample KS statistic D and its asymptotic two-sided p-value with
  Stephens' small-sample correction (Numerical Recipes, kstwo).
- `cliffs_delta`: P(X > Y) - P(X < Y), in [-1, 1]; |delta| < 0.147 negligible, < 0.33 small,
  < 0.474 medium, else large (Romano et al. 2006).
- `binomial_two_sided_p`: exact two-sided binomial test (sum of outcomes no likelier than observed).
"""

from __future__ import annotations

import math
from typing import Dict, Tuple

import numpy as np


def _ranks(values: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Mid-ranks (1-based) and the sizes of the tie groups."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values), dtype=np.float64)
    boundaries = np.flatnonzero(np.diff(sorted_values)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(values)]))
    for s, e in zip(starts, ends):
        ranks[order[s:e]] = 0.5 * (s + 1 + e)
    return ranks, (ends - starts)


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def mann_whitney(x, y) -> Dict[str, float]:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n1, n2 = len(x), len(y)
    ranks, ties = _ranks(np.concatenate((x, y)))
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2.0
    n = n1 + n2
    mean = n1 * n2 / 2.0
    tie_term = float((ties**3 - ties).sum()) / (n * (n - 1)) if n > 1 else 0.0
    variance = n1 * n2 / 12.0 * ((n + 1) - tie_term)
    if variance <= 0:
        return {"u": u1, "p": 1.0}
    z = (abs(u1 - mean) - 0.5) / math.sqrt(variance)
    return {"u": float(u1), "p": min(1.0, 2.0 * _normal_sf(max(z, 0.0)))}


def _kolmogorov_sf(lam: float) -> float:
    """Q_KS(lambda) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2)."""
    if lam < 0.2:
        return 1.0
    total = 0.0
    for j in range(1, 101):
        term = 2.0 * (-1) ** (j - 1) * math.exp(-2.0 * j * j * lam * lam)
        total += term
        if abs(term) < 1e-12:
            break
    return min(1.0, max(0.0, total))


def kolmogorov_smirnov(x, y) -> Dict[str, float]:
    x = np.sort(np.asarray(x, dtype=np.float64))
    y = np.sort(np.asarray(y, dtype=np.float64))
    grid = np.concatenate((x, y))
    cdf_x = np.searchsorted(x, grid, side="right") / len(x)
    cdf_y = np.searchsorted(y, grid, side="right") / len(y)
    d = float(np.max(np.abs(cdf_x - cdf_y)))
    en = math.sqrt(len(x) * len(y) / (len(x) + len(y)))
    return {"d": d, "p": _kolmogorov_sf((en + 0.12 + 0.11 / en) * d)}


def cliffs_delta(x, y) -> float:
    x = np.asarray(x, dtype=np.float64)
    y = np.sort(np.asarray(y, dtype=np.float64))
    greater = np.searchsorted(y, x, side="left").sum()  # pairs with y < x
    less = (len(y) - np.searchsorted(y, x, side="right")).sum()  # pairs with y > x
    return float(greater - less) / (len(x) * len(y))


def binomial_two_sided_p(successes: int, trials: int, probability: float = 0.5) -> float:
    pmf = [math.comb(trials, k) * probability**k * (1 - probability) ** (trials - k) for k in range(trials + 1)]
    observed = pmf[successes]
    return min(1.0, sum(p for p in pmf if p <= observed * (1 + 1e-9)))


def compare(x, y) -> Dict[str, float]:
    """Everything the activation-scheme comparison reports for two samples."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    mw = mann_whitney(x, y)
    ks = kolmogorov_smirnov(x, y)
    return {
        "n_x": len(x),
        "n_y": len(y),
        "mean_x": float(x.mean()),
        "mean_y": float(y.mean()),
        "median_x": float(np.median(x)),
        "median_y": float(np.median(y)),
        "ratio_of_means": float(y.mean() / x.mean()) if x.mean() else float("nan"),
        "mann_whitney_p": mw["p"],
        "ks_d": ks["d"],
        "ks_p": ks["p"],
        "cliffs_delta": cliffs_delta(y, x),
    }
