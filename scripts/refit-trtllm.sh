#!/usr/bin/env bash
# Reproduces the shipped TensorRT-LLM 1.x calibration by its documented procedure: the profile's
# eager launch and host cost per running request, fitted to every `fit` row of
# Experiments/calibration/trtllm-1.0.csv, alternating with GB200's host speed, fitted to the GB200
# `fit` rows, until a round changes neither. Works on copies in a temporary folder (the shipped
# files are never written) and prints each round, then the values against the shipped ones.
#   scripts/refit-trtllm.sh [MAX_ROUNDS]     (default 12; TESSERA=path picks the binary)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
tessera="${TESSERA:-$root/.build/release/tessera}"
rounds="${1:-12}"
[ -x "$tessera" ] || { echo "refit-trtllm: $tessera is not built (swift build -c release --product tessera)" >&2; exit 1; }
case "$rounds" in ''|*[!0-9]*) echo "refit-trtllm: MAX_ROUNDS must be a whole number, got '$rounds'" >&2; exit 1;; esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/Clusters" "$root/Workloads" "$root/Experiments" "$work/"
sw="Clusters/software/trtllm-1.0.yaml" hw="Clusters/gb200-nvl72.yaml"
value() { awk -v k="$2:" '$1 == k { print $2; exit }' "$1"; }
state() { echo "kernelLaunchUs $(value "$1/$sw" kernelLaunchUs), requestOverheadUs $(value "$1/$sw" requestOverheadUs), GB200 host.relativeSpeed $(value "$1/$hw" relativeSpeed)"; }

cd "$work"
last="$(state .)"
for i in $(seq 1 "$rounds"); do
    "$tessera" calibrate --measurements Experiments/calibration/trtllm-1.0.csv --software trtllm-1.0 \
        --fit software.kernelLaunchUs,software.requestOverheadUs --folds 0 -o "$sw" > software.out
    "$tessera" calibrate --measurements Experiments/calibration/trtllm-1.0.csv --cluster gb200-nvl72 \
        --fit host.relativeSpeed --folds 0 -o "$hw" > host.out
    now="$(state .)"
    echo "round $i: $now"
    [ "$now" = "$last" ] && break
    last="$now"
done
echo "fitted:  $now"
echo "shipped: $(state "$root")"
[ "$now" = "$(state "$root")" ] && echo "the shipped values are the procedure's fixed point" || echo "the shipped values differ"
