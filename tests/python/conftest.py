import subprocess

import pytest

from sahelsim.cli import command_line


@pytest.fixture
def sahelsim_command():
    """The installed `sahelsim` console script next to this interpreter (sahelsim.cli.command_line)."""
    return command_line()


@pytest.fixture
def run_cli(sahelsim_command, tmp_path):
    def run(*args, timeout=120, **kwargs):
        return subprocess.run(
            sahelsim_command + list(args), capture_output=True, text=True, timeout=timeout, cwd=tmp_path, **kwargs
        )

    return run
