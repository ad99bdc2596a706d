"""State is exposed as read-only NumPy views of the engine's columns, without copies."""

import gc

import numpy as np
import pytest

import sahelsim


def test_columns_are_views_not_copies():
    model = sahelsim.Model("epstein", seed=1)
    hardship = model.columns["citizens"]["hardship"]
    again = model.columns["citizens"]["hardship"]
    assert not hardship.flags.owndata
    assert np.shares_memory(hardship, again)


def test_columns_are_read_only():
    model = sahelsim.Model("epstein", seed=1)
    condition = model.columns["citizens"]["condition"]
    assert not condition.flags.writeable
    with pytest.raises(ValueError):
        condition[0] = 1


def test_views_follow_the_state_as_the_model_steps():
    model = sahelsim.Model("epstein", seed=1)
    condition = model.columns["citizens"]["condition"]
    before = condition.copy()
    model.step(20)
    assert not np.array_equal(before, condition)
    assert int((condition == 1).sum()) == model.series()["active"]


def test_views_keep_the_model_alive():
    model = sahelsim.Model("epstein", seed=1)
    hardship = model.columns["citizens"]["hardship"]
    expected = hardship.copy()
    del model
    gc.collect()
    np.testing.assert_array_equal(hardship, expected)


def test_citizen_count_matches_density():
    model = sahelsim.Model("epstein", seed=1)
    assert model.columns["citizens"]["hardship"].shape == (1120,)
    assert model.series()["quiet"] == 1120
    assert model.series()["cops"] == 64


def test_raster_counts_agree_with_series():
    model = sahelsim.Model("epstein", seed=2).step(30)
    raster = model.raster("cell_state")
    series = model.series()
    assert int((raster == 1).sum()) == series["quiet"]
    assert int((raster == 2).sum()) == series["active"]
    assert int((raster == 4).sum()) == series["cops"]
