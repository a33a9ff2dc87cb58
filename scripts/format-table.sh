#!/bin/sh
# Accuracy and predicted speed of each numeric format: tiny-llama planned at TP 2 × PP 2 on HGX B200
# with weights and K/V in the format (activations bf16), emulated under `mpirun -n 4 --numeric`;
# the speed columns are the planner's for tiny-llama and for Llama-3-70B at TP 8 in the same formats.
# Usage: scripts/format-table.sh [tessera binary] [formats…]   (prints a Markdown table)
set -eu
T=${1:-.build/debug/tessera}
[ $# -gt 0 ] && shift
FORMATS=${*:-"fp16 bf16 fp8-e4m3 fp8-e5m2 int8-channel int8-g128 int4-channel int4-g128 mxint8 mxint4 mxfp4"}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
echo "| format (weights, K/V) | partitioned vs unpartitioned | max rel. logit error vs FP32 | mean | top-1 agreement | KL nats | tiny-llama tok/s | Llama-3-70B TP 8 tok/s |"
echo "|---|---|---|---|---|---|---|---|"
for f in $FORMATS; do
  spec="weights=$f,kv=$f,activations=bf16"
  $T plan --model Workloads/tiny-llama.json --cluster Clusters/hgx-b200.yaml \
    --scenario Workloads/scenarios/tiny-test.json --tp 2 --pp 2 --formats "$spec" -o "$DIR/plan.json" --json > "$DIR/plan.out" 2>/dev/null
  tiny=$(sed -n 's/^  "outputTokensPerSecond" : \([0-9.e+-]*\).*/\1/p' "$DIR/plan.out" | head -1)
  big=$($T plan --model Workloads/llama-3-70b.json --cluster Clusters/hgx-b200.yaml --tp 8 --batch 64 \
    --input-tokens 1024 --output-tokens 256 --formats "$spec" --json 2>/dev/null \
    | sed -n 's/^  "outputTokensPerSecond" : \([0-9.e+-]*\).*/\1/p' | head -1)
  out=$(mpirun -launcher fork -n 4 "$T" emulate "$DIR/plan.json" --numeric 2>&1)
  same=$(echo "$out" | sed -n 's/^max relative error \([^ ]*\) .*/\1/p')
  line=$(echo "$out" | grep '^against FP32')
  max=$(echo "$line" | sed -n 's/.*max relative logit error \([^,]*\),.*/\1/p')
  mean=$(echo "$line" | sed -n 's/.*, mean \([^,]*\),.*/\1/p')
  top1=$(echo "$line" | sed -n 's/.*top-1 agreement \([^,]*\),.*/\1/p')
  kl=$(echo "$line" | sed -n 's/.*KL divergence \([^ ]*\) nats.*/\1/p')
  printf '| %s | %s | %s | %s | %s | %s | %.0f | %.0f |\n' "$f" "$same" "$max" "$mean" "$top1" "$kl" "$tiny" "$big"
done
