"""Issue #11, section 1: conv4's normalization options for ProtoNets, like for like in one PyTorch harness.

Options (each meta-trains and tests with the same normalization):
  batch     transductive batch norm, the papers': statistics of the batch seen (support, then the query batch);
  cbn       conventional batch norm: batch statistics while meta-training, running averages (momentum 0.1) at test
            time: inductive, the analogue of MAML++'s running statistics (BNRS) for a learner with no inner steps;
  metabn    MetaBN (Bronskill et al. 2020): support and queries both normalized by the support set's statistics;
  tasknorm  TaskNorm-I (ibid.): the support's statistics mixed with each example's own (instance) statistics,
            alpha = sigmoid(a * |support| + b) per layer, a and b meta-learned;
  group     group norm, 8 groups of 8 channels, per example (what FewShot's shipped bundles use);
  instance  instance norm, per example and channel (FewShot's --norm default).
Every option but batch is inductive: a query's output does not depend on the other queries; the script checks that
(alone against batch, to 1e-5, failing otherwise) on the first test episodes and reports batch's single-query accuracy beside its batch one.

Data: Omniglot, Lake split (background alphabets with rotations for training, evaluation alphabets for testing),
28x28 by exact area averaging, strokes 1. ProtoNets 5-way 1-shot 15-query training episodes, Adam 1e-3; 600 test
episodes of 5-way 1-shot and 5-way 5-shot (95 % CI), the same episodes for every option.
Usage: python3 benchmarks/normalization_options.py <omniglot-folder> <option> <iterations> [seed]
Prints one JSON line.
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import conv4_common

EPS = 1e-5
EPISODES = int(os.environ.get("EPISODES", "600"))  # test episodes per setting; fewer for a quick try


def area_matrix(source, target):
    """[target, source] weights of exact area averaging (each output pixel the mean of the input area it covers)."""
    scale = source / target
    m = np.zeros((target, source), dtype=np.float64)
    for i in range(target):
        lo, hi = i * scale, (i + 1) * scale
        for j in range(int(math.floor(lo)), int(math.ceil(hi))):
            m[i, j] = max(0.0, min(hi, j + 1) - max(lo, j)) / scale
    return m


def load(path):
    images = np.load(path)["images"]  # bool [classes, 20, 105, 105], True is paper
    a = torch.tensor(area_matrix(105, 28), dtype=torch.float32)
    strokes = 1.0 - torch.from_numpy(images).float()
    return a @ strokes @ a.T  # [classes, 20, 28, 28]


def with_rotations(classes):
    return torch.cat([torch.rot90(classes, k, (2, 3)) for k in range(4)])


def episode(classes, ways, shots, queries, rng):
    chosen = rng.choice(classes.shape[0], ways, replace=False)
    support, query = [], []
    for c in chosen:
        drawings = rng.choice(20, shots + queries, replace=False)
        support.append(classes[c, drawings[:shots]])
        query.append(classes[c, drawings[shots:]])
    return torch.stack(support).reshape(-1, 1, 28, 28), torch.stack(query).reshape(-1, 1, 28, 28)


class Conv4:
    """conv4 (64 channels) with one normalization option; parameters as a flat list like FewShot's."""

    def __init__(self, option, generator):
        self.option = option
        self.params = [p.requires_grad_() for p in conv4_common.parameters(generator)]
        self.mixing = [torch.zeros(2, requires_grad=True) for _ in range(4)] if option == "tasknorm" else []
        self.running = [(torch.zeros(64), torch.ones(64)) for _ in range(4)]

    def trainable(self):
        return self.params + self.mixing

    def normalize(self, x, layer, support_rows, training):
        gamma, beta = self.params[4 * layer + 2], self.params[4 * layer + 3]
        o = self.option
        if o == "batch":
            return F.batch_norm(x, None, None, gamma, beta, training=True, eps=EPS)
        if o == "cbn":
            mean, var = self.running[layer]
            return F.batch_norm(x, mean, var, gamma, beta, training=training, momentum=0.1, eps=EPS)
        if o == "group":
            return F.group_norm(x, 8, gamma, beta, eps=EPS)
        if o == "instance":
            return F.instance_norm(x, weight=gamma, bias=beta, eps=EPS)
        s = x[:support_rows]
        mean = s.mean((0, 2, 3), keepdim=True)
        var = s.var((0, 2, 3), unbiased=False, keepdim=True)
        if o == "tasknorm":
            a, b = self.mixing[layer]
            alpha = torch.sigmoid(a * support_rows + b)
            mean_i = x.mean((2, 3), keepdim=True)
            var_i = x.var((2, 3), unbiased=False, keepdim=True)
            mixed = alpha * mean + (1 - alpha) * mean_i
            var = alpha * (var + (mean - mixed) ** 2) + (1 - alpha) * (var_i + (mean_i - mixed) ** 2)
            mean = mixed
        return (x - mean) / torch.sqrt(var + EPS) * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)

    def embed(self, x, support_rows, training):
        for layer in range(4):
            w, b = self.params[4 * layer], self.params[4 * layer + 1]
            x = self.normalize(F.conv2d(x, w, b, padding=1), layer, support_rows, training)
            x = F.max_pool2d(F.relu(x), 2)
        return x.flatten(1)

    def embed_episode(self, support, query, training):
        """Support and query embeddings. batch embeds them apart (the papers' transductive batches); cbn while training
        embeds them as one batch; the others in one pass whose support rows come first."""
        if self.option == "batch":
            return self.embed(support, len(support), training), self.embed(query, len(query), training)
        both = self.embed(torch.cat([support, query]), len(support), training)
        return both[: len(support)], both[len(support):]


def logits(support_features, query_features, ways, shots):
    prototypes = support_features.view(ways, shots, -1).mean(1)
    return -torch.cdist(query_features, prototypes) ** 2


def evaluate(model, classes, ways, shots, episodes, seed, alone_check):
    rng = np.random.default_rng(seed)
    correct, alone_correct, worst = [], [], 0.0
    with torch.no_grad():
        for e in range(episodes):
            support, query = episode(classes, ways, shots, 15, rng)
            labels = torch.arange(ways).repeat_interleave(15)
            s, q = model.embed_episode(support, query, training=False)
            out = logits(s, q, ways, shots)
            correct.append((out.argmax(1) == labels).float().mean().item())
            if model.option == "batch" or e < alone_check:
                lone = torch.cat([logits(*model.embed_episode(support, query[i:i + 1], training=False), ways, shots) for i in range(len(query))])
                alone_correct.append((lone.argmax(1) == labels).float().mean().item())
                worst = max(worst, ((lone - out).abs().max() / out.abs().max().clamp_min(1e-12)).item())
    return summary(model.option, correct, alone_correct, worst)


def meta_train(optimizer, iterations, loss, option, seed):
    """`iterations` optimizer steps on loss(), a fresh episode's loss each; the report's first fields."""
    start, losses = time.time(), []
    for _ in range(iterations):
        value = loss()
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        losses.append(value.item())
    return {
        "option": option, "iterations": iterations, "seed": seed, "train_seconds": round(time.time() - start, 1),
        "final_loss_mean_last_100": float(np.mean(losses[-100:])),
    }


def summary(option, correct, alone_correct, worst):
    """Accuracy and 95 % CI over the episodes; transductive batch norm's single-query accuracy beside it, and for every
    inductive option the largest lone-query difference, which must stay within 1e-5 (relative)."""
    if option != "batch" and worst > 1e-5:
        raise AssertionError(f"{option}: a query alone differs from its batch by {worst:.2e} (relative)")

    def accuracy(values):
        values = np.array(values)
        return {"accuracy": 100 * values.mean(), "ci95": 196 * values.std() / math.sqrt(len(values))}

    result = accuracy(correct)
    if option == "batch":
        result["alone"] = accuracy(alone_correct)
    else:
        result["alone_vs_batch_max_relative"] = worst
    return result


def study_setup():
    """A study's command line (<omniglot-folder> <option> <iterations> [seed]), one thread, and the Lake split: option,
    iterations, seed, the background alphabets with rotations and the evaluation alphabets."""
    folder, option, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    torch.set_num_threads(1)
    return option, iterations, seed, with_rotations(load(f"{folder}/images_background.npz")), load(f"{folder}/images_evaluation.npz")


def main():
    option, iterations, seed, train, test = study_setup()
    model = Conv4(option, torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.trainable(), lr=1e-3)
    rng = np.random.default_rng(seed)
    labels = torch.arange(5).repeat_interleave(15)

    def loss():
        support, query = episode(train, 5, 1, 15, rng)
        s, q = model.embed_episode(support, query, training=True)
        return F.cross_entropy(logits(s, q, 5, 1), labels)

    report = {
        **meta_train(optimizer, iterations, loss, option, seed),
        "5w1s": evaluate(model, test, 5, 1, EPISODES, 1000 + seed, 20),
        "5w5s": evaluate(model, test, 5, 5, EPISODES, 2000 + seed, 20),
    }
    if option == "tasknorm":
        report["alpha_at_5_and_25_support"] = [[torch.sigmoid(a * n + b).item() for n in (5, 25)] for a, b in model.mixing]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
