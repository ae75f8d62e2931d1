#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK, from Debian's registry, when it is missing:
#   python3-onnx   the official ONNX checker, run on every model the tests write
#   python3-torch  the PyTorch reference that gradients and speed are compared against
#   python3-numpy  .npy exchange with the reference scripts
#   dataset-fashion-mnist  Fashion-MNIST's IDX files in /usr/share/datasets/fashion-mnist (the loader's and the autoencoders' tests)
#   libtcmalloc-minimal4   the malloc `fewshot train` preloads when present (README, "TorchSharp"), so the tests train under it
# Needs root or sudo the first time; does nothing when everything is present.
set -euo pipefail
exec bash "$(dirname "$0")/install-debian-packages.sh" "the tests" python3-onnx python3-torch python3-numpy dataset-fashion-mnist libtcmalloc-minimal4
