"""Epstein (2002) runs 3 and 4, "salami tactics" (vision 7, J_max infinite, cop density 0.074,
legitimacy starting at 0.9): legitimacy lowered from 0.9 to 0.2 by 0.01 a step (run 3) gives no
spike of actives; legitimacy dropped at once from 0.9 to 0.7 at step 77 (run 4) gives an explosion.

A spike / explosion is measured on the model's `active` series (actives at the end of a step, as
the paper plots them) against the outburst threshold of 50. Citizens who turn active and are
arrested within the same step do not show there, so the activations of a step (actives + arrests)
are measured too.
"""

import numpy as np
import pytest

from epstein_runs import OUTBURST_THRESHOLD, runs, simulate, size

SALAMI = dict(citizen_vision=7.0, cop_vision=7.0, max_jail_term=float("inf"), cop_density=0.074, legitimacy=0.9)
RAMP = dict(legitimacy_schedule="ramp", legitimacy_target=0.2, legitimacy_ramp_per_step=0.01, legitimacy_change_step=1)
DROP_STEP = 77
SEEDS = range(size(30, 100))
STEPS = 150  # the ramp reaches 0.2 at step 70; the drop comes at step 77
AFTER_DROP = slice(DROP_STEP - 1, DROP_STEP + 19)  # series index t holds the state after step t + 1


def drop_to(target):
    return dict(legitimacy_schedule="jump", legitimacy_target=target, legitimacy_change_step=DROP_STEP)


def salami_runs(activation, schedule):
    return simulate(runs("epstein", SEEDS, STEPS, record=("active", "arrests", "legitimacy"),
                         activation=activation, **SALAMI, **schedule))


def peaks(results, window=slice(None)):
    return np.array([r["active"][window].max() for r in results])


def activations(results, window=slice(None)):
    """Largest number of citizens active at some moment of one step (actives at its end + arrests)."""
    return np.array([(r["active"][window] + r["arrests"][window]).max() for r in results])


def _ramp_record(activation, record):
    ramp = salami_runs(activation, RAMP)
    p = peaks(ramp)
    erupted = [r for r in ramp if r["active"].max() > OUTBURST_THRESHOLD]
    record(f"salami_ramp_{activation}", seeds=len(SEEDS), steps=STEPS, peak_median=float(np.median(p)),
           peak_max=float(p.max()), runs_with_outburst=len(erupted),
           legitimacy_at_outburst_peaks=[float(r["legitimacy"][int(np.argmax(r["active"]))]) for r in erupted],
           activations_median=float(np.median(activations(ramp))))
    return ramp, p


@pytest.mark.parametrize("activation", [
    pytest.param("sequential", marks=pytest.mark.xfail(
        strict=True, reason="not reproduced in every run: with sequential activation about one run in eight "
        "erupts into an outburst of up to ~450 actives during or soon after the ramp (L between 0.65 and 0.2)")),
    "synchronous"])
def test_run3_gradual_legitimacy_decline_gives_no_spike_in_any_run(activation, record):
    """Run 3, paper: lowering legitimacy from 0.9 to 0.2 by 0.01 a step gives no spike: in every
    run, actives stay at or below the outburst threshold of 50."""
    _, p = _ramp_record(activation, record)
    assert p.max() <= OUTBURST_THRESHOLD


@pytest.mark.parametrize("activation", ["sequential", "synchronous"])
def test_run3_gradual_legitimacy_decline_usually_gives_no_spike(activation, record):
    """Run 3, the part that holds in both schemes: in a typical run the ramp gives no spike (median
    peak of actives under 10; at least 70 % of runs never exceed 50 actives)."""
    _, p = _ramp_record(activation, record)
    assert np.median(p) < 10
    assert np.mean(p <= OUTBURST_THRESHOLD) >= 0.7


@pytest.mark.parametrize("activation", ["sequential", "synchronous"])
@pytest.mark.xfail(strict=True, reason="not reproduced: with cop density 0.074 a drop to 0.7 makes only ~75 "
                   "citizens willing to risk arrest; cops jail most of them within the step, so actives peak "
                   "at a median ~13 (sequential; an outburst in ~1 run in 10) or ~1 (synchronous; none)")
def test_run4_sudden_legitimacy_drop_gives_an_explosion(activation, record):
    """Run 4, paper: dropping legitimacy at once from 0.9 to 0.7 at step 77 gives an explosion of
    actives: an outburst (actives > 50) within 20 steps in most runs, far above the ramp's peaks."""
    _, ramp_peaks = _ramp_record(activation, record)
    drop = salami_runs(activation, drop_to(0.7))
    p = peaks(drop, AFTER_DROP)
    record(f"salami_drop_0.7_{activation}", seeds=len(SEEDS), peak_median=float(np.median(p)),
           peak_max=float(p.max()), runs_with_outburst=int(np.sum(p > OUTBURST_THRESHOLD)),
           activations_at_drop_median=float(np.median(activations(drop, AFTER_DROP))))
    assert np.mean(p > OUTBURST_THRESHOLD) >= 0.5
    assert np.median(p) >= 5 * max(1.0, np.median(ramp_peaks))


@pytest.mark.parametrize("activation", ["sequential", "synchronous"])
def test_run4_sudden_legitimacy_drop_activates_many_citizens_at_once(activation, record):
    """Run 4, the part that reproduces: the drop to 0.7 turns many citizens active in one step (the
    median of the largest per-step activations is at least 3 times the ramp's), even though cops
    arrest most of them before the end of that step."""
    ramp = salami_runs(activation, RAMP)
    drop = salami_runs(activation, drop_to(0.7))
    at_drop = activations(drop, AFTER_DROP)
    during_ramp = activations(ramp)
    record(f"salami_drop_0.7_{activation}", activations_at_drop_median=float(np.median(at_drop)),
           ramp_activations_median=float(np.median(during_ramp)),
           peak_median=float(np.median(peaks(drop, AFTER_DROP))))
    assert np.median(at_drop) >= 3 * np.median(during_ramp)


@pytest.mark.parametrize("activation", [
    "sequential",
    pytest.param("synchronous", marks=pytest.mark.xfail(
        strict=True, reason="synchronous activation needs a larger drop (to ~0.4): all citizens decide from one "
        "snapshot, so no cascade can build up within a step before the cops act"))])
def test_salami_contrast_appears_with_a_drop_to_0_6(activation, record):
    """Sensitivity of runs 3/4 (not a published run): a sudden drop from 0.9 to 0.6 at step 77 gives
    the paper's explosion (median peak above 200 actives, at least 10 times the ramp's median peak)
    while the gradual ramp through the same values does not."""
    _, ramp_peaks = _ramp_record(activation, record)
    drop = salami_runs(activation, drop_to(0.6))
    p = peaks(drop, AFTER_DROP)
    record(f"salami_drop_0.6_{activation}", seeds=len(SEEDS), peak_median=float(np.median(p)),
           runs_with_outburst=int(np.sum(p > OUTBURST_THRESHOLD)))
    assert np.median(p) > 200
    assert np.median(p) >= 10 * max(1.0, np.median(ramp_peaks))
