#!/usr/bin/env bash
# Paired A/B of two bundles' adaptation steps in one process (thread CPU time, order swapped every pair), for judging a
# change to the exported graphs: write the benchmark's bundles with each build (`fewshot bench adapt --keep-bundles
# DIR`) and compare the same file of the two folders.
# Usage: benchmarks/adapt-ab.sh <bundle A> <bundle B> [pairs, default 31] [steps, default 1; 0: predict 75 queries] [threads, default 1]
# (more than one thread: wall time, since thread CPU time leaves out the workers)
# Prints each side's median thread CPU time and the median (range) of B/A over the pairs; below 1: B faster.
# With AB_PROFILE=<prefix> in the environment, ONNX Runtime also writes a profile of each graph's runs
# (<prefix>_A_*.json, <prefix>_B_*.json); `python3 benchmarks/ort_profile_ops.py <prefix>_A <prefix>_B` sums them by operator.
set -euo pipefail
a="$(realpath "$1")"; b="$(realpath "$2")"; pairs="${3:-31}"; steps="${4:-1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir "$work/tool"
cp "$root/benchmarks/adapt-ab/Program.cs" "$root/benchmarks/adapt-ab/AdaptAb.csproj" "$work/tool/"
dotnet build "$work/tool/AdaptAb.csproj" -c Release -nologo -v quiet -p:RuntimeProject="$root/Runtime/FewShot.Runtime.csproj" -o "$work/bin" | { grep -E " error " || true; }
dotnet "$work/bin/AdaptAb.dll" "$a" "$b" "$pairs" "$steps" "${5:-1}"
