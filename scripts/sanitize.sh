#!/usr/bin/env bash
# The C++ test suites (GoogleTest through ctest: core_tests, model_tests, the fuzz corpus replays)
# under AddressSanitizer + UndefinedBehaviorSanitizer (build/asan) and under ThreadSanitizer
# (build/tsan), with GCC. `make sanitize` runs it; docs/RELIABILITY.md, "Sanitizers", says what it
# checks and why the suppressions in tests/sanitizers/ are there.
#
#   scripts/sanitize.sh                      both trees: configure, build, test
#   SANITIZE_TREES=tsan scripts/sanitize.sh  one tree only (asan | tsan)
#   JOBS=4 scripts/sanitize.sh               compile jobs and concurrent tests (default 2)
#   SAHELSIM_TEST_SCALE=full scripts/sanitize.sh   the tests' full sizes (default here: reduced)
#
# Exits non-zero if a build fails, a test fails, or any sanitizer wrote a report (each report is
# also kept in build/<tree>/sanitizer-reports/ and printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

JOBS=${JOBS:-2}
TREES=${SANITIZE_TREES:-asan tsan}
# Read by the GoogleTest suites: the two Sahel multi-thread determinism runs are 25 days instead of
# 40 (still 1, 2, 3, 4, 8 threads; every event of the early-blockade run still takes effect and
# convoys are attacked): under TSan they were the slowest tests. Everything else runs at full size;
# nothing is excluded.
export SAHELSIM_TEST_SCALE=${SAHELSIM_TEST_SCALE:-reduced}

CXX=${CXX:-g++}
CC=${CC:-gcc}

# ---- the toolchain: GCC with its sanitizer runtimes ----
for tool in cmake ninja "$CXX" "$CC"; do
  command -v "$tool" >/dev/null || { echo "sanitize: $tool not found (run make test first: it installs the toolchain)" >&2; exit 2; }
done
gcc_major=$("$CXX" -dumpversion | cut -d. -f1)
for flag in address,undefined thread; do
  if ! echo 'int main() { return 0; }' | "$CXX" -x c++ -fsanitize=$flag -o /dev/null - 2>/dev/null; then
    echo "sanitize: $CXX cannot link with -fsanitize=$flag; install libgcc-$gcc_major-dev" \
         "(libasan, libubsan, libtsan: apt-get install libgcc-$gcc_major-dev)" >&2
    exit 2
  fi
done

# ---- the sanitizers' run-time options ----
supp_dir=$PWD/tests/sanitizers
# halt_on_error: the first report ends the test (it fails); -fno-sanitize-recover=all does the same
# for UBSan at compile time. detect_leaks: LeakSanitizer at exit. The other checks are off by default.
asan_options=halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1
asan_options+=:detect_stack_use_after_return=1:strict_string_checks=1
ubsan_options=halt_on_error=1:print_stacktrace=1
# TSan: one suppression, for libtbb.so's own calls to intercepted functions (see the file).
tsan_options=halt_on_error=1:second_deadlock_stack=1:suppressions=$supp_dir/tsan.supp

sanitize_flag() { case $1 in asan) echo address,undefined ;; tsan) echo thread ;; *) return 1 ;; esac; }

status=0
summary=()
for tree in $TREES; do
  flag=$(sanitize_flag "$tree") || { echo "sanitize: unknown tree '$tree' (asan | tsan)" >&2; exit 2; }
  dir=build/$tree
  reports=$PWD/$dir/sanitizer-reports
  # Every sanitized process of the build (gtest discovery runs the test binaries) and of the tests
  # writes its reports to $reports/<tool>.<pid> (not to stderr) and fails; they are printed below.
  export ASAN_OPTIONS="$asan_options:log_path=$reports/asan"
  export UBSAN_OPTIONS="$ubsan_options:log_path=$reports/ubsan"
  export TSAN_OPTIONS="$tsan_options:log_path=$reports/tsan"
  rm -rf "$reports" "$reports.configure.log"
  mkdir -p "$reports"

  echo "==> $tree: configuring and building $dir (-fsanitize=$flag, $CXX $("$CXX" -dumpversion))"
  start=$SECONDS
  # -O2 as in release builds, so TSan's 5-15x stays affordable; -g1 (line tables only): file and
  # line in every report, at a fraction of -g's compile time. Only the C++ library and its tests:
  # no Python module, no benchmarks.
  # CC and CXX choose the compiler when the tree is first configured (GCC: its libasan, libubsan
  # and libtsan come with the compiler, libgcc-N-dev).
  built=1
  if ! CC=$CC CXX=$CXX cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
         -DSAHELSIM_SANITIZE="$flag" -DSAHELSIM_BUILD_PYTHON=OFF -DSAHELSIM_BUILD_EXPERIMENTS=OFF \
         -DBUILD_TESTING=ON >"$reports.configure.log" 2>&1; then
    cat "$reports.configure.log" >&2
    built=0
  elif ! cmake --build "$dir" -j "$JOBS"; then
    built=0
  fi
  if ((!built)); then
    echo "sanitize: $tree: the build failed" >&2
    status=1
    summary+=("$tree: build FAILED after $((SECONDS - start)) s")
    continue
  fi
  build_seconds=$((SECONDS - start))

  echo "==> $tree: running the C++ suites (SAHELSIM_TEST_SCALE=$SAHELSIM_TEST_SCALE)"
  start=$SECONDS
  run=()
  # TSan needs its fixed memory layout; kernels with 30-32 bits of mmap randomisation break it with
  # GCC 12's libtsan ("unexpected memory mapping"). Without address randomisation it always works.
  if [[ $tree == tsan ]] && command -v setarch >/dev/null; then run=(setarch "$(uname -m)" -R); fi
  test_status=0
  "${run[@]}" ctest --test-dir "$dir" --output-on-failure -j "$JOBS" --timeout 1200 || test_status=$?
  test_seconds=$((SECONDS - start))

  shopt -s nullglob
  found=("$reports"/*)
  shopt -u nullglob
  if ((${#found[@]})); then
    echo "sanitize: $tree: ${#found[@]} sanitizer report(s) in $reports:" >&2
    for report in "${found[@]}"; do
      echo "---- $report" >&2
      cat "$report" >&2
    done
    test_status=1
  fi
  if ((test_status)); then
    status=1
    summary+=("$tree: FAILED (build ${build_seconds} s, tests ${test_seconds} s)")
  else
    summary+=("$tree: passed (build ${build_seconds} s, tests ${test_seconds} s)")
  fi
done

echo "==> sanitizers:"
printf '    %s\n' "${summary[@]}"
exit $status
