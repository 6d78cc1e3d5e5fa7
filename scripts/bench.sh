#!/usr/bin/env bash
# Sets up, builds (Release), and runs every benchmark program, printing their tables.
# docs/BENCHMARKS.md records the latest output with the machine and date.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build >/dev/null
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"  # one core, as the targets are stated
echo "# $(date -u +%Y-%m-%d) on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "## completion_speed: DLN(3) flow vs gradient descent on the factors (same instance, same start)"
./build/bin/completion_speed "$@"
echo
echo "## completion_paths: the flow on matrices and on balanced factors, depths 2-6, and NumPy GD"
PYTHON=python3; [ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3  # where setup.sh put NumPy
PYTHONPATH=build/python "$PYTHON" bench/completion_paths.py
echo
echo "## flow_rhs: one RHS of the DLN free-energy flow vs one dgesdd; depth independence (Google Benchmark)"
./build/bin/flow_rhs --benchmark_color=false
echo
echo "## standard_problems: the Manopt/ROPTLIB benchmark problems, every applicable solver"
./build/bin/standard_problems
