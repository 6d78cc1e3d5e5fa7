#!/usr/bin/env bash
# Sets up, builds with warnings as errors, checks the installed CMake package with a consumer
# project, and runs the whole test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build -DRIEMOPT_WERROR=ON

# The package: install to a local prefix and build a consumer with find_package(riemopt).
rm -rf build/install build/consumer
cmake --install build --prefix build/install >/dev/null
cmake -S tests/consumer -B build/consumer -DCMAKE_PREFIX_PATH="$PWD/build/install" >/dev/null
cmake --build build/consumer >/dev/null
./build/consumer/consumer

export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
cd build && ctest --output-on-failure -j"$(nproc)"
