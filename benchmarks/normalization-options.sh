#!/usr/bin/env bash
# Issue #11, section 1: conv4's normalization options for ProtoNets, like for like in one PyTorch harness
# (benchmarks/normalization_options.py says what each option is): transductive batch norm, conventional batch norm with
# running statistics, MetaBN, TaskNorm-I, group norm and instance norm, each meta-trained for ITERATIONS 5-way 1-shot
# episodes (Lake split, seed SEED, one thread; two options at a time), then tested on the same 600 episodes of 5-way
# 1-shot and 5-shot. One JSON line an option in OUT/<option>.json.
# About 30 minutes on two cores at 2,000 iterations (batch's lone-query evaluation is 20 of them).
# Usage: benchmarks/normalization-options.sh OUT [ITERATIONS=2000] [SEED=1]
set -euo pipefail
out="${1:?usage: benchmarks/normalization-options.sh OUT [ITERATIONS] [SEED]}"; iterations="${2:-2000}"; seed="${3:-1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/build/install-debian-packages.sh" "the normalization study" python3-torch python3-numpy
data="$root/../shared/datasets/omniglot"
mkdir -p "$out"
queue() { for option in "$@"; do /usr/bin/python3 "$root/benchmarks/normalization_options.py" "$data" "$option" "$iterations" "$seed" > "$out/$option.json"; done; }
queue batch metabn group &
queue tasknorm cbn instance &
wait
cat "$out"/*.json
