#!/usr/bin/env python3
"""The fashion-mnist example's network and recipe in PyTorch, for a side-by-side comparison.

Same network (two 5x5 conv -> BatchNorm -> ReLU -> 2x2 max-pool blocks with 16 and 32 channels,
then linear 800-120-84-10), same data normalisation (mean 0.286, std 0.353), SGD with momentum 0.9,
peak learning rate 0.1 annealed to 0 along a cosine over all steps (stepped per batch), batch 64
with the last partial batch dropped, shuffled every epoch. Prints the test accuracy and the
training time of each epoch, and a JSON line with the figures last.

    /usr/bin/python3 apps/examples/python/fashion_mnist_torch.py [--epochs 2] [--threads N]
        [--data /usr/share/datasets/fashion-mnist] [--train-limit n] [--test-limit n]

--train-limit and --test-limit keep the first n images, as the MetaOp example's options do. For a
timing beside MetaOp's kernels, run it with OMP_WAIT_POLICY=PASSIVE (pnpm bench does).
"""
import argparse
import gzip
import json
import os
import struct
import time

import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def load(dir_, split):
    prefix = "train" if split == "train" else "t10k"

    def find(kind):
        for name in (f"{prefix}-{kind}-idx{3 if kind == 'images' else 1}-ubyte.gz", f"{prefix}-{kind}-idx{3 if kind == 'images' else 1}-ubyte"):
            if os.path.exists(os.path.join(dir_, name)):
                return os.path.join(dir_, name)
        raise SystemExit(f"no {prefix} {kind} in {dir_}")

    images = read_idx(find("images")).float().div(255).sub(0.286).div(0.353).unsqueeze(1)
    labels = read_idx(find("labels")).long()
    return images, labels


def net():
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 25, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=os.environ.get("METAOP_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    p.add_argument("--train-limit", type=int, default=None)
    p.add_argument("--test-limit", type=int, default=None)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr = load(a.data, "train")
    xte, yte = load(a.data, "test")
    if a.train_limit is not None:
        xtr, ytr = xtr[:a.train_limit], ytr[:a.train_limit]
    if a.test_limit is not None:
        xte, yte = xte[:a.test_limit], yte[:a.test_limit]
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9)
    steps_per_epoch = len(xtr) // a.batch_size
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.epochs * steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    epochs = []
    for epoch in range(a.epochs):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(len(xtr))
        for s in range(steps_per_epoch):
            idx = perm[s * a.batch_size:(s + 1) * a.batch_size]
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        train_s = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            correct = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, len(xte), 1000))
        acc = correct / len(xte)
        epochs.append({"epoch": epoch + 1, "train_seconds": round(train_s, 3), "images_per_second": round(steps_per_epoch * a.batch_size / train_s, 1), "test_accuracy": acc})
        print(f"epoch {epoch + 1}: {train_s:.1f} s training, test accuracy {acc * 100:.2f}%", flush=True)
    print(json.dumps({"torch": torch.__version__, "threads": a.threads, "epochs": epochs}))


if __name__ == "__main__":
    main()
