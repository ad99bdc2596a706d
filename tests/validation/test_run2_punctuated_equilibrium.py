"""Epstein (2002) run 2 (Model I defaults: vision 7, L 0.82, J_max 30, cop density 0.04, movement):
punctuated equilibrium, with the paper's outburst statistics. Sequential activation (the paper's
reference scheme); the synchronous scheme is compared in test_activation_schemes.py.

Paper (EPSTEIN.md): outbursts (actives > 50 until they fall back) break long calm; waiting time
between outbursts mean 60, s.d. 55 (roughly exponential tail); total activation per outburst mean 708,
s.d. 230. Tolerances: a mean within 25 % and an s.d. within 35 % of the paper's count as reproduced
(the paper reports one set of runs of unstated length; its own sampling error is unknown).
"""

import numpy as np
import pytest

from epstein_runs import BURN_IN_STEPS, RUN2_SEEDS, RUN2_STEPS, outburst_statistics, run2_runs, simulate

PAPER_WAIT_MEAN, PAPER_WAIT_SD = 60.0, 55.0
PAPER_SIZE_MEAN, PAPER_SIZE_SD = 708.0, 230.0
MEAN_TOLERANCE, SD_TOLERANCE = 0.25, 0.35

def run2_statistics():
    return outburst_statistics([r["active"] for r in simulate(run2_runs("sequential"))])


def test_run2_punctuated_equilibrium_outbursts_break_long_calm(record):
    """Run 2, Fig. 3 of the paper: long periods of calm punctuated by outbursts. Every run has
    repeated outbursts after the initial transient; most of the time actives stay at or below the
    outburst threshold, and during calm the typical number of actives is small."""
    stats = run2_statistics()
    summary = stats.summary()
    record("run2_sequential", **summary, seeds=len(RUN2_SEEDS), calm_median_actives=stats.calm_median_actives,
           burn_in=BURN_IN_STEPS)
    assert stats.counts.min() >= 5, f"a run had only {stats.counts.min():.0f} outbursts in {RUN2_STEPS} steps"
    assert stats.calm_fraction > 0.6, f"actives exceed 50 in {1 - stats.calm_fraction:.0%} of steps"
    assert stats.calm_median_actives < 10
    assert np.median(stats.peaks) > 150, "outbursts should be large compared with the 50-active threshold"


def test_run2_waiting_times_are_shorter_than_the_papers(record):
    """Run 2, waiting time between outbursts: the independent replication found waits shorter than
    the paper's (mean 60) with the floored arrest rule; sahelsim reproduces that finding."""
    summary = run2_statistics().summary()
    record("run2_sequential", wait_mean=summary["wait_mean"], wait_sd=summary["wait_sd"])
    assert summary["wait_mean"] < PAPER_WAIT_MEAN * (1 - MEAN_TOLERANCE)


@pytest.mark.xfail(strict=True, reason="not reproduced: waits between outbursts are much shorter and more "
                   "regular than the paper's (measured mean ~23, s.d. ~8, vs 60 and 55)")
def test_run2_waiting_time_mean_and_sd_match_the_paper():
    """Run 2, paper: waiting time between outbursts mean 60, s.d. 55 (within 25 % / 35 %)."""
    summary = run2_statistics().summary()
    assert abs(summary["wait_mean"] - PAPER_WAIT_MEAN) <= MEAN_TOLERANCE * PAPER_WAIT_MEAN
    assert abs(summary["wait_sd"] - PAPER_WAIT_SD) <= SD_TOLERANCE * PAPER_WAIT_SD


@pytest.mark.xfail(strict=True, reason="not reproduced: waits are nearly periodic (coefficient of variation "
                   "~0.35), not the paper's roughly exponential tail (s.d./mean = 55/60 ~ 0.9)")
def test_run2_waiting_times_have_a_roughly_exponential_tail():
    """Run 2, paper: waiting times roughly exponential, so their s.d. is close to their mean
    (coefficient of variation at least 0.7)."""
    summary = run2_statistics().summary()
    assert summary["wait_cv"] >= 0.7


@pytest.mark.xfail(strict=True, reason="not reproduced: total activation per outburst is ~60 % larger and "
                   "more variable than the paper's (measured mean ~1100, s.d. ~410, vs 708 and 230)")
def test_run2_total_activation_per_outburst_matches_the_paper():
    """Run 2, paper: total activation per outburst (sum of actives over its steps) mean 708,
    s.d. 230 (within 25 % / 35 %)."""
    summary = run2_statistics().summary()
    assert abs(summary["size_mean"] - PAPER_SIZE_MEAN) <= MEAN_TOLERANCE * PAPER_SIZE_MEAN
    assert abs(summary["size_sd"] - PAPER_SIZE_SD) <= SD_TOLERANCE * PAPER_SIZE_SD
