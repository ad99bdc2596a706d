#!/usr/bin/env bash
# Creates .venv with Debian's Python and installs the build tools and the runtime and test dependencies.
# h5py is compiled from source against the system libhdf5, so that a process using sahelsim together
# with h5py/xarray loads only ONE libhdf5 (two copies break dimension scales and locks, ENGINEERING.md §1.5).
# Fast when nothing changed: the stamp holds a fingerprint of every input; it is rewritten only after work.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP=.stamps/venv
PYTHON=/usr/bin/python3   # Debian's interpreter, not a pyenv/conda python that may come first in PATH
H5PY_VERSION=3.16.0       # needs HDF5 >= 1.10.4: builds against Debian 12's 1.10.8 and Debian 13's 1.14.5
BUILD_TOOLS=("scikit-build-core>=0.10" "pybind11>=2.10")   # cmake and ninja come from Debian

hdf5_version=$(pkg-config --modversion hdf5)   # Debian's hdf5.pc is the serial library
fingerprint=$({ cat scripts/setup-venv.sh pyproject.toml; "$PYTHON" -VV; echo "hdf5 $hdf5_version"; } | sha256sum | cut -c1-64)
if [[ -x $VENV/bin/python && -f $STAMP && $(<"$STAMP") == "$fingerprint" ]]; then
  echo "==> $VENV up to date"
  exit 0
fi

# A venv made by another interpreter (another Python, or after a Debian upgrade) is made anew.
if [[ ! -x $VENV/bin/python || $("$VENV/bin/python" -VV 2>/dev/null) != $("$PYTHON" -VV) ]]; then
  echo "==> creating $VENV with $PYTHON ($("$PYTHON" -V))"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
pip() { "$VENV/bin/python" -m pip "$@"; }
export PIP_NO_BINARY=h5py   # no pip call below may swap in h5py's wheel (it bundles its own libhdf5)

h5py_ok() {
  "$VENV/bin/python" -c "import h5py, sys; sys.exit(h5py.__version__ != '$H5PY_VERSION' \
    or h5py.version.hdf5_version != '$hdf5_version')" 2>/dev/null
}
if ! h5py_ok; then
  echo "==> building h5py $H5PY_VERSION from source against the system HDF5 $hdf5_version (takes a few minutes)"
  pip install -q numpy
  # --no-cache-dir: never reuse an h5py wheel that pip built earlier against another libhdf5.
  HDF5_PKGCONFIG_NAME=hdf5 pip install -q --no-cache-dir --force-reinstall --no-deps "h5py==$H5PY_VERSION"
fi

echo "==> installing build tools and sahelsim's dependencies into $VENV"
# The runtime and test dependencies are read from pyproject.toml, so they are listed in one place.
mapfile -t deps < <("$VENV/bin/python" -c '
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))')
pip install -q "${BUILD_TOOLS[@]}" "${deps[@]}" "h5py==$H5PY_VERSION"

scripts/check-hdf5.sh
mkdir -p "$(dirname "$STAMP")"
echo "$fingerprint" >"$STAMP"
