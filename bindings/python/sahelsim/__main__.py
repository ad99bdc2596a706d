"""The ``sahelsim`` command (its console script) and ``python -m sahelsim``: sahelsim.cli's command
line, loaded inside a handler of Ctrl-C, so that Ctrl-C in the second or so in which Python loads
NumPy, pandas, xarray and the C++ module exits with 130 and one line, as Ctrl-C later does, instead
of a traceback of the imports."""

import sys

EXIT_INTERRUPTED = 130


def main() -> int:
    try:
        from .cli import main as command_line

        return command_line()
    except KeyboardInterrupt:  # (the commands handle their own Ctrl-C: this is the start-up's)
        print("sahelsim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
