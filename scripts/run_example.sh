#!/usr/bin/env bash
# Sets up, builds, and runs the main experiment with a small default: matrix completion under the
# Euclidean and the DLN(3) geometry from the same small start. Extra arguments go to the program
# (see `build/bin/completion_geometries --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build >/dev/null
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"  # small SVDs: threads only add overhead
exec ./build/bin/completion_geometries "$@"
