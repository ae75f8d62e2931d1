"""PyTorch reference of a whole-process cold start: what `fewshot adapt` does in one process, in a Python script.

`cold_torch.py save WEIGHTS` writes conv4's parameters (5-way head, PyTorch's default initialization) with torch.save.
`cold_torch.py THREADS WEIGHTS SUPPORT.npz QUERY.npz` imports torch, loads the weights and the support set (x, y) and
queries (x), adapts with 5 SGD steps (inner rate 0.4, no graph kept), predicts the queries under no_grad and prints
the predicted classes' count. benchmarks/cold-start.sh times it as a whole process.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

from conv4_common import forward, parameters

STEPS, INNER_LR = 5, 0.4


def main():
    if sys.argv[1] == "save":
        torch.save(parameters(torch.Generator().manual_seed(0), 5), sys.argv[2])
        return
    torch.set_num_threads(int(sys.argv[1]))
    params = torch.load(sys.argv[2])
    support, query = np.load(sys.argv[3]), np.load(sys.argv[4])
    x, y, q = torch.from_numpy(support["x"]), torch.from_numpy(support["y"]), torch.from_numpy(query["x"])
    fast = [p.detach().requires_grad_() for p in params]
    for _ in range(STEPS):
        grads = torch.autograd.grad(F.cross_entropy(forward(fast, x), y), fast)
        fast = [(p - INNER_LR * g).detach().requires_grad_() for p, g in zip(fast, grads)]
    with torch.no_grad():
        predicted = forward(fast, q).argmax(1)
    print(f"{predicted.numel()} queries predicted")


if __name__ == "__main__":
    main()
