#!/usr/bin/env bash
# The train part of benchmarks/vs-pytorch.sh (run it through that script): one process per case, side and
# OpenMP wait policy (and, for PyTorch, feature-map layout: channels-last and NCHW, and at 2+ threads the tasks side by
# side on Python threads as FewShot runs them); each row keeps each side's faster median.
# Args: FEWSHOT_EXECUTABLE OPENBLAS_DIR RUNS WARMUP (untimed meta-iterations first, the same on both sides)
set -euo pipefail
fewshot="$1"; openblas="$2"; runs="$3"; warmup="$4"
cases="maml-1 maml-5 fomaml-1 fomaml-5 protonet-60w5s"
for threads in 1 2; do
  rows=()
  for case in $cases; do
    torch=(); pytorch=()
    for policy in PASSIVE ACTIVE; do
      torch+=("$(OMP_WAIT_POLICY="$policy" "$fewshot" bench train --case "$case" --threads "$threads" --runs "$runs" --warmup "$warmup" --json)")
      # PyTorch also gets FewShot's own arrangement at 2+ threads: the meta-batch's tasks on Python threads.
      layouts=("" --nchw); if [ "$threads" -gt 1 ] && [ "$case" != protonet-60w5s ]; then layouts+=(--side-by-side); fi
      for layout in "${layouts[@]}"; do
        pytorch+=("$(LD_LIBRARY_PATH="$openblas" OMP_NUM_THREADS="$threads" OMP_WAIT_POLICY="$policy" \
          /usr/bin/python3 benchmarks/train_torch.py "$case" "$threads" "$runs" "$warmup" $layout)")
      done
    done
    rows+=("$(printf '%s\n' "${torch[@]}" | paste -sd'|')#$(printf '%s\n' "${pytorch[@]}" | paste -sd'|')")
  done
  /usr/bin/python3 - "$threads" "${rows[@]}" <<'PY'
import json, sys
threads = sys.argv[1]
best = lambda runs: max((json.loads(r) for r in runs.split("|")), key=lambda r: r["tasksPerSecond"])
print(f"threads={threads}  (tasks/s, episodes/s for ProtoNets, at the median meta-iteration; each side's faster OpenMP wait policy; peak RSS MB)")
print(f"  {'case':<16}{'FewShot':>10}{'PyTorch 1.13':>14}{'FewShot/PyTorch':>17}   {'peak RSS FewShot/PyTorch':>26}   PyTorch's best setup")
for row in sys.argv[2:]:
    torch, pytorch = row.split("#")
    a, b = best(torch), best(pytorch)
    rss = f"{a['peakRssMb']:.0f} / {b['peakRssMb']:.0f}"
    setup = ("channels-last" if b["channelsLast"] else "NCHW") + (", tasks side by side" if b.get("sideBySide") else "")
    print(f"  {a['case']:<16}{a['tasksPerSecond']:>10.2f}{b['tasksPerSecond']:>14.2f}"
          f"{a['tasksPerSecond'] / b['tasksPerSecond']:>17.2f}   {rss:>26}   {setup}")
    warned = sum(json.loads(r).get("trainerWarnings", 0) for r in torch.split("|"))
    if warned:
        print(f"    ! FewShot's trainer logged {warned} warning(s) for {a['case']} (e.g. its tasks stopped running side by side)")
PY
done
