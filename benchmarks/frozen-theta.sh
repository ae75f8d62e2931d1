#!/usr/bin/env bash
# What θ as constants would give ProtoNets adaptation and prediction (benchmarks/frozen-theta/): writes the benchmark's
# bundles (`fewshot bench adapt --keep-bundles`), rewrites the ProtoNets bundle's two graphs with θ as initializers
# (freeze.py, Debian's python3-onnx), and times both forms in one process. Usage: benchmarks/frozen-theta.sh [rounds, default 30]
set -euo pipefail
rounds="${1:-30}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$root/Sdk/FewShot.Cli/bin/Release/net10.0/fewshot" bench adapt --keep-bundles "$work/bundles" > /dev/null
mkdir "$work/pn" && (cd "$work/pn" && unzip -q "$work/bundles/protonet.fewshot")
/usr/bin/python3 "$root/benchmarks/frozen-theta/freeze.py" "$work"
cp "$root/benchmarks/frozen-theta/Program.cs" "$root/benchmarks/frozen-theta/FrozenTheta.csproj" "$work/"
dotnet build "$work/FrozenTheta.csproj" -c Release -nologo -v quiet -p:FormatProject="$root/Format/FewShot.Bundles.csproj" -o "$work/bin" | { grep -E " error " || true; }
dotnet "$work/bin/FrozenTheta.dll" "$work" 1 "$rounds"
