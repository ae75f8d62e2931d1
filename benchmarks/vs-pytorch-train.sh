#!/usr/bin/env bash
# The train part of benchmarks/vs-pytorch.sh (run it through that script). Per case and thread count, two phases:
#  1. setup: one process per side and setup (OpenMP wait policy at 2 threads, where it matters; for PyTorch also the
#     feature-map layout, channels-last or NCHW, at 2+ threads the tasks side by side on Python threads as FewShot
#     runs them, and the first block's batch norm plain or folded into its convolution as FewShot's lowerings fold it,
#     CONV4_FOLD=1; for both sides, glibc's malloc kept tuned by GLIBC_TUNABLES or tcmalloc preloaded, as `fewshot train`
#     preloads it where it is installed); each side's fastest median picks its setup;
#  2. measurement: each side's chosen setup again, REPEAT times (default 3), FewShot and PyTorch alternated, in fresh
#     processes. The row reports the medians of phase 2 and the median of its paired ratios with their range.
# Phase 1's figures only choose: the best of several noisy runs is biased upward, more so for the side with more setups
# (PyTorch has 4 to 12 here, FewShot 1 or 2), and alternating fresh runs spreads the VM's slow and fast moments over
# both sides.
# Args: FEWSHOT_EXECUTABLE OPENBLAS_DIR RUNS WARMUP (untimed meta-iterations first, the same on both sides) [REPEAT]
set -euo pipefail
fewshot="$1"; openblas="$2"; runs="$3"; warmup="$4"; repeat="${5:-3}"
cases="${CASES:-maml-1 maml-5 fomaml-1 fomaml-5 protonet-60w5s}"  # CASES=... for a subset

# The malloc setups: glibc (tuned by the GLIBC_TUNABLES that vs-pytorch.sh exports) and tcmalloc preloaded.
tcmalloc="${TCMALLOC:-/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4}"
mallocs=(glibc); if [ -f "$tcmalloc" ]; then mallocs+=(tcmalloc); fi
preload() { if [ "$1" = tcmalloc ]; then echo "$tcmalloc"; fi; }
ours() {
  LD_PRELOAD="$(preload "$1")" TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD=1099511627776 OMP_WAIT_POLICY="$2" \
    "$fewshot" bench train --case "$3" --threads "$4" --runs "$runs" --warmup "$warmup" --json
}
theirs() {
  local malloc="$1" policy="$2" fold="$3" case="$4" threads="$5"; shift 5
  LD_PRELOAD="$(preload "$malloc")" TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD=1099511627776 \
    CONV4_FOLD="$fold" LD_LIBRARY_PATH="$openblas" OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY="$policy" \
    /usr/bin/python3 benchmarks/train_torch.py "$case" "$threads" "$runs" "$warmup" "$@"
}
# The cross-core round trip in ns (benchmarks/core_distance.c, built by vs-pytorch.sh), "?" without it.
distance() { "${PROBE:-false}" 2>/dev/null || echo "?"; }
# Index of the fastest of the JSON lines on stdin.
fastest() { /usr/bin/python3 -c 'import json, sys; r = [json.loads(l)["tasksPerSecond"] for l in sys.stdin if l.strip()]; print(r.index(max(r)))'; }

for threads in 1 2; do
  # One libtorch thread has no OpenMP workers to wait, so the policy cannot matter there.
  policies=(PASSIVE); if [ "$threads" -gt 1 ]; then policies+=(ACTIVE); fi
  rows=(); distances=()
  for case in $cases; do
    our_setups=(); their_setups=(); our_runs=(); their_runs=()
    for malloc in "${mallocs[@]}"; do
      for policy in "${policies[@]}"; do
        our_setups+=("$malloc $policy"); our_runs+=("$(ours "$malloc" "$policy" "$case" "$threads")")
        layouts=("" --nchw); if [ "$threads" -gt 1 ] && [ "$case" != protonet-60w5s ]; then layouts+=(--side-by-side); fi
        for layout in "${layouts[@]}"; do
          for fold in 0 1; do
            their_setups+=("$malloc $policy $fold $layout"); their_runs+=("$(theirs "$malloc" "$policy" "$fold" "$case" "$threads" $layout)")
          done
        done
      done
    done
    read -r our_malloc our_policy <<< "${our_setups[$(printf '%s\n' "${our_runs[@]}" | fastest)]}"
    read -r their_malloc their_policy their_fold their_layout <<< "${their_setups[$(printf '%s\n' "${their_runs[@]}" | fastest)]}"
    measured=(); probed="$case: $(distance)"
    for _ in $(seq "$repeat"); do
      mine="$(ours "$our_malloc" "$our_policy" "$case" "$threads")"; probed+=" F $(distance)"
      measured+=("$mine#$(theirs "$their_malloc" "$their_policy" "$their_fold" "$case" "$threads" ${their_layout:-})"); probed+=" P $(distance)"
    done
    rows+=("$(printf '%s\n' "${measured[@]}" | paste -sd'|')"); distances+=("$probed")
  done
  /usr/bin/python3 - "$threads" "$repeat" "${rows[@]}" <<'PY'
import json, statistics, sys
threads, repeat = sys.argv[1], sys.argv[2]
print(f"threads={threads}  (tasks/s, episodes/s for ProtoNets: medians of {repeat} alternated runs of each side's best setup; "
      f"ratio: median (lowest-highest) of the paired runs; peak RSS MB, largest)")
print(f"  {'case':<16}{'FewShot':>10}{'PyTorch 1.13':>14}{'FewShot/PyTorch':>24}   {'peak RSS FewShot/PyTorch':>26}   mallocs   PyTorch's best setup")
for row in sys.argv[3:]:
    pairs = [tuple(json.loads(side) for side in pair.split("#")) for pair in row.split("|")]
    ours = [a["tasksPerSecond"] for a, _ in pairs]
    theirs = [b["tasksPerSecond"] for _, b in pairs]
    ratios = [a / b for a, b in zip(ours, theirs)]
    a, b = pairs[0]
    rss = f"{max(p[0]['peakRssMb'] for p in pairs):.0f} / {max(p[1]['peakRssMb'] for p in pairs):.0f}"
    ratio = f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
    setup = ("channels-last" if b["channelsLast"] else "NCHW") + (", first block folded" if b.get("foldFirst") else "") + (", tasks side by side" if b.get("sideBySide") else "")
    mallocs = f"{a.get('malloc', '?')} / {b.get('malloc', '?')}"
    print(f"  {a['case']:<16}{statistics.median(ours):>10.2f}{statistics.median(theirs):>14.2f}{ratio:>24}   {rss:>26}   {mallocs:<9} {setup}")
    warned = sum(p[0].get("trainerWarnings", 0) for p in pairs)
    if warned:
        print(f"    ! FewShot's trainer logged {warned} warning(s) for {a['case']} (e.g. its tasks stopped running side by side)")
PY
  echo "  cross-core round trip, ns, before phase 2 and after each of its FewShot (F) and PyTorch (P) runs (about 60: the two CPUs share a cache; about 340 on this VM: they do not):"
  printf '    %s\n' "${distances[@]}"
done
