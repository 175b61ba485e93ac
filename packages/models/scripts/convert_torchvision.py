#!/usr/bin/python3
"""Convert torchvision classification weights into safetensors files that @metaop/models loads.

Examples (run with a Python that has torch and torchvision, e.g. Debian's /usr/bin/python3):

  # a checkpoint you downloaded yourself (e.g. https://download.pytorch.org/models/resnet18-f37072fd.pth)
  /usr/bin/python3 convert_torchvision.py resnet18 --checkpoint resnet18-f37072fd.pth --out resnet18.safetensors

  # a seeded random model (torchvision's init, randomised biases and BatchNorm statistics)
  /usr/bin/python3 convert_torchvision.py resnet18 --random --seed 0 --out resnet18-random.safetensors

  # the parameter and buffer names and shapes of torchvision's state dicts, as JSON (.gz: gzipped)
  /usr/bin/python3 convert_torchvision.py --list-state-dicts names.json resnet18 vgg11

  # test helper: JSON requests on stdin, one per line (used by packages/models/test)
  /usr/bin/python3 convert_torchvision.py --serve

The output holds the model's state dict exactly as torchvision names it: float32 parameters and
buffers, num_batches_tracked as int64. The checkpoint is loaded into torchvision's own model with
strict=True first, so a file that converts is known to match the architecture.
"""

import argparse
import gzip
import json
import math
import re
import struct
import sys
import time
from collections import OrderedDict

import torch
import torch.nn as nn
import torchvision

# The architectures @metaop/models implements, as torchvision 0.14 names them.
MODEL_NAMES = [
    "alexnet",
    "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
    "squeezenet1_0", "squeezenet1_1",
    "mobilenet_v2",
    "googlenet", "inception_v3",
    "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0",
    "densenet121", "densenet161", "densenet169", "densenet201",
]

# Constructor arguments the test fixture also records (see --list-state-dicts).
FIXTURE_VARIANTS = [
    "mobilenet_v2:width_mult=0.5", "mobilenet_v2:width_mult=1.4",
    "googlenet:aux_logits=False", "inception_v3:aux_logits=False",
    "resnet18:num_classes=10", "squeezenet1_1:num_classes=10",
]

# GoogLeNet and Inception v3 warn unless init_weights is given; True is their default behaviour.
EXPLICIT_INIT = {"googlenet", "inception_v3"}


def build(name, **kwargs):
    """torchvision's constructor without pretrained weights; kwargs as torchvision names them."""
    if name not in MODEL_NAMES:
        raise SystemExit(f"unknown model '{name}'; expected one of: {', '.join(MODEL_NAMES)}")
    kwargs = {"weights": None, **kwargs}
    if name in EXPLICIT_INIT:
        kwargs.setdefault("init_weights", True)
    return getattr(torchvision.models, name)(**kwargs)


def parse_spec(spec):
    """'mobilenet_v2:width_mult=0.5,num_classes=10' -> ('mobilenet_v2', {'width_mult': 0.5, 'num_classes': 10})."""
    name, _, rest = spec.partition(":")
    kwargs = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        kwargs[key] = json.loads(value.lower() if value in ("True", "False") else value)
    return name, kwargs


# Old DenseNet checkpoints (the published .pth files) name layers 'norm.1' where the model says 'norm1'.
_DENSENET_OLD_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var|num_batches_tracked))$")


def read_checkpoint(path):
    obj = torch.load(path, map_location="cpu")
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(obj, dict) and key in obj and isinstance(obj[key], dict):
            obj = obj[key]
            break
    if isinstance(obj, nn.Module):
        obj = obj.state_dict()
    if not isinstance(obj, dict):
        raise SystemExit(f"{path}: expected a state dict (or a dict holding one), got {type(obj).__name__}")
    out = OrderedDict()
    for key, value in obj.items():
        if key.startswith("module."):  # saved from DataParallel
            key = key[len("module."):]
        m = _DENSENET_OLD_KEY.match(key)
        if m:
            key = m.group(1) + m.group(2)
        out[key] = value
    return out


def bn_layers(model):
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def randomize(model, seed, calibration_shape):
    """Randomises what torchvision's init leaves constant, so a comparison exercises every value.

    Biases of Conv2d and Linear get PyTorch's default U(+-1/sqrt(fan_in)); BatchNorm weights
    U(0.5, 1.5) and biases N(0, 0.1). Running statistics are first measured on a random batch (so
    activations keep a sensible scale through deep nets), then perturbed: mean + N(0, 0.1)*std and
    var * U(0.5, 1.5), so eval-mode BatchNorm really uses them. num_batches_tracked is a random count.
    """
    gen = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
                bound = 1 / math.sqrt(m.weight[0].numel())
                m.bias.uniform_(-bound, bound, generator=gen)
        for bn in bn_layers(model):
            bn.weight.uniform_(0.5, 1.5, generator=gen)
            bn.bias.normal_(0, 0.1, generator=gen)
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average: after one batch, exactly that batch's statistics
        model.eval()
        for bn in bn_layers(model):
            bn.train()
        if bn_layers(model):
            model(torch.randn(calibration_shape, generator=gen))
        model.eval()
        for bn in bn_layers(model):
            bn.momentum = 0.1
            std = bn.running_var.sqrt()
            bn.running_mean.add_(torch.randn(bn.running_mean.shape, generator=gen) * 0.1 * std)
            bn.running_var.mul_(torch.rand(bn.running_var.shape, generator=gen) + 0.5)
            bn.num_batches_tracked.fill_(int(torch.randint(1, 100000, (1,), generator=gen)))
    return model


def random_model(name, seed, calibration_shape, **kwargs):
    torch.manual_seed(seed)
    return randomize(build(name, **kwargs), seed, calibration_shape)


def converted_state(model):
    """The state dict in the dtypes MetaOp expects: float32, and int64 for num_batches_tracked."""
    out = OrderedDict()
    for key, value in model.state_dict().items():
        value = value.detach().cpu()
        out[key] = value.to(torch.int64) if key.endswith("num_batches_tracked") else value.to(torch.float32)
    return out


_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def write_safetensors(path, tensors, metadata=None):
    """Writes the safetensors format by hand: an 8-byte little-endian header size, a JSON header
    padded with spaces to a multiple of 8 bytes, then each tensor's little-endian bytes in order."""
    if sys.byteorder != "little":
        raise SystemExit("the hand-written safetensors writer needs a little-endian machine; install the safetensors package")
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    arrays = []
    offset = 0
    for name, t in tensors.items():
        if t.dtype not in _DTYPES:
            raise SystemExit(f"tensor {name} has dtype {t.dtype}, which this writer does not handle")
        a = t.detach().cpu().contiguous().numpy()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + a.nbytes]}
        arrays.append(a)
        offset += a.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for a in arrays:
            f.write(memoryview(a).cast("B"))  # the array's own bytes, no copy


def save(path, tensors, metadata=None):
    try:
        from safetensors.torch import save_file
    except ImportError:
        write_safetensors(path, tensors, metadata)
        return
    save_file(dict(tensors), path, metadata={str(k): str(v) for k, v in (metadata or {}).items()})


def list_state_dicts(path, specs):
    """Names and shapes of each state dict, in torchvision's order. A spec is a model name, optionally
    with constructor arguments: 'mobilenet_v2:width_mult=0.5'."""
    out = OrderedDict()
    for spec in specs or MODEL_NAMES + FIXTURE_VARIANTS:
        name, kwargs = parse_spec(spec)
        sd = build(name, **kwargs).state_dict()
        out[spec] = [[k, list(v.shape)] for k, v in sd.items()]
    text = "{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in out.items()) + "\n}\n"
    if path.endswith(".gz"):  # mtime=0 keeps the file byte-identical across regenerations
        with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:
            f.write(text.encode("utf-8"))
    else:
        with open(path, "w") as f:
            f.write(text)


def reference(request):
    """Writes a seeded random model, an input and PyTorch's eval output (float64 unless asked otherwise)."""
    start = time.time()
    name, seed, shape, folder = request["name"], int(request["seed"]), request["input_shape"], request["dir"]
    model = random_model(name, seed, shape, **request.get("kwargs", {}))
    state = converted_state(model)
    tag = request.get("tag", name)
    weights = f"{folder}/{tag}.safetensors"
    save(weights, state, {"model": name, "seed": seed})
    gen = torch.Generator().manual_seed(seed + 2)
    x = torch.randn(shape, generator=gen, dtype=torch.float32)
    # float64 by default, so the comparison measures only the framework under test; float32 is
    # much cheaper for the largest models (VGG's 120M classifier weights) and accurate to ~1e-6.
    dtype = {"float64": torch.float64, "float32": torch.float32}[request.get("reference_dtype", "float64")]
    model.to(dtype).eval()
    with torch.no_grad():
        y = model(x.to(dtype))
    tensors = OrderedDict(input=x, output=y)
    if request.get("also_float32"):  # PyTorch's own float32 output, to compare rounding errors against
        model.to(torch.float32)
        with torch.no_grad():
            tensors["output_float32"] = model(x)
    io = f"{folder}/{tag}.io.safetensors"
    save(io, tensors, {"model": name})
    del model, state
    return {"ok": True, "weights": weights, "io": io, "seconds": round(time.time() - start, 3)}


def serve():
    torch.set_num_threads(1)  # leave the other core to the framework under test
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            reply = reference(json.loads(line))
        except Exception as e:  # reported to the test, which names the model
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", nargs="*", help="torchvision model name, e.g. resnet18, optionally with constructor arguments: googlenet:aux_logits=False")
    p.add_argument("--checkpoint", help="a .pth state dict downloaded from torchvision (or a dict holding one)")
    p.add_argument("--random", action="store_true", help="write a seeded random model instead of converting a checkpoint")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--calibration-size", type=int, default=224, help="image size of the batch that sets random BatchNorm statistics")
    p.add_argument("--num-classes", type=int, default=1000)
    p.add_argument("--out", help="the .safetensors file to write")
    p.add_argument("--list-state-dicts", metavar="JSON", help="write torchvision's state-dict names and shapes for the named models (by default all, and the test's variants)")
    p.add_argument("--serve", action="store_true", help="answer JSON requests on stdin (test helper)")
    args = p.parse_args()

    if args.serve:
        serve()
        return
    if args.list_state_dicts:
        list_state_dicts(args.list_state_dicts, args.name)
        return
    if len(args.name) != 1 or not args.out or args.random == bool(args.checkpoint):
        p.error("give one model name, --out, and either --checkpoint PATH or --random")
    name, kwargs = parse_spec(args.name[0])
    kwargs.setdefault("num_classes", args.num_classes)
    if args.random:
        size = args.calibration_size
        model = random_model(name, args.seed, [2, 3, size, size], **kwargs)
        metadata = {"model": name, "seed": args.seed, "source": "random"}
    else:
        model = build(name, **kwargs)
        model.load_state_dict(read_checkpoint(args.checkpoint), strict=True)
        metadata = {"model": name, "source": args.checkpoint}
    state = converted_state(model)
    save(args.out, state, metadata)
    count = sum(v.numel() for v in state.values())
    print(f"wrote {args.out}: {len(state)} tensors, {count} values ({name})")


if __name__ == "__main__":
    main()
