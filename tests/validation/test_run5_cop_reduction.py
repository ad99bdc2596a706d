"""Epstein (2002) run 5 (vision 7, L 0.8, J_max infinite, cop density 0.074): lowering the cop
density tips society into rebellion. Here the density falls from 0.074 to 0.03 at step 50
(cop_schedule = "jump"), against a control run that keeps its cops.
"""

import numpy as np
import pytest

from epstein_runs import OUTBURST_THRESHOLD, runs, simulate, size

RUN5 = dict(citizen_vision=7.0, cop_vision=7.0, legitimacy=0.8, max_jail_term=float("inf"), cop_density=0.074)
CUT_STEP = 50
REDUCED_DENSITY = 0.03
SEEDS = range(size(10, 40))
STEPS = 150


@pytest.mark.parametrize("activation", ["sequential", "synchronous"])
def test_run5_cop_reduction_tips_society_into_rebellion(activation, record):
    """Run 5, paper: with L = 0.8 and J_max infinite, 0.074 cops keep the peace (no outburst: actives
    never exceed 50, before the cut or in the control run that keeps its cops), and cutting the cops
    to 0.03 makes actives jump: in every run an outburst follows the cut, with a median peak above
    200 actives."""
    control = simulate(runs("epstein", SEEDS, STEPS, record=("active", "cops"), activation=activation, **RUN5))
    cut = simulate(runs("epstein", SEEDS, STEPS, record=("active", "cops"), activation=activation, **RUN5,
                        cop_schedule="jump", cop_density_target=REDUCED_DENSITY, cop_change_step=CUT_STEP))
    after = slice(CUT_STEP - 1, None)
    control_peaks = np.array([r["active"][after].max() for r in control])
    cut_peaks = np.array([r["active"][after].max() for r in cut])
    before_peaks = np.array([r["active"][:CUT_STEP - 1].max() for r in cut])
    record(f"run5_{activation}", seeds=len(SEEDS), steps=STEPS, cut_to=REDUCED_DENSITY, cut_step=CUT_STEP,
           cops_before=float(cut[0]["cops"][CUT_STEP - 2]), cops_after=float(cut[0]["cops"][CUT_STEP - 1]),
           control_peak_max=float(control_peaks.max()), before_cut_peak_max=float(before_peaks.max()),
           cut_peak_median=float(np.median(cut_peaks)), cut_peak_min=float(cut_peaks.min()))
    assert cut[0]["cops"][CUT_STEP - 1] == round(REDUCED_DENSITY * 1600)
    assert control_peaks.max() <= OUTBURST_THRESHOLD
    assert before_peaks.max() <= OUTBURST_THRESHOLD
    assert cut_peaks.min() > OUTBURST_THRESHOLD
    assert np.median(cut_peaks) > 200
