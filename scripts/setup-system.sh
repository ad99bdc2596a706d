#!/usr/bin/env bash
# Installs the Debian packages that building and testing sahelsim need (Debian 12 bookworm, 13 trixie).
# Idempotent: when every package is already installed it only runs dpkg-query and exits.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git make ca-certificates
  python3 python3-venv python3-dev          # the venv's interpreter; headers for _core and h5py
  libtbb-dev libhdf5-dev libboost-dev       # oneTBB, HDF5 (C + HL, serial), Boost.Random (headers)
  libgtest-dev                              # GoogleTest with its CMake config (GTest::gtest)
  nlohmann-json3-dev                        # JSON for Modern C++ (GeoJSON map data)
  libtomlplusplus-dev                       # toml++ (scenario files)
  hdf5-tools netcdf-bin                     # h5dump / ncdump, to inspect run files
  chromium chromium-driver                  # headless browser + chromedriver for the demo's browser tests
  fonts-dejavu-core                         # a font for the browser's text (screenshots)
  clang libclang-rt-dev                     # clang and libFuzzer for `make fuzz` (clang 14 / 19)
)

if ! command -v dpkg-query >/dev/null; then
  echo "setup-system: this is not a Debian-based system; install the equivalents of: ${PACKAGES[*]}" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "==> system packages: all ${#PACKAGES[@]} installed"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  cat >&2 <<MSG
setup-system: these Debian packages are missing: ${missing[*]}
Installing them needs root. Run this, then run make again:

  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}

MSG
  exit 1
fi

echo "==> installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A failing third-party source must not stop the Debian packages from installing.
apt-get update -qq || echo "setup-system: warning: apt-get update reported errors; trying to install anyway" >&2
log=$(mktemp /tmp/sahelsim-apt-XXXXXX)
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "setup-system: apt-get install failed; full log in $log" >&2
  exit 1
fi
rm -f "$log"
echo "==> system packages installed"
