"""Epstein (2002) run 1 (vision 1.7, L 0.89, J_max 15, cop density 0.04, no movement) against run 2:
"free movement catalyses outbursts". Sequential activation (the paper's scheme).

sahelsim's `movement = false` stops both citizens and cops (cops still step onto the cell of a
citizen they arrest, cop_moves_to_arrest); with `cop_movement = "always"` the cops move whatever
`movement` says, as in NetLogo's Rebellion, and only the citizens stay.
"""

import numpy as np

from epstein_runs import (BURN_IN_STEPS, OUTBURST_THRESHOLD, RUN2_SEEDS, outburst_statistics, run2_runs, runs,
                          simulate, size)
from two_sample import mann_whitney

RUN1 = dict(citizen_vision=1.7, cop_vision=1.7, legitimacy=0.89, max_jail_term=15.0, cop_density=0.04)
SEEDS = range(size(10, 40))
STEPS = size(600, 2000)


def crossings_after_burn_in(active):
    """Outbursts that start (actives rise above the threshold) after the burn-in."""
    above = np.asarray(active[BURN_IN_STEPS - 1:]) > OUTBURST_THRESHOLD
    return int(np.count_nonzero(above[1:] & ~above[:-1]))


def run1(movement, cop_movement="with_movement"):
    return simulate(runs("epstein", SEEDS, STEPS, activation="sequential", movement=movement,
                         cop_movement=cop_movement, **RUN1))


def test_run1_without_movement_has_no_outbursts(record):
    """Run 1 (no movement): no outbursts. After the first steps the pattern of actives freezes (each
    citizen out of every cop's sight stays active, the others quiet), so the count of actives is
    constant: no outburst starts after the burn-in and the count barely varies."""
    results = run1(False)
    tails = [r["active"][BURN_IN_STEPS:] for r in results]
    starts = [crossings_after_burn_in(r["active"]) for r in results]
    record("run1_no_movement", seeds=len(SEEDS), steps=STEPS, outburst_starts=sum(starts),
           actives_mean=float(np.mean([t.mean() for t in tails])),
           actives_sd_max=float(max(t.std() for t in tails)),
           actives_range_max=float(max(t.max() - t.min() for t in tails)))
    assert sum(starts) == 0
    assert max(t.std() for t in tails) < 2.5


def test_run1_free_movement_catalyses_outbursts(record):
    """Run 1 with movement switched on (else the same): the frozen pattern dissolves; actives
    fluctuate and cross the outburst threshold again and again, where without movement they never
    do. The outbursts stay small: run 1's short vision allows no large cascades (see the docs)."""
    still = run1(False)
    moving = run1(True)
    sd_moving = [r["active"][BURN_IN_STEPS:].std() for r in moving]
    starts_moving = [crossings_after_burn_in(r["active"]) for r in moving]
    starts_still = [crossings_after_burn_in(r["active"]) for r in still]
    record("run1_movement", seeds=len(SEEDS), steps=STEPS, outburst_starts=sum(starts_moving),
           runs_with_outbursts=sum(s > 0 for s in starts_moving),
           actives_sd_mean=float(np.mean(sd_moving)),
           actives_mean=float(np.mean([r["active"][BURN_IN_STEPS:].mean() for r in moving])),
           peak_max=float(max(r["active"][BURN_IN_STEPS:].max() for r in moving)))
    assert min(sd_moving) > 3.0
    assert sum(s > 0 for s in starts_moving) >= 0.75 * len(SEEDS)
    assert sum(starts_moving) > 10 * max(1, sum(starts_still))


def test_run1_with_netlogos_moving_cops_does_not_freeze(record):
    """Run 1 with NetLogo Rebellion's movement switch (cop_movement = "always": the citizens stay, the
    cops still move): the pattern of actives does not freeze. Cops walking past quieten some actives
    and arrest others, so the count fluctuates and crosses the outburst threshold again and again, much
    as with free movement, and the peaks stay small. The paper's "no outbursts without movement" holds
    only if the cops stand still too (sahelsim's default)."""
    results = run1(False, cop_movement="always")
    sd = [r["active"][BURN_IN_STEPS:].std() for r in results]
    starts = [crossings_after_burn_in(r["active"]) for r in results]
    peak = max(r["active"][BURN_IN_STEPS:].max() for r in results)
    record("run1_netlogo_cops", seeds=len(SEEDS), steps=STEPS, outburst_starts=sum(starts),
           runs_with_outbursts=sum(s > 0 for s in starts), actives_sd_mean=float(np.mean(sd)),
           actives_sd_min=float(min(sd)),
           actives_mean=float(np.mean([r["active"][BURN_IN_STEPS:].mean() for r in results])),
           peak_max=float(peak))
    assert min(sd) > 1.5
    assert sum(s > 0 for s in starts) >= 0.75 * len(SEEDS)
    assert peak < 120


def test_run2_free_movement_catalyses_outbursts(record):
    """Run 2 with movement switched off (else the same): outbursts still happen, because arrests and
    releases keep reshuffling the lattice, but about half as often as with free movement."""
    moving = outburst_statistics([r["active"] for r in simulate(run2_runs("sequential"))])
    still = outburst_statistics([r["active"] for r in simulate(run2_runs("sequential", movement=False))])
    test = mann_whitney(still.counts, moving.counts)
    ratio = moving.counts.mean() / still.counts.mean()
    record("run2_movement", seeds=len(RUN2_SEEDS), outbursts_per_run_moving=float(moving.counts.mean()),
           outbursts_per_run_still=float(still.counts.mean()), ratio=float(ratio),
           mann_whitney_p=test["p"], size_mean_still=still.summary()["size_mean"],
           wait_mean_still=still.summary()["wait_mean"])
    assert ratio > 1.4
    assert test["p"] < 0.01
