"""sahelsim.analysis: outbursts of a series of active counts (EPSTEIN.md's definition)."""

import numpy as np
import pytest

import sahelsim


def test_outbursts_of_integer_counts():
    found = sahelsim.outbursts([10, 60, 70, 10, 55, 1])
    assert found["start"].tolist() == [1, 4] and found["end"].tolist() == [3, 5]
    assert found["size"].tolist() == [130, 55] and found["peak"].tolist() == [70, 55]
    assert found["waiting"].tolist() == [1]
    assert found["size"].dtype == np.int64


def test_outbursts_of_a_real_series_are_not_truncated():
    # A mean over replicates: 50.9 is above the threshold of 50 (it was truncated to 50 before).
    found = sahelsim.outbursts(np.array([10, 50.9, 99.5, 10]))
    assert found["start"].tolist() == [1] and found["end"].tolist() == [3]
    assert found["size"].tolist() == pytest.approx([150.4]) and found["peak"].tolist() == [99.5]


@pytest.mark.parametrize("series, message", [
    ([1.0, float("nan"), 3.0], "NaN at step 1"),
    ([[1, 2], [3, 4]], "1-D series"),
    (["a", "b"], "1-D series of numbers"),
])
def test_outbursts_refuse_what_is_not_a_series_of_numbers(series, message):
    with pytest.raises(ValueError, match=message):
        sahelsim.outbursts(series)
