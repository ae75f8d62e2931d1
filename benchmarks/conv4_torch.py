"""PyTorch reference for `fewshot bench conv4`: the same three computations on the same shapes.

conv4 (64 channels, 28x28 inputs, 5-way head; batch norm with batch statistics), 5-way 1-shot with 15 queries:
forward over 80 images, forward+backward (loss and all parameter gradients), and one second-order MAML
meta-gradient (one inner step on 5 support images, query loss on 75, differentiated through the step).
Prints one JSON object like `fewshot bench conv4 --json`. Usage: conv4_torch.py THREADS RUNS WARMUP
"""
import json
import sys

import torch
import torch.nn.functional as F

from conv4_common import forward, parameters, timed

WAYS, SHOTS, QUERIES = 5, 1, 15


def main():
    threads, runs, warmup = (int(a) for a in sys.argv[1:4])
    torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(0)
    params = [p.requires_grad_() for p in parameters(generator, WAYS)]
    batch = WAYS * (SHOTS + QUERIES)
    images = (torch.rand(batch, 1, 28, 28, generator=generator) < 0.15).float()
    labels = torch.arange(batch) % WAYS
    support, support_y = images[: WAYS * SHOTS], labels[: WAYS * SHOTS]
    query, query_y = images[WAYS * SHOTS:], labels[WAYS * SHOTS:]

    def run_forward():
        with torch.no_grad():
            forward(params, images)

    def run_backward():
        loss = F.cross_entropy(forward(params, images), labels)
        torch.autograd.grad(loss, params)

    def run_maml():
        inner = F.cross_entropy(forward(params, support), support_y)
        grads = torch.autograd.grad(inner, params, create_graph=True)
        fast = [p - 0.4 * g for p, g in zip(params, grads)]
        torch.autograd.grad(F.cross_entropy(forward(fast, query), query_y), params)

    timings = []
    for name, fn in (("forward", run_forward), ("forward+backward", run_backward), ("maml-meta-gradient", run_maml)):
        median, p95 = timed(fn, warmup, runs)
        timings.append({"name": name, "medianMs": median, "p95Ms": p95, "runs": runs})
    print(json.dumps({"engine": "pytorch", "torch": torch.__version__, "threads": threads, "timings": timings}))


if __name__ == "__main__":
    main()
