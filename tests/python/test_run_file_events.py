"""Run-file tables: series over another dimension (series_frame), event logs (event_log) and
string labels, read from small run files written here with xarray / h5netcdf (vlen strings, as the
C++ writer writes them)."""

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sahelsim
from sahelsim.io import _decode_strings

REGIONS = ["Kayes", "Ségou", "Mopti"]
KINDS = "ambush attack_on_convoy tax"


def write_run(path, dataset):
    dataset.attrs.setdefault("run_status", "complete")
    dataset.to_netcdf(path, engine="h5netcdf", unlimited_dims=[d for d in ("step", "event") if d in dataset.dims])
    return path


def run_dataset(events=3):
    steps = np.arange(3, dtype="int64")
    ds = xr.Dataset(
        {
            "active": ("step", np.array([5, 6, 7], dtype="int64"), {"long_name": "active agents"}),
            "region_attacks": (("step", "region"), np.arange(9, dtype="int64").reshape(3, 3)),
            "region_control": (("step", "region"), np.array([[0, 1, 2]] * 3, dtype="uint8"),
                               {"flag_meanings": "state contested militants"}),
            "event_day": ("event", np.array([1, 2, 32], dtype="int64")[:events]),
            "event_kind": ("event", np.array([0, 2, 1], dtype="uint8")[:events], {"flag_meanings": KINDS}),
            "event_region": ("event", np.array([1, -1, 2], dtype="int16")[:events], {"index_into": "region"}),
            "event_fuel_litres": ("event", np.array([0.0, 1500.5, 30000.0])[:events]),
        },
        coords={"step": steps, "region": ("region", np.array(REGIONS, dtype=object))},
        attrs={"start_date": "2025-09-01", "model": "sahel"},
    )
    return ds


@pytest.fixture
def run_file(tmp_path):
    return write_run(tmp_path / "run.h5", run_dataset())


def test_open_run_returns_string_coordinates_as_str(run_file):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = sahelsim.open_run(run_file)
    assert [type(label) for label in ds["region"].values.tolist()] == [str, str, str]
    assert ds["region_attacks"].sel(region="Ségou").values.tolist() == [1, 4, 7]


def test_bytes_labels_from_older_readers_are_decoded_as_str():
    ds = run_dataset().assign_coords(region=("region", np.array([r.encode() for r in REGIONS], dtype=object)))
    decoded = _decode_strings(ds)
    assert decoded["region"].values.tolist() == REGIONS
    assert sahelsim.series_frame(ds, "region")["region"].tolist()[:3] == REGIONS


def test_event_log_has_one_row_per_event_and_columns_without_prefix(run_file):
    log = sahelsim.event_log(run_file)
    assert list(log.columns) == ["day", "kind", "region", "fuel_litres", "date"]
    assert len(log) == 3
    assert log["fuel_litres"].tolist() == [0.0, 1500.5, 30000.0]


def test_event_log_keeps_the_event_coordinate_as_a_column(tmp_path):
    ds = run_dataset().assign_coords(event=("event", np.array([4, 9, 9], dtype="int64")))
    log = sahelsim.event_log(write_run(tmp_path / "run.h5", ds))
    assert log["event"].tolist() == [4, 9, 9]
    assert "day" in log.columns


def test_event_log_flag_meanings_become_categoricals(run_file):
    kind = sahelsim.event_log(run_file)["kind"]
    assert isinstance(kind.dtype, pd.CategoricalDtype)
    assert list(kind.cat.categories) == KINDS.split()
    assert kind.tolist() == ["ambush", "tax", "attack_on_convoy"]


def test_event_log_index_into_becomes_labels_with_minus_one_missing(run_file):
    region = sahelsim.event_log(run_file)["region"]
    assert list(region.cat.categories) == REGIONS
    assert region[0] == "Ségou"
    assert pd.isna(region[1])


def test_event_log_date_is_the_day_the_events_step_simulated(run_file):
    """Step k >= 1 simulates start_date + k - 1."""
    log = sahelsim.event_log(run_file)
    assert log["date"].tolist() == [pd.Timestamp("2025-09-01"), pd.Timestamp("2025-09-02"),
                                    pd.Timestamp("2025-10-02")]


def test_event_log_without_start_date_has_no_date_column(tmp_path):
    ds = run_dataset()
    del ds.attrs["start_date"]
    assert "date" not in sahelsim.event_log(write_run(tmp_path / "run.h5", ds)).columns


def test_event_log_of_a_run_without_events_has_the_columns_and_no_rows(tmp_path):
    log = sahelsim.event_log(write_run(tmp_path / "run.h5", run_dataset(events=0)))
    assert len(log) == 0
    assert list(log.columns) == ["day", "kind", "region", "fuel_litres", "date"]
    assert list(log["kind"].cat.categories) == KINDS.split()


def test_event_log_of_a_file_without_event_dimension_is_empty(tmp_path):
    ds = run_dataset().drop_vars(["event_day", "event_kind", "event_region", "event_fuel_litres"])
    assert sahelsim.event_log(write_run(tmp_path / "run.h5", ds)).empty


def test_event_log_accepts_an_open_dataset(run_file):
    with sahelsim.open_run(run_file) as ds:
        assert len(sahelsim.event_log(ds)) == 3
        assert ds["active"].values.tolist() == [5, 6, 7]  # still open: not closed by event_log


def test_event_log_rejects_codes_outside_the_categories(tmp_path):
    ds = run_dataset()
    ds["event_kind"] = ("event", np.array([0, 7, 1], dtype="uint8"), {"flag_meanings": KINDS})
    with pytest.raises(ValueError, match="'event_kind' holds code 7"):
        sahelsim.event_log(write_run(tmp_path / "run.h5", ds))


def test_series_frame_is_tidy_over_step_and_the_dimension_labels(run_file):
    frame = sahelsim.series_frame(run_file, "region")
    assert list(frame.columns) == ["step", "region", "region_attacks", "region_control"]
    assert len(frame) == 9
    row = frame[(frame["step"] == 2) & (frame["region"] == "Mopti")].iloc[0]
    assert row["region_attacks"] == 8
    assert row["region_control"] == "militants"
    assert isinstance(frame["region_control"].dtype, pd.CategoricalDtype)


def test_series_frame_of_a_dimension_without_series_has_only_the_keys(tmp_path):
    ds = run_dataset().drop_vars(["region_attacks", "region_control"])
    frame = sahelsim.series_frame(write_run(tmp_path / "run.h5", ds), "region")
    assert list(frame.columns) == ["step", "region"]
    assert frame.empty


def test_series_frame_of_an_unknown_dimension_raises_naming_it(run_file):
    with pytest.raises(ValueError, match="dimension 'market' is not in the run file: expected one of .*region"):
        sahelsim.series_frame(run_file, "market")
