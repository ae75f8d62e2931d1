"""PyTorch reference for `fewshot bench adapt`: the same adaptation work on the same shapes, row for row.

conv4 (64 channels, 28x28 inputs, batch norm with batch statistics), 5-way 5-shot, 15 queries per class:
MAML adaptation with 1, 5 and 10 SGD steps on the 25 support images (no graph kept: deployment needs no second
order), predicting the 75 queries, one step followed by a prediction, ANIL (body once without gradients, 10 steps
on the head), ProtoNets (class means of the support embeddings), loading the MAML weights, and cold start (load
the weights from a file, adapt 5 steps or build prototypes, predict); then MAML's 1, 5 and 10 steps and the
prediction on the strided conv4 (stride-2 convolutions instead of max-pooling); then MAML's 1, 5 and 10 steps on conv4
with group norm (the shipped bundles' normalization), feature maps NCHW or channels-last, whichever is faster.
Prints one JSON object like `fewshot bench adapt --json`. Usage: adapt_torch.py THREADS RUNS WARMUP
"""
import json
import os
import sys
import tempfile

import torch
import torch.nn.functional as F

from conv4_common import body, forward, group_forward, parameters, strided_forward, timed

WAYS, SHOTS, QUERIES = 5, 5, 15
INNER_LR = 0.4
COLD_RUNS = 10


def sgd(params, loss_of, steps):
    fast = [p.detach().requires_grad_() for p in params]
    for _ in range(steps):
        grads = torch.autograd.grad(loss_of(fast), fast)
        fast = [(p - INNER_LR * g).detach().requires_grad_() for p, g in zip(fast, grads)]
    return [p.detach() for p in fast]


def maml_adapt(params, support, labels, steps, net=forward):
    return sgd(params, lambda fast: F.cross_entropy(net(fast, support), labels), steps)


def anil_adapt(params, support, labels, steps):
    with torch.no_grad():
        features = body(params, support)
    return params[:16] + sgd(params[16:], lambda head: F.cross_entropy(F.linear(features, head[0], head[1]), labels), steps)


def prototypes(params, support, labels):
    with torch.no_grad():
        embeddings = body(params, support)
        return torch.stack([embeddings[labels == c].mean(0) for c in range(WAYS)])


def predict(params, query, net=forward):
    with torch.no_grad():
        return net(params, query).softmax(1)


def predict_prototypes(params, protos, query):
    with torch.no_grad():
        return (-torch.cdist(body(params, query), protos) ** 2).softmax(1)


def main():
    threads, runs, warmup = (int(a) for a in sys.argv[1:4])
    torch.set_num_threads(threads)
    generator = torch.Generator().manual_seed(0)
    classifier = parameters(generator, WAYS)
    encoder = parameters(generator)
    support = (torch.rand(WAYS * SHOTS, 1, 28, 28, generator=generator) < 0.15).float()
    query = (torch.rand(WAYS * QUERIES, 1, 28, 28, generator=generator) < 0.15).float()
    labels = torch.arange(WAYS * SHOTS) % WAYS
    adapted = maml_adapt(classifier, support, labels, 5)

    with tempfile.TemporaryDirectory() as folder:
        classifier_file, encoder_file = os.path.join(folder, "maml.pt"), os.path.join(folder, "protonet.pt")
        torch.save(classifier, classifier_file)
        torch.save(encoder, encoder_file)

        def cold_maml():
            params = torch.load(classifier_file)
            predict(maml_adapt(params, support, labels, 5), query)

        def cold_protonet():
            params = torch.load(encoder_file)
            predict_prototypes(params, prototypes(params, support, labels), query)

        rows = [(f"maml-adapt-{s}", (lambda s=s: maml_adapt(classifier, support, labels, s)), warmup, runs) for s in (1, 5, 10)]
        rows += [
            ("predict-75-queries", lambda: predict(adapted, query), warmup, runs),
            ("maml-adapt-1+predict", lambda: predict(maml_adapt(classifier, support, labels, 1), query), warmup, runs),
            ("anil-adapt-10", lambda: anil_adapt(classifier, support, labels, 10), warmup, runs),
            ("protonet-adapt", lambda: prototypes(encoder, support, labels), warmup, runs),
            ("load-maml", lambda: torch.load(classifier_file), 1, COLD_RUNS),
            ("cold-start-maml-5", cold_maml, 1, COLD_RUNS),
            ("cold-start-protonet", cold_protonet, 1, COLD_RUNS),
        ]
        rows += [(f"maml-strided-adapt-{s}", (lambda s=s: maml_adapt(classifier, support, labels, s, strided_forward)), warmup, runs) for s in (1, 5, 10)]
        strided = maml_adapt(classifier, support, labels, 5, strided_forward)
        rows.append(("predict-75-queries-strided", lambda: predict(strided, query, strided_forward), warmup, runs))
        timings = []
        for name, fn, rounds, count in rows:
            median, p95 = timed(fn, rounds, count)
            timings.append({"name": name, "medianMs": median, "p95Ms": p95, "runs": count})
        for s in (1, 5, 10):
            layouts = [timed(lambda cl=cl: maml_adapt(classifier, support, labels, s, lambda p, x: group_forward(p, x, cl)), warmup, runs) for cl in (False, True)]
            median, p95 = min(layouts)
            timings.append({"name": f"maml-group-adapt-{s}", "medianMs": median, "p95Ms": p95, "runs": runs})
    print(json.dumps({"engine": "pytorch", "torch": torch.__version__, "threads": threads, "timings": timings}))


if __name__ == "__main__":
    main()
