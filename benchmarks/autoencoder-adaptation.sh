#!/usr/bin/env bash
# Two ways to adapt an autoencoder to a few examples of a new kind (issue #13, section 5 (b) and (c)), with the same
# autoencoder, data and number of meta-iterations: `autoencoder`, MAML on the reconstruction loss (trained with one
# gradient step on the support set, adapting with 3), and `ae-generator`, an LSTM that writes the decoder's biases from
# the support set's codes (one forward pass, no gradient). Omniglot's lake split, 5 classes x 5 shots per task, 5
# queries per class. Each run is exported and measured through FewShot.Runtime over 600 test episodes (query
# reconstruction MSE, 95 % CI) and as an anomaly detector (AUROC: the support's 5 characters normal, 5 other characters
# anomalous); `fewshot eval` adds ae-generator's MSE with nothing generated (the same autoencoder with its base
# biases), which shows what the generator adds.
# Usage: benchmarks/autoencoder-adaptation.sh <fewshot-binary> <out-folder> [iterations]
set -euo pipefail
fewshot="$1"; out="$2"; iterations="${3:-3000}"
data="$(cd "$(dirname "$0")/../../shared/datasets/omniglot" && pwd)"
mkdir -p "$out"
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.top_pad=67108864

for algorithm in ae-generator autoencoder; do
  start=$(date +%s)
  "$fewshot" train --algorithm "$algorithm" --dataset omniglot --data "$data" --split lake --ways 5 --shots 5 --queries 5 \
    --inner-steps 1 --inner-lr 0.5 --iterations "$iterations" --seed 0 --threads 1 --out "$out/$algorithm" > "$out/$algorithm.train.log" 2>&1
  echo "$algorithm: $iterations iterations in $(( $(date +%s) - start )) s"
  "$fewshot" export --run "$out/$algorithm" --out "$out/$algorithm.fewshot" --episodes 600 | tail -2
  "$fewshot" eval --run "$out/$algorithm" --episodes 600 --threads 1 --json
done
