#!/usr/bin/env bash
# Whole-process cold start and peak RSS: `fewshot adapt` (5 MAML steps on 25 support images of a conv4 bundle, then
# 75 queries) against a Python script (benchmarks/cold_torch.py) and a TorchSharp console app
# (benchmarks/TorchSharpReference, `adapt-torchsharp cold`) doing the same, each started afresh, in turn, RUNS times.
# The references get their best setup (../shared/DESIGN.md): glibc's malloc keeping freed buffers, OpenMP OpenBLAS for
# PyTorch, threads set. Prints medians of wall time and peak RSS (GNU time), and the FewShot/reference ratios.
# Usage: benchmarks/cold-start.sh [runs] [threads]   (build first: dotnet build -c Release)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
threads="${2:-1}"
fewshot="Sdk/FewShot.Cli/bin/Release/net10.0/fewshot"
torchsharp="benchmarks/TorchSharpReference/bin/Release/net10.0/adapt-torchsharp"
[ -x "$fewshot" ] && [ -x "$torchsharp" ] || { echo "build first: dotnet build -c Release" >&2; exit 1; }
bash build/install-debian-packages.sh "the PyTorch reference runs" python3-torch python3-numpy libopenblas0-openmp
tunables=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$fewshot" bench adapt --keep-bundles "$work" >/dev/null
/usr/bin/python3 - "$work" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(0)
images = lambda n: (rng.random((n, 1, 28, 28)) < 0.15).astype(np.float32)
np.savez(f"{sys.argv[1]}/support.npz", x=images(25), y=np.arange(25) % 5)
np.savez(f"{sys.argv[1]}/query.npz", x=images(75))
PY
(cd benchmarks && /usr/bin/python3 cold_torch.py save "$work/maml.pt")
"$torchsharp" save "$work/maml.bin"

measure() {  # name, command...: appends "name seconds kilobytes" to $work/samples
  local name=$1; shift
  /usr/bin/time -f "$name %e %M" -a -o "$work/samples" "$@" >/dev/null
}
for _ in $(seq "$runs"); do
  measure fewshot "$fewshot" adapt --model "$work/maml.fewshot" --support "$work/support.npz" --query "$work/query.npz" --steps 5 --threads "$threads"
  measure pytorch env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS="$threads" GLIBC_TUNABLES="$tunables" \
    /usr/bin/python3 benchmarks/cold_torch.py "$threads" "$work/maml.pt" "$work/support.npz" "$work/query.npz"
  measure torchsharp env GLIBC_TUNABLES="$tunables" "$torchsharp" cold "$threads" "$work/maml.bin"
done
/usr/bin/python3 - "$work/samples" "$threads" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, seconds, kb = line.split()
    rows.setdefault(name, []).append((float(seconds), int(kb)))
med = {n: (statistics.median(s for s, _ in v), statistics.median(k for _, k in v) / 1024) for n, v in rows.items()}
print(f"whole-process cold start, {sys.argv[2]} thread(s), {len(rows['fewshot'])} runs each (medians)")
for n, (s, mb) in med.items():
    print(f"  {n:<11} {s * 1000:8.0f} ms {mb:8.1f} MB peak RSS   FewShot/{n}: time {med['fewshot'][0] / s:5.2f}  RSS {med['fewshot'][1] / mb:5.2f}")
PY
