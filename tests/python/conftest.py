import os
import shutil
import subprocess
import sys

import pytest


@pytest.fixture
def sahelsim_command():
    """The installed `sahelsim` console script next to this interpreter."""
    candidate = os.path.join(os.path.dirname(sys.executable), "sahelsim")
    if os.path.exists(candidate):
        return [candidate]
    found = shutil.which("sahelsim")
    if found:
        return [found]
    return [sys.executable, "-m", "sahelsim.cli"]


@pytest.fixture
def run_cli(sahelsim_command, tmp_path):
    def run(*args, timeout=120, **kwargs):
        return subprocess.run(
            sahelsim_command + list(args), capture_output=True, text=True, timeout=timeout, cwd=tmp_path, **kwargs
        )

    return run
