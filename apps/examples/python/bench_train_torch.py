#!/usr/bin/python3
"""PyTorch side of the bench-train example: one SGD training step of a torchvision backbone.

  OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench_train_torch.py --model resnet18 --batch 8 --steps 5 --threads 2

The recipe of bench-train: random weights (torchvision's init), train mode, random input (seed 0) and
labels i % 1000, cross-entropy, SGD lr 0.01 momentum 0.9; a step is forward, loss, backward and the
update, ending with loss.item(). Two untimed warm-up steps, then the median of --steps. Prints one JSON
line: {"torch", "ms", "peak_rss_mb"} (VmHWM of this process, including the interpreter and torch).
"""

import argparse
import json
import sys
import time

import torch
import torchvision


def vm_hwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="resnet18")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--momentum", type=float, default=0.9)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    kwargs = {"weights": None}
    if a.model in ("googlenet", "inception_v3"):
        kwargs.update(init_weights=False, aux_logits=False)
    model = getattr(torchvision.models, a.model)(**kwargs).train()
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(a.batch, 3, a.size, a.size)
    y = torch.arange(a.batch) % 1000

    def step():
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    step()
    step()
    ts = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    m = len(ts) // 2
    ms = ts[m] if len(ts) % 2 else (ts[m - 1] + ts[m]) / 2
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": ms, "peak_rss_mb": vm_hwm_mb()}))


if __name__ == "__main__":
    sys.exit(main())
