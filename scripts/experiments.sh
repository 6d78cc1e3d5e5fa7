#!/usr/bin/env bash
# Sets up, builds, and regenerates every table and figure of docs/EXPERIMENTS.md into
# docs/experiments/ (about 15 minutes on one core; seeds are fixed, so reruns give the same
# numbers up to the wall times). Extra arguments go to arora_experiments (--seed, --quick,
# --max-time).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build >/dev/null
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
./build/bin/arora_experiments --out-dir docs/experiments "$@"
# Weight decay's fast-slow split (EXPERIMENTS §3): about one minute.
./build/bin/weight_decay_split --plot docs/experiments/weight_decay_split.png |
  tee docs/experiments/weight_decay_split.txt
# The infinite-depth runaway (EXPERIMENTS §1, "Infinite depth: one column runs away"): about six
# minutes. Both runs end as diverged (exit code 3), which is what they show.
runaway=$(mktemp -d)
trap 'rm -rf "$runaway"' EXIT
./build/bin/riemopt generate --seed 1 --truth "$runaway/T.mtx" --observed "$runaway/O.mtx" >/dev/null
for rtol in 1e-4 1e-6; do
  ./build/bin/riemopt complete --observed "$runaway/O.mtx" --truth "$runaway/T.mtx" --depth inf \
    --seed 7 --rtol "$rtol" --target-train-mse 0 --final-time 260 --quiet \
    --trajectory "$runaway/run_$rtol.csv" --output "$runaway/run_$rtol.json" || true
done
gnuplot -e "A='$runaway/run_1e-4.csv'; B='$runaway/run_1e-6.csv'; OUT='docs/experiments/infinite_depth_runaway.png'" \
  scripts/plot_infinite_depth_runaway.gp
