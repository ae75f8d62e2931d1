"""Checks ONNX models with the official checker and full shape inference.

Reads one model path per line on stdin and answers one line per model: "ok", or "error: <message>"
(newlines folded). Runs until stdin closes, so a test run pays Python's start-up once.
Needs Debian's python3-onnx (installed by build/install-test-deps.sh).
"""
import sys

import onnx
import onnx.checker
import onnx.shape_inference


def check(path: str) -> str:
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        return "ok"
    except Exception as error:  # the checker raises several types; every one is a verdict
        return "error: " + " ".join(str(error).split())


def main() -> None:
    print(f"ready onnx {onnx.__version__}", flush=True)
    for line in sys.stdin:
        path = line.strip()
        if path:
            print(check(path), flush=True)


if __name__ == "__main__":
    main()
