"""The documents state what the code does: the ODD parameter tables come from the registry."""

import pathlib
import re

import pytest

import sahelsim

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("model", ["epstein", "epstein-ethnic"])
def test_odd_parameter_table_matches_registry(model):
    text = (DOCS / "ODD-epstein.md").read_text()
    match = re.search(rf"<!-- parameters:{re.escape(model)} -->\n(.*?)\n<!-- end -->", text, re.S)
    assert match, f"docs/ODD-epstein.md has no parameter table for {model}"
    assert match.group(1) == sahelsim.parameter_table(model), (
        "docs/ODD-epstein.md is out of date: regenerate the table with sahelsim.parameter_table"
    )
