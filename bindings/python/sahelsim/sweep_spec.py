"""Sweep spec files: a sweep in TOML, the format of scenario files (docs/SWEEPS.md, "Spec files")::

    [sweep]
    model = "epstein"              # or scenario = "mali-2025" (a bundled name, or a file relative to this one)
    design = "lhs"                 # factorial | lhs | sobol | morris
    samples = 20
    replicates = 2
    seed = 1
    steps = 300
    output = "sweeps/epstein-lhs"  # the sweep directory, relative to the working directory

    [parameters]
    legitimacy = [0.7, 0.9]                  # a range [low, high], sampled by the design
    movement = { levels = [true, false] }    # levels of a factorial design
    topology = "bounded"                     # one value for every run

``sahelsim sweep SPEC`` runs it; :func:`load_spec` reads it (ValueError naming the file and field).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Dict, Union

from . import _core

try:  # Python 3.11+
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover - Python 3.9/3.10 with tomli installed
    import tomli as _toml  # type: ignore[no-redef]

#: The keys of [sweep] and what each holds (all but `output` are keywords of sahelsim.Sweep).
SWEEP_KEYS = {
    "model": "a model name (epstein, epstein-ethnic, sahel)",
    "scenario": "a bundled scenario name or a scenario file (relative to the spec file)",
    "design": "factorial, lhs, sobol or morris",
    "samples": "an integer >= 1",
    "replicates": "an integer >= 1",
    "seed": "an integer >= 0",
    "steps": "an integer >= 1",
    "outputs": "a list of series names, or \"all\"",
    "threads_per_run": "an integer >= 1",
    "snapshot_every": "an integer >= 0",
    "second_order": "true or false (sobol)",
    "levels": "an even integer >= 2 (morris)",
    "common_seeds": "true or false",
    "output": "the sweep directory (relative to the working directory)",
}
_TYPES = {
    "model": str, "scenario": str, "design": str, "samples": int, "replicates": int, "seed": int, "steps": int,
    "threads_per_run": int, "snapshot_every": int, "second_order": bool, "levels": int, "common_seeds": bool,
    "output": str,
}


class SpecError(ValueError):
    """A sweep spec file with a problem; the message names the file and the field."""


@dataclasses.dataclass
class SweepSpec:
    """A spec file read: the sweep and its output directory."""

    path: str
    sweep: Any  # sahelsim.Sweep
    output: str


def _type_ok(value: Any, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _parameter(path: str, name: str, value: Any) -> Any:
    """TOML -> Sweep: [low, high] is a range, { levels = [...] } levels, { range = [...] } a range, a
    scalar one value."""
    where = f"{path}: [parameters] {name}"
    if isinstance(value, list):
        if len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            raise SpecError(f"{where} = {value!r} is not allowed: expected [low, high] (two numbers, a range), "
                            f"{{ levels = [...] }} (a factorial design's levels) or one value")
        return tuple(value)
    if isinstance(value, dict):
        if set(value) == {"levels"} and isinstance(value["levels"], list):
            return list(value["levels"])
        if set(value) == {"range"} and isinstance(value["range"], list) and len(value["range"]) == 2:
            return tuple(value["range"])
        raise SpecError(f"{where} = {value!r} is not allowed: expected [low, high], {{ levels = [...] }} or "
                        f"one value")
    return value


def load_spec(path: Union[str, os.PathLike]) -> SweepSpec:
    """Reads a sweep spec file; :class:`SpecError` (a ValueError) names the file and the field at fault."""
    from .sweep import Sweep

    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            document = _toml.load(f)
    except FileNotFoundError:
        raise SpecError(f"{path}: no such sweep spec file") from None
    except IsADirectoryError:
        raise SpecError(f"{path}: is a directory, not a sweep spec file") from None
    except UnicodeDecodeError as error:
        raise SpecError(f"{path}: not UTF-8 text (byte {error.start}): a sweep spec is a TOML file") from None
    except _toml.TOMLDecodeError as error:
        raise SpecError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise SpecError(f"{path}: arrays, tables or dotted keys nested too deeply to read") from None
    unknown_sections = sorted(set(document) - {"sweep", "parameters"})
    if unknown_sections:
        raise SpecError(f"{path}: unknown section or key {unknown_sections[0]!r}: expected [sweep] and [parameters]")
    section = document.get("sweep")
    if not isinstance(section, dict):
        raise SpecError(f"{path}: [sweep] is missing: expected a [sweep] table with model or scenario, design, ...")
    for key, value in section.items():
        if key not in SWEEP_KEYS:
            raise SpecError(f"{path}: [sweep] unknown key {key!r}: expected one of: {', '.join(SWEEP_KEYS)}")
        if key == "outputs":
            if not (value == "all" or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
                raise SpecError(f"{path}: [sweep] outputs = {value!r} is not allowed: expected {SWEEP_KEYS[key]}")
        elif not _type_ok(value, _TYPES[key]):
            raise SpecError(f"{path}: [sweep] {key} = {value!r} is not allowed: expected {SWEEP_KEYS[key]}")
    parameters = document.get("parameters", {})
    if not isinstance(parameters, dict):
        raise SpecError(f"{path}: parameters = {parameters!r} is not allowed: expected a [parameters] table")

    kwargs: Dict[str, Any] = {key: value for key, value in section.items() if key != "output"}
    scenario = kwargs.get("scenario")
    if scenario is not None and scenario not in _core.bundled_scenarios() and not os.path.isabs(scenario):
        kwargs["scenario"] = os.path.join(os.path.dirname(os.path.abspath(path)), scenario)
    params = {name: _parameter(path, name, value) for name, value in parameters.items()}
    try:
        sweep = Sweep(parameters=params, **kwargs)
    except ValueError as error:
        message = str(error)
        section_name = "[parameters]" if "parameter" in message.split(":")[0] else "[sweep]"
        raise SpecError(f"{path}: {section_name} {message}") from None
    stem = os.path.splitext(os.path.basename(path))[0]
    if section.get("output") == "":
        raise SpecError(f"{path}: [sweep] output = '' is not allowed: expected a directory name (or no output key: "
                        f"sweeps/{stem})")
    output = section.get("output") or os.path.join("sweeps", stem)
    return SweepSpec(path=path, sweep=sweep, output=output)
