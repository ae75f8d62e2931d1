#!/usr/bin/env bash
# Meta-trains the shipped Omniglot bundles (models/*.md) with their recipes and iteration counts, exports them, and
# measures each through FewShot.Runtime over 600 test episodes (95 % CI): each episode's queries as one batch
# (--runtime) and each query alone (--single-queries); lake-split runs also within one alphabet (Lake et al.'s protocol).
# Training resumes exactly, so these iteration counts give the shipped θ whatever the sittings were, with the build
# that trained them: protonet-paper with main at f6d4023 (111 minutes), protonet-lake at 55f2dfc (71 minutes), the MAML
# bundles (Proto-MAML: --prototype-head, Adam 1e-4) with the 5-way ones at 5237676 (--inner-lr 0.01, 18 minutes
# each), the lake 20-way head at fc89ffc (15 minutes) and the paper one at 0bbdc63 (14 minutes), the strided conv4's ProtoNets encoder (23 minutes) and Proto-MAML from it
# (6 minutes) at 0bbdc63 too, each MAML run starting from its split's ProtoNets encoder
# (--init-from), so each lane trains ProtoNets first. The shipped runs ran one libtorch thread each, two or three
# jobs side by side on 2 cores; this script keeps two lanes.
# Usage: benchmarks/omniglot-accuracy.sh <fewshot-binary> <out-folder>
set -euo pipefail
fewshot="$1"; out="$2"
data="$(cd "$(dirname "$0")/../../shared/datasets/omniglot" && pwd)"
mkdir -p "$out"
results="$out/results.jsonl"
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.top_pad=67108864

train() { # name split iterations args...
  local name="$1" split="$2" iterations="$3"; shift 3
  "$fewshot" train --dataset omniglot --data "$data" --split "$split" --threads 1 --iterations "$iterations" --seed 0 \
    --out "$out/$name" "$@" > "$out/$name.train.log" 2>&1
  "$fewshot" export --run "$out/$name" --out "$out/omniglot-$name.fewshot" --episodes 600 > "$out/$name.export.log" 2>&1
}

evaluate() { # name ways shots args...
  local name="$1" ways="$2" shots="$3"; shift 3
  echo "{\"model\":\"$name\",\"result\":$("$fewshot" eval --run "$out/$name" --ways "$ways" --shots "$shots" --episodes 600 --threads 1 --json "$@")}" >> "$results"
}

protonet() { # split iterations recipe...
  local name="protonet-$1" split="$1" iterations="$2"; shift 2
  train "$name" "$split" "$iterations" --algorithm protonet --ways 5 --shots 1 --meta-batch 1 --norm group "$@"
  local within=(); if [ "$split" = lake ]; then within=(--within-alphabet); fi
  evaluate "$name" 5 1 --runtime; evaluate "$name" 5 1 --single-queries; evaluate "$name" 5 5 --runtime
  evaluate "$name" 20 1 --runtime "${within[@]}"; evaluate "$name" 20 1 --single-queries; evaluate "$name" 20 5 --runtime
}

maml() { # name split ways queries inner-lr meta-batch iterations encoder-run validate-every [options...]
  local name="$1" split="$2" ways="$3" queries="$4" rate="$5" batch="$6" iterations="$7" encoder="$8" validate="$9"; shift 9
  train "$name" "$split" "$iterations" --algorithm maml --prototype-head --ways "$ways" --shots 1 --queries "$queries" --inner-steps 1 \
    --inner-lr "$rate" --meta-batch "$batch" --norm group --lslr --meta-lr 1e-4 --cosine-lr --validate-every "$validate" --init-from "$out/$encoder" "$@"
}

(protonet paper 12000 --queries 5 --train-ways 60 --cosine-lr --validate-every 2000
 maml maml-paper paper 5 15 0.01 4 2000 protonet-paper 0
 evaluate maml-paper 5 1 --runtime; evaluate maml-paper 5 1 --single-queries; evaluate maml-paper 5 5 --runtime
 maml maml20-paper paper 20 5 0.1 2 1500 protonet-paper 500
 evaluate maml20-paper 20 1 --runtime; evaluate maml20-paper 20 1 --single-queries; evaluate maml20-paper 20 5 --runtime
 # The strided conv4 (--downsample stride): its own ProtoNets encoder, then Proto-MAML from it.
 train protonet-strided-paper paper 12000 --algorithm protonet --ways 5 --shots 1 --queries 5 --train-ways 60 --meta-batch 1 --norm group \
   --downsample stride --cosine-lr --validate-every 2000
 evaluate protonet-strided-paper 5 1 --runtime; evaluate protonet-strided-paper 5 5 --runtime
 maml maml-strided-paper paper 5 15 0.01 4 2000 protonet-strided-paper 500 --downsample stride
 evaluate maml-strided-paper 5 1 --runtime; evaluate maml-strided-paper 5 1 --single-queries; evaluate maml-strided-paper 5 5 --runtime) &
(protonet lake 9000 --queries 5 --train-ways 60 --cosine-lr --validate-every 0
 maml maml-lake lake 5 15 0.01 4 2000 protonet-lake 0
 evaluate maml-lake 5 1 --runtime --within-alphabet; evaluate maml-lake 5 1 --single-queries; evaluate maml-lake 5 5 --runtime
 maml maml20-lake lake 20 5 0.1 2 1500 protonet-lake 0
 evaluate maml20-lake 20 1 --runtime --within-alphabet; evaluate maml20-lake 20 1 --single-queries; evaluate maml20-lake 20 5 --runtime) &
wait
cat "$results"
