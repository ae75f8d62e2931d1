#!/usr/bin/env bash
# Whole-process cold start and peak RSS: `fewshot adapt` (5 MAML steps on 25 support images of a conv4 bundle, then
# 75 queries) against a Python script (benchmarks/cold_torch.py) and a TorchSharp console app
# (benchmarks/TorchSharpReference, `adapt-torchsharp cold`) doing the same, each started afresh, in turn, RUNS times.
# The references get their best setup (../shared/DESIGN.md): glibc's malloc keeping freed buffers, OpenMP OpenBLAS for
# PyTorch, threads set. Prints medians of wall time and peak RSS (GNU time), and the FewShot/reference ratios.
# `fewshot adapt` runs twice over: as `dotnet build` leaves it (JIT) and published with ReadyToRun (precompiled code, as
# a deployed CLI would be: `dotnet publish Sdk/FewShot.Cli -c Release -r linux-x64 -p:PublishReadyToRun=true`). The
# references also run with glibc's malloc on transparent huge pages (`glibc.malloc.hugetlb=1`; FewShot.Runtime advises
# its own arena onto them), the TorchSharp app then published with ReadyToRun too; each reference's faster median is
# the one the ratios take.
# FewShot keeps ONNX Runtime's optimized graphs in a folder (`--graph-cache`, RuntimeOptions.GraphCacheDirectory), as the
# CLI does by default in the user's cache folder: its runs share one folder here, which the first run fills (a
# deployed app starts with it filled after its first start), and `fewshot-r2r-empty` is the R2R CLI's first start on
# this machine, each run with an empty folder of its own.
# Also an app that embeds FewShot.Runtime, published with Native AOT (samples/FewShot.Samples.EdgeAdapter, `fewshot-edge`):
# the same work as two processes, `learn` (load, adapt 5 steps, save the state) then `classify` (load the bundle and
# the state, predict the 75 queries), from the same images written as PGM files; its time is the sum of the two. It runs
# as deployed plainly and with the references' huge-page malloc setup (`fewshot-edge-huge`: GLIBC_TUNABLES in the app's
# environment, which a device's service file can set); both setups' ratios are printed, against each reference's faster setup.
# Usage: benchmarks/cold-start.sh [runs] [threads]   (build first: dotnet build -c Release)
set -euo pipefail
export LC_NUMERIC=C  # EPOCHREALTIME's decimal point
cd "$(dirname "$0")/.."
runs="${1:-10}"
threads="${2:-1}"
fewshot="Sdk/FewShot.Cli/bin/Release/net10.0/fewshot"
torchsharp="benchmarks/TorchSharpReference/bin/Release/net10.0/adapt-torchsharp"
[ -x "$fewshot" ] && [ -x "$torchsharp" ] || { echo "build first: dotnet build -c Release" >&2; exit 1; }
bash build/install-debian-packages.sh "the PyTorch reference runs" python3-torch python3-numpy libopenblas0-openmp
tunables=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295
huge=$tunables:glibc.malloc.hugetlb=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$fewshot" bench adapt --keep-bundles "$work" >/dev/null
dotnet publish Sdk/FewShot.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/cli" >/dev/null
fewshot_r2r="$work/cli/fewshot"
dotnet publish benchmarks/TorchSharpReference -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/torchsharp" >/dev/null
torchsharp_r2r="$work/torchsharp/adapt-torchsharp"
dotnet publish samples/FewShot.Samples.EdgeAdapter -c Release -r linux-x64 -p:PublishAot=true -o "$work/edge" >/dev/null
edge="$work/edge/fewshot-edge"
/usr/bin/python3 - "$work" <<'PY'
import os, sys, numpy as np
rng = np.random.default_rng(0)
images = lambda n: (rng.random((n, 1, 28, 28)) < 0.15).astype(np.float32)
support, labels, query = images(25), np.arange(25) % 5, images(75)
np.savez(f"{sys.argv[1]}/support.npz", x=support, y=labels)
np.savez(f"{sys.argv[1]}/query.npz", x=query)

def pgm(path, image):  # fewshot-edge's default: dark strokes on light paper, so value v is gray 255·(1 − v)
    with open(path, "wb") as f:
        f.write(b"P5\n28 28\n255\n" + (255 * (1 - image.reshape(28, 28))).astype(np.uint8).tobytes())

for i, (image, label) in enumerate(zip(support, labels)):
    os.makedirs(f"{sys.argv[1]}/support/{label}", exist_ok=True)
    pgm(f"{sys.argv[1]}/support/{label}/{i:02d}.pgm", image)
os.makedirs(f"{sys.argv[1]}/query")
for i, image in enumerate(query):
    pgm(f"{sys.argv[1]}/query/{i:02d}.pgm", image)
PY
(cd benchmarks && /usr/bin/python3 cold_torch.py save "$work/maml.pt")
"$torchsharp" save "$work/maml.bin"

# Wall time from bash's microsecond clock around GNU time (whose own %e has 10 ms steps, too coarse for the edge app's
# two processes of 100-200 ms each), the peak RSS from GNU time.
measure() {  # name, command...: appends "name start end kilobytes" to $work/samples; stderr is shown only on failure
  local name=$1; shift
  local start=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$work/rss" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; return 1; }
  local end=$EPOCHREALTIME
  echo "$name $start $end $(cat "$work/rss")" >> "$work/samples"
}
cache="$work/graphs"
for run in $(seq "$runs"); do
  measure fewshot "$fewshot" adapt --model "$work/maml.fewshot" --support "$work/support.npz" --query "$work/query.npz" --steps 5 --threads "$threads" --graph-cache "$cache"
  measure fewshot-r2r "$fewshot_r2r" adapt --model "$work/maml.fewshot" --support "$work/support.npz" --query "$work/query.npz" --steps 5 --threads "$threads" --graph-cache "$cache"
  measure fewshot-r2r-empty "$fewshot_r2r" adapt --model "$work/maml.fewshot" --support "$work/support.npz" --query "$work/query.npz" --steps 5 --threads "$threads" --graph-cache "$work/empty-$run"
  measure pytorch env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS="$threads" GLIBC_TUNABLES="$tunables" \
    /usr/bin/python3 benchmarks/cold_torch.py "$threads" "$work/maml.pt" "$work/support.npz" "$work/query.npz"
  measure pytorch-huge env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS="$threads" GLIBC_TUNABLES="$huge" \
    /usr/bin/python3 benchmarks/cold_torch.py "$threads" "$work/maml.pt" "$work/support.npz" "$work/query.npz"
  measure torchsharp env GLIBC_TUNABLES="$tunables" "$torchsharp" cold "$threads" "$work/maml.bin"
  measure torchsharp-r2r-huge env GLIBC_TUNABLES="$huge" "$torchsharp_r2r" cold "$threads" "$work/maml.bin"
  measure edge-learn "$edge" learn --model "$work/maml.fewshot" --support "$work/support" --state "$work/edge.state" --threads "$threads" --graph-cache "$cache"
  measure edge-classify "$edge" classify --model "$work/maml.fewshot" --state "$work/edge.state" --threads "$threads" --graph-cache "$cache" "$work"/query/*.pgm
  measure edge-huge-learn env GLIBC_TUNABLES="$huge" "$edge" learn --model "$work/maml.fewshot" --support "$work/support" --state "$work/edge.state" --threads "$threads" --graph-cache "$cache"
  measure edge-huge-classify env GLIBC_TUNABLES="$huge" "$edge" classify --model "$work/maml.fewshot" --state "$work/edge.state" --threads "$threads" --graph-cache "$cache" "$work"/query/*.pgm
done
/usr/bin/python3 - "$work/samples" "$threads" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, start, end, kb = line.split()
    rows.setdefault(name, []).append((float(end) - float(start), int(kb)))
med = {n: (statistics.median(s for s, _ in v), statistics.median(k for _, k in v) / 1024) for n, v in rows.items()}
print(f"whole-process cold start, {sys.argv[2]} thread(s), {len(rows['fewshot'])} runs each (medians)")
for n, (s, mb) in med.items():
    print(f"  {n:<14} {s * 1000:8.0f} ms {mb:8.1f} MB peak RSS")
for n in ('pytorch', 'torchsharp'):  # each reference's faster setup (time first) is the one compared with
    med[n] = min(v for k, v in med.items() if k.startswith(n))
for ours in ('fewshot', 'fewshot-r2r', 'fewshot-r2r-empty'):
    for n in ('pytorch', 'torchsharp'):
        print(f"  {ours}/{n}: time {med[ours][0] / med[n][0]:5.2f}  RSS {med[ours][1] / med[n][1]:5.2f}")
setups = {setup: (med[f'{setup}-learn'][0] + med[f'{setup}-classify'][0], max(med[f'{setup}-learn'][1], med[f'{setup}-classify'][1]))
          for setup in ('edge', 'edge-huge')}
for setup, (seconds, mb) in setups.items():  # both setups' ratios: the faster one is not always the smaller
    print(f"fewshot-{setup} (Native AOT), learn + classify: {seconds * 1000:.0f} ms (sum of medians), {mb:.1f} MB peak RSS (the larger)")
    for n in ('pytorch', 'torchsharp'):
        print(f"  fewshot-{setup}/{n}: time {seconds / med[n][0]:5.3f}  RSS {mb / med[n][1]:5.3f}")
PY
