# PyTorch reference timings for `pnpm bench` (Debian's python3-torch), on the bench's thread count
# with OMP_WAIT_POLICY=PASSIVE like MetaOp's kernels: reads a JSON spec on stdin, prints one JSON
# object with median milliseconds per matmul size, conv shape and the GEMV (one warm-up call first).
import json
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when libgomp loads, so before torch
import torch  # noqa: E402

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
spec = json.loads(sys.stdin.read())


def median_ms(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    m = len(ts) // 2
    return ts[m] if len(ts) % 2 else (ts[m - 1] + ts[m]) / 2


out = {"version": torch.__version__, "threads": torch.get_num_threads(), "matmul": {}, "conv": {}}
with torch.no_grad():
    for n in spec["matmul"]:
        a = torch.rand(n, n)
        b = torch.rand(n, n)
        out["matmul"][str(n)] = median_ms(lambda: torch.mm(a, b), spec["reps"])
    for c in spec["conv"]:
        x = torch.randn(c["n"], c["cin"], c["h"], c["h"])
        w = torch.randn(c["cout"], c["cin"], c["k"], c["k"])
        out["conv"][c["id"]] = median_ms(lambda: torch.nn.functional.conv2d(x, w, stride=c["stride"], padding=c["pad"]), spec["reps"])
    g = spec.get("gemv")
    if g:
        x = torch.randn(1, g["k"])
        w = torch.randn(g["m"], g["k"])
        out["gemv"] = median_ms(lambda: torch.nn.functional.linear(x, w), spec["reps"])
print(json.dumps(out))
