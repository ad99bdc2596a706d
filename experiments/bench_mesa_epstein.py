"""Agent-updates per second of Mesa's own Epstein civil violence example, for comparison with sahelsim.

This imports the example that ships inside the mesa package
(mesa.examples.advanced.epstein_civil_violence, Mesa 3.x): it is Mesa's code, not a re-implementation.
Run it in a separate, throwaway virtual environment, never in sahelsim's own:

    python3 -m venv /tmp/mesa-venv
    /tmp/mesa-venv/bin/pip install mesa==3.3.1
    /tmp/mesa-venv/bin/python experiments/bench_mesa_epstein.py --steps 200 --repeats 5

Settings follow Epstein's run 2 as far as the example's arguments allow: a 40x40 torus, citizen
density 0.7, cop density 0.04, vision 7, legitimacy 0.82, J_max 30, threshold 0.1, k = 2.3,
movement on. The example's own choices stay: a von Neumann vision of radius 7, round(C/A) in the
arrest probability, jailed citizens kept on the lattice, random activation order (shuffle_do) and
the DataCollector call that its step() makes.

`--settings example-defaults` runs the example as shipped instead: only the lattice size and the
seed are given, every other argument keeps the example's default (cop density 0.074, legitimacy 0.8,
J_max 1000, ...).

One agent-update is one agent (citizen or cop, jailed included: the example steps them all) taking
one step; agent-updates/s = agents x steps / stepping time. Set-up (model construction) is timed
separately. The result is printed as a line `RESULT agent_updates_per_s=...` and a small table.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=40)
    parser.add_argument("--height", type=int, default=40)
    parser.add_argument("--steps", type=int, default=200, help="timed steps per repeat")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps before each repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--settings", choices=["run2", "example-defaults"], default="run2",
                        help="Epstein's run 2 as far as the example's arguments go (default), or the example as shipped")
    args = parser.parse_args()

    import mesa
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    if args.settings == "run2":
        settings = dict(
            width=args.width,
            height=args.height,
            citizen_density=0.7,
            cop_density=0.04,
            citizen_vision=7,
            cop_vision=7,
            legitimacy=0.82,
            max_jail_term=30,
            active_threshold=0.1,
            arrest_prob_constant=2.3,
            movement=True,
            max_iters=10**9,
        )
    else:  # the example's own defaults; max_iters only stops its `running` flag, never step()
        settings = dict(width=args.width, height=args.height)

    setup_seconds, rates = [], []
    agents = 0
    for repeat in range(args.repeats):
        start = time.perf_counter()
        model = EpsteinCivilViolence(seed=args.seed + repeat, **settings)
        setup_seconds.append(time.perf_counter() - start)
        for _ in range(args.warmup):
            model.step()
        agents = len(model.agents)
        start = time.perf_counter()
        for _ in range(args.steps):
            model.step()
        elapsed = time.perf_counter() - start
        rates.append(agents * args.steps / elapsed)

    median_rate = statistics.median(rates)
    print(f"Mesa {mesa.__version__}, Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"settings: {args.settings}")
    print(f"{args.width}x{args.height}, {agents} agents, {args.steps} steps x {args.repeats} repeats "
          f"(seeds {args.seed}..{args.seed + args.repeats - 1}), warm-up {args.warmup} steps")
    print()
    print("| setup (median) | step (median) | agent-updates/s (median) | agent-updates/s (best) |")
    print("|---:|---:|---:|---:|")
    print(f"| {statistics.median(setup_seconds) * 1e3:.1f} ms | {agents / median_rate * 1e3:.2f} ms | "
          f"{median_rate:,.0f} | {max(rates):,.0f} |")
    print()
    print(f"RESULT agent_updates_per_s={median_rate:.1f} best={max(rates):.1f} agents={agents}")


if __name__ == "__main__":
    main()
