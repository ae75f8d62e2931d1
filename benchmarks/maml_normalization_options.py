"""Issue #11, section 1, for MAML: conv4's normalization options, like for like in one PyTorch harness.

normalization_options.py compares the options for ProtoNets; MAML adds inner steps, and with them MAML++'s option
(Antoniou et al. 2019), which FewShot's trainer does not keep. Options (each meta-trains and tests with its own):
  batch     transductive batch norm, the papers': statistics of the batch seen (the support at each inner step, then
            the query batch);
  bnrs      MAML++'s per-step running statistics and per-step weights and biases (BNRS + BNWB): batch statistics while
            meta-training, each inner step (and the query pass after the last) updating its own running averages
            (momentum 0.1); at test time every pass is normalized by its step's running averages, so it is inductive
            (MAML++'s own code normalizes by batch statistics at test time too, the flaw #11 removes). The per-step
            scales and shifts are meta-learned and not adapted in the inner loop, as MAML++ does; a test step past
            the trained ones uses the last step's slot;
  bnrs-running  the same slots, but meta-trained with the normalization the device uses: every pass, in training too,
            is normalized by its step's running averages (no gradient through them), each training pass first
            moving them toward its batch's statistics;
  metabn    MetaBN (Bronskill et al. 2020): every pass normalized by the support set's statistics at that step's
            weights (the queries by the adapted network's support statistics);
  metabn-lagged  MetaBN with the statistics the last inner step computed anyway: the queries at θ_K are normalized
            by the support's statistics at θ_(K-1), from that step's own forward pass (no extra pass on the support,
            in training or on a device; the inner steps' support passes are batch norm over the support, as metabn's);
  group     group norm, 8 groups of 8 channels, per example (what FewShot's shipped bundles use);
  instance  instance norm, per example and channel (FewShot's --norm default for MAML).
Every option but batch is inductive: the script checks that a query alone gets its batch's logits to 1e-5 (relative)
on the first test episodes, failing otherwise, and reports batch's single-query accuracy beside its batch one.

Training: second-order MAML, 5-way 1-shot 15-query episodes from Omniglot's Lake split (background alphabets with
rotations), conv4 with 64 channels and a linear head, 1 inner step of 0.4, meta-batch 4, Adam 1e-3, one thread; the
same seeded start for every option (as FewShot's `benchmarks/normalization.sh` MAML runs). Test: the same 600
episodes for every option from the evaluation alphabets, 5-way 1-shot after 1 and 3 inner steps of 0.4 and 5-way
5-shot after 3 (95 % CI).
Usage: python3 benchmarks/maml_normalization_options.py <omniglot-folder> <option> <iterations> [seed]
Prints one JSON line.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

import conv4_common
from normalization_options import EPS, episode, meta_train, study_setup, summary

EPISODES = int(os.environ.get("EPISODES", "600"))  # test episodes per setting; fewer for a quick try
INNER_LR, TRAIN_STEPS, META_BATCH, WAYS, QUERIES = 0.4, 1, 4, 5, 15


class MamlConv4:
    """conv4 (64 channels) and a linear head with one normalization option; θ as a flat list like FewShot's."""

    def __init__(self, option, generator):
        self.option = option
        self.theta = [p.requires_grad_() for p in conv4_common.parameters(generator, WAYS)]
        slots = TRAIN_STEPS + 1  # one per inner step's support pass and one for the query pass after the last
        self.step_affine = [[(torch.ones(64, requires_grad=True), torch.zeros(64, requires_grad=True)) for _ in range(4)]
                            for _ in range(slots)] if option.startswith("bnrs") else []
        self.running = [[(torch.zeros(64), torch.ones(64)) for _ in range(4)] for _ in range(slots)]
        self.batch_statistics_at_test = False  # bnrs*: a diagnostic test as MAML++'s code runs it (transductive)
        self.last_support_statistics = [None] * 4  # metabn-lagged: each layer's (mean, var) from the last support pass

    def outer_parameters(self):
        return self.theta + [t for step in self.step_affine for pair in step for t in pair]

    def normalize(self, x, theta, layer, step, support_rows, training):
        gamma, beta = theta[4 * layer + 2], theta[4 * layer + 3]
        o = self.option
        if o == "batch":
            return F.batch_norm(x, None, None, gamma, beta, training=True, eps=EPS)
        if o.startswith("bnrs"):
            slot = min(step, TRAIN_STEPS)
            gamma, beta = self.step_affine[slot][layer]
            mean, var = self.running[slot][layer]
            if self.batch_statistics_at_test:
                return F.batch_norm(x, None, None, gamma, beta, training=True, eps=EPS)
            if o == "bnrs":
                return F.batch_norm(x, mean, var, gamma, beta, training=training, momentum=0.1, eps=EPS)
            if training:
                # New tensors, not in-place updates: earlier passes' graphs hold the old averages for their backward.
                with torch.no_grad():
                    n = x.numel() / x.shape[1]
                    mean = 0.9 * mean + 0.1 * x.mean((0, 2, 3))
                    var = 0.9 * var + 0.1 * x.var((0, 2, 3), unbiased=False) * n / (n - 1)
                self.running[slot][layer] = (mean, var)
            return F.batch_norm(x, mean, var, gamma, beta, training=False, eps=EPS)
        if o == "group":
            return F.group_norm(x, 8, gamma, beta, eps=EPS)
        if o == "instance":
            return F.instance_norm(x, weight=gamma, bias=beta, eps=EPS)
        if o == "metabn-lagged" and support_rows == 0:
            mean, var = self.last_support_statistics[layer]  # a query pass: the last inner step's support statistics
        else:
            s = x[:support_rows]  # metabn: the support rows come first in every pass
            mean = s.mean((0, 2, 3), keepdim=True)
            var = s.var((0, 2, 3), unbiased=False, keepdim=True)
            self.last_support_statistics[layer] = (mean, var)
        return (x - mean) / torch.sqrt(var + EPS) * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)

    def logits(self, theta, x, step, support_rows, training):
        for layer in range(4):
            x = F.conv2d(x, theta[4 * layer], theta[4 * layer + 1], padding=1)
            x = F.relu(F.max_pool2d(self.normalize(x, theta, layer, step, support_rows, training), 2))
        return F.linear(x.flatten(1), theta[16], theta[17])

    def adapt(self, support, labels, steps, training):
        """θ after `steps` SGD steps on the support loss; second order (a graph through the steps) while training."""
        theta = self.theta
        for step in range(steps):
            loss = F.cross_entropy(self.logits(theta, support, step, len(support), training), labels)
            # bnrs and bnrs-running leave θ's own scales and shifts unused (its per-step ones stand in): no gradient, no step.
            grads = torch.autograd.grad(loss, theta, create_graph=training, allow_unused=True)
            theta = [p if g is None else p - INNER_LR * g for p, g in zip(theta, grads)]
        return theta

    def query_logits(self, theta, support, query, steps, training):
        """The queries' logits at the adapted θ; metabn passes the support first for its statistics."""
        if self.option == "metabn":
            return self.logits(theta, torch.cat([support, query]), steps, len(support), training)[len(support):]
        return self.logits(theta, query, steps, 0, training)


def evaluate(model, classes, shots, steps, episodes, seed, alone_check):
    rng = np.random.default_rng(seed)
    labels, support_labels = torch.arange(WAYS).repeat_interleave(QUERIES), torch.arange(WAYS).repeat_interleave(shots)
    correct, alone_correct, worst, diverged = [], [], 0.0, 0
    for e in range(episodes):
        support, query = episode(classes, WAYS, shots, QUERIES, rng)
        theta = [t.detach() for t in model.adapt(support, support_labels, steps, training=False)]
        with torch.no_grad():
            out = model.query_logits(theta, support, query, steps, training=False)
            correct.append((out.argmax(1) == labels).float().mean().item())
            diverged += int(not torch.isfinite(out).all())
            if model.option == "batch" or e < alone_check:
                lone = torch.cat([model.query_logits(theta, support, query[i:i + 1], steps, False) for i in range(len(query))])
                alone_correct.append((lone.argmax(1) == labels).float().mean().item())
                worst = max(worst, ((lone - out).abs().max() / out.abs().max().clamp_min(1e-12)).item())
    return {**summary(model.option, correct, alone_correct, worst), "non_finite_episodes": diverged}


def main():
    option, iterations, seed, train, test = study_setup()
    model = MamlConv4(option, torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.outer_parameters(), lr=1e-3)
    rng = np.random.default_rng(seed)
    support_labels, query_labels = torch.arange(WAYS), torch.arange(WAYS).repeat_interleave(QUERIES)

    def meta_loss():
        total = 0.0
        for _ in range(META_BATCH):
            support, query = episode(train, WAYS, 1, QUERIES, rng)
            theta = model.adapt(support, support_labels, TRAIN_STEPS, training=True)
            logits = model.query_logits(theta, support, query, TRAIN_STEPS, training=True)
            total = total + F.cross_entropy(logits, query_labels) / META_BATCH
        return total

    report = {
        **meta_train(optimizer, iterations, meta_loss, option, seed),
        "5w1s_1_step": evaluate(model, test, 1, 1, EPISODES, 1000 + seed, 20),
        "5w1s_3_steps": evaluate(model, test, 1, 3, EPISODES, 1000 + seed, 20),
        "5w5s_3_steps": evaluate(model, test, 5, 3, EPISODES, 2000 + seed, 20),
    }
    if option.startswith("bnrs"):
        # The same network tested with batch statistics (the queries as one batch; no lone-query check, as it is
        # transductive): tells a network that did not learn from one whose running averages do not fit it.
        model.batch_statistics_at_test = True
        report["5w1s_1_step_batch_statistics"] = evaluate(model, test, 1, 1, EPISODES, 1000 + seed, 0)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
