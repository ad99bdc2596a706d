"""The Sahel map from Python: layers, towns, villages, routes, the xarray export, the PNG and the CLI.

The documented road distances are the issue's checks (Bamako–Kayes 614 km, Ségou 235, Mopti 635,
Gao 1,192, Sikasso 364; within 3 %).
"""

import hashlib

import numpy as np
import pytest

import sahelsim

CENSUS_2022 = 22_395_485


@pytest.fixture(scope="module")
def mali():
    return sahelsim.load_map(cell_km=5, seed=0)


def layers_digest(m):
    digest = hashlib.sha256()
    for name in sorted(m.layers):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(m.layers[name]).tobytes())
    return digest.hexdigest()


def test_layers_are_named_arrays_on_the_grid(mali):
    rows, cols = mali.shape
    expected = {"country": np.int8, "region": np.int16, "climate_zone": np.uint8, "water": np.uint8,
                "road_class": np.uint8, "terrain": np.int16, "refuge": np.uint8, "population": np.float32,
                "cost_truck": np.float32, "cost_motorcycle": np.float32, "cost_troops": np.float32}
    for name, dtype in expected.items():
        assert mali.layers[name].dtype == dtype, name
        assert mali.layers[name].shape == (rows, cols), name
    assert not mali.layers["population"].flags.writeable
    assert mali.lat.shape == (rows,) and mali.lon.shape == (cols,)
    assert mali.lat[0] > mali.lat[-1]  # row 0 is north


def test_every_malian_town_lands_in_a_mali_cell(mali):
    towns = mali.towns
    country = mali.layers["country"]
    mali_index = mali.country_names.index("Mali")
    malian = towns[towns["in_mali"]]
    assert len(malian) == 64
    assert (country[malian["row"], malian["col"]] == mali_index).all()


def test_foreign_towns_on_the_grid_land_in_their_own_country(mali):
    towns = mali.towns
    on_grid = towns[(~towns["in_mali"]) & (towns["cell"] >= 0)]
    assert len(on_grid) > 5
    country = mali.layers["country"][on_grid["row"], on_grid["col"]]
    assert (country == on_grid["country_index"]).all()
    off = set(towns[towns["cell"] < 0]["name"])
    assert {"Dakar", "Abidjan", "Conakry", "Nouakchott", "Lomé", "Tema"} <= off
    assert (towns["snapped_km"] <= 25).all()
    assert towns.set_index("name").loc["Gogui", "snapped_km"] > 0


@pytest.mark.parametrize("to_town, km", [("Kayes", 614), ("Ségou", 235), ("Mopti", 635), ("Gao", 1192),
                                        ("Sikasso", 364)])
def test_truck_routes_match_documented_distances(mali, to_town, km):
    route = mali.route("Bamako", to_town, mode="truck")
    assert route.km == pytest.approx(km, rel=0.03)
    assert route.towns[0] == "Bamako" and route.towns[-1] == to_town
    assert route.cumulative_km[-1] == route.km


def test_minimum_km_takes_the_estimated_short_cut_but_trucks_do_not(mali):
    assert mali.shortest_km("Bamako", "Kayes") == 527
    assert "Kita" in mali.shortest_route("Bamako", "Kayes").towns
    assert "Diéma" in mali.route("Bamako", "Kayes").towns
    for mode in ("motorcycle", "troops"):
        assert mali.route("Bamako", "Gao", mode=mode).hours > 0


def test_unknown_town_raises_value_error_with_suggestion(mali):
    with pytest.raises(ValueError, match=r"unknown town 'Segu'; did you mean: Ségou\?"):
        mali.route("Bamako", "Segu")
    with pytest.raises(ValueError, match="mode 'bike'"):
        mali.route("Bamako", "Gao", mode="bike")


@pytest.mark.parametrize("cell_km", [1, 1.99, 20.01, 50, float("nan")])
def test_bad_cell_size_raises_value_error(cell_km):
    with pytest.raises(ValueError, match=r"cell_km = .* is not allowed: expected a number in \[2, 20\]"):
        sahelsim.load_map(cell_km=cell_km)


def test_bad_data_dir_raises_value_error_naming_the_file(tmp_path):
    with pytest.raises(ValueError, match="towns.csv"):
        sahelsim.load_map(data_dir=tmp_path)


def test_same_seed_gives_identical_layers(mali):
    again = sahelsim.load_map(cell_km=5, seed=0)
    assert layers_digest(again) == layers_digest(mali)
    assert again.state_hash() == mali.state_hash()
    other = sahelsim.load_map(cell_km=5, seed=1)
    assert other.state_hash() != mali.state_hash()


@pytest.mark.parametrize("cell_km", [2, 5, 10, 20])
def test_population_total_is_the_census_for_every_cell_size(cell_km):
    m = sahelsim.load_map(cell_km=cell_km, seed=0)
    assert m.layers["population"].sum(dtype=np.float64) == CENSUS_2022


def test_regional_totals_exact_and_village_count(mali):
    villages = mali.villages
    assert 12_000 <= len(villages) <= 19_000
    by_region = villages.groupby("region")["population"].sum()
    assert {mali.region_names[r]: int(p) for r, p in by_region.items()} == mali.region_populations
    assert sum(mali.region_populations.values()) == CENSUS_2022
    mali_index = mali.country_names.index("Mali")
    assert (mali.layers["country"].ravel()[villages["cell"]] == mali_index).all()


def test_corridors_route_through_their_crossings(mali):
    corridors = mali.corridors
    assert len(corridors) == 8
    for corridor in corridors:
        assert corridor["towns"][0] == corridor["port"]
        assert corridor["towns"][-1] == corridor["destination"]
        assert corridor["border_crossing"] in corridor["towns"]
    assert {c["border_crossing"] for c in corridors} == {"Diboli", "Zégoua", "Kouremalé", "Koury", "Gogui",
                                                         "Labbezanga"}


def test_to_dataset_has_lat_lon_coordinates_and_named_dims(mali):
    ds = mali.to_dataset()
    assert ds["population"].dims == ("lat", "lon")
    assert ds.sizes["lat"] == mali.shape[0] and ds.sizes["lon"] == mali.shape[1]
    assert ds["lat"].attrs["units"] == "degrees_north"
    bamako = ds["population"].sel(lat=12.64, lon=-8.0, method="nearest")
    assert float(bamako) >= 4_227_569
    assert ds.attrs["cell_km"] == 5


def test_render_writes_a_png(mali, tmp_path):
    path = mali.render(tmp_path / "mali.png", dpi=60)
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_cli_route_prints_towns_and_distance_last(run_cli):
    result = run_cli("map", "route", "Bamako", "Gao", "--mode", "truck")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1].startswith("distance_km: ")
    assert int(lines[-1].split(": ")[1]) == pytest.approx(1192, rel=0.03)
    assert any(line.strip().endswith("Ségou") or " Ségou " in line for line in lines)


def test_cli_unknown_town_exits_2_with_suggestion(run_cli):
    result = run_cli("map", "route", "Bamako", "Segu")
    assert result.returncode == 2
    assert "did you mean: Ségou?" in result.stderr


def test_cli_bad_cell_size_exits_2(run_cli):
    result = run_cli("map", "route", "Bamako", "Gao", "--cell-km", "50")
    assert result.returncode == 2
    assert "cell_km = 50" in result.stderr


def test_cli_render_writes_png(run_cli, tmp_path):
    result = run_cli("map", "render", "-o", "m.png", "--cell-km", "20")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"


def test_data_md_speed_table_matches_the_code():
    import pathlib
    import re

    from sahelsim.map import speed_table_markdown

    text = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "DATA.md").read_text()
    match = re.search(r"<!-- speeds -->\n(.*?)\n<!-- end -->", text, re.S)
    assert match, "docs/DATA.md has no speed table"
    assert match.group(1) == speed_table_markdown(), (
        "docs/DATA.md is out of date: regenerate the table with sahelsim.map.speed_table_markdown()"
    )
