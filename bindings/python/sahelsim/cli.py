"""The ``sahelsim`` command line.

    sahelsim run [MODEL] [--set NAME=VALUE ...] [--steps N] [--seed S] [--threads T] [-o FILE]
    sahelsim models
    sahelsim params MODEL
    sahelsim map route FROM TO [--mode truck|motorcycle|troops] [--cell-km N] [--data-dir DIR]
    sahelsim map render -o map.png [--cell-km N] [--seed S] [--data-dir DIR]
    sahelsim scenario list
    sahelsim scenario check FILE|NAME       (every problem, one a line; exit 2 if any, else "ok")
    sahelsim scenario show FILE|NAME [--format toml|json]

Exit codes: 0 success; 2 bad input (unknown model, parameter or value; bad option); 3 the run file
could not be written; 130 interrupted by Ctrl-C (the run file is kept, marked incomplete).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from typing import Dict, List, Optional

from . import _core
from ._model import Model, models, parameters
from .analysis import outbursts

EXIT_BAD_INPUT = 2
EXIT_OUTPUT_ERROR = 3
EXIT_INTERRUPTED = 130

DEFAULT_MODEL = "epstein"
DEFAULT_STEPS = 500


class BadInput(Exception):
    """A command-line argument that is not allowed (exit code 2)."""


def _parse_assignments(items: List[str], model: str) -> Dict[str, str]:
    known = {spec["name"] for spec in parameters(model)}
    values: Dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BadInput(f"--set {item!r} is not allowed: expected NAME=VALUE, e.g. --set legitimacy=0.82")
        if name not in known:
            raise BadInput(
                f"--set {item!r}: unknown parameter {name!r} for model {model!r}; "
                f"known parameters: {', '.join(sorted(known))} (see `sahelsim params {model}`)"
            )
        values[name] = value.strip()
    return values


def _progress_bar(total: int):
    if not sys.stderr.isatty() or total == 0:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="step", file=sys.stderr, dynamic_ncols=True)

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
    model_name = args.model or DEFAULT_MODEL
    if model_name not in models():
        raise BadInput(f"unknown model {model_name!r}: expected one of: {', '.join(models())}")
    overrides = _parse_assignments(args.set or [], model_name)
    if args.steps < 0:
        raise BadInput(f"--steps {args.steps} is not allowed: expected an integer >= 0")
    if args.threads < 1:
        raise BadInput(f"--threads {args.threads} is not allowed: expected an integer >= 1")
    if args.seed < 0:
        raise BadInput(f"--seed {args.seed} is not allowed: expected an integer >= 0")
    output: Optional[str] = args.output
    if output is None:
        os.makedirs("runs", exist_ok=True)
        output = os.path.join("runs", f"{model_name}-seed{args.seed}.h5")
    try:
        model = Model(model_name, seed=args.seed, threads=args.threads, **overrides)
    except ValueError as error:
        raise BadInput(str(error)) from None

    update, close = _progress_bar(args.steps)
    try:
        result = model.run(args.steps, output, snapshot_every=args.snapshot_every, progress=update)
    finally:
        close()
    # The summary reads the run's series back from its file, which is the record of the run.
    import h5py

    with h5py.File(output, "r") as f:
        history: Dict[str, List] = {name: f[name][()].tolist() for name in model.series() if name in f}
    print(_summary(model, result, overrides, history))
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    for name in models():
        print(f"{name:16s} {_core.model_description(name)}")
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sahelsim",
        description="sahelsim: parallel agent-based models of insurgent–state–population dynamics.",
        epilog="Exit codes: 0 success, 2 bad input, 3 run file not writable, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"sahelsim {_core.build_info()['version']}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run a model and write its run file",
                         description="Run a model and write its run file (netCDF-4/HDF5), then print a summary.")
    run.add_argument("model", nargs="?", help=f"model name (default {DEFAULT_MODEL}; see `sahelsim models`)")
    run.add_argument("--set", action="append", metavar="NAME=VALUE",
                     help="set a parameter (repeatable); see `sahelsim params MODEL`")
    run.add_argument("--steps", type=int, default=DEFAULT_STEPS, help=f"steps to run (default {DEFAULT_STEPS})")
    run.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    run.add_argument("--threads", type=int, default=1, help="oneTBB threads (default 1)")
    run.add_argument("-o", "--output", metavar="FILE", help="run file (default runs/MODEL-seedS.h5)")
    run.add_argument("--snapshot-every", type=int, default=0, metavar="N",
                     help="write the lattice rasters every N steps (default 0: none)")
    run.set_defaults(handler=_cmd_run)

    sub.add_parser("models", help="list the runnable models").set_defaults(handler=_cmd_models)
    params = sub.add_parser("params", help="list a model's parameters with units, defaults and ranges")
    params.add_argument("model")
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
    render.add_argument("--seed", type=int, default=0, help="seed of the synthetic villages (default 0)")
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
    return parser


def main(argv: Optional[List[str]] = None) -> int:
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
    except (_core.RunFileError, OSError) as error:
        print(f"sahelsim: error: {error}", file=sys.stderr)
        return EXIT_OUTPUT_ERROR
    except KeyboardInterrupt:
        print("sahelsim: interrupted; the run file is kept and marked incomplete", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
