#!/usr/bin/env bash
# Issue #11, section 1: conv4's normalization options like for like in one PyTorch harness, each meta-trained for
# ITERATIONS steps (Lake split, seed SEED, one thread; two options at a time) and tested on the same 600 episodes.
# One JSON line an option in OUT/<option>.json.
#   protonet (default): benchmarks/normalization_options.py: transductive batch norm, running statistics (cbn),
#     MetaBN, TaskNorm-I, group and instance norm, over 5-way 1-shot episodes; tested at 1 and 5 shots. About 30
#     minutes on two cores at 2,000 iterations (batch's lone-query evaluation is 20 of them).
#   maml: benchmarks/maml_normalization_options.py: transductive batch norm, MAML++'s per-step statistics (BNRS + BNWB)
#     as published and meta-trained by the running averages, MetaBN, group and instance norm, over meta-batches of four
#     5-way 1-shot episodes with second-order MAML; tested after 1 and 3 steps. About 65 minutes at 2,000 iterations.
# Usage: benchmarks/normalization-options.sh OUT [ITERATIONS=2000] [SEED=1] [protonet|maml]
set -euo pipefail
out="${1:?usage: benchmarks/normalization-options.sh OUT [ITERATIONS] [SEED] [protonet|maml]}"
iterations="${2:-2000}"; seed="${3:-1}"; learner="${4:-protonet}"
root="$(cd "$(dirname "$0")/.." && pwd)"
case "$learner" in
  protonet) harness=normalization_options.py; first=(batch metabn group); second=(tasknorm cbn instance) ;;
  maml) harness=maml_normalization_options.py; first=(bnrs bnrs-running batch); second=(instance metabn group) ;;
  *) echo "unknown learner '$learner': expected protonet or maml" >&2; exit 2 ;;
esac
bash "$root/build/install-debian-packages.sh" "the normalization study" python3-torch python3-numpy
data="$root/../shared/datasets/omniglot"
mkdir -p "$out"
queue() { for option in "$@"; do /usr/bin/python3 "$root/benchmarks/$harness" "$data" "$option" "$iterations" "$seed" > "$out/$option.json"; done; }
queue "${first[@]}" &
queue "${second[@]}" &
wait
cat "$out"/*.json
