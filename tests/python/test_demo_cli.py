"""`sahelsim demo`: the command starts the server, prints its address, and stops on Ctrl-C."""

import json
import re
import signal
import subprocess
import time
import urllib.request

import pytest

pytest.importorskip("flask")
pytest.importorskip("plotly")


def test_demo_prints_its_loopback_address_and_serves_the_api(sahelsim_command, tmp_path):
    process = subprocess.Popen(sahelsim_command + ["demo", "--port", "0", "--no-browser"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"serving on (http://127\.0\.0\.1:(\d+)/)", line)
        assert match, line
        url = match.group(1)
        with urllib.request.urlopen(url + "api/options", timeout=20) as response:
            options = json.load(response)
        assert options["default"] == "mali-2025"
        with urllib.request.urlopen(url, timeout=20) as response:
            assert b"sahelsim" in response.read()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "stopped" in process.stderr.read()


def test_demo_rejects_a_bad_port_and_a_port_in_use(run_cli):
    bad = run_cli("demo", "--port", "70000", "--no-browser")
    assert bad.returncode == 2 and "--port 70000 is not allowed" in bad.stderr
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        started = time.monotonic()
        busy = run_cli("demo", "--port", str(port), "--no-browser", timeout=60)
        assert time.monotonic() - started < 60
    assert busy.returncode == 3 and f"cannot serve on 127.0.0.1:{port}" in busy.stderr
