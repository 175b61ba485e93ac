#!/usr/bin/python3
"""The classify example done by torchvision, to cross-check MetaOp's output on the same weights.

  /usr/bin/python3 torchvision_classify.py resnet18 weights.safetensors image.png [--resize 256 --crop 224]

Reads the safetensors file itself (no safetensors package needed), loads it strictly into
torchvision's model, preprocesses with Resize, CenterCrop, ToTensor and Normalize, and prints
{"top": [[class, probability], ...]} (five classes) as JSON.
"""

import argparse
import json
import struct

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[base + start : base + end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(array.copy())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("weights")
    ap.add_argument("image")
    ap.add_argument("--resize", type=int, default=256)
    ap.add_argument("--crop", type=int, default=224)
    args = ap.parse_args()
    torch.set_num_threads(1)
    kwargs = {"weights": None}
    if args.model in ("googlenet", "inception_v3"):
        kwargs.update(init_weights=False, aux_logits=False)
    model = getattr(torchvision.models, args.model)(**kwargs)
    model.load_state_dict(load_safetensors(args.weights), strict=True)
    model.eval()
    tf = T.Compose([T.Resize(args.resize), T.CenterCrop(args.crop), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    x = tf(Image.open(args.image).convert("RGB")).unsqueeze(0)
    with torch.no_grad():
        p = torch.softmax(model(x), 1)[0]
    top = torch.topk(p, 5)
    print(json.dumps({"top": [[int(i), float(v)] for v, i in zip(top.values, top.indices)]}))


if __name__ == "__main__":
    main()
