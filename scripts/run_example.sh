#!/usr/bin/env bash
# Sets up, builds, and runs the flagship experiment with a small default: the Arora et al. (2019)
# matrix-completion instance (100x100, rank 5, 2000 observed entries, seed 1) completed by the
# depth-3 DLN gradient flow from their Gaussian-product start of scale 1e-3.
# Files go to build/flagship/ (instance, JSON report, trajectory CSV, PNG figure). Extra
# arguments go to `riemopt complete` (e.g. --depth 2, --geometry euclidean, --solver nuclear-norm,
# --beta 1e4; see `build/bin/riemopt complete --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build >/dev/null
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"  # small SVDs: threads only add overhead
out=build/flagship
mkdir -p "$out"
./build/bin/riemopt generate --rows 100 --cols 100 --rank 5 --observations 2000 --seed 1 \
  --truth "$out/truth.mtx" --observed "$out/observed.mtx" >/dev/null
plot=()
if command -v gnuplot >/dev/null 2>&1; then plot=(--plot "$out/figure.png"); fi
./build/bin/riemopt complete --observed "$out/observed.mtx" --truth "$out/truth.mtx" \
  --depth 3 --output "$out/report.json" --trajectory "$out/trajectory.csv" "${plot[@]}" "$@"
echo "wrote $out/report.json, $out/trajectory.csv${plot:+, $out/figure.png}"
