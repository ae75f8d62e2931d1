#!/usr/bin/env bash
# MAML++ recipe ablation (issue 8/#11, section 2): MAML 5-way 1-shot on Omniglot's lake split, the same seed and the same
# number of meta-iterations for every variant, each MAML++ piece alone and all four together; then 600 test episodes each
# (95 % CI), with 3 adaptation steps through the exported graphs.
# Small enough for a shared 2-core CPU: conv4 with 32 channels, 3 inner steps, meta-batch 2, 5 queries per class.
# Usage: benchmarks/mamlpp-ablation.sh <fewshot-binary> <out-folder> [iterations] [parallel runs] [norm: group|instance|layer|batch]
set -euo pipefail
fewshot="$1"; out="$2"; iterations="${3:-300}"; parallel="${4:-2}"; norm="${5:-group}"
data="$(cd "$(dirname "$0")/../../shared/datasets/omniglot" && pwd)"
mkdir -p "$out"
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.top_pad=67108864

msl=$((iterations / 10)); doa=$((iterations / 3))
declare -A variants=(
  [plain]=""
  [msl]="--msl-iterations $msl"
  [doa]="--first-order-iterations $doa"
  [lslr]="--lslr"
  [cosine]="--cosine-lr"
  [mamlpp]="--mamlpp"
)

run() { # name
  local name="$1" start end
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$fewshot" train --algorithm maml --dataset omniglot --data "$data" --split lake --ways 5 --shots 1 --queries 5 \
    --inner-steps 3 --inner-lr 0.4 --meta-batch 2 --channels 32 --norm "$norm" --iterations "$iterations" --seed 0 --threads 1 \
    ${variants[$name]} --out "$out/$name" > "$out/$name.train.log" 2>&1
  end=$(date +%s)
  local result
  result=$("$fewshot" eval --run "$out/$name" --ways 5 --shots 1 --inner-steps 3 --episodes 600 --threads 1 --json)
  echo "{\"variant\":\"$name\",\"trainSeconds\":$((end - start)),\"result\":$result}" >> "$out/results.jsonl"
}

for name in plain msl doa lslr cosine mamlpp; do
  run "$name" &
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do wait -n; done
done
wait
cat "$out/results.jsonl"
