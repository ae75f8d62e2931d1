# Writes the convolutions that benchmarks/stacked-maps.sh times, into the folder given: conv4's 3×3 layers (64 channels,
# pad 1) on N maps of H×H, forward (Conv) and input gradient (ConvTranspose), each as ONNX Runtime meets them in a
# bundle (weights a graph input), as one 3-D convolution with the batch as depth (a 1×3×3 kernel; Layers.ConvBatchAsDepth
# writes the forward so, and the autodiff its gradients as the 2-D ones: the 3-D ConvTranspose is slower), and stacked
# into one tall map with a zero row under each (a first form, no longer used). The strided conv4's stride-2 layers,
# forward, as maps and as depth. Debian's python3-onnx.
import sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

folder = sys.argv[1]


def save(name, nodes, n, h, initializers=(), out=None):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, 64, h, h])
    w = helper.make_tensor_value_info("w", TensorProto.FLOAT, [64, 64, 3, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, 64, out or h, out or h])
    model = helper.make_model(helper.make_graph(nodes, name, [x, w], [y], initializer=list(initializers)),
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, f"{folder}/{name}.onnx")


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


for n in (25, 75):
    for h in (14, 7, 3):
        for op, kind in (("Conv", "forward"), ("ConvTranspose", "input-gradient")):
            save(f"{kind}-{n}x{h}x{h}-maps", [helper.make_node(op, ["x", "w"], ["y"], pads=[1, 1, 1, 1])], n, h)
            stacked = [
                helper.make_node("Transpose", ["x"], ["t"], perm=[1, 0, 2, 3]),
                helper.make_node("Pad", ["t", "spacer"], ["p"]),
                helper.make_node("Reshape", ["p", "tall"], ["r"]),
                helper.make_node(op, ["r", "w"], ["c"], pads=[1, 1, 1, 1]),
                helper.make_node("Reshape", ["c", "back"], ["b"]),
                helper.make_node("Slice", ["b", "start", "end", "axis"], ["s"]),
                helper.make_node("Transpose", ["s"], ["y"], perm=[1, 0, 2, 3]),
            ]
            save(f"{kind}-{n}x{h}x{h}-stacked", stacked, n, h, [
                ints("spacer", [0, 0, 0, 0, 0, 0, 1, 0]), ints("tall", [1, 64, -1, h]), ints("back", [64, n, h + 1, h]),
                ints("start", [0]), ints("end", [h]), ints("axis", [2])])


def depth(op, stride=1):
    """The batch as the depth of one 3-D map: [N, C, H, W] → [1, C, N, H, W], a 1×3×3 kernel, and back."""
    return [
        helper.make_node("Transpose", ["x"], ["t"], perm=[1, 0, 2, 3]),
        helper.make_node("Unsqueeze", ["t", "first"], ["u"]),
        helper.make_node("Unsqueeze", ["w", "third"], ["w3"]),
        helper.make_node(op, ["u", "w3"], ["c"], pads=[0, 1, 1, 0, 1, 1], strides=[1, stride, stride]),
        helper.make_node("Squeeze", ["c", "first"], ["q"]),
        helper.make_node("Transpose", ["q"], ["y"], perm=[1, 0, 2, 3]),
    ]


for n in (25, 75):
    axes = [ints("first", [0]), ints("third", [2])]
    for h in (7, 3):
        save(f"forward-{n}x{h}x{h}-depth", depth("Conv"), n, h, axes)
        save(f"input-gradient-{n}x{h}x{h}-depth", depth("ConvTranspose"), n, h, axes)
    for h in (14, 7, 4):
        out = (h - 1) // 2 + 1
        save(f"strided-{n}x{h}x{h}-maps", [helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1], strides=[2, 2])], n, h, out=out)
        save(f"strided-{n}x{h}x{h}-depth", depth("Conv", 2), n, h, axes, out=out)
