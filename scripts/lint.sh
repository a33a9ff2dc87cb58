#!/usr/bin/env bash
# `make lint`: `swift format lint` (it ships with the toolchain) with the project's .swift-format.
#
# Rule findings (naming, force unwraps off, `///` doc comments, …) fail in every file. Layout
# findings (the pretty printer's Indentation, AddLines, RemoveLine, TrailingComma, Spacing and
# LineLength) fail only in the folders of FORMATTED: the rest of the tree predates the
# configuration and aligns continuation lines by hand, which swift-format cannot express. Add a
# folder here once `swift format format -i -r <folder>` has been run on it in a commit of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

FORMATTED=(Sources/StableHash Sources/SQLiteStore Sources/CapacityMPI Sources/Benchmarks)
LAYOUT='\[(Indentation|AddLines|RemoveLine|TrailingComma|Spacing|LineLength)\]'

findings=$(swift format lint -r Sources Tests 2>&1 || true)
rules=$(grep -E 'warning:|error:' <<<"$findings" | grep -Ev "$LAYOUT" || true)
layout=$(swift format lint -r "${FORMATTED[@]}" 2>&1 || true)

status=0
if [[ -n "$rules" ]]; then echo "$rules"; status=1; fi
if [[ -n "$layout" ]]; then
    echo "$layout"
    echo "(layout: run swift format format -i -r on the folder)"
    status=1
fi
[[ $status == 0 ]] && echo "lint: no findings"
exit $status
