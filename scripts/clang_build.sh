#!/usr/bin/env bash
# Configures build-fuzz/: clang with ASan + UBSan + libFuzzer coverage, tests included. One build
# serves scripts/sanitize.sh (the test suite) and scripts/fuzz.sh (the fuzzers). Installs the
# Debian packages (setup.sh's, plus clang and its libFuzzer runtime) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build >/dev/null
if ! command -v clang++ >/dev/null ||
   ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    clang libclang-rt-14-dev >/dev/null
fi
CXX=clang++ CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRIEMOPT_FUZZ=ON \
  -DRIEMOPT_BUILD_TESTS=ON -DRIEMOPT_BUILD_BENCH=OFF >/dev/null
