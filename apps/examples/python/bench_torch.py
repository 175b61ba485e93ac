#!/usr/bin/python3
"""PyTorch side of the bench-models example: forward latency of torchvision backbones.

  /usr/bin/python3 bench_torch.py --models resnet18,alexnet --batches 1,8 --size 224 --threads 2 --repeat 3

Run it with OMP_WAIT_POLICY=PASSIVE in the environment (bench-models does), as MetaOp's kernels
run. Prints one JSON object per line: {"model", "gflop"} (conv and linear FLOP per image, counted
by forward hooks: 2 per multiply-add), {"model", "batch", "ms"} (median milliseconds per forward
after one warm-up run), or {"model", "error"} when torchvision cannot build the model.
"""

import argparse
import json
import sys
import time

import torch
import torchvision


def build(name):
    ctor = getattr(torchvision.models, name)
    kwargs = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        kwargs["init_weights"] = False  # skip scipy's slow truncated-normal init; speed does not depend on it
    return ctor(**kwargs).eval()


def gflop_per_image(model, x):
    """Conv and linear FLOP of one forward of x, per image (what MetaOp's fraction of peak uses)."""
    total = [0]

    def hook(m, inputs, out):
        if isinstance(m, torch.nn.Conv2d):
            kh, kw = m.kernel_size
            total[0] += 2 * out.numel() * (m.in_channels // m.groups) * kh * kw
        elif isinstance(m, torch.nn.Linear):
            total[0] += 2 * out.numel() * m.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total[0] / x.shape[0] / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(json.dumps({"torch": torch.__version__, "torchvision": torchvision.__version__, "threads": torch.get_num_threads()}), flush=True)
    for name in args.models.split(","):
        try:
            model = build(name)
        except Exception as e:  # an unknown name or an architecture this torchvision lacks
            print(json.dumps({"model": name, "error": str(e)}), flush=True)
            continue
        size = 299 if name == "inception_v3" and args.size == 224 else args.size
        print(json.dumps({"model": name, "gflop": gflop_per_image(model, torch.randn(1, 3, size, size))}), flush=True)
        for batch in [int(b) for b in args.batches.split(",")]:
            x = torch.randn(batch, 3, size, size)
            with torch.no_grad():
                model(x)
                ts = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    model(x)
                    ts.append((time.perf_counter() - t) * 1000)
            ts.sort()
            m = len(ts) // 2
            ms = ts[m] if len(ts) % 2 else (ts[m - 1] + ts[m]) / 2
            print(json.dumps({"model": name, "batch": batch, "ms": ms}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
