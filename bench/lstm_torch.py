# PyTorch's side of bench/lstm.mjs: the same LSTM(8 -> 32) training step (20 time steps, batch 16,
# Linear head on the last step, MSE, SGD) on the given thread count; prints one JSON line.
import json
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import torch  # noqa: E402

threads, steps, warmup = (int(a) for a in sys.argv[1:4])
torch.set_num_threads(threads)
torch.manual_seed(0)
lstm = torch.nn.LSTM(8, 32)
head = torch.nn.Linear(32, 1)
opt = torch.optim.SGD(list(lstm.parameters()) + list(head.parameters()), lr=0.01)
x = torch.randn(20, 16, 8)
y = torch.randn(16, 1)


def step():
    opt.zero_grad()
    out, _ = lstm(x)
    loss = torch.nn.functional.mse_loss(head(out[-1]), y)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(warmup):
    step()
ms = []
for _ in range(steps):
    t = time.perf_counter()
    step()
    ms.append((time.perf_counter() - t) * 1000)
ms.sort()
m = len(ms) // 2
print(json.dumps({"version": torch.__version__, "ms": round(ms[m] if len(ms) % 2 else (ms[m - 1] + ms[m]) / 2, 3)}))
