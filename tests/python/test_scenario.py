"""Sahel scenario files from Python and the command line: bundled scenarios, resolved values, the
scenario's map, `sahelsim scenario list|check|show`, and the corpus of broken files in
tests/data/broken/ (EXPECTED.tsv: file, a fragment its `scenario check` message must contain)."""

import json
import os
import pathlib
import re

import pytest

import sahelsim

BROKEN = os.path.join(os.path.dirname(__file__), "..", "data", "broken")
SCENARIOS = os.path.join(os.path.dirname(__file__), "..", "..", "scenarios")


def broken_cases():
    with open(os.path.join(BROKEN, "EXPECTED.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]
    return [pytest.param(name, fragment, id=name) for name, fragment in rows]


def test_bundled_scenarios_are_listed():
    assert sahelsim.scenarios() == ["mali-2025", "mali-2025-no-blockade", "siege-classroom"]


def test_mali_2025_resolves_period_forces_and_blockade():
    s = sahelsim.load_scenario("mali-2025")
    assert s.period == {"start": "2025-07-01", "end": "2025-12-31"}
    assert s.map_settings == {"data": "default", "cell_km": 5.0}
    assert {f["kind"] for f in s.forces} == {"militant", "army", "partner", "militia"}
    blockades = [e for e in s.events if e["kind"] == "blockade"]
    assert len(blockades) == 1 and blockades[0]["date"] == "2025-09-03"
    assert "Dakar–Bamako (Diboli)" in blockades[0]["corridors"]
    assert "Abidjan–Bamako (Zégoua)" in blockades[0]["corridors"]
    assert s.parameters["tanker_capacity_litres"] == 46000


def test_counterfactual_has_the_same_forces_and_no_blockade():
    with_blockade = sahelsim.load_scenario("mali-2025")
    without = sahelsim.load_scenario("mali-2025-no-blockade")
    assert without.forces == with_blockade.forces
    assert not [e for e in without.events if e["kind"] == "blockade"]


def test_siege_classroom_map_is_the_synthetic_one():
    s = sahelsim.load_scenario("siege-classroom")
    m = s.map
    assert isinstance(m, sahelsim.Map)
    assert sorted(m.towns["name"])[:3] == ["Amba", "Bora", "Citadel"]
    assert len(m.corridors) == 2
    assert round(m.route("Citadel", "Westgate").km) == 150


def test_scenario_file_by_path_resolves_its_map_directory():
    s = sahelsim.load_scenario(os.path.join(SCENARIOS, "siege-classroom.toml"))
    assert os.path.isdir(s.map_origin)
    assert s.name == "siege-classroom"


def test_bad_scenario_raises_value_error_listing_every_problem():
    with pytest.raises(ValueError) as error:
        sahelsim.load_scenario(os.path.join(BROKEN, "unknown-town.toml"))
    assert "did you mean: Ségou?" in str(error.value)


def test_cli_list_check_and_show(run_cli):
    listed = run_cli("scenario", "list")
    assert listed.returncode == 0 and "mali-2025-no-blockade" in listed.stdout
    checked = run_cli("scenario", "check", os.path.abspath(os.path.join(SCENARIOS, "mali-2025.toml")))
    assert checked.returncode == 0 and checked.stdout.strip() == "ok", checked.stderr
    shown = run_cli("scenario", "show", "siege-classroom", "--format", "json")
    assert shown.returncode == 0
    assert json.loads(shown.stdout)["map"]["data"] == "bundled:siege-classroom"
    toml_text = run_cli("scenario", "show", "mali-2025")
    assert toml_text.returncode == 0 and "[period]" in toml_text.stdout


def test_a_shown_bundled_scenario_saved_as_a_file_loads_and_runs(run_cli, tmp_path):
    """`scenario show siege-classroom > FILE` names its map data "bundled:siege-classroom", which loads
    from a file in any directory (it named "siege-classroom", looked for beside the file)."""
    shown = run_cli("scenario", "show", "siege-classroom")
    assert shown.returncode == 0, shown.stderr
    (tmp_path / "copy.toml").write_text(shown.stdout, encoding="utf-8")
    checked = run_cli("scenario", "check", "copy.toml")
    assert checked.returncode == 0 and checked.stdout.strip() == "ok", checked.stderr
    assert run_cli("scenario", "show", "copy.toml").stdout == shown.stdout
    ran = run_cli("run", "copy.toml", "--days", "3", "-o", "copy.h5")
    assert ran.returncode == 0, ran.stderr


def test_cli_check_reports_every_problem_of_a_file(run_cli, tmp_path):
    path = tmp_path / "two-problems.toml"
    path.write_text('name = ""\n[period]\nstart = 2025-07-01\nend = 2025-01-01\n', encoding="utf-8")
    result = run_cli("scenario", "check", str(path))
    assert result.returncode == 2
    assert f"{path}:1:8: field 'name'" in result.stderr
    assert f"{path}:4:7: field 'period.end'" in result.stderr


def test_a_directory_given_as_the_scenario_exits_2_saying_so(run_cli, tmp_path):
    (tmp_path / "a-directory.toml").mkdir()
    for command in (["scenario", "check"], ["run"]):
        result = run_cli(*command, "a-directory.toml")
        assert result.returncode == 2, result.stderr
        assert "a-directory.toml: is a directory, not a scenario file" in result.stderr


def test_broken_corpus_has_at_least_30_files():
    assert len(broken_cases()) >= 60  # issue 7: a corpus of at least 60 broken inputs


@pytest.mark.parametrize("name, fragment", broken_cases())
def test_broken_file_gives_its_clear_error(run_cli, name, fragment):
    path = os.path.abspath(os.path.join(BROKEN, name))
    result = run_cli("scenario", "check", path, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert name in output
    assert fragment in output, output


def test_docs_example_loads_once_its_partner_forces_exist(tmp_path):
    text = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "SCENARIOS.md").read_text(encoding="utf-8")
    example = re.search(r"## A full example\n\n```toml\n(.*?)```", text, re.S).group(1)
    example = example.replace("[[events]]", '''[[forces]]
kind = "partner"
name = "Wagner"
strength = 1000
position = "Bamako"

[[forces]]
kind = "partner"
name = "Africa Corps"
strength = 2000
position = "Bamako"

[[events]]''', 1)
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    s = sahelsim.load_scenario(path)
    assert [e["kind"] for e in s.events] == ["blockade", "partner_replaces", "legitimacy_shock", "fuel_sale_ban",
                                             "lift_blockade"]


