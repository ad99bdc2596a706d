"""The documents state what the code does: the ODD parameter tables come from the registry, and the
Sahel ODD's schedule and outputs are those of the model."""

import pathlib
import re

import pytest

import sahelsim

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


def _block(document, marker):
    text = (DOCS / document).read_text()
    match = re.search(rf"<!-- {re.escape(marker)} -->\n(.*?)\n<!-- end -->", text, re.S)
    assert match, f"docs/{document} has no block <!-- {marker} -->"
    return match.group(1)


@pytest.mark.parametrize(
    "document, model",
    [("ODD-epstein.md", "epstein"), ("ODD-epstein.md", "epstein-ethnic"), ("ODD.md", "sahel")],
)
def test_odd_parameter_table_matches_registry(document, model):
    assert _block(document, f"parameters:{model}") == sahelsim.parameter_table(model), (
        f"docs/{document} is out of date: regenerate the table with sahelsim.parameter_table({model!r})"
    )


@pytest.fixture(scope="module")
def sahel_model():
    # The schedule and the outputs do not depend on the scenario: the classroom map builds in ms.
    return sahelsim.Model.from_scenario("siege-classroom", threads=1)


def _cells(row):
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _names(cell):
    return re.findall(r"`([^`]+)`", cell)


def test_odd_schedule_table_matches_the_model(sahel_model):
    expected = []
    for line in sahel_model.describe_schedule().strip().splitlines():
        match = re.fullmatch(r"(\S+): reads (.*); writes (.*)", line)
        assert match, line
        reads, writes = ([] if part == "nothing" else part.split(", ") for part in match.group(2, 3))
        expected.append((match.group(1), reads, writes))
    rows = _block("ODD.md", "schedule:sahel").splitlines()
    assert _cells(rows[0]) == ["#", "phase", "what it does", "reads", "writes"]
    documented = []
    for number, row in enumerate(rows[2:], start=1):
        cells = _cells(row)
        assert cells[0] == str(number), row
        documented.append((_names(cells[1])[0], _names(cells[3]), _names(cells[4])))
    assert documented == expected, "docs/ODD.md's schedule table differs from the model's build_schedule()"


def test_odd_lists_every_output_of_the_model(tmp_path):
    text = (DOCS / "ODD.md").read_text()
    model = sahelsim.Model.from_scenario("siege-classroom", threads=1)
    path = tmp_path / "run.h5"
    model.run(2, output=str(path), snapshot_every=1)
    run = sahelsim.open_run(path)
    # Model outputs vary over steps, snapshots or events; the map's fixed variables are in DATA.md.
    outputs = {name for name, var in run.data_vars.items() if {"step", "snapshot", "event"} & set(var.dims)}
    assert outputs >= set(model.series()) | set(model.raster_names)
    words = set(run["event_kind"].attrs["flag_meanings"].split()) | set(run["event_actor"].attrs["flag_meanings"].split())
    missing = sorted(name for name in outputs | words | set(model.summary()) if f"`{name}`" not in text)
    assert not missing, f"docs/ODD.md does not describe these outputs of the model: {missing}"
