#!/usr/bin/env bash
# Completion at the size of MovieLens-1M (6040 x 3706, rank 10, 1,000,209 entries of which a
# random 10 % are held out for the test error) by a narrow depth-3 network of width 32, in one
# run of this script, on one core:
#   * the DLN flow on the narrow factors (RKC) at the command line's rtol 1e-4 and at 1e-3, 1e-2;
#   * plain gradient descent on the same factors from the same start (`--solver gd --step`), at
#     a grid of fixed steps, to find the largest stable one.
# Every run stops at train MSE <= 1e-6 (the command line's default). Prints a Markdown table
# (wall seconds, steps, gradient evaluations, test RMSE, peak memory); docs/BENCHMARKS.md
# records it.
#
#   bash bench/movielens_scale.sh [build-dir]       # default: build
set -euo pipefail
build=${1:-build}
riemopt="$build/bin/riemopt"
[[ -x $riemopt ]] || { echo "movielens_scale: $riemopt not found; build first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1

"$riemopt" generate --rows 6040 --cols 3706 --rank 10 --observations 1000209 --seed 1 \
  --observed "$work/observed.mtx" > /dev/null
common=(--observed "$work/observed.mtx" --hold-out 0.1 --width 32 --depth 3 --max-time 290 --quiet)

run() {  # label, then extra flags
  local label=$1
  shift
  local json="$work/$(echo "$label" | tr ' =,' '___').json"
  "$riemopt" complete "${common[@]}" "$@" --output "$json" || true
  python3 - "$label" "$json" <<'EOF'
import json, sys
label, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
evaluations = d["rhs_evaluations"] or d["gradient_evaluations"]
print(f"| {label} | {d['status']} | {d['wall_seconds']:.1f} | {d['steps']} | {evaluations} | "
      f"{d['test_rmse']:.3e} | {d['train_mse']:.2e} | {d['peak_memory_mib']:.0f} |")
EOF
}

echo "| run | status | wall s | steps | gradient evaluations | test RMSE | train MSE | peak MiB |"
echo "|---|---|---|---|---|---|---|---|"
run "flow, RKC rtol 1e-4 (default)"
run "flow, RKC rtol 1e-3" --rtol 1e-3
run "flow, RKC rtol 1e-2" --rtol 1e-2
for step in 2.5e-4 5e-4 7e-4 1e-3; do
  run "gradient descent, step $step" --solver gd --path factors --step "$step"
done
