#!/usr/bin/env bash
# Issue #11, section 1, for MAML: conv4's normalization options, like for like in one PyTorch harness
# (benchmarks/maml_normalization_options.py says what each option is): transductive batch norm, MAML++'s per-step
# running statistics and weights (BNRS + BNWB) as published and meta-trained the way the device normalizes, MetaBN,
# group norm and instance norm, each meta-trained by second-order MAML for ITERATIONS meta-batches of four 5-way 1-shot
# episodes (Lake split, seed SEED, one thread; two options at a time), then tested on the same 600 episodes.
# One JSON line an option in OUT/<option>.json. About 65 minutes on two cores at 2,000 iterations.
# Usage: benchmarks/maml-normalization-options.sh OUT [ITERATIONS=2000] [SEED=1]
set -euo pipefail
out="${1:?usage: benchmarks/maml-normalization-options.sh OUT [ITERATIONS] [SEED]}"; iterations="${2:-2000}"; seed="${3:-1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/build/install-debian-packages.sh" "the normalization study" python3-torch python3-numpy
data="$root/../shared/datasets/omniglot"
mkdir -p "$out"
queue() { for option in "$@"; do /usr/bin/python3 "$root/benchmarks/maml_normalization_options.py" "$data" "$option" "$iterations" "$seed" > "$out/$option.json"; done; }
queue bnrs bnrs-running batch &
queue instance metabn group &
wait
cat "$out"/*.json
