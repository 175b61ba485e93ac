#!/usr/bin/env python3
"""The char-gpt example's network and recipe in PyTorch, for a side-by-side step-time comparison.

Same text (Debian's fortunes without ascii-art, files sorted by name, read as UTF-8, joined with
newlines), same vocabulary (the characters in code order), the same 90/10 split and the same batch
offsets (Philox-4x32, MetaOp's generator, re-implemented below), the same GPT (pre-norm
blocks, causal self-attention, 4x GELU MLP, final LayerNorm, linear head without bias, GPT-2
initialisation), AdamW with betas (0.9, 0.99) and weight decay on matrices and embeddings only,
linear warm-up then cosine to lr/10, gradient clipping at norm 1. Attention is written out
(PyTorch 1.13 has no scaled_dot_product_attention). Prints a JSON line with the figures last.
Install libopenblas0-pthread first: without it Debian's torch uses the reference BLAS (15x slower).

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 apps/examples/python/char_gpt_torch.py [--steps 100]
        [--threads 2] [--batch-size 32] [--block-size 64] [--n-layer 4] [--n-head 4] [--n-embd 128]
"""
import argparse
import json
import math
import os
import time

import torch
from torch import nn
from torch.nn import functional as F

FORTUNES = "/usr/share/games/fortunes"
M32 = 0xFFFFFFFF
PHILOX_M = (0xD2511F53, 0xCD9E8D57)
PHILOX_W = (0x9E3779B9, 0xBB67AE85)


def philox_word0(counter, key):
    """Word 0 of Philox-4x32-10 (MetaOp's generator) at a 64-bit counter under a 64-bit key."""
    c = [counter & M32, (counter >> 32) & M32, 0, 0]
    k = [key & M32, (key >> 32) & M32]
    for _ in range(10):
        p0 = PHILOX_M[0] * c[0]
        p1 = PHILOX_M[1] * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k[0]) & M32, p1 & M32, ((p0 >> 32) ^ c[3] ^ k[1]) & M32, p0 & M32]
        k = [(k[0] + PHILOX_W[0]) & M32, (k[1] + PHILOX_W[1]) & M32]
    return c[0]


def offsets(seed, stream, step, count, limit):
    """The example's batch offsets: Philox at counter step*2^16 + i, key seed*8 + stream."""
    return [philox_word0(step * 65536 + i, seed * 8 + stream) % limit for i in range(count)]


def load_text(path):
    if path is None:
        path = FORTUNES
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if not n.endswith((".dat", ".u8")) and not n.startswith(".") and n != "ascii-art")
        files = [os.path.join(path, n) for n in names if os.path.isfile(os.path.join(path, n)) and not os.path.islink(os.path.join(path, n))]
    else:
        files = [path]
    texts = []
    for f in files:
        with open(f, "rb") as fh:
            texts.append(fh.read().decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(texts)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c.n_head
        self.qkv = nn.Linear(c.n_embd, 3 * c.n_embd)
        self.proj = nn.Linear(c.n_embd, c.n_embd)
        self.attn_drop = nn.Dropout(c.dropout)
        self.drop = nn.Dropout(c.dropout)
        self.register_buffer("mask", torch.tril(torch.ones(c.block_size, c.block_size, dtype=torch.bool)))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in self.qkv(x).split(C, dim=2))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.n_head)
        att = self.attn_drop(F.softmax(att.masked_fill(~self.mask[:T, :T], float("-inf")), dim=-1))
        return self.drop(self.proj((att @ v).transpose(1, 2).reshape(B, T, C)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln1 = nn.LayerNorm(c.n_embd)
        self.attn = Attention(c)
        self.ln2 = nn.LayerNorm(c.n_embd)
        self.fc = nn.Linear(c.n_embd, 4 * c.n_embd)
        self.proj = nn.Linear(4 * c.n_embd, c.n_embd)
        self.drop = nn.Dropout(c.dropout)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.drop(self.proj(F.gelu(self.fc(self.ln2(x)))))


class Gpt(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tokens = nn.Embedding(c.vocab_size, c.n_embd)
        self.positions = nn.Embedding(c.block_size, c.n_embd)
        self.drop = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.n_layer))
        self.lnF = nn.LayerNorm(c.n_embd)
        self.head = nn.Linear(c.n_embd, c.vocab_size, bias=False)
        for name, p in self.named_parameters():
            if name.endswith(".bias"):
                nn.init.zeros_(p)
            elif p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * c.n_layer) if name.endswith("proj.weight") else 0.02)

    def forward(self, idx, targets):
        B, T = idx.shape
        x = self.drop(self.tokens(idx) + self.positions(torch.arange(T)))
        for b in self.blocks:
            x = b(x)
        logits = self.head(self.lnF(x))
        return F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))


def learning_rate(step, peak, warmup, total):
    floor = peak / 10
    if step < warmup:
        return peak * (step + 1) / warmup
    if step >= total:
        return floor
    progress = (step - warmup) / max(1, total - warmup)
    return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * progress))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--schedule-steps", type=int, default=1000, help="steps the lr schedule spans (the example's --steps)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--block-size", type=int, default=64)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--n-head", type=int, default=4)
    ap.add_argument("--n-embd", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    text = load_text(a.data)
    chars = sorted(set(text))
    index = {ch: i for i, ch in enumerate(chars)}
    ids = torch.tensor([index[ch] for ch in text], dtype=torch.long)
    train = ids[: int(len(ids) * 0.9)]

    class C:
        pass

    c = C()
    c.vocab_size, c.block_size, c.n_layer, c.n_head, c.n_embd, c.dropout = len(chars), a.block_size, a.n_layer, a.n_head, a.n_embd, a.dropout
    model = Gpt(c)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay}, {"params": rest, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.99))
    limit = len(train) - a.block_size - 1
    times, losses = [], []
    for step in range(a.steps):
        for g in opt.param_groups:
            g["lr"] = learning_rate(step, a.lr, a.warmup, a.schedule_steps)
        t0 = time.perf_counter()
        offs = offsets(a.seed, 0, step, a.batch_size, limit)
        x = torch.stack([train[o:o + a.block_size] for o in offs])
        y = torch.stack([train[o + 1:o + a.block_size + 1] for o in offs])
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        times.append((time.perf_counter() - t0) * 1000)
    steady = sorted(times[2:]) or sorted(times)
    params = sum(p.numel() for p in model.parameters())
    print(f"PyTorch {torch.__version__}, {a.threads} threads: {a.steps} steps, median step {steady[len(steady) // 2]:.2f} ms, loss {losses[0]:.4f} -> {losses[-1]:.4f}, {params} parameters")
    print(json.dumps({"torch": torch.__version__, "threads": a.threads, "steps": a.steps, "medianStepMs": steady[len(steady) // 2], "firstLoss": losses[0], "lastLoss": losses[-1], "parameters": params, "vocabSize": len(chars)}))


if __name__ == "__main__":
    main()
