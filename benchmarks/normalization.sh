#!/usr/bin/env bash
# Compares conv4's normalization modes on equal, short budgets: ProtoNets and MAML, 5-way 1-shot, lake split, seed 1,
# at most 200 / 150 iterations or 10 minutes each, one libtorch thread; then 600 test episodes (95% CI) with each
# episode's queries as one batch and with every query alone (through FewShot.Runtime on the exported bundle).
# Usage: benchmarks/normalization.sh <fewshot-binary> <out-folder> <mode>...   (modes: instance group layer batch)
set -u
fewshot="$1"; out="$2"; shift 2
data="$(cd "$(dirname "$0")/.." && pwd)/../shared/datasets/omniglot"
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295
mkdir -p "$out"
for norm in "$@"; do
  for alg in protonet maml; do
    run="$out/$alg-$norm"
    if [ "$alg" = protonet ]; then extra="--iterations 200"; else extra="--iterations 150 --inner-steps 1 --meta-batch 4"; fi
    # shellcheck disable=SC2086
    nice -n 10 "$fewshot" train --algorithm "$alg" --dataset omniglot --data "$data" --split lake --ways 5 --shots 1 --queries 15 $extra \
      --minutes 10 --seed 1 --threads 1 --norm "$norm" --out "$run" | tail -1
    nice -n 10 "$fewshot" eval --run "$run" --episodes 600 --threads 2 --json
    nice -n 10 "$fewshot" eval --run "$run" --episodes 600 --threads 2 --single-queries --json
  done
done
