"""EPSTEIN.md ambiguity 1, the arrest probability's C/A: the independent replication found that the
rule as written, P = 1 - exp(-k C/A), gives no outbursts at all in run 2, while NetLogo's floored
ratio, P = 1 - exp(-k floor(C/A)), gives many. Checked for both activation schemes.
"""

import numpy as np
import pytest

from epstein_runs import BURN_IN_STEPS, OUTBURST_THRESHOLD, outburst_statistics, run2_runs, runs, simulate, size

SEEDS = range(size(6, 20))  # as_written runs; the floored ones are the shared run-2 runs
STEPS = size(1000, 3000)


@pytest.mark.parametrize("activation", ["sequential", "synchronous"])
def test_run2_arrest_rule_as_written_gives_no_outbursts_floor_gives_many(activation, record):
    """Replication finding on run 2: arrest_rule="as_written" never lets actives exceed 50 after the
    initial transient; arrest_rule="floor" (the default) has outbursts in every run."""
    as_written = simulate(runs("epstein", SEEDS, STEPS, activation=activation, arrest_rule="as_written"))
    floored = simulate(run2_runs(activation))  # arrest_rule="floor" is the default
    max_as_written = max(int(r["active"][BURN_IN_STEPS:].max()) for r in as_written)
    written_stats = outburst_statistics([r["active"] for r in as_written])
    floor_stats = outburst_statistics([r["active"] for r in floored])
    record(f"arrest_rule_{activation}", as_written_seeds=len(SEEDS), as_written_steps=STEPS,
           as_written_outbursts=int(written_stats.counts.sum()), as_written_max_actives=max_as_written,
           as_written_mean_actives=float(np.mean([r["active"][BURN_IN_STEPS:].mean() for r in as_written])),
           floor_outbursts=int(floor_stats.counts.sum()),
           floor_min_outbursts_per_run=int(floor_stats.counts.min()))
    assert written_stats.counts.sum() == 0
    assert max_as_written <= OUTBURST_THRESHOLD, "as written, actives should never exceed the threshold"
    assert floor_stats.counts.min() >= 5, "floored, every run should have repeated outbursts"
