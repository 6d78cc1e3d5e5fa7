#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang; any report
# fails the run), then every libFuzzer target for a bounded time (scripts/fuzz.sh).
#   bash scripts/sanitize.sh [fuzz-seconds-per-target, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS="${1:-30}"
# fuzz.sh installs clang, configures build-fuzz (ASan + UBSan + coverage, tests included) and
# fuzzes; the test suite runs first, on the same build.
bash scripts/setup.sh build >/dev/null
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
fi
CXX=clang++ CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRIEMOPT_FUZZ=ON \
  -DRIEMOPT_BUILD_TESTS=ON -DRIEMOPT_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target riemopt_tests >/dev/null
export OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-fuzz && ctest --output-on-failure -j"$(nproc)" | tail -3)
bash scripts/fuzz.sh "$FUZZ_SECONDS"
