"""Sums ONNX Runtime profiles by operator: node milliseconds per run of each adapt graph profile matching a prefix.

Usage: ort_profile_ops.py PREFIX [PREFIX ...]   (the profiles of benchmarks/adapt-ab.sh with AB_PROFILE=PREFIX, e.g.
/tmp/p1_A). One column per prefix, operators by their summed time over the columns, a total row last.
"""
import collections
import glob
import json
import sys

columns = []
for prefix in sys.argv[1:]:
    files = sorted(glob.glob(prefix + "*adapt*.json"))
    if not files:
        sys.exit(f"no adapt graph profile matches {prefix}*adapt*.json")
    events = json.load(open(files[0]))
    runs = sum(1 for e in events if e.get("cat") == "Session" and e["name"] == "model_run")
    by_op = collections.Counter()
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            by_op[e["args"]["op_name"]] += e["dur"] / 1000 / max(runs, 1)
    columns.append(by_op)

ops = sorted(set().union(*columns), key=lambda op: -sum(c.get(op, 0) for c in columns))
print(f"{'operator':<16}" + "".join(f"{p.rsplit('/', 1)[-1]:>10}" for p in sys.argv[1:]) + "   (ms per run)")
for op in ops:
    print(f"{op:<16}" + "".join(f"{c.get(op, 0):10.2f}" for c in columns))
print(f"{'total':<16}" + "".join(f"{sum(c.values()):10.2f}" for c in columns))
