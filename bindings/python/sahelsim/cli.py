"""The ``sahelsim`` command line.

    sahelsim run [SCENARIO_OR_MODEL] [--days N] [--seed S] [--threads T] [--set NAME=VALUE ...]
                 [-o FILE] [--snapshot-every N] [--summary-json FILE]
    sahelsim run epstein|epstein-ethnic [--steps N] [--seed S] [--threads T] [--set NAME=VALUE ...] [-o FILE]
    sahelsim run ... --checkpoint-every N [--checkpoint FILE]   (FILE default: the run file + ".ckpt")
    sahelsim resume RUN.h5 [--checkpoint FILE] [--threads T] [--summary-json FILE]
    sahelsim models
    sahelsim params [MODEL]                 (default: sahel)
    sahelsim map route FROM TO [--mode truck|motorcycle|troops] [--cell-km N] [--data-dir DIR]
    sahelsim map render -o map.png [--cell-km N] [--seed S] [--data-dir DIR]
    sahelsim scenario list
    sahelsim scenario check FILE|NAME       (every problem, one a line; exit 2 if any, else "ok")
    sahelsim scenario show FILE|NAME [--format toml|json]
    sahelsim sweep SPEC [-o DIR] [--scheduler tcp://HOST:PORT | --scheduler-file FILE] [--workers N]
                        [--threads-per-run T] [--no-resume] [--dry-run]
    sahelsim demo [--port N] [--host 127.0.0.1] [--no-browser] [--threads T]   (live demo in the browser)
    sahelsim report RUN.h5 [-o report.html] [--max-frames N]   (one self-contained HTML page of a run)

``sahelsim run`` with no argument runs the default scenario, mali-2025. A bundled scenario name or a
scenario file runs the Sahel model: one step a day, --days defaults to the scenario's period, --seed
to its seed, --snapshot-every to its output.snapshot_every_days, -o to its output.path or else
runs/NAME.h5 (the directory of these defaults is created), --threads to every core; --set overrides its [parameters].
The run ends with the calibration indicators against their targets (docs/ODD.md §9); --summary-json FILE
writes them as one JSON object. The name of another model (epstein, epstein-ethnic) runs it as
before, --steps N steps (default 500) into runs/MODEL-seedS.h5. --checkpoint-every N saves the
model's state every N steps; ``sahelsim resume RUN.h5`` continues a killed or interrupted run from its
last checkpoint, and the finished run file equals the uninterrupted run's (docs/RELIABILITY.md).

Exit codes: 0 success; 2 bad input (unknown scenario, model, parameter or value; bad option); 3 the
run file (or the summary file) could not be written (no such directory, not writable, a directory or
device at the path, a full disk or the file size limit); 130 interrupted by Ctrl-C (the run file is
kept, marked incomplete). ``sahelsim sweep`` exits with 1 when the sweep finished but some of its runs
failed (they are listed in its index; running it again retries them).
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import math
import os
import stat
import sys
import textwrap
import time
from typing import Any, Dict, List, Optional

from . import _core
from ._model import MAX_COUNT, MAX_SCENARIO_SEED, MAX_THREADS, Model, available_threads, models, parameters
from .analysis import outbursts

EXIT_BAD_INPUT = 2
EXIT_OUTPUT_ERROR = 3
EXIT_INTERRUPTED = 130

SAHEL_MODEL = "sahel"
DEFAULT_STEPS = 500  # models other than sahel (epstein, epstein-ethnic)


class BadInput(Exception):
    """A command-line argument that is not allowed (exit code 2)."""


def _parse_assignments(items: List[str], model: str, context: str = "") -> Dict[str, str]:
    """NAME=VALUE texts, names checked against `model`'s parameters (values are checked when the
    model is built, against each parameter's range)."""
    known = [spec["name"] for spec in parameters(model)]
    values: Dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            example = "max_tankers_per_day=150" if model == SAHEL_MODEL else "legitimacy=0.82"
            raise BadInput(f"--set {item!r} is not allowed: expected NAME=VALUE, e.g. --set {example}")
        if name not in known:
            where = f"for {context} (model {model!r})" if context else f"for model {model!r}"
            if len(known) <= 20:
                hint = f"known parameters: {', '.join(sorted(known))}"
            else:
                close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
                hint = (f"did you mean: {', '.join(close)}? " if close else "") + f"{len(known)} parameters"
            raise BadInput(f"--set {item!r}: unknown parameter {name!r} {where}; {hint} "
                           f"(see `sahelsim params {model}`)")
        values[name] = value.strip()
    return values


def _progress_bar(total: int, unit: str = "step"):
    if not sys.stderr.isatty() or total == 0:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True)

    def update(done: int) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def _summary(model: Model, result: dict, overrides: Dict[str, str], history: Dict[str, List]) -> str:
    lines = [
        f"model      {model.name}   seed {model.seed}   threads {model.threads}",
        f"steps      {result['steps_run']} in {result['wall_seconds']:.3f} s",
    ]
    if overrides:
        lines.append("set        " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    final = model.series()
    lines.append("final      " + ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in final.items()))
    if "active" in history and history["active"]:
        active = history["active"]
        bursts = outbursts(active)
        lines.append(
            f"active     mean {sum(active) / len(active):.1f}, peak {max(active)}; "
            f"outbursts (actives > 50): {len(bursts['start'])}"
        )
        if len(bursts["size"]):
            lines.append(
                f"           total activation per outburst: mean {bursts['size'].mean():.0f}; "
                f"waiting time between outbursts: mean "
                + (f"{bursts['waiting'].mean():.1f}" if len(bursts["waiting"]) else "n/a")
            )
    if result.get("output"):
        lines.append(f"run file   {result['output']}")
    return "\n".join(lines)


def _cmd_run(args: argparse.Namespace) -> int:
    target = args.target
    if target is not None and target != SAHEL_MODEL and target in models():
        return _run_registered_model(args, target)
    # A bare run, "sahel", a bundled scenario or a scenario file.
    return _run_scenario(args, _core.default_scenario() if target in (None, SAHEL_MODEL) else target)


def _run_registered_model(args: argparse.Namespace, model_name: str) -> int:
    """epstein, epstein-ethnic: parameters from --set, --steps steps (default 500)."""
    if args.days is not None:
        raise BadInput(f"--days is for Sahel scenarios (one step a day); use --steps N for model {model_name!r}")
    if args.summary_json is not None:
        raise BadInput(f"--summary-json is for Sahel scenarios; model {model_name!r} has no calibration summary")
    overrides = _parse_assignments(args.set or [], model_name)
    steps = DEFAULT_STEPS if args.steps is None else args.steps
    seed = 1 if args.seed is None else args.seed
    threads = 1 if args.threads is None else args.threads
    snapshot_every = 0 if args.snapshot_every is None else args.snapshot_every
    _check_option("--steps", steps, 0, MAX_COUNT)
    _check_option("--threads", threads, 1, MAX_THREADS)
    _check_option("--seed", seed, 0, 2**64 - 1)
    _check_option("--snapshot-every", snapshot_every, 0, MAX_COUNT, " (0: none)")
    checkpoint_every = _checkpoint_every(args)
    output: Optional[str] = args.output
    if output is None:
        os.makedirs("runs", exist_ok=True)
        output = os.path.join("runs", f"{model_name}-seed{seed}.h5")
    _check_output_path(output, "run file")
    _check_distinct_outputs({"-o": output, "--checkpoint": args.checkpoint})
    try:
        model = Model(model_name, seed=seed, threads=threads, **overrides)
    except ValueError as error:
        raise BadInput(str(error)) from None

    update, close = _progress_bar(steps)
    try:
        result = model.run(steps, output, snapshot_every=snapshot_every, progress=update,
                           checkpoint_every=checkpoint_every, checkpoint=args.checkpoint)
    finally:
        close()
    print(_summary(model, result, overrides, _history(model, output)))
    return 0


def _history(model: Model, output: str) -> Dict[str, List]:
    """The run's series read back from its file, which is the record of the run."""
    import h5py

    with h5py.File(output, "r") as f:
        return {name: f[name][()].tolist() for name in model.series() if name in f}


def _check_option(option: str, value: int, minimum: int, maximum: int, note: str = "") -> None:
    """Exit 2 unless minimum <= value <= maximum (the maximum is shown when it is what was exceeded)."""
    if value < minimum:
        raise BadInput(f"{option} {value} is not allowed: expected an integer >= {minimum}{note}")
    if value > maximum:
        limit = "2**63 - 1" if maximum == MAX_COUNT else "2**64 - 1" if maximum == 2**64 - 1 else str(maximum)
        raise BadInput(f"{option} {value} is not allowed: expected an integer in [{minimum}, {limit}]{note}")


def _checkpoint_every(args: argparse.Namespace) -> int:
    every = args.checkpoint_every or 0
    _check_option("--checkpoint-every", every, 0, MAX_COUNT, " (0: no checkpoints)")
    if args.checkpoint is not None and not every:
        raise BadInput("--checkpoint FILE needs --checkpoint-every N")
    if args.checkpoint is not None:
        _check_output_path(args.checkpoint, "checkpoint")
    return every


_ENTRY_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


def _check_output_path(path: str, what: str) -> None:
    """Fails early, before the model is built: exit 2 for an empty name, exit 3 when `path`'s
    directory does not exist or something other than a regular file is there (a directory, a device
    such as /dev/null, a named pipe: the file would replace it). A link to a regular file is fine."""
    if not path:
        raise BadInput(f"the {what} name is empty: expected a file name")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"cannot write {what} {path!r}: directory {parent!r} does not exist")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            raise FileNotFoundError(f"cannot write {what} {path!r}: it is a symbolic link to a missing file") from None
        return
    for is_kind, kind in _ENTRY_KINDS:
        if is_kind(mode):
            raise IsADirectoryError(f"cannot write {what} {path!r}: it is {kind}, not a regular file")


def _check_distinct_outputs(outputs: Dict[str, Optional[str]]) -> None:
    """Exit 2 when two outputs of one command (named by their options) are the same file: the later
    one would overwrite the other, e.g. the run file with the summary."""
    seen: Dict[str, str] = {}
    for option, path in outputs.items():
        if not path:
            continue
        key = os.path.realpath(path)
        if key in seen:
            raise BadInput(f"{option} {path!r} is the same file as {seen[key]}: give each output its own name")
        seen[key] = f"{option} {path!r}"


def _run_scenario(args: argparse.Namespace, name_or_path: str) -> int:
    """A Sahel run of a scenario, its settings overridden by the options."""
    from .scenario import load_scenario

    try:
        scenario = load_scenario(name_or_path)
    except ValueError as error:
        message = str(error)
        if message.startswith("unknown scenario"):
            others = [m for m in models() if m != SAHEL_MODEL]
            message += f" (or a model: {', '.join(others)})"
        raise BadInput(message) from None
    context = f"scenario {scenario.name!r}"

    overrides = _parse_assignments(args.set or [], SAHEL_MODEL, context)
    if args.days is not None and args.steps is not None and args.days != args.steps:
        raise BadInput(f"--days {args.days} and --steps {args.steps} disagree: a Sahel step is one day; give one")
    max_days = _core.scenario_max_days()
    days = args.days if args.days is not None else args.steps if args.steps is not None else scenario.days
    option = "--days" if args.days is not None or args.steps is None else "--steps"
    if not 1 <= days <= max_days:
        raise BadInput(f"{option} {days} is not allowed: expected an integer in [1, {max_days}] "
                       f"(at most {max_days // 366} years; {context} has {scenario.days} days)")
    seed = scenario.seed if args.seed is None else args.seed
    if not 0 <= seed <= MAX_SCENARIO_SEED:
        raise BadInput(f"--seed {seed} is not allowed: expected an integer in [0, {MAX_SCENARIO_SEED}]")
    threads = available_threads() if args.threads is None else args.threads
    _check_option("--threads", threads, 1, MAX_THREADS)
    snapshot_every = scenario.output["snapshot_every_days"] if args.snapshot_every is None else args.snapshot_every
    _check_option("--snapshot-every", snapshot_every, 0, MAX_COUNT, " (0: none)")
    checkpoint_every = _checkpoint_every(args)

    # -o is used as given; the default (the scenario's output.path, else runs/NAME.h5) gets its directory.
    output: str = args.output if args.output is not None else (
        scenario.output.get("path") or os.path.join("runs", f"{scenario.name}.h5"))
    if args.output is None:
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    _check_output_path(output, "run file")
    if args.summary_json is not None:
        _check_output_path(args.summary_json, "summary file")
    _check_distinct_outputs({"-o": output, "--summary-json": args.summary_json, "--checkpoint": args.checkpoint})

    started = time.perf_counter()
    try:
        model = Model.from_scenario(name_or_path, parameters=overrides, seed=seed, threads=threads)
    except ValueError as error:
        raise BadInput(str(error)) from None
    build_seconds = time.perf_counter() - started

    update, close = _progress_bar(days, unit="day")
    try:
        result = model.run(days, output, snapshot_every=snapshot_every, progress=update,
                           checkpoint_every=checkpoint_every, checkpoint=args.checkpoint)
    finally:
        close()
    summary = model.summary()
    if args.summary_json is not None:
        with open(args.summary_json, "w", encoding="utf-8") as f:
            f.write(model.summary_json().rstrip("\n") + "\n")
    print(_scenario_summary(model, scenario, result, overrides, summary, build_seconds, args.summary_json))
    return 0


# The calibration indicators of the summary in the order of SAHEL-MODEL.md's "Calibration targets":
# key, the target's number there, label, number format, target band ("" where it gives none).
_INDICATORS = [
    ("fuel_price_ratio_bamako", "1", "fuel price in Bamako: 8-week peak / pre-blockade", ".2f", "2.5–6"),
    ("electricity_hours_bamako_min", "2", "electricity in Bamako: fewest hours a day", ".1f", "about 6 (from 19)"),
    ("tankers_destroyed_first_90_days", "3", "tankers destroyed, first 3 months of the blockade", ",", "100–300"),
    ("tankers_destroyed", "", "tankers destroyed, whole run", ",", ""),
    ("max_convoy_loss_fraction", "4", "largest share of a convoy (>= 20 tankers) destroyed", ".2f", "about 0.5"),
    ("max_attacks_one_day", "5", "most attacks in one day", ",", ">= 5"),
    ("max_attack_spread_km_one_day", "5", "widest spread of one day's attacks (km)", ",.0f",
     "hundreds (670 on 2025-07-01)"),
    ("state_share_civilian_deaths", "6", "state + partner share of civilian deaths (targeted)", ".2f",
     "majority (data 0.77)"),
    ("capital_captured", "7", "capital captured", "", "never"),
    ("insurgent_rural_share_near_corridors", "7", "insurgent share of rural villages near corridors", ".2f",
     "insurgents keep them"),
    ("legitimacy", "8", "mean state legitimacy, start -> end", ".3f", "falls"),
    ("ambush_share_in_2025_zones", "9", "share of convoy ambushes in the 2025 ambush zones", ".2f",
     "concentrated there"),
]
_HEADER_KEYS = {"days", "blockade_start_day", "legitimacy_start", "legitimacy_end"}


def _format_value(value: Any, spec: str = "") -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if isinstance(value, (int, float)):
        if not spec:
            spec = "," if isinstance(value, int) else ".4g"
        try:
            return format(value, spec)
        except ValueError:  # e.g. "," asked of a float
            return format(value, ".4g")
    return str(value)


def _scenario_summary(model: Model, scenario, result: dict, overrides: Dict[str, str], summary: Dict[str, Any],
                      build_seconds: float, summary_json: Optional[str]) -> str:
    start = datetime.date.fromisoformat(scenario.period["start"])
    days = result["steps_run"]
    last_day = start + datetime.timedelta(days=max(days - 1, 0))
    lines = [
        f"scenario   {scenario.name}   {scenario.period['start']} to {scenario.period['end']} "
        f"({scenario.days} days)",
        f"run        seed {model.seed}   threads {model.threads}   days {days} ({start} to {last_day})",
        f"wall time  {result['wall_seconds']:.3f} s run, {build_seconds:.3f} s to build the map and agents",
    ]
    if overrides:
        lines.append("set        " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    # The scenario's first blockade event (the model's blockade_start_day is -1 until it happens).
    blockade_dates = [e["date"] for e in scenario.events if e["kind"] == "blockade"]
    if blockade_dates:
        first = datetime.date.fromisoformat(min(blockade_dates))
        blockade_day = (first - start).days + 1  # day 1 is the start date (summary_blockade_start_day)
        later = ", after the last day run" if blockade_day > days else ""
        lines.append(f"blockade   from day {blockade_day} ({first}{later})")
    else:
        lines.append("blockade   none in this scenario")
    if result.get("output"):
        lines.append(f"run file   {result['output']}")
    if summary_json:
        lines.append(f"summary    {summary_json}")
    lines.append("")
    return "\n".join(lines + _indicator_lines(summary, blockade=bool(blockade_dates)))


def _indicator_lines(summary: Dict[str, Any], blockade: bool) -> List[str]:
    """The calibration indicators against their targets, one a line."""
    lines = [f"{'# calibration indicator (# = target in docs/ODD.md §9)':54s} {'value':>15s}   target"]
    known = set()
    for key, number, label, spec, target in _INDICATORS:
        if key == "legitimacy":
            if "legitimacy_start" not in summary or "legitimacy_end" not in summary:
                continue
            start_value, end_value = (_format_value(summary[k], spec) for k in ("legitimacy_start", "legitimacy_end"))
            value = f"{start_value} -> {end_value}"
        elif key in summary:
            known.add(key)
            value = _format_value(summary[key], spec)
            if key == "fuel_price_ratio_bamako" and value == "n/a" and not blockade:
                value = "n/a (none)"
        else:
            continue
        lines.append(f"{number:>1s} {label:52s} {value:>15s}   {target}".rstrip())
    for key, raw in summary.items():  # indicators the list above does not know yet
        if key not in known and key not in _HEADER_KEYS:
            lines.append(f"  {key:52s} {_format_value(raw):>15s}")
    return lines


def _run_status(path: str) -> str:
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError:  # left open by a killed writer: readable as an SWMR reader
        f = h5py.File(path, "r", swmr=True)
    with f:
        status = f.attrs.get("run_status", b"")
    return status.decode() if isinstance(status, bytes) else str(status)


def _cmd_resume(args: argparse.Namespace) -> int:
    """Continues a checkpointed run from its checkpoint; the finished file equals the uninterrupted run's."""
    from ._core import CheckpointError

    output = args.run
    checkpoint = args.checkpoint or _core.default_checkpoint_path(output)
    if not os.path.isfile(output):
        raise BadInput(f"run file {output!r} does not exist (a checkpointed run is resumed from its run file "
                       f"and its checkpoint {checkpoint!r})")
    if not os.path.exists(checkpoint):
        try:
            status = _run_status(output)
        except OSError:
            status = ""
        if status == "complete" and args.checkpoint is None:
            print(f"run file {output} is complete: nothing to resume")
            return 0
        named = "" if args.checkpoint else (", or its checkpoint has another name (--checkpoint FILE at the "
                                            "start: give the same --checkpoint FILE to resume)")
        raise BadInput(f"no checkpoint {checkpoint!r} for run file {output!r}: the run was not started with "
                       f"--checkpoint-every, or was killed before its first checkpoint{named}; else run it again")
    if args.threads is not None:
        _check_option("--threads", args.threads, 1, MAX_THREADS)
    if args.summary_json is not None:
        _check_output_path(args.summary_json, "summary file")
    _check_distinct_outputs({"RUN.h5": output, "--summary-json": args.summary_json})
    started = time.perf_counter()
    try:
        info = _core.checkpoint_info(checkpoint)
        if info["run"] is None:
            raise BadInput(f"checkpoint {checkpoint!r} was saved by Model.save_checkpoint, not by a run with "
                           f"--checkpoint-every: it has no run file to continue")
        model = Model.from_checkpoint(checkpoint, threads=args.threads)
        if args.summary_json is not None and not model.is_sahel:
            raise BadInput(f"--summary-json is for Sahel scenarios; model {model.name!r} has no calibration summary")
        build_seconds = time.perf_counter() - started
        remaining = info["run"]["first_step"] + info["run"]["steps"] - info["step"]
        update, close = _progress_bar(remaining, unit="day" if model.is_sahel else "step")
        try:
            result = model.resume(output, checkpoint=checkpoint, progress=update)
        finally:
            close()
    except CheckpointError as error:
        raise BadInput(str(error)) from None
    lines = [f"resumed    {output} from {checkpoint} at step {info['step']} "
             f"({build_seconds:.3f} s to rebuild the model)"]
    if model.is_sahel:
        summary = model.summary()
        if args.summary_json is not None:
            with open(args.summary_json, "w", encoding="utf-8") as f:
                f.write(model.summary_json().rstrip("\n") + "\n")
        lines += [
            f"scenario   {model.scenario_name}   {model.start_date} to {model.end_date} ({model.days} days)",
            f"run        seed {model.seed}   threads {model.threads}   days {model.current_step} "
            f"(to {model.current_date}); {result['steps_run']} after the checkpoint in {result['wall_seconds']:.3f} s",
            f"run file   {output}",
            "",
        ] + _indicator_lines(summary, blockade=summary.get("blockade_start_day", -1) >= 0)
    else:
        lines.append(_summary(model, result, {}, _history(model, output)))
    print("\n".join(lines))
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    for name in models():
        print(f"{name:16s} {_core.model_description(name)}")
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    if args.model is None:
        args.model = SAHEL_MODEL
    if args.model not in models():
        raise BadInput(f"unknown model {args.model!r}: expected one of: {', '.join(models())}")
    for spec in parameters(args.model):
        default = spec["default"]
        print(f"{spec['name']} = {default!r}  [{spec['unit']}]  {spec['allowed']}")
        print(textwrap.indent(textwrap.fill(spec["description"], 90), "    "))
        print(f"    source: {spec['source']}")
    return 0


def _load_map(args: argparse.Namespace):
    from .map import load_map

    try:
        return load_map(cell_km=args.cell_km, seed=getattr(args, "seed", 0), data_dir=args.data_dir)
    except ValueError as error:
        raise BadInput(str(error)) from None


def _cmd_map_route(args: argparse.Namespace) -> int:
    """Prints the route town by town with the cumulative km; the last line is `distance_km: N`."""
    the_map = _load_map(args)
    try:
        route = the_map.route(args.from_town, args.to_town, mode=args.mode)
    except ValueError as error:
        raise BadInput(str(error)) from None
    links = the_map.roads
    by_row = {int(row): i for i, row in enumerate(links["route_row"])}
    print(f"{route.towns[0]} to {route.towns[-1]} by {route.mode}: fastest road route "
          f"({route.hours:.1f} h on the move at the assumed speeds)")
    for i, (town, km) in enumerate(zip(route.towns, route.cumulative_km)):
        via = ""
        if i > 0:
            link = by_row[route.route_rows[i - 1]]
            road = links["road"][link]
            via = f"   ({road + ', ' if road else ''}{links['surface'][link]}, {links['length_km'][link]:.0f} km)"
        print(f"{km:8.0f} km  {town}{via}")
    print(f"distance_km: {round(route.km)}")
    return 0


def _cmd_map_render(args: argparse.Namespace) -> int:
    _check_output_path(args.output, "map image")
    the_map = _load_map(args)
    path = the_map.render(args.output, villages=not args.no_villages)
    print(f"wrote {path} ({the_map.shape[0]} x {the_map.shape[1]} cells of {the_map.cell_km:g} km)")
    return 0


def _cmd_scenario_list(args: argparse.Namespace) -> int:
    from .scenario import load_scenario, scenarios

    for name in scenarios():
        print(f"{name:24s} {load_scenario(name).description}")
    return 0


def _cmd_scenario_check(args: argparse.Namespace) -> int:
    """Prints every problem of the scenario (and of its map) on stderr, or "ok"."""
    from .scenario import check_scenario

    problems = check_scenario(args.scenario)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"sahelsim: {args.scenario}: {len(problems)} problem{'s' if len(problems) > 1 else ''}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print("ok")
    return 0


def _cmd_scenario_show(args: argparse.Namespace) -> int:
    from .scenario import load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ValueError as error:
        raise BadInput(str(error)) from None
    print(scenario.to_json() if args.format == "json" else scenario.to_toml(), end="" if args.format == "toml" else "\n")
    return 0


# ---- sahelsim sweep (docs/SWEEPS.md) ----------------------------------------------------------------

EXIT_RUNS_FAILED = 1


def _cmd_sweep(args: argparse.Namespace) -> int:
    """Runs a sweep spec (TOML) on a local process pool or a Dask cluster; resumes by default."""
    from .sweep_spec import load_spec

    try:
        spec = load_spec(args.spec)
    except ValueError as error:
        raise BadInput(str(error)) from None
    sweep = spec.sweep
    if args.threads_per_run is not None:
        _check_option("--threads-per-run", args.threads_per_run, 1, MAX_THREADS)
        sweep.threads_per_run = args.threads_per_run
    if args.workers is not None and args.workers < 1:
        raise BadInput(f"--workers {args.workers} is not allowed: expected an integer >= 1")
    if args.workers is not None and (args.scheduler or args.scheduler_file):
        raise BadInput("--workers sets the local process pool; with --scheduler the Dask workers run the sweep "
                       "(start them with `dask worker ADDRESS --nthreads 1 --nworkers N`)")
    if args.scheduler and args.scheduler_file:
        raise BadInput("--scheduler and --scheduler-file: give one")
    if args.output == "":
        raise BadInput("the sweep directory name (-o) is empty: expected a directory")
    directory = args.output or spec.output
    if args.dry_run:
        print(f"{sweep!r}\ndirectory  {directory}")
        print(sweep.runs.to_string(max_rows=40))
        return 0

    client = None
    if args.scheduler_file and not os.path.isfile(args.scheduler_file):
        # (the Dask client would wait for it to appear)
        raise BadInput(f"--scheduler-file {args.scheduler_file!r} does not exist: expected the file that "
                       f"`dask scheduler --scheduler-file FILE` writes")
    if args.scheduler or args.scheduler_file:
        from distributed import Client

        try:
            client = Client(args.scheduler, timeout="20s") if args.scheduler else \
                Client(scheduler_file=args.scheduler_file, timeout="20s")
        except (OSError, TimeoutError, ValueError) as error:
            where = args.scheduler or args.scheduler_file
            raise OSError(f"cannot connect to the Dask scheduler {where}: {error}") from None
    try:
        result = sweep.run(directory, client=client, workers=args.workers, progress=sys.stderr.isatty(),
                           resume=not args.no_resume)
    except ValueError as error:  # e.g. the directory holds another sweep
        raise BadInput(str(error)) from None
    except RuntimeError as error:  # e.g. Dask workers that cannot import sahelsim
        raise BadInput(str(error)) from None
    except KeyboardInterrupt:
        print("sahelsim: interrupted; the index keeps the finished runs: run the same command again to resume",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if client is not None:
            client.close()
    print(result)
    if result.failed:
        failed = result.failed_runs
        for run, row in failed.head(10).iterrows():
            print(f"  run {run} failed: {row['error']}")
        if len(failed) > 10:
            print(f"  ... {len(failed) - 10} more in {os.path.join(directory, 'index.csv')}")
    print(f"index      {os.path.join(directory, 'index.csv')}")
    print(f"dataset    sahelsim.open_sweep({directory!r})")
    return EXIT_RUNS_FAILED if result.failed else 0


def _whole_number(text: str) -> int:
    """argparse type of the counts and seeds: an integer that the C++ core can take (64 bits)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer: {text!r}") from None
    if not -2**63 <= value < 2**64:
        raise argparse.ArgumentTypeError(f"{text} is out of range: expected at most 2**64 - 1 for a seed, "
                                         f"2**63 - 1 for a count")
    return value


def _add_sweep_parser(sub) -> None:
    sweep = sub.add_parser(
        "sweep", help="run a parameter sweep (a TOML spec) locally or on a Dask cluster",
        description="Run a parameter sweep described by a TOML spec ([sweep]: model or scenario, design, "
                    "samples, replicates, seed, steps, outputs, output; [parameters]: name = [low, high]): one "
                    "run file per run in DIR/runs, DIR/index.csv, and `sahelsim.open_sweep(DIR)` for the "
                    "combined dataset. An interrupted sweep resumes: complete runs are skipped.",
        epilog="Exit codes: 0 every run done, 1 some runs failed (see the index; run again to retry them), "
               "2 bad input, 3 I/O error (directory not writable, scheduler unreachable), 130 interrupted.")
    sweep.add_argument("spec", metavar="SPEC", help="the sweep spec file (TOML; docs/SWEEPS.md)")
    sweep.add_argument("-o", "--output", metavar="DIR",
                       help="the sweep directory (default: the spec's output, else sweeps/SPEC-NAME)")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on a Dask cluster: its scheduler's address, e.g. tcp://10.0.0.5:8786")
    sweep.add_argument("--scheduler-file", metavar="FILE", help="run on a Dask cluster: its scheduler file")
    sweep.add_argument("--workers", type=_whole_number, metavar="N",
                       help="processes of the local pool (default: cores // threads per run)")
    sweep.add_argument("--threads-per-run", type=_whole_number, metavar="T",
                       help="oneTBB threads of each run (default: the spec's threads_per_run, else 1)")
    sweep.add_argument("--resume", dest="no_resume", action="store_false",
                       help="skip the runs already complete in DIR (the default)")
    sweep.add_argument("--no-resume", dest="no_resume", action="store_true",
                       help="start over: remove DIR's index and run files first")
    sweep.add_argument("--dry-run", action="store_true", help="print the runs (point, seed, parameters) and exit")
    sweep.set_defaults(handler=_cmd_sweep, no_resume=False)


# ---- sahelsim demo and sahelsim report (docs/teaching.md) -------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    """Serves the live demo until Ctrl-C."""
    from .demo import DemoServer

    if not 0 <= args.port <= 65535:
        raise BadInput(f"--port {args.port} is not allowed: expected an integer in [0, 65535] (0: a free port)")
    threads = min(2, available_threads()) if args.threads is None else args.threads
    if threads < 1:
        raise BadInput(f"--threads {threads} is not allowed: expected an integer >= 1")
    try:
        server = DemoServer(host=args.host, port=args.port, threads=threads)
    except OSError as error:
        raise OSError(f"cannot serve on {args.host}:{args.port}: {error.strerror or error}; "
                      f"another program may use the port: try --port 0 for a free one") from None
    loopback = args.host in ("127.0.0.1", "localhost", "::1") or args.host.startswith("127.")
    print(f"sahelsim demo: serving on {server.url}  (Ctrl-C stops)", flush=True)
    if not loopback:
        print(f"sahelsim demo: warning: host {args.host} lets other machines reach the demo and run models on this "
              f"one; use --host 127.0.0.1 to keep it local", file=sys.stderr, flush=True)
    if not args.no_browser:
        import webbrowser

        try:
            webbrowser.open(server.url)
        except Exception:  # no browser here: the address is printed above
            pass
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    print("sahelsim demo: stopped", file=sys.stderr)
    return 0


def _add_demo_parser(sub) -> None:
    demo = sub.add_parser(
        "demo", help="watch a run live in the browser (map, charts, class parameters)",
        description="Starts a local web app that runs the model live: a map (control, villages, militant bands, "
                    "military units, markets by fuel price, convoys and attacks) with charts beside it; play, "
                    "pause, step, reset, speed; scenarios siege-classroom, mali-2025, mali-2025-no-blockade and "
                    "Epstein's model; the parameters that matter in class. Works offline. See docs/teaching.md.",
        epilog="Exit codes: 0 stopped with Ctrl-C, 2 bad option, 3 the address cannot be served (port in use).")
    demo.add_argument("--port", type=_whole_number, default=8765, help="TCP port (default 8765; 0: a free port)")
    demo.add_argument("--host", default="127.0.0.1",
                      help="address to listen on (default 127.0.0.1: this computer only)")
    demo.add_argument("--no-browser", action="store_true", help="do not open a browser; just print the address")
    demo.add_argument("--threads", type=_whole_number, metavar="T", help="oneTBB threads of a Sahel run (default: 2 at most)")
    demo.set_defaults(handler=_cmd_demo)


def _cmd_report(args: argparse.Namespace) -> int:
    from .io import open_run
    from .report import write_report

    run = args.run
    if not os.path.isfile(run):
        raise BadInput(f"run file {run!r} does not exist")
    output = args.output or os.path.splitext(run)[0] + ".html"
    _check_output_path(output, "report")
    _check_distinct_outputs({"RUN.h5": run, "-o": output})
    _check_option("--max-frames", args.max_frames, 1, MAX_COUNT)
    try:
        dataset = open_run(run)
    except OSError as error:  # not HDF5, or a file HDF5 cannot open: bad input, not an output problem
        raise BadInput(str(error)) from None
    with dataset:
        if "step" not in dataset.dims or "run_status" not in dataset.attrs:
            raise BadInput(f"{run}: not a sahelsim run file (it has no 'step' dimension or no run_status attribute)")
        try:
            path = write_report(dataset, output, max_frames=args.max_frames)
        except ValueError as error:
            raise BadInput(f"{run}: {error}") from None
    print(f"report     {path} ({os.path.getsize(path) / 1e6:.1f} MB; opens offline in any browser)")
    return 0


def _add_report_parser(sub) -> None:
    report = sub.add_parser(
        "report", help="one self-contained HTML page of a run file (parameters, indicators, charts, animated map)",
        description="Writes one HTML page about a run file that works offline (scripts and pictures inlined): the "
                    "run's scenario and parameters, the calibration indicators (summary_*), charts of the main "
                    "series, an event table and an animated map of the snapshots.",
        epilog="Exit codes: 0 written, 2 bad input (no such run file, not a run file), 3 the report cannot be written.")
    report.add_argument("run", metavar="RUN.h5", help="a run file (sahelsim run ... -o RUN.h5)")
    report.add_argument("-o", "--output", metavar="FILE", help="the HTML file (default: RUN.html beside the run file)")
    report.add_argument("--max-frames", type=_whole_number, default=60,
                        help="most snapshots in the animated map (evenly spaced; default 60)")
    report.set_defaults(handler=_cmd_report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sahelsim",
        description="sahelsim: parallel agent-based models of insurgent–state–population dynamics.",
        epilog="Exit codes: 0 success, 1 some runs of a sweep failed, 2 bad input, 3 an output cannot be written "
               "(no such directory, not writable, not a regular file, disk full; a sweep's I/O), 130 interrupted. "
               "Each command's --help gives its own.",
    )
    parser.add_argument("--version", action="version", version=f"sahelsim {_core.build_info()['version']}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run", help="run a scenario (default mali-2025) or a model and write its run file",
        description="Run a Sahel scenario (default mali-2025), or another model, write its run file "
                    "(netCDF-4/HDF5) and print a summary: for a scenario, the calibration indicators "
                    "against their targets (docs/ODD.md §9, docs/VALIDATION.md).",
        epilog="Exit codes: 0 success, 2 bad input, 3 the run file or summary file cannot be written (no such "
               "directory, not writable, not a regular file, disk full), 130 interrupted.")
    run.add_argument("target", nargs="?", metavar="SCENARIO_OR_MODEL",
                     help="a bundled scenario (see `sahelsim scenario list`; default "
                          f"{_core.default_scenario()}), a scenario file, or a model (see `sahelsim models`)")
    run.add_argument("--days", type=_whole_number, metavar="N",
                     help="days to run a scenario (default: its period; one step a day)")
    run.add_argument("--steps", type=_whole_number, metavar="N",
                     help=f"steps to run a model such as epstein (default {DEFAULT_STEPS}); for a scenario, days")
    run.add_argument("--seed", type=_whole_number, metavar="S",
                     help="random seed (default: the scenario's seed; 1 for other models)")
    run.add_argument("--threads", type=_whole_number, metavar="T",
                     help="oneTBB threads (default: every core for a scenario, whose results do not depend "
                          "on it; 1 for other models)")
    run.add_argument("--set", action="append", metavar="NAME=VALUE",
                     help="set a parameter (repeatable), over the scenario's; see `sahelsim params [MODEL]`")
    run.add_argument("-o", "--output", metavar="FILE",
                     help="run file (default: the scenario's output.path, else runs/NAME.h5; "
                          "runs/MODEL-seedS.h5 for other models)")
    run.add_argument("--snapshot-every", type=_whole_number, metavar="N",
                     help="write the rasters every N steps (default: the scenario's "
                          "output.snapshot_every_days; 0, none, for other models)")
    run.add_argument("--summary-json", metavar="FILE",
                     help="write the scenario run's calibration indicators as one JSON object")
    run.add_argument("--checkpoint-every", type=_whole_number, metavar="N",
                     help="save the model's state every N steps (days), so that `sahelsim resume` can "
                          "continue a killed run; removed when the run completes")
    run.add_argument("--checkpoint", metavar="FILE",
                     help="the checkpoint file (default: the run file + .ckpt)")
    run.set_defaults(handler=_cmd_run)

    resume = sub.add_parser(
        "resume", help="continue a killed or interrupted run from its last checkpoint",
        description="Continue a run started with --checkpoint-every from its last checkpoint (RUN.h5.ckpt): the "
                    "model is rebuilt from the checkpoint (model, parameters, seed, scenario), the run file is "
                    "cut back to the checkpoint's step, and the run goes on to its end. The finished run file "
                    "equals the uninterrupted run's, apart from its times (docs/RELIABILITY.md).",
        epilog="Exit codes: 0 success (or the run was already complete), 2 bad input (no such run file, no "
               "checkpoint, a corrupt checkpoint or one of another run), 3 run file not writable, 130 interrupted "
               "(resume again).")
    resume.add_argument("run", metavar="RUN.h5", help="the run file of a run started with --checkpoint-every")
    resume.add_argument("--checkpoint", metavar="FILE", help="the checkpoint (default: RUN.h5.ckpt)")
    resume.add_argument("--threads", type=_whole_number, metavar="T",
                        help="oneTBB threads (default: those of the run that wrote the checkpoint; results "
                             "do not depend on it)")
    resume.add_argument("--summary-json", metavar="FILE",
                        help="write a scenario run's calibration indicators as one JSON object")
    resume.set_defaults(handler=_cmd_resume)

    sub.add_parser("models", help="list the runnable models").set_defaults(handler=_cmd_models)
    params = sub.add_parser("params", help="list a model's parameters with units, defaults and ranges")
    params.add_argument("model", nargs="?", help=f"a model (default {SAHEL_MODEL}; see `sahelsim models`)")
    params.set_defaults(handler=_cmd_params)

    map_parser = sub.add_parser("map", help="the Sahel map: road routes and a rendered PNG",
                                description="The Sahel map of Mali built from the embedded data pack "
                                            "(docs/DATA.md, 'Map').")
    map_sub = map_parser.add_subparsers(dest="map_command", metavar="MAP_COMMAND")

    def map_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--cell-km", type=float, default=5.0, metavar="N",
                       help="grid cell size in km, 2 to 20 (default 5)")
        p.add_argument("--data-dir", metavar="DIR",
                       help="a data directory with the pack's files (default: the embedded pack)")

    route = map_sub.add_parser("route", help="the road route between two towns and its length",
                               description="Prints the fastest road route between two towns, town by town with "
                                           "the cumulative distance, and last `distance_km: N`.")
    route.add_argument("from_town", metavar="FROM")
    route.add_argument("to_town", metavar="TO")
    route.add_argument("--mode", choices=["truck", "motorcycle", "troops"], default="truck",
                       help="travel mode: speeds by road surface (default truck)")
    map_options(route)
    route.set_defaults(handler=_cmd_map_route)

    render = map_sub.add_parser("render", help="write a PNG of the map",
                                description="Draws the map (climate zones, rivers and wetland, refuge terrain, "
                                            "roads, corridors, towns, villages) to a PNG.")
    render.add_argument("-o", "--output", metavar="FILE", default="map.png", help="PNG file (default map.png)")
    render.add_argument("--seed", type=_whole_number, default=0, help="seed of the synthetic villages (default 0)")
    render.add_argument("--no-villages", action="store_true", help="do not draw the synthetic villages")
    map_options(render)
    render.set_defaults(handler=_cmd_map_render)
    map_parser.set_defaults(handler=lambda args: (map_parser.print_help(), EXIT_BAD_INPUT)[1])

    scenario_parser = sub.add_parser("scenario", help="Sahel scenario files: list, check, show",
                                     description="Sahel scenario files (docs/SCENARIOS.md): the bundled ones, "
                                                 "checking a file, printing a resolved scenario.")
    scenario_sub = scenario_parser.add_subparsers(dest="scenario_command", metavar="SCENARIO_COMMAND")
    scenario_sub.add_parser("list", help="list the bundled scenarios").set_defaults(handler=_cmd_scenario_list)
    check = scenario_sub.add_parser("check", help="report every problem of a scenario (exit 2 if any)",
                                    description="Checks a scenario file (or a bundled scenario) and builds its map; "
                                                "prints every problem as FILE:LINE:COL: ... and exits with 2, or "
                                                "prints 'ok'.")
    check.add_argument("scenario", metavar="FILE|NAME")
    check.set_defaults(handler=_cmd_scenario_check)
    show = scenario_sub.add_parser("show", help="print the resolved scenario (every default filled in)")
    show.add_argument("scenario", metavar="FILE|NAME")
    show.add_argument("--format", choices=["toml", "json"], default="toml", help="output format (default toml)")
    show.set_defaults(handler=_cmd_scenario_show)
    scenario_parser.set_defaults(handler=lambda args: (scenario_parser.print_help(), EXIT_BAD_INPUT)[1])
    _add_sweep_parser(sub)
    _add_demo_parser(sub)
    _add_report_parser(sub)
    return parser


def command_line() -> List[str]:
    """The command that runs this installation's ``sahelsim`` CLI, for subprocesses: the console
    script next to the running interpreter (its virtual environment), else the one on PATH, else
    ``python -m sahelsim`` with the running interpreter."""
    import shutil

    candidate = os.path.join(os.path.dirname(sys.executable), "sahelsim")
    if os.path.exists(candidate):
        return [candidate]
    found = shutil.which("sahelsim")
    if found:
        return [found]
    return [sys.executable, "-m", "sahelsim"]


def main(argv: Optional[List[str]] = None) -> int:
    for argument in sys.argv[1:] if argv is None else argv:
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8, which Python keeps as surrogates
            shown = argument.encode("utf-8", "backslashreplace").decode("utf-8")
            print(f"sahelsim: error: argument '{shown}' is not valid UTF-8: names, paths and values given to "
                  f"sahelsim must be UTF-8 text", file=sys.stderr)
            return EXIT_BAD_INPUT
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.handler(args)
    except BadInput as error:
        print(f"sahelsim: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        print("sahelsim: error: out of memory: the model or run needs more memory than this process may use "
              "(a smaller lattice, map or sweep needs less)", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader of the output went away (`sahelsim params | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (_core.RunFileError, OSError) as error:
        print(f"sahelsim: error: {error}", file=sys.stderr)
        return EXIT_OUTPUT_ERROR
    except KeyboardInterrupt:
        print("sahelsim: interrupted; the run file is kept and marked incomplete", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
