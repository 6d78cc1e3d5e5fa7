#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a bounded time on a copy of
# its seed corpus in tests/fuzz/corpus/ (the repository's corpus is never modified).
#   bash scripts/fuzz.sh [seconds-per-target, default 60]
# A crash leaves its input in build-fuzz/artifacts/<target>/ and fails the script; turn it into a
# regression test (tests/test_completion_files.cpp, tests/test_cli*.cpp) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-60}"
bash scripts/clang_build.sh
targets=(fuzz_matrix_market fuzz_rating_file fuzz_cli)
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}" >/dev/null
export OPENBLAS_NUM_THREADS=1
for t in "${targets[@]}"; do
  corpus="tests/fuzz/corpus/${t#fuzz_}"
  work="build-fuzz/corpus/${t#fuzz_}"
  artifacts="build-fuzz/artifacts/$t/"
  rm -rf "$work" && mkdir -p "$work" "$artifacts" && cp "$corpus"/* "$work"/
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s (seed corpus $corpus: $(ls "$corpus" | wc -l) files)"
  log="build-fuzz/$t.log"
  status=0
  ./build-fuzz/bin/"$t" "$work" -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E "^stat::number_of_executed_units|^stat::new_units_added|^#[0-9]+ +DONE" "$log" | sed 's/^/  /' || true
  if [ "$status" -ne 0 ] || ls "$artifacts"* >/dev/null 2>&1; then
    tail -30 "$log" >&2
    echo "fuzz: $t failed (exit $status); failing inputs: $(ls "$artifacts" 2>/dev/null)" >&2
    exit 1
  fi
done
echo "fuzz: no crashes"
