#!/usr/bin/env bash
# conv4's 3×3 convolutions on ONNX Runtime as N separate maps, as one 3-D map with the batch as depth
# (Layers.ConvBatchAsDepth, a kernel one deep) and stacked into one tall map with a zero row under each (a first form,
# no longer used), forward and input gradient, 25 and 75 maps of 14×14, 7×7 and 3×3, and the strided conv4's stride-2
# layers (forward), each in its own process at 1 and 2 intra-op threads. Where a map has fewer positions than output
# channels, ORT's CPU convolution (MLAS) runs one small threaded product per image.
# Usage: benchmarks/stacked-maps.sh [runs, default 40]. Installs Debian's python3-onnx when missing.
set -euo pipefail
runs="${1:-40}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
bash "$root/build/install-debian-packages.sh" "the stacked-maps probe" python3-onnx python3-numpy
/usr/bin/python3 "$root/benchmarks/stacked-maps/maps.py" "$work"
cp "$root/benchmarks/stacked-maps/Program.cs" "$root/benchmarks/stacked-maps/StackedMaps.csproj" "$work/"
dotnet build "$work/StackedMaps.csproj" -c Release -nologo -v quiet -o "$work/bin" | { grep -E " error " || true; }
for threads in 1 2; do
  for model in "$work"/*.onnx; do
    dotnet "$work/bin/StackedMaps.dll" "$model" "$threads" "$runs"
  done
done
