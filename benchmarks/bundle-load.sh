#!/usr/bin/env bash
# FewShotModel.Load time and process RSS after Load, for one bundle, with this checkout's runtime or an older one.
# Usage: benchmarks/bundle-load.sh <bundle> [git revision of the runtime, e.g. caa5d04, main before format 2] [loads, default 20]
# Prints the file size, the first Load's time, RSS before and after it (the model held), and the median of further
# Load+Dispose cycles (1 intra-op thread). The tool is built in a temporary folder against the chosen runtime.
set -euo pipefail
bundle="$(realpath "$1")"; revision="${2:-}"; loads="${3:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
runtime="$root/Runtime/FewShot.Runtime.csproj"
if [ -n "$revision" ]; then
  git -C "$root" archive "$revision" | tar -x -C "$work" --one-top-level=src
  runtime="$work/src/Runtime/FewShot.Runtime.csproj"
fi
mkdir "$work/tool"
cp "$root/benchmarks/bundle-load/Program.cs" "$root/benchmarks/bundle-load/BundleLoad.csproj" "$work/tool/"
dotnet build "$work/tool/BundleLoad.csproj" -c Release -nologo -v quiet -p:RuntimeProject="$runtime" -o "$work/bin" | { grep -E " error " || true; }
dotnet "$work/bin/BundleLoad.dll" "$bundle" "$loads"
