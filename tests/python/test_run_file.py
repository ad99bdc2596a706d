"""Run files: netCDF-4 compatible HDF5 that xarray and ncdump open with named dimensions."""

import shutil
import subprocess
import warnings

import numpy as np
import pytest
import xarray as xr

import sahelsim


@pytest.fixture(scope="module")
def run_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "run.h5"
    model = sahelsim.Model("epstein", seed=7, threads=2, legitimacy=0.8)
    result = model.run(60, path, snapshot_every=20)
    assert result["steps_run"] == 60
    return path, model


def test_xarray_opens_run_file_with_named_dimensions(run_file):
    path, _ = run_file
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_dataset(path, engine="h5netcdf")
    assert ds["active"].dims == ("step",)
    assert ds["cell_state"].dims == ("snapshot", "y", "x")
    assert ds.sizes["step"] == 61  # step 0 is the initial state
    assert list(ds["snapshot"].values) == [0, 20, 40, 60]
    assert list(ds["step"].values[:3]) == [0, 1, 2]


def test_run_file_holds_quiet_active_jailed_series(run_file):
    path, model = run_file
    ds = sahelsim.open_run(path)
    total = ds["quiet"] + ds["active"] + ds["jailed"]
    assert (total == 1120).all()
    assert int(ds["active"][-1]) == model.series()["active"]


def test_run_file_attributes_hold_parameters_seed_threads_and_build(run_file):
    path, _ = run_file
    attrs = sahelsim.open_run(path).attrs
    assert attrs["model"] == "epstein"
    assert attrs["seed"] == 7
    assert attrs["threads"] == 2
    assert attrs["legitimacy"] == 0.8
    assert attrs["arrest_rule"] == "floor"
    assert attrs["run_status"] == "complete"
    for key in ["sahelsim_version", "sahelsim_git_commit", "tbb_version", "hdf5_version", "boost_version"]:
        assert attrs[key], key


def test_last_snapshot_matches_final_raster(run_file):
    path, model = run_file
    ds = sahelsim.open_run(path)
    np.testing.assert_array_equal(ds["cell_state"].isel(snapshot=-1).values, model.raster("cell_state"))


def test_variables_are_chunked_with_shuffle_and_deflate_only(run_file):
    path, _ = run_file
    ds = sahelsim.open_run(path)
    for name in ["active", "cell_state"]:
        encoding = ds[name].encoding
        assert encoding.get("chunksizes"), name
        assert encoding.get("shuffle") is True, name
        assert encoding.get("zlib") is True or encoding.get("compression") == "gzip", name


def test_ncdump_shows_named_dimensions(run_file):
    path, _ = run_file
    ncdump = shutil.which("ncdump")
    assert ncdump, "ncdump (Debian package netcdf-bin) is not installed"
    header = subprocess.run([ncdump, "-h", str(path)], capture_output=True, text=True, check=True).stdout
    assert "step = UNLIMITED ; // (61 currently)" in header
    assert "int64 active(step) ;" in header
    assert "ubyte cell_state(snapshot, y, x) ;" in header


def test_unwritable_output_raises_os_error(tmp_path):
    model = sahelsim.Model("epstein")
    with pytest.raises(OSError, match="missing-dir"):
        model.run(5, tmp_path / "missing-dir" / "run.h5")


def test_run_without_output_writes_no_file(tmp_path):
    result = sahelsim.Model("epstein").run(5)
    assert result["output"] is None


def test_a_file_open_in_this_process_already_is_explained_as_such(run_file):
    # HDF5 refuses a second open with other settings in one process; the message used to blame a
    # killed run and suggest h5clear, harmful on a file being written.
    path, _ = run_file
    with sahelsim.open_run(path):
        with pytest.raises(OSError, match="it is open in this process already") as error:
            sahelsim.open_run(path, live=True)
    assert "h5clear" not in str(error.value)


def test_heavier_submodules_load_when_first_used():
    assert callable(sahelsim.sensitivity.sobol_indices)  # README: sahelsim.sensitivity.sobol_indices(...)
    assert callable(sahelsim.calibration.rejection_search)
    with pytest.raises(AttributeError, match="no attribute 'sensitivty'"):
        sahelsim.sensitivty
