#!/usr/bin/env bash
# Compares conv4's normalization modes on equal budgets: ProtoNets and MAML (second order, 1 inner step of 0.4,
# meta-batch 4), 5-way 1-shot, lake split, one libtorch thread; then 600 test episodes (95% CI) with each episode's
# queries as one batch and with every query alone (through FewShot.Runtime on the exported bundle).
# Usage: benchmarks/normalization.sh <fewshot-binary> <out-folder> <mode>...   (modes: instance group layer batch support; support with ALGORITHMS=maml)
# The defaults are the first short check (seed 1, at most 200 / 150 iterations or 10 minutes each); the environment
# changes them: ALGORITHMS="protonet maml", SEED=1, PROTONET_ITERATIONS=200, MAML_ITERATIONS=150, MINUTES=10.
# MAML at 2,000 iterations takes about 15 minutes a mode on this 2-core machine.
set -u
fewshot="$1"; out="$2"; shift 2
data="$(cd "$(dirname "$0")/.." && pwd)/../shared/datasets/omniglot"
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.top_pad=67108864
mkdir -p "$out"
for norm in "$@"; do
  for alg in ${ALGORITHMS:-protonet maml}; do
    run="$out/$alg-$norm-seed${SEED:-1}"
    if [ "$alg" = protonet ]; then extra="--iterations ${PROTONET_ITERATIONS:-200}"
    else extra="--iterations ${MAML_ITERATIONS:-150} --inner-steps 1 --inner-lr 0.4 --meta-batch 4"; fi
    # shellcheck disable=SC2086
    nice -n 10 "$fewshot" train --algorithm "$alg" --dataset omniglot --data "$data" --split lake --ways 5 --shots 1 --queries 15 $extra \
      --minutes "${MINUTES:-10}" --seed "${SEED:-1}" --threads 1 --norm "$norm" --validate-every 0 --out "$run" | tail -1
    nice -n 10 "$fewshot" eval --run "$run" --episodes 600 --threads 1 --json
    nice -n 10 "$fewshot" eval --run "$run" --episodes 600 --threads 1 --single-queries --json
  done
done
