"""PyTorch reference for `fewshot bench train`: meta-training throughput of one case, the same work on the same shapes.

conv4 (64 channels, 28x28; batch norm with batch statistics) MAML (second order) and FOMAML, 5-way 1-shot with 15
queries per class, 1 or 5 inner steps (step size 0.4), meta-batch 4, Adam; ProtoNets 60-way 5-shot 5-query, one
episode per iteration. Each meta-iteration: for every task, adapt on the support set, query loss, meta-gradient,
summed over the meta-batch; then one Adam step. The task is fixed random binary images. Feature maps are channels-last
from the first convolution on, as FewShot's batch-norm conv4 carries them (PyTorch's best setup too: on this machine,
1 thread, 1.1-1.3x the NCHW throughput for ProtoNets 60-way and MAML); --nchw keeps them NCHW.
With --side-by-side (MAML and FOMAML at 2+ threads), the meta-batch's tasks run on THREADS Python threads at one
libtorch thread each (ops release the GIL), as FewShot's trainer runs them, so that the reference may take that
arrangement too when it is faster.
Prints one JSON object like `fewshot bench train --json`. Usage: train_torch.py CASE THREADS RUNS WARMUP [--nchw] [--side-by-side]
"""
import json
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import torch
import torch.nn.functional as F

from conv4_common import FOLD_FIRST, body, forward, parameters



def running_malloc():
    """The preloaded malloc this process runs on, as `fewshot bench train --json` reports it: tcmalloc, jemalloc, mimalloc or glibc."""
    with open("/proc/self/maps") as maps:
        text = maps.read()
    return next((name for name in ("tcmalloc", "jemalloc", "mimalloc") if f"/lib{name}" in text), "glibc")

def task(generator, ways, shots, queries):
    support = (torch.rand(ways * shots, 1, 28, 28, generator=generator) < 0.15).float()
    query = (torch.rand(ways * queries, 1, 28, 28, generator=generator) < 0.15).float()
    return support, torch.arange(ways * shots) % ways, query, torch.arange(ways * queries) % ways


def maml_task(params, data, steps, first_order, meta_batch, channels_last):
    support, support_y, query, query_y = data
    fast = params
    for _ in range(steps):
        grads = torch.autograd.grad(F.cross_entropy(forward(fast, support, channels_last), support_y), fast, create_graph=not first_order)
        fast = [p - 0.4 * g for p, g in zip(fast, grads)]
    (F.cross_entropy(forward(fast, query, channels_last), query_y) / meta_batch).backward()


def maml_iteration(params, optimizer, data, steps, first_order, meta_batch, channels_last, pool=None):
    optimizer.zero_grad()
    if pool is None:
        for _ in range(meta_batch):
            maml_task(params, data, steps, first_order, meta_batch, channels_last)
    else:
        # Each worker takes its share of the tasks; backward() accumulates into .grad under libtorch's own lock.
        workers = pool._max_workers
        shares = [len(range(w, meta_batch, workers)) for w in range(workers)]
        run = lambda share: [maml_task(params, data, steps, first_order, meta_batch, channels_last) for _ in range(share)]
        list(pool.map(run, shares))
    optimizer.step()


def protonet_iteration(params, optimizer, data, ways, channels_last):
    support, support_y, query, query_y = data
    optimizer.zero_grad()
    prototypes = F.one_hot(support_y, ways).float().t().matmul(body(params, support, channels_last)) / (len(support_y) // ways)
    logits = -torch.cdist(body(params, query, channels_last), prototypes).pow(2)
    F.cross_entropy(logits, query_y).backward()
    optimizer.step()


def main():
    case, threads, runs, warmup = sys.argv[1], *(int(a) for a in sys.argv[2:5])
    channels_last = "--nchw" not in sys.argv[5:]
    side_by_side = "--side-by-side" in sys.argv[5:] and case != "protonet-60w5s" and threads > 1
    # Side by side: every thread copies libtorch's thread count (1) on its first operation.
    torch.set_num_threads(1 if side_by_side else threads)
    pool = ThreadPoolExecutor(max_workers=threads) if side_by_side else None
    generator = torch.Generator().manual_seed(0)
    if case == "protonet-60w5s":
        params = [p.requires_grad_() for p in parameters(generator)]
        data, per_iteration = task(generator, 60, 5, 5), 1
        step = lambda: protonet_iteration(params, optimizer, data, 60, channels_last)
    else:
        kind, steps = case.split("-")
        params = [p.requires_grad_() for p in parameters(generator, 5)]
        data, per_iteration = task(generator, 5, 1, 15), 4
        step = lambda: maml_iteration(params, optimizer, data, int(steps), kind == "fomaml", per_iteration, channels_last, pool)
    optimizer = torch.optim.Adam(params, lr=1e-3)
    for _ in range(warmup):
        step()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    median = samples[len(samples) // 2]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": "pytorch", "torch": torch.__version__, "case": case, "threads": threads, "channelsLast": channels_last, "foldFirst": FOLD_FIRST, "sideBySide": side_by_side,
                      "malloc": running_malloc(), "tasksPerSecond": per_iteration * 1000 / median, "medianMs": median, "minMs": samples[0], "peakRssMb": peak}))


if __name__ == "__main__":
    main()
