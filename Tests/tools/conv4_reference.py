"""PyTorch reference for the autodiff tests: conv4's loss and gradients, and MAML's second-order meta-gradient.

Usage: conv4_reference.py <folder> <inner_learning_rate>

Reads from <folder>: param_<name>.npy for every parameter (conv0.weight, bn0.weight, bn0.bias, ..., head.weight,
head.bias), support_x.npy [N, 1, 28, 28], support_y.npy [N] (int64), query_x.npy, query_y.npy. Computes in float64:
  - the support loss (softmax cross-entropy, mean) and its gradient for every parameter;
  - one inner SGD step theta' = theta - lr * grad (create_graph=True, so the step stays differentiable), the query
    loss at theta', and its gradient with respect to theta (the exact second-order MAML meta-gradient).
Writes reference_support_loss.npy, reference_grad_<name>.npy, reference_query_loss.npy, reference_meta_<name>.npy.
Needs Debian's python3-torch.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

NAMES = [f"{kind}{i}.{part}" for i in range(4) for kind, part in (("conv", "weight"), ("bn", "weight"), ("bn", "bias"))]
NAMES += ["head.weight", "head.bias"]


def forward(p, x):
    for i in range(4):
        x = F.conv2d(x, p[f"conv{i}.weight"], padding=1)
        x = F.batch_norm(x, None, None, p[f"bn{i}.weight"], p[f"bn{i}.bias"], training=True, eps=1e-5)
        x = F.max_pool2d(F.relu(x), 2)
    return F.linear(x.flatten(1), p["head.weight"], p["head.bias"])


def main() -> None:
    folder, rate = sys.argv[1], float(sys.argv[2])
    load = lambda name: torch.from_numpy(np.load(os.path.join(folder, name + ".npy")))
    save = lambda name, t: np.save(os.path.join(folder, name + ".npy"), t.detach().numpy())
    theta = {n: load("param_" + n).double().requires_grad_() for n in NAMES}
    xs, ys, xq, yq = load("support_x").double(), load("support_y"), load("query_x").double(), load("query_y")

    support_loss = F.cross_entropy(forward(theta, xs), ys)
    grads = torch.autograd.grad(support_loss, [theta[n] for n in NAMES], create_graph=True)
    adapted = {n: theta[n] - rate * g for n, g in zip(NAMES, grads)}
    query_loss = F.cross_entropy(forward(adapted, xq), yq)
    meta = torch.autograd.grad(query_loss, [theta[n] for n in NAMES])

    save("reference_support_loss", support_loss)
    save("reference_query_loss", query_loss)
    for n, g, m in zip(NAMES, grads, meta):
        save("reference_grad_" + n, g)
        save("reference_meta_" + n, m)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
