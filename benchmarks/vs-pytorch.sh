#!/usr/bin/env bash
# One of FewShot's benchmarks beside its PyTorch reference, both on this machine, in this run, at 1 and 2 threads:
#   conv4  forward, forward+backward and a second-order MAML meta-gradient (benchmarks/conv4_torch.py)
#   adapt  on-device adaptation (MAML 1/5/10 steps, ANIL, ProtoNets), prediction and cold start (benchmarks/adapt_torch.py);
#          MAML 1/5/10 steps on the strided conv4 and on conv4 with group norm (the shipped bundles' normalization);
#          each conv4 row's share of one core's FMA peak, measured first (benchmarks/fma_peak.c)
#   train  meta-training throughput and peak RSS: MAML and FOMAML 5-way 1-shot (1 and 5 inner steps, meta-batch 4),
#          ProtoNets 60-way 5-shot 5-query; FewShot's TorchSharp trainer and PyTorch (benchmarks/train_torch.py),
#          each case in its own process so that its peak RSS is its own
# Prints a table of medians, p95 and the PyTorch/FewShot ratio (above 1: FewShot is faster); train prints tasks/s
# (episodes/s for ProtoNets) and the ratio FewShot / PyTorch.
# PyTorch gets its best setup (../shared/DESIGN.md): Debian's OpenMP OpenBLAS first on LD_LIBRARY_PATH, glibc's
# malloc keeping freed buffers, threads set explicitly. With 2 threads on a 2-core machine its OpenMP threads
# spinning (OMP_WAIT_POLICY=ACTIVE) can be 10-40x slower or faster than sleeping (PASSIVE), depending on the
# computation, so it runs under both policies and each row keeps its faster median.
# adapt also runs the TorchSharp reference (benchmarks/TorchSharpReference, libtorch 2.10) in its best setup: threads
# set, glibc's malloc keeping freed buffers (also on transparent huge pages, as FewShot's arena), no_grad for
# prediction; its ratio column is TorchSharp/FewShot.
# Installs Debian's python3-torch, libopenblas0-openmp and libtcmalloc-minimal4 when they are missing (and gcc, to build the cross-core
# probe benchmarks/core_distance.c, whose readings it prints under each table).
# Both sides run with glibc's malloc keeping freed buffers (GLIBC_TUNABLES below); for train, each side also runs with
# tcmalloc preloaded (as `fewshot train` does where it is installed), FewShot's libtorch (OpenMP too) under both wait
# policies, and each keeps its faster setups, as PyTorch does.
# train picks each side's best setup with one process per setup, then runs the two chosen setups REPEAT times
# (default 3) alternated in fresh processes and reports those (benchmarks/vs-pytorch-train.sh says why).
# train warms each process up for WARMUP meta-iterations (default 20) before timing, the same on both sides: a run is
# minutes to hours long, and FewShot's first iterations at 2 threads run slower than its later ones (fomaml-1: 21.9-23.8
# tasks/s timed after 2 iterations, 25.4-27.3 after 20; PyTorch 24.3-27.5 and 25.6-27.0, no trend; our reading: .NET's
# early work, such as its tiered compiler, on a core the tasks need).
# Usage: benchmarks/vs-pytorch.sh conv4|adapt|train [runs] [warmup] [repeat]   (build first: dotnet build -c Release; train's default runs: 5)
# train: CASES="fomaml-1 maml-5" limits it to those cases.
set -euo pipefail
cd "$(dirname "$0")/.."
bench="${1:?usage: benchmarks/vs-pytorch.sh conv4|adapt|train [runs]}"
case "$bench" in conv4|adapt) runs="${2:-30}" ;; train) runs="${2:-5}"; warmup="${3:-20}"; repeat="${4:-3}" ;; *) echo "unknown benchmark '$bench': expected conv4, adapt or train" >&2; exit 2 ;; esac
fewshot="Sdk/FewShot.Cli/bin/Release/net10.0/fewshot"
torchsharp="benchmarks/TorchSharpReference/bin/Release/net10.0/adapt-torchsharp"
[ -x "$fewshot" ] || { echo "build first: dotnet build -c Release" >&2; exit 1; }
[ "$bench" != adapt ] || [ -x "$torchsharp" ] || { echo "build first: dotnet build -c Release" >&2; exit 1; }
tunables=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.top_pad=67108864
openblas=/usr/lib/x86_64-linux-gnu/openblas-openmp
bash build/install-debian-packages.sh "the PyTorch reference runs" python3-torch python3-numpy libopenblas0-openmp libtcmalloc-minimal4

# How far apart the two CPUs are before and after each engine's run (benchmarks/core_distance.c): on a VM whose host
# moves its vCPUs, a 2-thread row is only comparable with rows measured in the same state.
command -v cc >/dev/null 2>&1 || bash build/install-debian-packages.sh "the core-distance probe" gcc libc6-dev
probe="$(mktemp -d)/core-distance"
cc -O2 -pthread -o "$probe" benchmarks/core_distance.c
distance() { "$probe" 2>/dev/null || echo "?"; }
# adapt: one core's FMA peak, measured (benchmarks/fma_peak.c), for each row's share of it (issue 12).
peak=0
if [ "$bench" = adapt ]; then
  # A CPU without AVX2 and FMA gives no peak (0), and the table no share column.
  cc -O2 -o "$(dirname "$probe")/fma-peak" benchmarks/fma_peak.c
  peak=$({ "$(dirname "$probe")/fma-peak" 1 || true; } | awk '{ if ($2 + 0 > best) best = $2 + 0 } END { print best + 0 }')
fi

if [ "$bench" = train ]; then
  PROBE="$probe" GLIBC_TUNABLES="$tunables" exec bash benchmarks/vs-pytorch-train.sh "$fewshot" "$openblas" "$runs" "$warmup" "$repeat"
fi

for threads in 1 2; do
  distances="FewShot $(distance)"
  ours=$("$fewshot" bench "$bench" --threads "$threads" --runs "$runs" --json)
  distances+="/$(distance), PyTorch $(distance)"
  theirs=()
  # Each reference also runs with conv4's first batch norm folded into its convolution as FewShot's lowerings fold it
  # (CONV4_FOLD=1, the same function); every row keeps its faster figure.
  setups=("0 PASSIVE $tunables" "0 ACTIVE $tunables" "1 PASSIVE $tunables" "1 ACTIVE $tunables")
  # adapt: FewShot.Runtime advises its memory arena onto transparent huge pages, so the references also run with glibc's
  # malloc on them (hugetlb=1), with the folded first block (2026-12-05, PyTorch at 1 thread: 24.8 / 20.1 ms a MAML
  # step with it against 25.4 / 25.3 without, two alternations: not resolved, so kept as a setup).
  [ "$bench" != adapt ] || setups+=("1 PASSIVE $tunables:glibc.malloc.hugetlb=1" "1 ACTIVE $tunables:glibc.malloc.hugetlb=1")
  for setup in "${setups[@]}"; do
    read -r fold policy glibc <<<"$setup"
    theirs+=("$(CONV4_FOLD="$fold" LD_LIBRARY_PATH="$openblas" OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY="$policy" \
      GLIBC_TUNABLES="$glibc" \
      /usr/bin/python3 "benchmarks/${bench}_torch.py" "$threads" "$runs" 5)")
  done
  distances+="/$(distance)"
  sharp='{}'
  if [ "$bench" = adapt ]; then
    distances+=", TorchSharp $(distance)"
    sharp=$(/usr/bin/python3 -c 'import json, sys; a, *rest = (json.loads(s) for s in sys.argv[1:]); a["timings"] = [min(rows, key=lambda r: r["medianMs"]) for rows in zip(a["timings"], *(b["timings"] for b in rest))]; print(json.dumps(a))' \
      "$(GLIBC_TUNABLES="$tunables" "$torchsharp" bench "$threads" "$runs" 5)" "$(CONV4_FOLD=1 GLIBC_TUNABLES="$tunables" "$torchsharp" bench "$threads" "$runs" 5)" \
      "$(CONV4_FOLD=1 GLIBC_TUNABLES="$tunables:glibc.malloc.hugetlb=1" "$torchsharp" bench "$threads" "$runs" 5)")
    distances+="/$(distance)"
  fi
  /usr/bin/python3 - "$peak" "$ours" "$sharp" "${theirs[@]}" <<'PY'
import json, sys
peak = float(sys.argv[1])
ours = json.loads(sys.argv[2])
sharp = json.loads(sys.argv[3])
runs = [json.loads(a) for a in sys.argv[4:]]
# Multiply-add FLOPs of the rows whose work is conv4's products on 28x28 images (batch, group or support norm alike):
# one image's forward 19.63 MFLOP; a gradient step on 25 images adds the weight gradients (a forward's worth) and the
# input gradients of blocks 2-4.
layers = [28 * 28 * 64 * 9 * 1 * 2, 14 * 14 * 64 * 64 * 9 * 2, 7 * 7 * 64 * 64 * 9 * 2, 3 * 3 * 64 * 64 * 9 * 2]
forward, step = sum(layers), 2 * sum(layers) + sum(layers[1:])
flops = {"predict-75-queries": 75 * forward, "anil-adapt-10": 25 * forward, "protonet-adapt": 25 * forward,
         "maml-adapt-1+predict": 25 * step + 75 * forward}
for norm in ("", "-group", "-support"):
    flops[f"predict-75-queries{norm}"] = 75 * forward
    for k in (1, 5, 10):
        flops[f"maml{norm}-adapt-{k}"] = k * 25 * step
theirs = {"torch": runs[0]["torch"], "timings": [min(rows, key=lambda r: r["medianMs"]) for rows in zip(*(r["timings"] for r in runs))]}
# Rows pair by name: each engine lists its rows in its own order, and some rows are FewShot's alone.
reference = {r["name"]: r for r in theirs["timings"]}
second = {r["name"]: r for r in sharp.get("timings", [])}
print(f"threads={ours['threads']}  (ONNX Runtime {ours['onnxRuntime']}, PyTorch {theirs['torch']}, its faster OpenMP wait policy, first block (folded or not) and, for adapt, malloc pages per row"
      + (f"; TorchSharp on libtorch {sharp['torch']}, its faster first block and malloc pages per row)" if sharp else ")"))
header = f"  {'computation':<27}{'FewShot median/p95 ms':>24}{'PyTorch median/p95 ms':>24}{'PyTorch/FewShot':>18}"
print(header + (f"{'TorchSharp median/p95 ms':>27}{'TorchSharp/FewShot':>21}" if sharp else "") + ("  FewShot's share of the FMA peak" if peak else ""))
for a in ours["timings"]:
    b = reference.get(a["name"])
    share = f"  {flops[a['name']] / (a['medianMs'] / 1000) / (peak * 1e9 * ours['threads']):.0%} of the peak" if peak and a["name"] in flops else ""
    if b is None:
        print(f"  {a['name']:<27}{a['medianMs']:>12.2f}{a['p95Ms']:>12.2f}  (FewShot only){share}")
        continue
    line = f"  {a['name']:<27}{a['medianMs']:>12.2f}{a['p95Ms']:>12.2f}{b['medianMs']:>12.2f}{b['p95Ms']:>12.2f}{b['medianMs'] / a['medianMs']:>18.2f}"
    if a["name"] in second:
        c = second[a["name"]]
        line += f"{c['medianMs']:>15.2f}{c['p95Ms']:>12.2f}{c['medianMs'] / a['medianMs']:>21.2f}"
    print(line + share)
PY
  [ "$peak" = 0 ] || echo "  share of peak: the row's multiply-add FLOPs over its median, against $peak GFLOP/s per core (one core's AVX-512 or AVX2 FMA peak, benchmarks/fma_peak.c) times the threads"
  echo "  cross-core round trip before/after each engine, ns (about 60: the two CPUs share a cache; about 340 on this VM: they do not): $distances"
done
