#!/usr/bin/python3
"""Exports torchvision backbones to ONNX for the onnxruntime-node column of bench-models.

  /usr/bin/python3 export_onnx.py --models resnet18,alexnet --out DIR [--size 224] [--opset 17]

Random weights (speed does not depend on their values), eval mode, input "input" [batch, 3, s, s]
with a dynamic batch axis, output "output". Writes DIR/<model>.onnx unless it is already there,
and prints one JSON line per model: {"model", "path"} or {"model", "error"}.
"""

import argparse
import json
import os
import sys

import torch
import torchvision


def build(name):
    kwargs = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        kwargs.update(init_weights=False, aux_logits=False)
    return getattr(torchvision.models, name)(**kwargs).eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--opset", type=int, default=17)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for name in a.models.split(","):
        path = os.path.join(a.out, f"{name}.onnx")
        try:
            if not os.path.exists(path):
                size = 299 if name == "inception_v3" and a.size == 224 else a.size
                tmp = f"{path}.{os.getpid()}.tmp"
                with torch.no_grad():
                    torch.onnx.export(
                        build(name), torch.randn(1, 3, size, size), tmp, opset_version=a.opset,
                        input_names=["input"], output_names=["output"],
                        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                    )
                os.replace(tmp, path)
            print(json.dumps({"model": name, "path": path}), flush=True)
        except Exception as e:  # an architecture this torch cannot export: the column says why
            print(json.dumps({"model": name, "error": f"{type(e).__name__}: {e}".splitlines()[0]}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
