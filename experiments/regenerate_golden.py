"""Regenerates the golden run files in tests/golden/ (see tests/golden/README.md).

    .venv/bin/python experiments/regenerate_golden.py            # every golden run
    .venv/bin/python experiments/regenerate_golden.py epstein    # only the names containing "epstein"

Each golden run is one `sahelsim run` of the command line below, with one thread. Run this only when a
change alters the results on purpose, and say so in the commit message (which runs changed and why).
tests/python/test_golden.py imports CONFIGS and command() from this file, so the test and the
regeneration always run the same commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden"

# name -> the arguments of `sahelsim run` (without --threads and -o). Keep them small: the files are
# stored in git (deflate-compressed by the writer; about 0.85 MB in all).
CONFIGS: dict[str, list[str]] = {
    "epstein-40x40-50steps-seed1": [
        "epstein", "--steps", "50", "--seed", "1", "--set", "width=40", "--set", "height=40",
    ],
    "siege-classroom-20days-seed1": ["siege-classroom", "--days", "20", "--seed", "1"],
    "mali-2025-10days-snap5-seed1": ["mali-2025", "--days", "10", "--seed", "1", "--snapshot-every", "5"],
}


def command(name: str, output: os.PathLike | str, threads: int = 1) -> list[str]:
    """The `sahelsim run` command line of golden run `name` (the console script of this interpreter's
    environment, as the tests find it: sahelsim.cli.command_line)."""
    from sahelsim.cli import command_line

    return command_line() + ["run", *CONFIGS[name], "--threads", str(threads), "-o", str(output)]


def main(argv: list[str]) -> int:
    names = [n for n in CONFIGS if not argv or any(a in n for a in argv)]
    if not names:
        print(f"no golden run matches {argv}; known: {', '.join(CONFIGS)}", file=sys.stderr)
        return 2
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = GOLDEN_DIR / f"{name}.h5"
        if path.exists():
            path.unlink()
        subprocess.run(command(name, path), check=True, stdout=subprocess.DEVNULL)
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
