# Entry points for developers and CI. On a fresh Debian 12/13 machine that has git and make,
# `make test` and `make run` first install whatever is missing (scripts/setup-*.sh).
SHELL := /bin/bash
.NOTPARALLEL:   # the steps run one after another; each one compiles in parallel itself

VENV     := .venv
PY       := $(VENV)/bin/python
BUILD    := build/cmake
JOBS     ?= 2
# `make run` runs the default scenario, mali-2025; e.g. make run RUN_ARGS="siege-classroom --days 30"
RUN_ARGS ?=
# Also read by the CMake build that pip's scikit-build-core runs.
export CMAKE_BUILD_PARALLEL_LEVEL := $(JOBS)

# Everything the installed package is built from: sahelsim is reinstalled into the venv when one changes.
PKG_SOURCES := $(shell find CMakeLists.txt pyproject.toml core agents models bindings data/sahel scenarios -type f \
                 -not -path '*/__pycache__/*' 2>/dev/null)

.PHONY: help setup system venv install build run test sanitize fuzz validate bench check-hdf5 clean distclean FORCE

help:
	@echo "make setup      Debian packages, .venv (h5py built against the system HDF5), sahelsim installed in .venv"
	@echo "make build      CMake tree with tests and benchmarks in $(BUILD)"
	@echo "make run        setup, then $(VENV)/bin/sahelsim run $(RUN_ARGS) (run files go to runs/)"
	@echo "make test       setup + build, then every suite through ctest (GoogleTest, pytest, reduced validation)"
	@echo "make sanitize   the C++ suites under ASan+UBSan and under TSan (build/asan, build/tsan)"
	@echo "make fuzz       libFuzzer targets in build/fuzz, FUZZ_SECONDS each (45); FUZZ_LONG=1 adds the raw HDF5 target"
	@echo "make validate   the full validation suite (about half an hour)"
	@echo "make bench      the quick benchmarks: bench_epstein --quick, bench_sahel --quick (docs/PERFORMANCE.md)"
	@echo "make clean      remove build/ (distclean: also $(VENV))"

setup: install

system:
	@scripts/setup-system.sh

venv: .stamps/venv
.stamps/venv: FORCE | system   # the script rewrites this stamp only when it changed the venv
	@scripts/setup-venv.sh

install: .stamps/install
.stamps/install: .stamps/venv .stamps/git-head $(PKG_SOURCES)
	@echo "==> building sahelsim (build/<wheel tag>) and installing it into $(VENV)"
	$(PY) -m pip install -q --no-build-isolation --no-deps .
	@touch $@

# Changes when HEAD moves, so that the git commit recorded in run files is the current one.
.stamps/git-head: FORCE
	@mkdir -p .stamps; head=$$(git rev-parse -q --verify HEAD 2>/dev/null || echo none); \
	  [[ -f $@ && $$(<$@) == "$$head" ]] || echo "$$head" >$@

$(BUILD)/build.ninja: .stamps/venv
	@echo "==> configuring $(BUILD)"
	cmake -S . -B $(BUILD) -G Ninja -DBUILD_TESTING=ON \
	  -DPython_EXECUTABLE=$(CURDIR)/$(PY) -Dpybind11_DIR="$$($(PY) -m pybind11 --cmakedir)"
	@touch $@

build: $(BUILD)/build.ninja
	@echo "==> building $(BUILD)"
	cmake --build $(BUILD) -j $(JOBS)

# The default scenario, mali-2025 (`sahelsim run`): its run file and the calibration summary.
run: setup
	$(VENV)/bin/sahelsim run $(RUN_ARGS)

# The pytest suites import the sahelsim installed in the venv, so `setup` comes first.
test: setup build
	ctest --test-dir $(BUILD) --output-on-failure

# The C++ suites under ASan+UBSan and under TSan (build/asan, build/tsan; docs/RELIABILITY.md "Sanitizers").
sanitize: system
	JOBS=$(JOBS) scripts/sanitize.sh

# Coverage-guided fuzzing (scripts/fuzz.sh, docs/RELIABILITY.md "Fuzzing"): clang + libFuzzer in build/fuzz.
FUZZ_SECONDS ?= 45
FUZZ_LONG    ?= 0
fuzz: system
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_LONG=$(FUZZ_LONG) JOBS=$(JOBS) scripts/fuzz.sh

validate: setup
	SAHELSIM_VALIDATION=full $(PY) -m pytest tests/validation

# The `bench` target of experiments/CMakeLists.txt: bench_epstein --quick, then bench_sahel --quick
# (mali-2025 at 5 and 2.5 km cells, 1x and 2x villages, 1 and 2 threads, with and without a run file).
bench: build
	cmake --build $(BUILD) --target bench

check-hdf5: venv
	@scripts/check-hdf5.sh

clean:
	rm -rf build dist .stamps/install

distclean: clean
	rm -rf $(VENV) .stamps
