#!/usr/bin/env bash
# Probe of a data-parallel adaptation step (benchmarks/halves/Program.cs): 25 images on 1 thread, on 2 intra-op threads,
# and 13 + 12 images on two 1-thread models at once. Usage: benchmarks/halves.sh <bundle> [rounds, default 15]
set -euo pipefail
bundle="$(realpath "$1")"; rounds="${2:-15}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir "$work/tool"
cp "$root/benchmarks/halves/Program.cs" "$root/benchmarks/halves/Halves.csproj" "$work/tool/"
dotnet build "$work/tool/Halves.csproj" -c Release -nologo -v quiet -p:RuntimeProject="$root/Runtime/FewShot.Runtime.csproj" -o "$work/bin" | { grep -E " error " || true; }
dotnet "$work/bin/Halves.dll" "$bundle" "$rounds"
