#!/usr/bin/env bash
# Whether the TorchSharp trainer's memory stays flat over a long run (issue 10, section 3): `fewshot train` meta-trains
# second-order MAML on sinusoids (the MLP, a small model) for ITERATIONS iterations (default 100,000) in a fresh run
# folder, with its checkpoints and metrics as usual, while this script reads the process's resident set (VmRSS) every
# second. Prints the RSS at each tenth of the run, and the largest RSS of the first and of the last tenth. Options after
# the first two replace the model and data (default: --algorithm maml --dataset sinusoid).
#
#   bash benchmarks/long-run-rss.sh [ITERATIONS] [THREADS] [fewshot train options...]
#   bash benchmarks/long-run-rss.sh 100000 1 --algorithm maml --dataset omniglot --data ../shared/datasets/omniglot --channels 8 --norm group
set -euo pipefail
iterations=${1:-100000}
threads=${2:-1}
shift $(( $# < 2 ? $# : 2 ))
model=("$@")
[[ ${#model[@]} -gt 0 ]] || model=(--algorithm maml --dataset sinusoid)
root=$(cd "$(dirname "$0")/.." && pwd)
cli="$root/Sdk/FewShot.Cli/bin/Release/net10.0/fewshot"
[[ -x "$cli" ]] || dotnet build "$root/Sdk/FewShot.Cli" -c Release -nologo -v quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$cli" train "${model[@]}" --iterations "$iterations" --threads "$threads" --validate-every 0 --seed 0 \
  --out "$work/run" > "$work/stdout" 2>&1 &
pid=$!
start=$(date +%s.%N)
# One line per second: seconds since start, the last iteration in metrics.jsonl, VmRSS in kB. The malloc restart keeps
# the process id (execve), so the same /proc entry holds throughout.
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
  last=$(tail -n 1 "$work/run/metrics.jsonl" 2>/dev/null | sed -n 's/.*"iteration":\([0-9]*\).*/\1/p' || true)
  [[ -n "$rss" && -n "$last" ]] && echo "$(echo "$(date +%s.%N) - $start" | bc) $last $rss" >> "$work/samples"
  sleep 1
done
wait "$pid" || { cat "$work/stdout" >&2; exit 1; }

python3 - "$work/samples" "$iterations" <<'EOF'
import sys
samples = [tuple(float(x) for x in line.split()) for line in open(sys.argv[1])]
total = int(sys.argv[2])
print(f"{len(samples)} readings over {samples[-1][0]:.0f} s, {total} iterations")
print("iteration   seconds   VmRSS MB")
for tenth in range(1, 11):
    at = [s for s in samples if s[1] <= total * tenth / 10]
    if at:
        t, it, kb = at[-1]
        print(f"{int(it):9d} {t:9.0f} {kb / 1024:10.1f}")
first = [s[2] for s in samples if s[1] <= total / 10]
last = [s[2] for s in samples if s[1] >= total * 9 / 10]
if first and last:
    print(f"largest RSS, first tenth {max(first) / 1024:.1f} MB, last tenth {max(last) / 1024:.1f} MB "
          f"({max(last) / max(first):.3f}x)")
EOF
