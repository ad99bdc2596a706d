"""Validation suite: sahelsim's Epstein models against the published results (Epstein 2002, PNAS 99
suppl. 3, and the independent replications summarised in design/EPSTEIN.md).

Separate from the unit tests: each test's name and docstring say which published result it checks.
A claim that does not reproduce is a strict xfail whose reason states what happens instead; if it ever
starts to reproduce, the XPASS fails the suite so docs/VALIDATION.md gets updated.

Size switch:
    default                     reduced measurements, a few minutes on 2 cores (`make test`)
    SAHELSIM_VALIDATION=full    full measurements, about half an hour (`make validate`)
    SAHELSIM_VALIDATION_WORKERS worker processes (default min(2, cores))
    SAHELSIM_VALIDATION_RECORD  a JSON file that receives every measured number (used by
                                experiments/validation_report.py to write docs/VALIDATION.md)
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from typing import Any, Dict

import numpy as np
import pytest

# The suite's helper modules sit beside this file; make them importable whatever pytest's import mode
# (worker processes inherit sys.path).
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import epstein_runs  # noqa: E402

_measured: Dict[str, Dict[str, Any]] = {}
_outcomes: Dict[str, str] = {}
_started: list = []


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) or math.isinf(float(value)) else round(float(value), 4)
    return value


@pytest.fixture
def record(request):
    """record(key, **numbers): keeps what a test measured, for the end-of-run summary and the JSON
    record; `key` defaults to the test's name."""

    def keep(key=None, **numbers):
        key = key or request.node.name
        _measured.setdefault(key, {}).update(_plain(numbers))

    return keep


def pytest_report_header(config):
    return (f"sahelsim validation: {epstein_runs.MODE} size "
            f"(SAHELSIM_VALIDATION=full for the full suite), {epstein_runs.worker_count()} worker process(es)")


def pytest_runtest_logreport(report):
    """Keeps each test's verdict: passed, failed, xfailed (claim not reproduced) or xpassed."""
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        elif report.failed and str(report.longrepr).startswith("[XPASS(strict)]"):
            outcome = "xpassed (strict: fails)"
        else:
            outcome = report.outcome
        _outcomes[report.nodeid.split("::", 1)[-1]] = outcome


def pytest_sessionstart(session):
    _started.append(time.time())


def pytest_sessionfinish(session, exitstatus):
    epstein_runs.shutdown()
    wall_seconds = time.time() - (_started[0] if _started else time.time())
    path = os.environ.get("SAHELSIM_VALIDATION_RECORD", "").strip()
    if path:
        with open(path, "w") as f:
            json.dump({"mode": epstein_runs.MODE, "workers": epstein_runs.worker_count(),
                       "wall_seconds": round(wall_seconds, 1),
                       "outcomes": _outcomes, "measured": _measured}, f, indent=1, sort_keys=True)


def pytest_terminal_summary(terminalreporter):
    if not _measured:
        return
    terminalreporter.section(f"measured ({epstein_runs.MODE} size)")
    for key in sorted(_measured):
        numbers = ", ".join(f"{k}={v}" for k, v in _measured[key].items() if not isinstance(v, (dict, list)))
        terminalreporter.write_line(f"{key}: {numbers}")
