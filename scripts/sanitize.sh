#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang; any report
# fails the run), then every libFuzzer target for a bounded time (scripts/fuzz.sh).
#   bash scripts/sanitize.sh [fuzz-seconds-per-target, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${1:-30}"
bash scripts/clang_build.sh
cmake --build build-fuzz -j"$(nproc)" --target riemopt_tests >/dev/null
export OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if ! (cd build-fuzz && ctest --output-on-failure -j"$(nproc)" >ctest.log 2>&1); then
  tail -150 build-fuzz/ctest.log >&2
  echo "sanitize: the test suite failed under ASan + UBSan (full log: build-fuzz/ctest.log)" >&2
  exit 1
fi
grep -E "tests passed|Total Test time" build-fuzz/ctest.log
bash scripts/fuzz.sh "$FUZZ_SECONDS"
