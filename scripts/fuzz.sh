#!/usr/bin/env bash
# Coverage-guided fuzzing of the scenario, CSV, GeoJSON and run-file readers with libFuzzer
# (docs/RELIABILITY.md, "Fuzzing"). Installs nothing: needs clang and its libFuzzer runtime
# (Debian 12: clang libclang-rt-14-dev; Debian 13: clang libclang-rt-19-dev).
#
#   scripts/fuzz.sh                      build build/fuzz, then each CI target for FUZZ_SECONDS (45)
#   FUZZ_SECONDS=600 scripts/fuzz.sh     the long run
#   FUZZ_LONG=1 scripts/fuzz.sh          also fuzz_run_file_image (raw HDF5 bytes: crashes inside
#                                        libhdf5 are expected, see tests/fuzz/known-hdf5-crashes/)
#   FUZZ_TARGETS="csv geojson" scripts/fuzz.sh   only these targets
#   FUZZ_BUILD_ONLY=1 scripts/fuzz.sh    configure and build only
#   FUZZ_SKIP_BUILD=1 scripts/fuzz.sh    run what build/fuzz holds (e.g. several targets at once, each
#                                        in its own invocation: FUZZ_TARGETS=csv FUZZ_SKIP_BUILD=1 ...)
#
# Each target starts from tests/fuzz/corpus/<target>/ (read-only) and grows a working corpus in
# build/fuzz/corpus/<target>/. A crash, leak, timeout or out-of-memory input is copied to
# build/fuzz/crashes/<target>/ and the script exits 1 after all targets ran; turn each into a
# regression input under tests/fuzz/regressions/<target>/ once fixed. Logs and a summary
# (executions, exec/s, coverage, corpus size) are in build/fuzz/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-45}
JOBS=${JOBS:-2}
BUILD=build/fuzz
CI_TARGETS="scenario csv geojson run_file"
if [[ -n ${FUZZ_TARGETS:-} ]]; then
  TARGETS=$FUZZ_TARGETS
elif [[ ${FUZZ_LONG:-0} == 1 ]]; then
  TARGETS="$CI_TARGETS run_file_image"
else
  TARGETS=$CI_TARGETS
fi

# ---- clang and libFuzzer ----
CLANG=${CLANG:-}
if [[ -z $CLANG ]]; then
  for candidate in clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
    if command -v "$candidate" >/dev/null; then CLANG=$candidate; break; fi
  done
fi
if [[ -z $CLANG ]]; then
  echo "fuzz.sh: no clang found. Install it: Debian 12: apt-get install clang libclang-rt-14-dev;" \
       "Debian 13: apt-get install clang libclang-rt-19-dev" >&2
  exit 2
fi
CLANGXX=${CLANG/clang/clang++}
command -v "$CLANGXX" >/dev/null || { echo "fuzz.sh: $CLANG has no $CLANGXX" >&2; exit 2; }
fuzzer_lib=$("$CLANG" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
if [[ ! -f $fuzzer_lib ]]; then
  fuzzer_lib=$("$CLANG" --print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer.a
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/probe.cpp"
if ! "$CLANGXX" -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" 2>"$probe/log"; then
  version=$("$CLANG" -dumpversion | cut -d. -f1)
  echo "fuzz.sh: $CLANGXX cannot link a libFuzzer target ($(head -1 "$probe/log"))." >&2
  echo "  Install the runtime: apt-get install libclang-rt-$version-dev" >&2
  exit 2
fi
echo "==> $("$CLANGXX" --version | head -1); libFuzzer OK"

# ---- build ----
if [[ ! -f $BUILD/build.ninja ]]; then
  echo "==> configuring $BUILD"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER="$CLANG" -DCMAKE_CXX_COMPILER="$CLANGXX" \
    -DSAHELSIM_BUILD_FUZZERS=ON -DSAHELSIM_SANITIZE=address,undefined \
    -DSAHELSIM_BUILD_PYTHON=OFF -DSAHELSIM_BUILD_EXPERIMENTS=OFF -DBUILD_TESTING=ON >/dev/null
fi
if [[ ${FUZZ_SKIP_BUILD:-0} != 1 ]]; then
  echo "==> building the fuzz targets (-j$JOBS)"
  build_start=$SECONDS
  nice -n 5 cmake --build "$BUILD" --target fuzzers -j "$JOBS"
  echo "    built in $((SECONDS - build_start)) s"
fi
[[ ${FUZZ_BUILD_ONLY:-0} == 1 ]] && exit 0

# ---- run ----
mkdir -p "$BUILD/logs"
status=0
for target in $TARGETS; do
  corpus=$BUILD/corpus/$target crashes=$BUILD/crashes/$target
  mkdir -p "$corpus" "$crashes"
  max_len=65536
  [[ $target == run_file ]] && max_len=4096
  dict=()
  [[ -f tests/fuzz/$target.dict ]] && dict=(-dict="tests/fuzz/$target.dict")
  extra=()
  if [[ $target == run_file_image ]]; then
    # Raw HDF5 bytes: libhdf5 1.10 leaks and crashes on corrupt files by itself
    # (tests/fuzz/known-hdf5-crashes/), so leaks are not checked and the run goes on after a crash
    # (in a child process), counting them.
    extra=(-detect_leaks=0 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  fi
  echo "==> fuzz_$target for ${FUZZ_SECONDS} s"
  log=$BUILD/logs/$target.log
  set +e
  # ASan leak checking stays on (-detect_leaks=1): a leak is a finding too, except memory libhdf5
  # loses by itself (tests/fuzz/lsan.supp).
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
  LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0 \
  nice -n 5 "$BUILD/tests/fuzz/fuzz_$target" "$corpus" "tests/fuzz/corpus/$target" "${dict[@]}" \
    -max_total_time="$FUZZ_SECONDS" -max_len=$max_len -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" -print_final_stats=1 "${extra[@]}" >"$log" 2>&1
  rc=$?
  set -e
  stats=$(grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | sed 's/stat:://' | tr -s ' \n' ' ' || true)
  cov=$(grep -E '#[0-9]+.*(DONE|INITED|NEW|REDUCE|pulse)' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' || true)
  artifacts=$(find "$crashes" -type f | wc -l || true)
  line="fuzz_$target: ${FUZZ_SECONDS}s exit=$rc $stats $cov artifacts=$artifacts"
  echo "    $line"
  echo "$line" >"$BUILD/logs/$target.summary"
  if [[ $rc != 0 || $artifacts != 0 ]]; then
    status=1
    echo "    FINDING: see $log and $crashes/" >&2
    grep -E 'ERROR: |SUMMARY: |runtime error' "$log" | head -5 >&2 || true
  fi
done
echo "==> summary ($BUILD/logs/<target>.summary)"
for target in $TARGETS; do cat "$BUILD/logs/$target.summary"; done
exit $status
