#!/usr/bin/env bash
# Sets up, builds, and regenerates every table and figure of docs/EXPERIMENTS.md into
# docs/experiments/ (about 11 minutes on one core; seeds are fixed, so reruns give the same
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
