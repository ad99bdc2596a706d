#!/usr/bin/env bash
# Checks that the venv's h5py uses the system libhdf5: same version, and one libhdf5 in the process
# after importing h5py, xarray and (once it is installed) sahelsim.
set -euo pipefail
cd "$(dirname "$0")/.."
system_version=$(pkg-config --modversion hdf5)
.venv/bin/python - "$system_version" <<'PY'
import os, re, sys
import h5py, xarray  # noqa: F401
try:
    import sahelsim  # noqa: F401  (absent until the first build)
except ImportError:
    pass
libs = sorted({os.path.realpath(line.split()[-1]) for line in open("/proc/self/maps")
               if re.search(r"/libhdf5(_serial)?[-.]", line)})
print(f"==> h5py {h5py.__version__}: HDF5 {h5py.version.hdf5_version} (system: {sys.argv[1]}); "
      f"libhdf5 loaded: {', '.join(libs)}")
if h5py.version.hdf5_version != sys.argv[1] or len(libs) != 1:
    sys.exit("check-hdf5: h5py does not use the system libhdf5 (or two are loaded); "
             "rebuild it with: rm -rf .venv .stamps && make setup")
PY
