"""Reading run files (netCDF-4 compatible HDF5) as xarray Datasets."""

from __future__ import annotations

import os
import warnings

import xarray as xr


class IncompleteRunWarning(UserWarning):
    """The run file was left by a run that was interrupted or failed."""


def open_run(path: os.PathLike | str, *, live: bool = False) -> xr.Dataset:
    """Opens a run file as an :class:`xarray.Dataset` (engine h5netcdf).

    Series are variables along ``step``; snapshots along ``snapshot``, ``y``, ``x``; parameters,
    seed, thread count and build are attributes. A file whose ``run_status`` is not ``complete``
    (interrupted or failed run) opens with an :class:`IncompleteRunWarning`. ``live=True`` opens a
    file that a run is still writing (HDF5 SWMR): the Dataset is a snapshot; open again to see more.
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
                raise
            still_open = True
    if live or still_open:
        import h5netcdf

        store = xr.backends.H5NetCDFStore(h5netcdf.File(path, "r", swmr=True))
        dataset = xr.open_dataset(store)
    if still_open:
        warnings.warn(
            f"run file {path!r} was not closed by its run (killed, or still running); it holds the "
            f"{dataset.sizes.get('step', 0)} steps flushed so far",
            IncompleteRunWarning,
            stacklevel=2,
        )
        return dataset
    status = dataset.attrs.get("run_status", "missing")
    if status != "complete" and not live:
        reason = dataset.attrs.get("run_status_reason", "")
        warnings.warn(
            f"run file {path!r} is {status}: {reason or 'the run did not finish'}; it holds the "
            f"{dataset.sizes.get('step', 0)} steps written before it stopped",
            IncompleteRunWarning,
            stacklevel=2,
        )
    return dataset
