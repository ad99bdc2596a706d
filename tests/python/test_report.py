"""sahelsim report: one self-contained HTML page of a run file."""

import html.parser
import re

import pytest

import sahelsim

pytest.importorskip("plotly")

from sahelsim.report import build_report_data, write_report  # noqa: E402


@pytest.fixture(scope="module")
def siege_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "siege.h5"
    sahelsim.Model.from_scenario("siege-classroom", threads=1).run(40, output=path, snapshot_every=4)
    return path


class _Collector(html.parser.HTMLParser):
    """Every tag with its attributes; raises on nothing (the parser is lenient) but counts them."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_report_is_one_self_contained_page(siege_run, tmp_path):
    path = write_report(siege_run, tmp_path / "siege.html")
    text = open(path, encoding="utf-8").read()
    parser = _Collector()
    parser.feed(text)
    parser.close()
    tags = parser.tags
    # Nothing is loaded from elsewhere: no script, style sheet, image or frame with a source or link.
    for tag, attrs in tags:
        for attribute in ("src", "href", "data"):
            value = attrs.get(attribute)
            assert value is None or value.startswith(("data:", "#")), (tag, attrs)
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?(https?:)?//", text, re.I)
    scripts = [t for t, _ in tags if t == "script"]
    assert len(scripts) == 3  # plotly.js, the data, the page's script
    assert "plotly.js v" in text  # inlined from the plotly package
    for heading in ("The run", "Calibration indicators", "Series", "Map over time", "Events", "Parameters", "Scenario"):
        assert f"<h2>{heading}</h2>" in text
    assert "siege-classroom" in text


def test_report_data_holds_indicators_charts_and_frames(siege_run):
    data = build_report_data(siege_run, max_frames=5)
    indicators = {row["label"]: row for row in data["indicators"]}
    assert indicators["capital captured"]["value"] in ("yes", "no")
    assert indicators["fuel price in Bamako: 8-week peak / pre-blockade"]["target"] == "2.5–6"
    titles = [c["title"] for c in data["charts"]]
    assert "Fuel in the capital" in titles and "Control (share of residents)" in titles
    assert len(data["x"]) == 41 and data["x"][0] == "2025-01-01"
    frames = data["frames"]
    assert frames["layers"][:4] == ["control", "legitimacy", "militant_presence", "fuel_price"]
    assert len(frames["labels"]) == 5 and frames["labels"][-1] == "day 40 (2025-02-09)"
    assert all(uri.startswith("data:image/png;base64,") for uri in frames["images"]["control"])
    assert data["blockade_date"] == "2025-02-01"
    assert any(row["name"] == "escort_detachments" for row in data["parameters"])


def test_report_of_an_epstein_run(tmp_path):
    run = tmp_path / "epstein.h5"
    sahelsim.Model("epstein", seed=1, legitimacy=0.7).run(20, output=run, snapshot_every=5)
    data = build_report_data(run)
    assert [c["title"] for c in data["charts"]][:2] == ["Citizens", "Legitimacy"]
    assert data["frames"]["layers"] == ["cell_state"]
    changed = [p["name"] for p in data["parameters"] if p["changed"]]
    assert changed == ["legitimacy"]
    write_report(run, tmp_path / "epstein.html")


def test_report_command_line(siege_run, run_cli, tmp_path):
    result = run_cli("report", str(siege_run), "-o", str(tmp_path / "out.html"), "--max-frames", "3")
    assert result.returncode == 0, result.stderr
    assert "out.html" in result.stdout and (tmp_path / "out.html").stat().st_size > 1_000_000
    missing = run_cli("report", str(tmp_path / "nope.h5"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    unwritable = run_cli("report", str(siege_run), "-o", str(tmp_path / "no" / "dir.html"))
    assert unwritable.returncode == 3 and "does not exist" in unwritable.stderr
    bad = run_cli("report", str(siege_run), "--max-frames", "0")
    assert bad.returncode == 2


def test_report_of_a_file_that_is_not_a_run_file_exits_2(run_cli, tmp_path):
    import h5py

    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["x"] = [1, 2, 3]
    (tmp_path / "text.h5").write_text("not HDF5 at all")
    for name, problem in [("foreign.h5", "not a sahelsim run file"), ("text.h5", "it is not an HDF5 file")]:
        result = run_cli("report", name, "-o", "out.html")
        assert result.returncode == 2, result.stderr
        assert problem in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.html").exists()


def test_report_over_its_own_run_file_exits_2_and_keeps_it(siege_run, run_cli):
    before = siege_run.read_bytes()
    result = run_cli("report", str(siege_run), "-o", str(siege_run))
    assert result.returncode == 2 and "is the same file as RUN.h5" in result.stderr
    assert siege_run.read_bytes() == before


def test_report_of_the_default_scenario(run_cli, tmp_path):
    """The must-show of issue 6: `sahelsim run` (mali-2025, 184 days) then `sahelsim report` of it."""
    run = tmp_path / "mali-2025.h5"
    assert run_cli("run", "-o", str(run)).returncode == 0
    result = run_cli("report", str(run), "-o", str(tmp_path / "mali-2025.html"))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "mali-2025.html").read_text(encoding="utf-8")
    assert "mali-2025" in text and "fuel price in Bamako" in text.replace("&nbsp;", " ")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?://", text)
