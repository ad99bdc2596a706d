#!/usr/bin/env python3
"""Regenerates the measured numbers of docs/VALIDATION.md.

Runs the validation suite (tests/validation) at full size, as `make validate` does, with every
measured number kept in a JSON record, then prints the document's tables as markdown:

    python experiments/validation_report.py                    # full suite (~15 min on 2 cores)
    python experiments/validation_report.py --reduced          # quick preview at the reduced size
    python experiments/validation_report.py --record run.json  # keep the record too
    python experiments/validation_report.py --from-record run.json   # tables from a kept record
    python experiments/validation_report.py --sensitivity      # + run 2 under each ambiguity choice

The suite needs the `sahelsim` package importable by this interpreter (installed, or PYTHONPATH).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional

ROOT = pathlib.Path(__file__).resolve().parents[1]
SUITE = ROOT / "tests" / "validation"

PAPER_RUN2 = {"wait_mean": 60.0, "wait_sd": 55.0, "size_mean": 708.0, "size_sd": 230.0}


def run_suite(full: bool, record: pathlib.Path) -> int:
    env = dict(os.environ, SAHELSIM_VALIDATION="full" if full else "reduced", SAHELSIM_VALIDATION_RECORD=str(record))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(SUITE)]
    print(f"running: {' '.join(command)} (SAHELSIM_VALIDATION={env['SAHELSIM_VALIDATION']})", file=sys.stderr)
    return subprocess.call(command, env=env, cwd=ROOT, stdout=sys.stderr)


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != 0 and (abs(value) < 10 ** -digits or abs(value) >= 1e6):
            return f"{value:.1e}"
        return f"{value:.{digits}f}"
    return str(value)


def table(header: List[str], rows: List[List[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c if isinstance(c, str) else fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render(record: Dict) -> str:
    m: Dict[str, Dict] = record["measured"]
    out: List[str] = []
    get = lambda key, name, default=None: m.get(key, {}).get(name, default)  # noqa: E731

    out.append(f"Mode: **{record['mode']}**; wall time {fmt(record.get('wall_seconds'), 0)} s with "
               f"{record.get('workers', '?')} worker process(es).\n")

    out.append("### Verdicts (one line per test)\n")
    out.append(table(["test", "outcome"], [[f"`{k}`", v] for k, v in sorted(record.get("outcomes", {}).items())]))

    seq, syn = get("activation_schemes", "sequential", {}), get("activation_schemes", "synchronous", {})
    if seq:
        out.append(f"\n### Run 2 outbursts ({get('activation_schemes', 'seeds')} seeds x "
                   f"{get('activation_schemes', 'steps')} steps, burn-in {get('run2_sequential', 'burn_in', 100)})\n")
        rows = []
        for name, label, paper in [("outbursts", "outbursts (all runs)", None),
                                   ("outbursts_per_1000_steps", "outbursts per 1000 steps", None),
                                   ("size_mean", "total activation per outburst, mean", PAPER_RUN2["size_mean"]),
                                   ("size_sd", "total activation per outburst, s.d.", PAPER_RUN2["size_sd"]),
                                   ("wait_mean", "waiting time, mean (steps)", PAPER_RUN2["wait_mean"]),
                                   ("wait_sd", "waiting time, s.d.", PAPER_RUN2["wait_sd"]),
                                   ("wait_cv", "waiting time, s.d./mean", 55.0 / 60.0),
                                   ("peak_mean", "peak actives, mean", None),
                                   ("duration_mean", "duration (steps), mean", None),
                                   ("rise_mean", "steps from start to peak, mean", None),
                                   ("two_step_growth_median", "growth of actives over the first two steps, median",
                                    None),
                                   ("calm_fraction", "share of steps with actives <= 50", None)]:
            rows.append([label, "–" if paper is None else fmt(paper, 2 if name == "wait_cv" else 0),
                         fmt(seq.get(name), 2 if name in ("wait_cv", "calm_fraction") else 1),
                         fmt(syn.get(name), 2 if name in ("wait_cv", "calm_fraction") else 1)])
        out.append(table(["quantity", "paper", "sequential", "synchronous"], rows))

    comparison = get("activation_schemes", "comparison", {})
    if comparison:
        out.append("\n### Synchronous vs sequential (run 2; Cliff's delta > 0: synchronous larger)\n")
        rows = [[name.replace("_", " "), c["n_x"], c["n_y"], c["mean_x"], c["mean_y"], fmt(c["ratio_of_means"], 2),
                 fmt(c["mann_whitney_p"], 3), fmt(c["ks_d"], 2), fmt(c["ks_p"], 3), fmt(c["cliffs_delta"], 2)]
                for name, c in comparison.items()]
        out.append(table(["quantity", "n seq", "n sync", "mean seq", "mean sync", "sync/seq", "Mann–Whitney p",
                          "KS D", "KS p", "Cliff's delta"], rows))

    rows = []
    for scheme in ("sequential", "synchronous"):
        k = f"arrest_rule_{scheme}"
        if k in m:
            rows.append([scheme, f"{get(k, 'as_written_seeds')} x {get(k, 'as_written_steps')}",
                         get(k, "as_written_outbursts"), get(k, "as_written_max_actives"),
                         fmt(get(k, "as_written_mean_actives"), 2), get(k, "floor_outbursts"),
                         get(k, "floor_min_outbursts_per_run")])
    if rows:
        out.append("\n### Arrest rule (run 2)\n")
        out.append(table(["activation", "as_written seeds x steps", "as_written outbursts", "as_written max actives",
                          "as_written mean actives", "floor outbursts", "floor min per run"], rows))

    if "run1_no_movement" in m:
        a, b, c = m["run1_no_movement"], m.get("run1_movement", {}), m.get("run2_movement", {})
        n = m.get("run1_netlogo_cops", {})
        out.append(f"\n### Movement (run 1: {a.get('seeds')} seeds x {a.get('steps')} steps; run 2: "
                   f"{c.get('seeds')} seeds)\n")
        out.append(table(["case", "outburst starts after burn-in", "mean actives", "s.d. of actives", "largest peak"], [
            ["run 1, no movement", a.get("outburst_starts"), a.get("actives_mean"), fmt(a.get("actives_sd_max"), 2) +
             " (max)", "–"],
            ["run 1, movement", b.get("outburst_starts"), b.get("actives_mean"), fmt(b.get("actives_sd_mean"), 2) +
             " (mean)", b.get("peak_max")],
            ["run 1, citizens still, cops moving (cop_movement = always)", n.get("outburst_starts"),
             n.get("actives_mean"), fmt(n.get("actives_sd_mean"), 2) + " (mean)", n.get("peak_max")]]))
        if c:
            out.append("")
            out.append(table(["run 2", "outbursts per run", "Mann–Whitney p", "size mean", "wait mean"], [
                ["movement", c.get("outbursts_per_run_moving"), "", seq.get("size_mean"), seq.get("wait_mean")],
                ["no movement", c.get("outbursts_per_run_still"), fmt(c.get("mann_whitney_p"), 3),
                 c.get("size_mean_still"), c.get("wait_mean_still")]]))

    rows = []
    for scheme in ("sequential", "synchronous"):
        ramp = m.get(f"salami_ramp_{scheme}", {})
        d7 = m.get(f"salami_drop_0.7_{scheme}", {})
        d6 = m.get(f"salami_drop_0.6_{scheme}", {})
        if ramp:
            rows.append([scheme, f"{ramp.get('peak_median')} / {ramp.get('peak_max')}",
                         f"{ramp.get('runs_with_outburst')} of {ramp.get('seeds')}",
                         ", ".join(fmt(x, 2) for x in ramp.get("legitimacy_at_outburst_peaks", [])) or "–",
                         ramp.get("activations_median"),
                         f"{d7.get('peak_median')} / {d7.get('peak_max')}", f"{d7.get('runs_with_outburst')}",
                         d7.get("activations_at_drop_median"),
                         f"{d6.get('peak_median')}", f"{d6.get('runs_with_outburst')}"])
    if rows:
        out.append("\n### Salami tactics (runs 3/4; 150 steps, drop at step 77)\n")
        out.append(table(["activation", "ramp peak median / max", "ramp runs with outburst", "L at ramp outbursts",
                          "ramp activations/step median", "drop to 0.7 peak median / max", "runs with outburst",
                          "activations at drop median", "drop to 0.6 peak median", "runs with outburst"], rows))

    rows = []
    for scheme in ("sequential", "synchronous"):
        k = f"run5_{scheme}"
        if k in m:
            rows.append([scheme, m[k].get("seeds"), f"{fmt(m[k].get('cops_before'), 0)} -> {fmt(m[k].get('cops_after'), 0)}",
                         m[k].get("control_peak_max"), m[k].get("before_cut_peak_max"), m[k].get("cut_peak_min"),
                         m[k].get("cut_peak_median")])
    if rows:
        out.append("\n### Cop reduction (run 5: 0.074 -> 0.03 at step 50, 150 steps)\n")
        out.append(table(["activation", "seeds", "cops", "control peak max", "peak before cut max",
                          "peak after cut min", "peak after cut median"], rows))

    rows = []
    for scheme in ("sequential", "synchronous"):
        k = f"model2_run7_{scheme}"
        if k in m:
            r = m[k]
            rows.append([scheme, r.get("seeds"), r.get("cap"), r.get("censored"), r.get("time_mean"), r.get("time_sd"),
                         r.get("time_max"), f"{r.get('a_wins')} / {r.get('b_wins')}", fmt(r.get("binomial_p"), 3),
                         fmt(r.get("initial_majority_won"), 2)])
    if rows:
        out.append("\n### Model II, run 7 (no cops)\n")
        out.append(table(["activation", "seeds", "cap", "no genocide", "time mean", "time s.d.", "time max",
                          "A / B victories", "binomial p", "initial majority won"], rows))

    for scheme in ("sequential", "synchronous"):
        k = f"model2_cops_{scheme}"
        if k in m:
            r = m[k]
            out.append(f"\n### Model II, time to genocide vs cop density ({scheme}; {r.get('seeds')} seeds, "
                       f"cap {r.get('cap')} steps)\n")
            rows = [[d, row.get("censored"), row.get("mean_capped"), row.get("sd_capped"), row.get("median_capped"),
                     row.get("mean_uncensored"), row.get("sd_uncensored")] for d, row in r.get("table", {}).items()]
            out.append(table(["cop density", "no genocide by cap", "mean (capped)", "s.d. (capped)", "median (capped)",
                              "mean (genocides)", "s.d. (genocides)"], rows))
    return "\n".join(out) + "\n"


VARIANTS = {
    "defaults (floor, disc, int_below, jailed leave, twice, cop moves, move then decide)": {},
    "jail_draw = continuous": {"jail_draw": "continuous"},
    "jail_draw = int_inclusive": {"jail_draw": "int_inclusive"},
    "jailed_hold_cell = true": {"jailed_hold_cell": True},
    "active_self_count = once": {"active_self_count": "once"},
    "cop_moves_to_arrest = false": {"cop_moves_to_arrest": False},
    "action_order = decide_then_move": {"action_order": "decide_then_move"},
    "neighborhood = von_neumann": {"neighborhood": "von_neumann"},
    "neighborhood = moore": {"neighborhood": "moore"},
    "arrest_rule = round": {"arrest_rule": "round"},
}


def sensitivity(seeds: int, steps: int) -> str:
    """Run-2 outburst statistics (sequential) under each ambiguity choice of EPSTEIN.md."""
    sys.path.insert(0, str(SUITE))
    import epstein_runs

    rows = []
    try:
        for label, params in VARIANTS.items():
            results = epstein_runs.simulate(epstein_runs.runs("epstein", range(seeds), steps, activation="sequential",
                                                              **params))
            s = epstein_runs.outburst_statistics([r["active"] for r in results]).summary()
            rows.append([label, s["outbursts_per_1000_steps"], s["size_mean"], s["size_sd"], s["wait_mean"],
                         s["wait_sd"], fmt(s["wait_cv"], 2)])
            print(f"sensitivity: {label} done", file=sys.stderr)
    finally:
        epstein_runs.shutdown()
    return (f"\n### Run 2 under each ambiguity choice (sequential; {seeds} seeds x {steps} steps)\n\n" +
            table(["variant (one change from the defaults)", "outbursts / 1000 steps", "size mean", "size s.d.",
                   "wait mean", "wait s.d.", "wait s.d./mean"],
                  [["paper", "–", 708.0, 230.0, 60.0, 55.0, "0.92"]] + rows) + "\n")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reduced", action="store_true", help="run the reduced suite (quick preview)")
    parser.add_argument("--record", type=pathlib.Path, help="keep the JSON record of measured numbers here")
    parser.add_argument("--from-record", type=pathlib.Path, help="only print the tables of a kept record")
    parser.add_argument("--sensitivity", action="store_true", help="also measure run 2 under each ambiguity choice")
    parser.add_argument("--sensitivity-seeds", type=int, default=16)
    parser.add_argument("--sensitivity-steps", type=int, default=3000)
    args = parser.parse_args(argv)

    status = 0
    if args.from_record:
        record = json.loads(args.from_record.read_text())
    else:
        path = args.record or pathlib.Path(tempfile.mkstemp(suffix=".json", prefix="validation-")[1])
        status = run_suite(not args.reduced, path)
        record = json.loads(path.read_text())
    sys.stdout.write(render(record))
    if args.sensitivity:
        sys.stdout.write(sensitivity(args.sensitivity_seeds, args.sensitivity_steps))
    return status


if __name__ == "__main__":
    sys.exit(main())
