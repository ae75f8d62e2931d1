"""Writes DIR/adapt-const.onnx and DIR/predict-const.onnx: the unzipped bundle's (DIR/pn/) graphs with every input
that parameters.bin holds turned into an initializer of the same value (benchmarks/frozen-theta.sh)."""
import struct
import sys

import numpy as np
import onnx
from onnx import numpy_helper

folder = sys.argv[1]
data = open(f"{folder}/pn/parameters.bin", "rb").read()
assert data[:8] == b"FSTENSOR", "not a FewShot tensor file"
offset = 8
(count,) = struct.unpack_from("<i", data, offset); offset += 4
parameters = {}
for _ in range(count):
    (length,) = struct.unpack_from("<i", data, offset); offset += 4
    name = data[offset:offset + length].decode(); offset += length
    (rank,) = struct.unpack_from("<i", data, offset); offset += 4
    dims = struct.unpack_from(f"<{rank}q", data, offset); offset += 8 * rank
    size = int(np.prod(dims)) if rank else 1
    parameters[name] = np.frombuffer(data, dtype="<f4", count=size, offset=offset).reshape(dims); offset += 4 * size
for graph in ("adapt", "predict"):
    model = onnx.load(f"{folder}/pn/{graph}.onnx")
    kept = [i for i in model.graph.input if i.name not in parameters]
    frozen = [numpy_helper.from_array(parameters[i.name].astype(np.float32), i.name) for i in model.graph.input if i.name in parameters]
    del model.graph.input[:]
    model.graph.input.extend(kept)
    model.graph.initializer.extend(frozen)
    onnx.checker.check_model(model)
    onnx.save(model, f"{folder}/{graph}-const.onnx")
