#!/usr/bin/env bash
# Meta-trains ProtoNets and MAML on Omniglot (both splits) within a fixed CPU budget per run, then evaluates
# 5-way 1-shot, 5-way 5-shot and 20-way 1-shot accuracy over 600 test episodes (95% CI).
# (The 20-way MAML run is placed first here; in the measurement reported in models/README.md it ran last.)
# Usage: benchmarks/omniglot-accuracy.sh <fewshot-binary> <out-folder> [minutes-per-run]
set -euo pipefail
fewshot="$1"; out="$2"; minutes="${3:-12}"
data="$(cd "$(dirname "$0")/../../shared/datasets/omniglot" && pwd)"
mkdir -p "$out"
results="$out/results.jsonl"

train() { # name, algorithm, split, extra args...
  local name="$1" algorithm="$2" split="$3"; shift 3
  "$fewshot" train --algorithm "$algorithm" --dataset omniglot --data "$data" --split "$split" \
    --iterations 1000000 --minutes "$minutes" --seed 0 --out "$out/$name" "$@" | tail -n 1
}

evaluate() { # name, ways, shots, steps
  local name="$1" ways="$2" shots="$3" steps="$4"
  echo "{\"run\":\"$name\",\"result\":$("$fewshot" eval --run "$out/$name" --ways "$ways" --shots "$shots" --inner-steps "$steps" --episodes 600 --json)}" | tee -a "$results"
}

# MAML's head has as many outputs as it has ways, so 20-way needs its own run (lake split, 10 minutes, inner step 0.1 as in the paper).
"$fewshot" train --algorithm maml --dataset omniglot --data "$data" --split lake --ways 20 --shots 1 --queries 5 --inner-steps 1 --inner-lr 0.1 \
  --meta-batch 2 --iterations 1000000 --minutes 10 --seed 0 --out "$out/maml-20way-lake" | tail -n 1
evaluate maml-20way-lake 20 1 3

for split in lake paper; do
  train "protonet-$split" protonet "$split" --ways 5 --shots 1 --queries 15 --train-ways 20 --meta-batch 1
  evaluate "protonet-$split" 5 1 0
  evaluate "protonet-$split" 5 5 0
  evaluate "protonet-$split" 20 1 0
  train "maml-5way-$split" maml "$split" --ways 5 --shots 1 --queries 15 --inner-steps 1 --inner-lr 0.4 --meta-batch 4
  evaluate "maml-5way-$split" 5 1 3
  evaluate "maml-5way-$split" 5 5 3
done
