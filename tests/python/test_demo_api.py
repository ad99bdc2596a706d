"""The demo's JSON API (sahelsim.demo.app) and its class settings, without a browser."""

import math

import pytest

import sahelsim
from sahelsim.demo import scenario_edit, session

pytest.importorskip("flask")
pytest.importorskip("plotly")

from sahelsim.demo.app import create_app  # noqa: E402


@pytest.fixture(scope="module")
def client():
    return create_app(threads=2).test_client()


def reset(client, scenario, settings=None, layer=None):
    body = {"scenario": scenario}
    if settings is not None:
        body["settings"] = settings
    if layer is not None:
        body["layer"] = layer
    return client.post("/api/reset", json=body)


def test_options_list_the_four_scenarios_with_their_settings(client):
    response = client.get("/api/options")
    assert response.status_code == 200
    options = response.get_json()
    names = [s["name"] for s in options["scenarios"]]
    assert names == ["siege-classroom", "mali-2025", "mali-2025-no-blockade", "epstein"]
    mali = next(s for s in options["scenarios"] if s["name"] == "mali-2025")
    settings = {s["name"]: s for s in mali["settings"]}
    for name in ("blockade", "blockade_start_day", "escort_detachments", "escort_troops_per_convoy",
                 "army_discipline", "partner_discipline", "insurgent_strength", "legitimacy_initial",
                 "legitimacy_shock", "seed"):
        assert name in settings
    assert settings["blockade"]["default"] is True
    assert settings["blockade_start_day"]["default"] == 65  # 2025-09-03: day 1 is the start date, as steps
    assert settings["escort_detachments"]["minimum"] == 0 and settings["escort_detachments"]["maximum"] == 200
    no_blockade = next(s for s in options["scenarios"] if s["name"] == "mali-2025-no-blockade")
    assert {s["name"]: s for s in no_blockade["settings"]}["blockade"]["default"] is False


def test_page_and_plotly_are_served_from_this_server(client):
    page = client.get("/")
    assert page.status_code == 200 and b"/vendor/plotly.min.js" in page.data
    assert b"http://" not in page.data and b"https://" not in page.data
    script = client.get("/vendor/plotly.min.js")
    assert script.status_code == 200 and len(script.data) > 1_000_000
    assert client.get("/static/demo.js").status_code == 200
    assert client.get("/static/demo.css").status_code == 200


def test_reset_then_step_advances_the_day_and_returns_only_new_series_points(client):
    response = reset(client, "mali-2025")
    assert response.status_code == 200
    data = response.get_json()
    assert data["state"]["step"] == 0 and data["state"]["date"] == "2025-07-01"
    assert data["static"]["days"] == 184 and len(data["static"]["villages"]["lon"]) > 10_000
    assert data["state"]["layer"]["image"].startswith("data:image/png;base64,")
    assert len(data["state"]["villages"]["control"]) == len(data["static"]["villages"]["lon"])
    step = client.post("/api/step", json={"session": data["session"], "days": 5, "since": 1, "layer": "fuel_price"})
    assert step.status_code == 200
    state = step.get_json()
    assert state["step"] == 5
    assert state["series_from"] == 1 and state["series"]["step"] == [1, 2, 3, 4, 5]
    assert state["layer"]["name"] == "fuel_price"
    assert {"lon", "lat", "fighters", "acted"} <= set(state["bands"])
    assert {"lon", "lat", "tankers", "escorted", "attacked"} <= set(state["convoys"])
    assert len(state["markets"]["price"]) == len(data["static"]["markets"]["name"])


def test_steps_stop_at_the_end_of_the_period(client):
    data = reset(client, "siege-classroom").get_json()
    state = client.post("/api/step", json={"session": data["session"], "days": 1000}).get_json()
    assert state["step"] == data["static"]["days"] == 120
    assert state["done"] is True


@pytest.mark.parametrize("settings, message", [
    ({"escort_detachments": "abc"}, "escort_detachments = 'abc' is not allowed: expected an integer in [0, 200]"),
    ({"escort_detachments": 2.5}, "escort_detachments = 2.5 is not allowed"),
    ({"army_discipline": 1.5}, "army_discipline = 1.5 is not allowed: expected a number in [0, 1]"),
    ({"army_discipline": "nan"}, "army_discipline = 'nan' is not allowed"),
    ({"blockade": "maybe"}, "blockade = 'maybe' is not allowed: expected true or false"),
    ({"blockade_start_day": 185}, "blockade_start_day = 185 is not allowed: expected an integer in [1, 184]"),
    ({"blockade_start_day": 0}, "blockade_start_day = 0 is not allowed: expected an integer in [1, 184]"),
    ({"insurgent_strength": 0}, "insurgent_strength = 0 is not allowed: expected a number in [0.1, 5]"),
    ({"seed": -1}, "seed = -1 is not allowed"),
    ({"speed": 3}, "unknown setting 'speed'"),
])
def test_bad_settings_answer_400_with_a_message_naming_the_setting(client, settings, message):
    response = reset(client, "mali-2025", settings)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_bad_requests_answer_400_and_unknown_sessions_404(client):
    response = reset(client, "mali-2026")
    assert response.status_code == 400 and "scenario = 'mali-2026' is not allowed" in response.get_json()["error"]
    assert reset(client, "epstein", {"legitimacy_schedule": "sudden"}).status_code == 400
    epstein = reset(client, "epstein", {"cop_density": 0.5})  # the engine's own check: densities sum above 1
    assert epstein.status_code == 400 and "cop_density" in epstein.get_json()["error"]
    session_id = reset(client, "siege-classroom").get_json()["session"]
    for days in (0, -1, "x", 5000):
        response = client.post("/api/step", json={"session": session_id, "days": days})
        assert response.status_code == 400 and "days = " in response.get_json()["error"]
    response = client.post("/api/step", json={"session": session_id, "layer": "rainfall"})
    assert response.status_code == 400 and "layer = 'rainfall'" in response.get_json()["error"]
    missing = client.post("/api/step", json={"session": "no-such-session"})
    assert missing.status_code == 404 and "Reset" in missing.get_json()["error"]
    assert client.post("/api/reset", data="[1, 2]", content_type="application/json").status_code == 400


@pytest.mark.parametrize("data, content_type", [
    ('{"scenario": "siege-classroom",}', "application/json"),  # a trailing comma: not JSON
    ("[" * 100_000, "application/json"),                       # nested too deeply for the parser
    ('{"scenario": "siege-classroom"', "text/plain"),
])
def test_a_body_that_is_not_json_answers_400_instead_of_a_default_session(client, data, content_type):
    response = client.post("/api/reset", data=data, content_type=content_type)
    assert response.status_code == 400, response.data[:200]
    assert "not valid JSON" in response.get_json()["error"]


def test_an_empty_body_resets_to_the_default_scenario(client):
    response = client.post("/api/reset")
    assert response.status_code == 200 and response.get_json()["session"]


def test_epstein_session_draws_its_cells_and_citizens(client):
    data = reset(client, "epstein", {"legitimacy": 0.82, "seed": 3}).get_json()
    assert data["static"]["model"] == "epstein" and data["static"]["shape"] == [40, 40]
    state = client.post("/api/step", json={"session": data["session"], "days": 20, "since": 0}).get_json()
    assert state["step"] == 20 and len(state["series"]["active"]) == 21
    assert state["layer"]["name"] == "cell_state"


def test_epstein_salami_settings_accept_jail_for_ever(client):
    """Epstein's runs 3 and 4 jail for ever (J_max = inf): the page sends the text "inf"."""
    settings = {"cop_density": "0.074", "max_jail_term": "inf", "legitimacy": "0.9", "legitimacy_schedule": "jump",
                "legitimacy_target": "0.6", "legitimacy_change_step": "77"}
    response = reset(client, "epstein", settings)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["static"]["settings"]["max_jail_term"] == "inf"
    bad = reset(client, "epstein", {"legitimacy": "inf"})
    assert bad.status_code == 400 and "expected a number in [0, 1]" in bad.get_json()["error"]
    negative = reset(client, "epstein", {"max_jail_term": "-inf"})
    assert negative.status_code == 400 and "expected a number >= 0, or inf" in negative.get_json()["error"]


def test_blockade_switch_off_is_the_counterfactual_scenario():
    """mali-2025 with the blockade off is bitwise the bundled mali-2025-no-blockade, and the
    counterfactual with the blockade on is mali-2025: the scenario edits change nothing else."""
    scenario = sahelsim.load_scenario("mali-2025")
    off = session.build_sahel("mali-2025", session.check_settings(session.sahel_settings(scenario), {"blockade": False}), 2)
    bundled = sahelsim.Model.from_scenario("mali-2025-no-blockade", threads=2)
    counterfactual = sahelsim.load_scenario("mali-2025-no-blockade")
    on = session.build_sahel("mali-2025-no-blockade",
                             session.check_settings(session.sahel_settings(counterfactual), {"blockade": True}), 2)
    default = sahelsim.Model.from_scenario("mali-2025", threads=2)
    for model in (off, bundled, on, default):
        model.step(80)
    assert off.state_hash() == bundled.state_hash()
    assert on.state_hash() == default.state_hash()
    assert default.series()["fuel_price_bamako"] > 1.2 * bundled.series()["fuel_price_bamako"]


def test_rewritten_siege_classroom_scenario_runs_as_the_bundled_one():
    """The scenario file the demo writes (map data as a directory) gives the bundled run."""
    scenario = sahelsim.load_scenario("siege-classroom")
    values = scenario_edit.edited_values(scenario, blockade=True, blockade_start_day=32)  # 2025-02-01
    assert values["events"] == scenario.to_dict()["events"]
    defaults = {s.name: s.default for s in session.sahel_settings(scenario)}
    edited = dict(defaults, insurgent_strength=1.0, legitimacy_shock=0.0)
    # Force the written-file path with a no-op edit: same blockade day, written out.
    import os
    import tempfile

    text = scenario_edit.scenario_toml(values, scenario_edit.scenario_data_dir(scenario))
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "siege.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        written = sahelsim.Model.from_scenario(path, threads=1)
    bundled = session.build_sahel("siege-classroom", edited, 1)
    written.step(40)
    bundled.step(40)
    assert written.state_hash() == bundled.state_hash()


def test_class_edits_move_the_blockade_scale_insurgents_and_remove_the_partner():
    scenario = sahelsim.load_scenario("siege-classroom")
    values = scenario_edit.edited_values(scenario, blockade=True, blockade_start_day=11, insurgent_strength=2.0,
                                         partner_force=False, shock_delta=-0.2, shock_day=6)
    kinds = [(e["date"], e["kind"]) for e in values["events"]]
    assert ("2025-01-11", "blockade") in kinds
    assert ("2025-03-11", "lift_blockade") in kinds  # moved with the blockade (was 2025-04-01)
    assert ("2025-01-06", "legitimacy_shock") in kinds
    assert not any(k == "partner_replaces" for _, k in kinds)
    assert not any(f["kind"] == "partner" for f in values["forces"])
    band = next(f for f in values["forces"] if f["kind"] == "militant")
    assert band["strength"] == 300
    assert [d for d, _ in kinds] == sorted(d for d, _ in kinds)
    late = scenario_edit.edited_values(scenario, blockade=True, blockade_start_day=100)
    assert [e["kind"] for e in late["events"]].count("lift_blockade") == 0  # would fall after the period
    off = scenario_edit.edited_values(scenario, blockade=False, blockade_start_day=None)
    assert not any(e["kind"] in ("blockade", "lift_blockade") for e in off["events"])


def test_setting_check_accepts_form_text_and_rejects_non_finite_numbers():
    spec = session.Setting("army_discipline", "Army discipline", "real", 0.6, 0.0, 1.0)
    assert spec.check("0.25") == 0.25 and spec.check(1) == 1.0
    for bad in ("inf", math.nan, True, None, [0.5]):
        with pytest.raises(session.InputError):
            spec.check(bad)
    flag = session.Setting("blockade", "Blockade", "bool", True)
    assert flag.check("off") is False and flag.check(True) is True
