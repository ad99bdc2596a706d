"""Exactly one libhdf5 is loaded in a process that uses sahelsim with h5py and xarray
(ENGINEERING.md §1.5: two copies break dimension scales and file locks)."""

import subprocess
import sys
import textwrap


def test_one_libhdf5_in_process_with_sahelsim_h5py_and_xarray(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, re
        import sahelsim, h5py, xarray, h5netcdf
        path = {str(tmp_path / "run.h5")!r}
        sahelsim.Model("epstein", seed=1).run(5, path)
        ds = sahelsim.open_run(path)
        with h5py.File(path, "r") as f:
            assert f["active"].shape == (6,)
        libs = set()
        with open("/proc/self/maps") as maps:
            for line in maps:
                name = os.path.basename(line.split()[-1]) if "/" in line else ""
                if re.match(r"libhdf5(_serial)?[-.]", name) or re.match(r"libhdf5(_serial)?\\.so", name):
                    libs.add(os.path.realpath(line.split()[-1]))
        print("\\n".join(sorted(libs)))
        print("h5py built with HDF5", h5py.version.hdf5_version)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    libraries = [line for line in out.splitlines() if line.startswith("/")]
    assert len(libraries) == 1, f"more than one libhdf5 loaded: {libraries}"
