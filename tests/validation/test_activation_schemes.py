"""EPSTEIN.md ambiguity 5: does sahelsim's synchronous parallel update reproduce the statistics of
the paper's random sequential activation? Run 2 defaults, the same seeds for both schemes;
distributions of outbursts per run, total activation per outburst and waiting time compared with
the Mann–Whitney U and two-sample Kolmogorov–Smirnov tests, with effect sizes (ratio of means and
Cliff's delta, positive when synchronous is larger).

Finding: both schemes give punctuated equilibrium, but they are NOT statistically equivalent.
Synchronous activation has fewer outbursts, with longer and more variable waits between them and
somewhat smaller, lower outbursts. Why: in the sequential scheme a citizen who turns active lowers
the arrest probability of the citizens who act after it in the same step (floor(C/A) falls to 0 as
soon as actives outnumber cops), so an outburst ignites and spreads within one step, between the
cops' arrests; in the synchronous scheme everyone decides from the same snapshot and the cops
arrest afterwards, so a nascent cluster must survive a round of arrests every step before it can
grow. See docs/VALIDATION.md.
"""

import pytest

from epstein_runs import RUN2_SEEDS, RUN2_STEPS, outburst_statistics, run2_runs, simulate
from two_sample import compare


def statistics(activation):
    return outburst_statistics([r["active"] for r in simulate(run2_runs(activation))])


def comparison(record):
    sequential, synchronous = statistics("sequential"), statistics("synchronous")
    result = {
        "outbursts_per_run": compare(sequential.counts, synchronous.counts),
        "size": compare(sequential.sizes, synchronous.sizes),
        "wait": compare(sequential.waits, synchronous.waits),
        "peak": compare(sequential.peaks, synchronous.peaks),
        # Outbursts of one run are not independent; per-run means are.
        "size_per_run_mean": compare(sequential.run_mean_sizes, synchronous.run_mean_sizes),
        "wait_per_run_mean": compare(sequential.run_mean_waits, synchronous.run_mean_waits),
    }
    record("activation_schemes", seeds=len(RUN2_SEEDS), steps=RUN2_STEPS,
           sequential=sequential.summary(), synchronous=synchronous.summary(), comparison=result,
           **{f"{name}_ratio": c["ratio_of_means"] for name, c in result.items()},
           **{f"{name}_ks_p": c["ks_p"] for name, c in result.items()})
    return sequential, synchronous, result


def test_synchronous_activation_also_gives_punctuated_equilibrium(record):
    """Run 2 under activation="synchronous": outbursts in every run, calm most of the time, as with
    the paper's sequential activation."""
    _, synchronous, _ = comparison(record)
    assert synchronous.counts.min() >= 5
    assert synchronous.calm_fraction > 0.6
    assert synchronous.calm_median_actives < 10


def test_synchronous_activation_has_fewer_outbursts_with_longer_waits(record):
    """Run 2, synchronous vs sequential: the waiting-time distributions differ (KS and Mann–Whitney
    p < 0.001 on all waits, Mann–Whitney p < 0.01 on the runs' mean waits); synchronous waits are at
    least 1.4 times longer on average (large effect, Cliff's delta > 0.474); synchronous runs have
    fewer outbursts (mean ratio below 0.8, Mann–Whitney p < 0.01)."""
    _, _, result = comparison(record)
    wait, count = result["wait"], result["outbursts_per_run"]
    assert wait["ks_p"] < 0.001 and wait["mann_whitney_p"] < 0.001
    assert result["wait_per_run_mean"]["mann_whitney_p"] < 0.01
    assert wait["ratio_of_means"] >= 1.4
    assert wait["cliffs_delta"] > 0.474
    assert count["ratio_of_means"] < 0.8
    assert count["mann_whitney_p"] < 0.01


def test_synchronous_activation_gives_smaller_outbursts(record):
    """Run 2, synchronous vs sequential: total activation per outburst is smaller under synchronous
    activation (mean ratio below 0.95, KS p < 0.01 on all outbursts, Mann–Whitney p < 0.01 on the
    runs' mean sizes), and so are the peaks."""
    _, _, result = comparison(record)
    size, peak = result["size"], result["peak"]
    assert size["ratio_of_means"] < 0.95
    assert size["ks_p"] < 0.01
    assert result["size_per_run_mean"]["mann_whitney_p"] < 0.01
    assert peak["ratio_of_means"] < 0.95


def test_sequential_outbursts_ignite_faster_than_synchronous_ones(record):
    """Run 2, why the schemes differ: under sequential activation an outburst grows within a step
    (later citizens see the earlier ones turn active before the cops act), so it ignites faster:
    the median growth of actives over an outburst's first two steps is at least twice the
    synchronous one, and outbursts reach their peak sooner."""
    sequential, synchronous, _ = comparison(record)
    seq, syn = sequential.summary(), synchronous.summary()
    assert seq["two_step_growth_median"] >= 2 * syn["two_step_growth_median"]
    assert seq["rise_mean"] < syn["rise_mean"]


@pytest.mark.xfail(strict=True, reason="not reproduced by the synchronous scheme either: its waits are longer "
                   "than the sequential ones (mean ~40) but still far less variable than the paper's (s.d. ~20 vs 55)")
def test_run2_synchronous_outburst_statistics_match_the_paper():
    """Run 2 under activation="synchronous", paper: waits mean 60, s.d. 55; total activation per
    outburst mean 708, s.d. 230 (within 25 % for means, 35 % for s.d.s, as for the reference)."""
    summary = statistics("synchronous").summary()
    for measured, paper, tolerance in ((summary["wait_mean"], 60.0, 0.25), (summary["wait_sd"], 55.0, 0.35),
                                       (summary["size_mean"], 708.0, 0.25), (summary["size_sd"], 230.0, 0.35)):
        assert abs(measured - paper) <= tolerance * paper
