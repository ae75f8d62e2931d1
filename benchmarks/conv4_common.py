"""What the PyTorch benchmark scripts share: conv4 with PyTorch's default initialization, and the timer.

conv4: 4 x [3x3 conv 64, batch norm with batch statistics, 2x2 max-pool, ReLU] on 1x28x28 inputs, then
optionally a linear head; parameters as a flat list (w, b, gamma, beta per block, then head weight and bias).
The strided conv4 (MAML's Omniglot network, FewShot's `--downsample stride`): 4 x [3x3 conv 64 with stride 2, batch
norm, ReLU], features averaged over the last 2x2 map; the same parameters.
As in FewShot's lowerings, each convolution's bias, which batch norm cancels exactly, is left out of the convolution
and added to beta with weight 0: the same outputs, its gradient exactly zero instead of rounding residue, and no
bias-gradient pass over the convolution's output (1-2 ms of a 75-image conv4 backward on this machine).
"""
import os
import time

import torch
import torch.nn.functional as F


def parameters(generator, ways=None):
    """conv4's parameters, uniform as PyTorch initializes them; a `ways`-output head when ways is given."""
    params = []
    in_channels = 1
    for _ in range(4):
        bound = 1.0 / (in_channels * 9) ** 0.5
        params += [
            (torch.rand(64, in_channels, 3, 3, generator=generator) * 2 - 1) * bound,
            (torch.rand(64, generator=generator) * 2 - 1) * bound,
            torch.ones(64),
            torch.zeros(64),
        ]
        in_channels = 64
    if ways is not None:
        bound = 1.0 / 64 ** 0.5
        params += [(torch.rand(ways, 64, generator=generator) * 2 - 1) * bound, (torch.rand(ways, generator=generator) * 2 - 1) * bound]
    return params


def strided_body(params, x):
    """The strided conv4's four blocks, averaged over the last map to [n, 64]."""
    for block in range(4):
        w, b, gamma, beta = params[4 * block: 4 * block + 4]
        x = F.relu(F.batch_norm(F.conv2d(x, w, None, stride=2, padding=1), None, None, gamma, beta + 0 * b, training=True))
    return x.mean((2, 3))


def strided_forward(params, x):
    """The strided conv4's body and head: class logits."""
    return F.linear(strided_body(params, x), params[16], params[17])


# CONV4_FOLD=1: the first block's batch norm folded into its convolution, as FewShot's lowerings fold it (the same
# function; each channel's mean and variance from the input patches' mean and covariance). The benchmark scripts run
# the reference both ways and keep its faster setup.
FOLD_FIRST = os.environ.get("CONV4_FOLD") == "1"


def conv_batch_norm_folded(x, w, gamma, beta):
    """conv2d(x, w, padding=1) then batch norm with batch statistics, folded: no pass over the output computes them."""
    n, _, height, width = x.shape
    patches = F.unfold(x, 3, padding=1)  # [n, c*9, h*w]
    mean = patches.mean((0, 2), keepdim=True)
    centered = patches - mean
    covariance = centered.matmul(centered.transpose(1, 2)).sum(0) / (n * height * width)
    rows = w.reshape(w.shape[0], -1)
    channel_mean = rows.matmul(mean.reshape(-1))
    variance = (rows.matmul(covariance) * rows).sum(1)
    factor = gamma / (variance + 1e-5).sqrt()
    return F.conv2d(x, w * factor.view(-1, 1, 1, 1), None, padding=1), (beta - channel_mean * factor).view(1, -1, 1, 1)


def body(params, x, channels_last=False):
    """The four conv blocks, flattened to [n, 64]; channels_last carries the feature maps in NHWC order from the first
    convolution on (its single input channel makes both orders the same), where max-pooling and batch norm vectorize."""
    for block in range(4):
        w, b, gamma, beta = params[4 * block: 4 * block + 4]
        if block == 0 and channels_last and w.shape[1] == 1:
            # The weight viewed with channels-last strides (the same elements for one input channel): the convolution
            # then writes its output channels-last itself, without the copy of converting it (as FewShot does).
            w = w.as_strided(w.shape, (w.shape[2] * w.shape[3], 1, w.shape[3], 1))
        if block == 0 and FOLD_FIRST and x.shape[1] * 9 <= w.shape[0]:
            y, offset = conv_batch_norm_folded(x, w, gamma, beta + 0 * b)
            if channels_last:
                y = y.contiguous(memory_format=torch.channels_last)
            # The offset after the pooling, as FewShot's lowerings add it: a max commutes with adding a constant.
            x = F.relu(F.max_pool2d(y, 2) + offset)
            continue
        x = F.conv2d(x, w, None, padding=1)
        if block == 0 and channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        x = F.batch_norm(x, None, None, gamma, beta + 0 * b, training=True)
        # Pooling before ReLU: the same values and gradients (ReLU is monotone), ReLU on a quarter of the data; FewShot's
        # lowerings pool first too.
        x = F.relu(F.max_pool2d(x, 2))
    return x.flatten(1)


def group_body(params, x, channels_last=False):
    """conv4 with group norm (8 groups of 8 channels, each example by itself), as FewShot's shipped bundles normalize:
    4 x [3x3 conv 64 with its bias (group norm does not cancel it), group norm, 2x2 max-pool, ReLU], flattened to [n, 64];
    channels_last as in body()."""
    for block in range(4):
        w, b, gamma, beta = params[4 * block: 4 * block + 4]
        x = F.conv2d(x, w, b, padding=1)
        if block == 0 and channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        x = F.relu(F.max_pool2d(F.group_norm(x, 8, gamma, beta), 2))
    return x.flatten(1)


def group_forward(params, x, channels_last=False):
    """group_body and the head: class logits."""
    return F.linear(group_body(params, x, channels_last), params[16], params[17])


def forward(params, x, channels_last=False):
    """Body and head: class logits."""
    return F.linear(body(params, x, channels_last), params[16], params[17])


def timed(fn, warmup, runs):
    """Median and 95th percentile in ms of `runs` calls after `warmup` untimed ones (as `fewshot bench` measures)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return samples[len(samples) // 2], samples[min(len(samples) - 1, -(-95 * len(samples) // 100) - 1)]
