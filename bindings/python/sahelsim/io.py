"""Reading run files (netCDF-4 compatible HDF5) as xarray Datasets and pandas tables.

- :func:`open_run`: the whole run file as an :class:`xarray.Dataset`.
- :func:`series_frame`: the series over ``step`` and another dimension (regions, markets) as one
  tidy table.
- :func:`event_log`: the events of a run (the variables along ``event``) as a table.

Conventions of run files that these readers decode: text data (names of regions, towns, ...) are
netCDF ``string`` variables, returned as ``str``; a variable with a ``flag_meanings`` attribute
holds codes, code *i* meaning the *i*-th space-separated word; a variable with an ``index_into``
attribute holds indices into the labels of that dimension (-1 for none).
"""

from __future__ import annotations

import os
import warnings
from typing import Union

import numpy as np
import pandas as pd
import xarray as xr


class IncompleteRunWarning(UserWarning):
    """The run file was left by a run that was interrupted or failed."""


def open_run(path: os.PathLike | str, *, live: bool = False) -> xr.Dataset:
    """Opens a run file as an :class:`xarray.Dataset` (engine h5netcdf).

    Series are variables along ``step``; snapshots along ``snapshot`` and the raster axes (``y``,
    ``x``, or ``lat``, ``lon`` for a model on the map); parameters, seed, thread count and build are
    attributes. String variables and coordinates (region names, town names, ...) come back as
    ``str``. A file whose ``run_status`` is not ``complete`` (interrupted or failed run) opens with
    an :class:`IncompleteRunWarning`. ``live=True`` reads a file that a run is still writing (HDF5
    SWMR) into memory and closes it: the Dataset is a snapshot; open again to see more. Example::

        ds = open_run("run.h5")
        ds["active"].sel(step=10).item()
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"run file {path!r} does not exist")
    still_open = False
    if not live:
        try:
            dataset = xr.open_dataset(path, engine="h5netcdf")
        except OSError as error:
            # A writer that was killed leaves the file flagged "open for write" (HDF5 SWMR); it is
            # still readable as an SWMR reader, with every step flushed before the kill.
            if "already open for write" not in str(error):
                raise _unreadable(path, error) from error
            still_open = True
    if live or still_open:
        import h5netcdf

        # Read whole and closed at once: a snapshot in memory. The file is held only for the read, so
        # the writer, which waits for readers to close the file before it marks the run complete
        # (core/src/run_file.cpp), need not edit it under this reader: with HDF5 1.10 such a reader
        # crashed (double free) at its next close or open (docs/RELIABILITY.md).
        try:
            with h5netcdf.File(path, "r", swmr=True, decode_vlen_strings=True) as file:
                dataset = xr.open_dataset(xr.backends.H5NetCDFStore(file)).load()
        except OSError as error:
            raise _unreadable(path, error) from error
    if still_open:
        warnings.warn(
            f"run file {path!r} was not closed by its run (killed, or still running); it holds the "
            f"{dataset.sizes.get('step', 0)} steps flushed so far",
            IncompleteRunWarning,
            stacklevel=2,
        )
        return _decode_strings(dataset)
    status = dataset.attrs.get("run_status", "missing")
    if status != "complete" and not live:
        reason = dataset.attrs.get("run_status_reason", "")
        warnings.warn(
            f"run file {path!r} is {status}: {reason or 'the run did not finish'}; it holds the "
            f"{dataset.sizes.get('step', 0)} steps written before it stopped",
            IncompleteRunWarning,
            stacklevel=2,
        )
    return _decode_strings(dataset)


Run = Union[os.PathLike, str, xr.Dataset]


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _is_hdf5(path: str) -> bool:
    """Whether the file carries HDF5's signature where HDF5 looks for it (offset 0, 512, 1024, ...)."""
    try:
        with open(path, "rb") as f:
            for offset in (0, 512, 1024, 2048, 4096, 8192):
                f.seek(offset)
                if f.read(8) == _HDF5_SIGNATURE:
                    return True
    except OSError:
        return False
    return False


def _unreadable(path: str, error: Exception) -> OSError:
    """The error for a run file HDF5 cannot open: a file that is not HDF5 at all, or a run killed
    before its header was written (the writer switches to SWMR only after defining every variable)."""
    if not _is_hdf5(path):
        return OSError(f"run file {path!r} cannot be read: it is not an HDF5 file, so not a sahelsim run file")
    if "close degree" in str(error) or "SWMR read access flag not the same" in str(error):
        return OSError(f"run file {path!r} cannot be read here: it is open in this process already (a run "
                       f"writing it, or an earlier open with other settings); read it from another process "
                       f"(live=True while it is written), or once it is closed")
    return OSError(f"run file {path!r} cannot be read ({error}); a run killed while it was creating the "
                   f"file leaves it like this, with no steps in it: run again. If the run was killed later, "
                   f"`h5clear -s {path}` may make it readable.")


def series_frame(run: Run, dimension: str) -> pd.DataFrame:
    """Every variable over (``step``, `dimension`) as one tidy :class:`pandas.DataFrame`.

    Columns: ``step``, `dimension` (its labels, e.g. region names; indices 0, 1, ... when the
    dimension has no coordinate values), then one column per variable, named as in the file.
    Variables with ``flag_meanings`` become :class:`pandas.Categorical`. `run` is a run file's path
    or a Dataset from :func:`open_run`. A dimension without such variables gives the two key columns
    and no rows; an unknown dimension raises ValueError. Example::

        frame = series_frame("run.h5", "region")
        frame[frame.region == "Mopti"].plot(x="step", y="region_attacks")
    """
    with _dataset(run) as ds:
        if dimension == "step" or dimension not in ds.dims:
            known = ", ".join(sorted(str(d) for d in ds.dims if d != "step")) or "none"
            raise ValueError(f"dimension {dimension!r} is not in the run file: expected one of {known}")
        names = [name for name, var in ds.data_vars.items() if var.dims == ("step", dimension)]
        if not names:
            return pd.DataFrame({"step": pd.Series(dtype="int64"), dimension: pd.Series(dtype=object)})
        frame = ds[names].to_dataframe().reset_index()
        frame = frame[["step", dimension] + names]
        for name in names:
            frame[name] = _categorical(ds, name, frame[name].to_numpy())
        return frame


def event_log(run: Run) -> pd.DataFrame:
    """The run's events (every 1-D variable along the dimension ``event``) as a DataFrame.

    One row per event, one column per variable with its ``event_`` prefix removed
    (``event_day`` → ``day``); the ``event`` coordinate, when the file has one (the value given to
    each record by the writer), is the column ``event``. Codes become :class:`pandas.Categorical`: variables with
    ``flag_meanings`` (code *i* is the *i*-th word) and variables with ``index_into`` (an index
    into that dimension's labels, -1 for none: missing). If the file has a root attribute
    ``start_date`` (ISO date) and a ``day`` column (the step of the event), a ``date`` column is
    added: the day that step simulated, start_date + day - 1 (step 1 simulates the start date). A run without events gives the same columns and no rows (no columns at all if the file
    has no ``event`` dimension). `run` is a run file's path or a Dataset from :func:`open_run`.
    Example::

        log = event_log("runs/mali-2025.h5")
        log[log.kind == "convoy_ambush"].groupby("region", observed=True).size()
    """
    with _dataset(run) as ds:
        if "event" not in ds.dims:
            return pd.DataFrame()
        columns = {}
        for name, var in ds.variables.items():
            if var.dims != ("event",):
                continue
            column = name[len("event_"):] if name.startswith("event_") and len(name) > len("event_") else name
            columns[column] = _categorical(ds, name, var.values)
        frame = pd.DataFrame(columns)
        start = ds.attrs.get("start_date")
        if start is not None and "day" in frame.columns:
            frame["date"] = pd.Timestamp(str(start)) + pd.to_timedelta(frame["day"].astype("float64") - 1, unit="D")
        return frame


# ---- helpers ----------------------------------------------------------------------------------


class _dataset:
    """``with _dataset(run) as ds``: opens a path with :func:`open_run` (and closes it after), or
    uses a Dataset as it is (with its strings decoded)."""

    def __init__(self, run: Run):
        self._opened = None
        if isinstance(run, xr.Dataset):
            self._dataset = _decode_strings(run)
        else:
            self._opened = open_run(run)
            self._dataset = self._opened

    def __enter__(self) -> xr.Dataset:
        return self._dataset

    def __exit__(self, *exc) -> None:
        if self._opened is not None:
            self._opened.close()


def _is_text(var: xr.Variable) -> bool:
    return var.dtype.kind in "SO"


def _decode_strings(ds: xr.Dataset) -> xr.Dataset:
    """Returns `ds` with bytes in string variables and coordinates decoded as UTF-8 ``str`` (older
    h5netcdf / h5py return netCDF strings as bytes; newer ones already decode them)."""
    replacements = {}
    for name, var in ds.variables.items():
        if not _is_text(var):
            continue
        values = np.asarray(var.values)
        if values.dtype.kind == "S" or any(isinstance(v, bytes) for v in values.flat):
            decoded = [v.decode("utf-8") if isinstance(v, bytes) else v for v in values.flat]
            replacements[name] = var.copy(data=np.array(decoded, dtype=object).reshape(values.shape).astype(str))
    if not replacements:
        return ds
    coordinates = {name: v for name, v in replacements.items() if name in ds.coords}
    data = {name: v for name, v in replacements.items() if name not in ds.coords}
    return ds.assign_coords(coordinates).assign(data)


def _categorical(ds: xr.Dataset, name: str, codes: np.ndarray):
    """The values of variable `name` as a pandas.Categorical when they are codes (flag_meanings
    or index_into, see the module docstring), else unchanged."""
    attrs = ds[name].attrs
    if "flag_meanings" in attrs:
        categories = str(attrs["flag_meanings"]).split()
    elif "index_into" in attrs and attrs["index_into"] in ds.coords:
        categories = [str(label) for label in ds.coords[attrs["index_into"]].values]
    else:
        return codes
    codes = np.asarray(codes)
    if codes.dtype.kind not in "iu":
        raise ValueError(f"variable {name!r} has categories but holds {codes.dtype} values, not integer codes")
    bad = (codes < -1) | (codes >= len(categories))
    if bad.any():
        raise ValueError(f"variable {name!r} holds code {codes[bad][0]}, outside 0..{len(categories) - 1} "
                         f"(its categories: {' '.join(categories)})")
    return pd.Categorical.from_codes(codes.astype("int64"), categories=categories)
