#!/usr/bin/env bash
# Installs the Debian packages riemopt needs (only those missing), then configures and builds.
#   bash scripts/setup.sh [build-dir] [extra cmake arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake pkg-config libeigen3-dev libboost-dev libboost-math-dev libfmt-dev
          nlohmann-json3-dev liblapacke-dev libopenblas-dev libgtest-dev libgmock-dev
          libbenchmark-dev libceres-dev libgoogle-glog-dev libcli11-dev gnuplot-nox
          pybind11-dev python3-dev python3-numpy python3-pytest)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing missing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR="${1:-build}"
shift || true
# The Python module is built for Debian's interpreter, where python3-numpy and python3-pytest
# were installed (not for another python3 that may come first on PATH).
PYTHON_ARGS=()
if [ -x /usr/bin/python3 ]; then PYTHON_ARGS=(-DPython_EXECUTABLE=/usr/bin/python3); fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "${PYTHON_ARGS[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
