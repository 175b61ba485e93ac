# PyTorch reference timings for `pnpm bench` (run with Debian's python3-torch): prints one JSON
# object with median milliseconds per matmul size and conv shape, on the same thread count.
import json, sys, time
import torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
spec = json.loads(sys.stdin.read())


def median_ms(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    return ts[len(ts) // 2]


out = {"version": torch.__version__, "matmul": {}, "conv": {}}
with torch.no_grad():
    for n in spec["matmul"]:
        a = torch.rand(n, n)
        b = torch.rand(n, n)
        out["matmul"][str(n)] = median_ms(lambda: torch.mm(a, b), spec["reps"])
    for c in spec["conv"]:
        x = torch.randn(c["n"], c["cin"], c["h"], c["h"])
        w = torch.randn(c["cout"], c["cin"], c["k"], c["k"])
        out["conv"][c["name"]] = median_ms(lambda: torch.nn.functional.conv2d(x, w, stride=c["stride"], padding=c["pad"]), spec["reps"])
print(json.dumps(out))
