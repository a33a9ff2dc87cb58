#!/usr/bin/env bash
# Regenerates Clusters/kernels/<chip>/ from the measured kernel tables of the PyPI package
# aiconfigurator-core 0.12.0 (Apache-2.0, NVIDIA). Builds a throw-away venv with pinned versions
# in .build-venv (gitignored), then runs scripts/kernel-tables.py. Python is needed only here:
# the product and the tests read the committed CSV files.
#   scripts/kernel-tables.sh [OUT_DIR]    (default: Clusters/kernels)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/Clusters/kernels}"
venv="${KERNEL_TABLES_VENV:-$root/.build-venv}"
python="${PYTHON:-python3}"

# The package pins nothing exactly, so every reader it pulls in is pinned here.
pins=(aiconfigurator-core==0.12.0 pandas==2.2.3 pyarrow==18.1.0 numpy==2.1.3 packaging==26.4
      scipy==1.17.1 PyYAML==6.0.4 python-dateutil==4.0.0 pytz==2026.6 tzdata==2026.6)

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
mkdir -p "$out"
"$venv/bin/python" "$root/scripts/kernel-tables.py" "$out"
