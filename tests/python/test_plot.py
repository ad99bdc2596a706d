"""sahelsim.plot: pictures of a run for notebooks (matplotlib, Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import sahelsim  # noqa: E402
import sahelsim.plot as sp  # noqa: E402


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A short siege-classroom run with a snapshot every 5 days (its blockade starts on day 31)."""
    path = tmp_path_factory.mktemp("plot") / "siege.h5"
    model = sahelsim.Model.from_scenario("siege-classroom", threads=1)
    model.run(45, output=path, snapshot_every=5)
    return sahelsim.open_run(path)


@pytest.fixture(scope="module")
def epstein_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("plot") / "epstein.h5"
    sahelsim.Model("epstein", seed=1).run(30, output=path, snapshot_every=10)
    return sahelsim.open_run(path)


def test_map_snapshot_draws_each_raster_with_its_date(run):
    for name in ("control", "legitimacy", "militant_presence", "fuel_price"):
        ax = sp.map_snapshot(run, name)
        assert len(ax.get_images()) == 1
        assert "day 45 (2025-02-14)" in ax.get_title()
    ax = sp.map_snapshot(run, "control", snapshot=0)
    assert "day 0" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[1] == "state control" and labels[5] == "insurgent control"


def test_map_snapshot_of_an_epstein_run_shows_its_cells(epstein_run):
    ax = sp.map_snapshot(epstein_run, "cell_state", snapshot=-1)
    assert "step 30" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()][2] == "active citizen"


def test_map_snapshot_names_what_is_allowed(run):
    with pytest.raises(ValueError, match="raster 'rain' is not in the run file: expected one of: control"):
        sp.map_snapshot(run, "rain")
    with pytest.raises(ValueError, match=r"snapshot = 10 is not allowed: expected an index in \[-10, 9\]"):
        sp.map_snapshot(run, "control", snapshot=10)
    with pytest.raises(ValueError, match=r"snapshot = True is not allowed: expected an integer"):
        sp.map_snapshot(run, "control", snapshot=True)
    with pytest.raises(ValueError, match=r"snapshot = 1.5 is not allowed: expected an integer"):
        sp.map_snapshot(run, "control", snapshot=1.5)


@pytest.mark.parametrize("kwargs, message", [
    (dict(dpi=0), r"dpi = 0 is not allowed: expected a finite number > 0"),
    (dict(fps=float("nan")), r"fps = nan is not allowed: expected a finite number > 0"),
    (dict(every=0), r"every = 0 is not allowed: expected an integer >= 1"),
    (dict(every=2.0), r"every = 2.0 is not allowed: expected an integer >= 1"),
])
def test_animate_names_the_argument_that_is_not_allowed(run, tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        sp.animate(run, "control", tmp_path / "control.gif", **kwargs)


def test_series_plots_dates_and_cumulative_totals(run):
    ax = sp.series(run, ["fuel_price_bamako", "electricity_hours_bamako"])
    assert len(ax.get_lines()) >= 2
    ax = sp.series(run, "deaths_civilians_by_army", cumulative=True)
    line = ax.get_lines()[0]
    assert np.all(np.diff(line.get_ydata()) >= 0)
    with pytest.raises(ValueError, match="series 'price' is not in the run file"):
        sp.series(run, "price")


def test_event_map_marks_each_kind(run):
    ax = sp.event_map(run)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(label.startswith("abuse by state forces") for label in labels)
    ax = sp.event_map(run, kinds=["abuse_by_state"], background=None)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["abuse by state forces (9)"] or \
        len(ax.get_legend().get_texts()) == 1
    with pytest.raises(ValueError, match="unknown event kinds ambush"):
        sp.event_map(run, kinds=["ambush"])


def test_animate_writes_a_gif_with_one_frame_per_snapshot(run, tmp_path):
    from PIL import Image

    path = sp.animate(run, "control", tmp_path / "control.gif", fps=5)
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == run.sizes["snapshot"]
    path = sp.animate(run, "fuel_price", tmp_path / "price.gif", every=3)
    with Image.open(path) as gif:
        assert gif.n_frames == 4  # snapshots 0, 3, 6, 9
    with pytest.raises(ValueError, match="expected a file name ending in .gif or .mp4"):
        sp.animate(run, "control", tmp_path / "control.avi")


def test_raster_colours_are_transparent_outside_and_where_undefined():
    values = np.array([[0, 5], [1, 3]], dtype=np.uint8)
    outside = np.array([[True, False], [False, False]])
    image = sp.raster_rgba("control", values, outside=outside)
    assert image.shape == (2, 2, 4) and image.dtype == np.uint8
    assert image[0, 0, 3] == 0 and image[0, 1, 3] == 255
    assert tuple(image[0, 1, :3]) == (0xb2, 0x18, 0x2b)
    real = sp.raster_rgba("legitimacy", np.array([[np.nan, 0.5]], dtype=np.float32))
    assert real[0, 0, 3] == 0 and real[0, 1, 3] == 255
