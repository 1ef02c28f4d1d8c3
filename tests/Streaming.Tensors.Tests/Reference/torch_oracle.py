"""PyTorch oracle for the engine's tests.

Reads a JSON list of cases on stdin. Each case names a Python expression over inputs x0, x1, ...
(`torch`, `F` = torch.nn.functional, and every `ref_*.py` module beside this file by its name are in
scope), the inputs (data, shape, dtype, whether they need gradients) and the gradient of the output.
For each case prints the output and the inputs' gradients, computed in float64 unless the case asks
for float32. Any error is reported per case, so one bad case does not hide the others.
"""
import importlib.util
import json
import math
import pathlib
import sys
import traceback

import torch
import torch.nn.functional as F

HERE = pathlib.Path(__file__).resolve().parent
SCOPE = {"torch": torch, "F": F, "math": __import__("math")}
for path in sorted(HERE.glob("ref_*.py")):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    SCOPE[path.stem] = module


def tensor(spec, dtype):
    if spec.get("dtype") == "long":
        return torch.tensor(spec["data"], dtype=torch.long).reshape(spec["shape"])
    if spec.get("dtype") == "bool":
        return torch.tensor(spec["data"], dtype=torch.bool).reshape(spec["shape"])
    t = torch.tensor([float(v) for v in spec["data"]], dtype=dtype).reshape(spec["shape"])
    return t.requires_grad_(bool(spec.get("grad", False)))


def number(v):
    """JSON has no NaN or Infinity: non-finite values travel as the strings float() reads back."""
    return v if math.isfinite(v) else str(v).replace("inf", "Infinity").replace("nan", "NaN")


def flat(t):
    return {"shape": list(t.shape), "data": [number(v) for v in t.detach().to(torch.float64).reshape(-1).tolist()]}


def run(case):
    dtype = torch.float32 if case.get("float32") else torch.float64
    torch.manual_seed(case.get("seed", 0))
    inputs = [tensor(s, dtype) for s in case["inputs"]]
    names = ", ".join(f"x{i}" for i in range(len(inputs)))
    fn = eval(f"lambda {names}: {case['expr']}", SCOPE)
    out = fn(*inputs)
    result = {"output": flat(out)}
    needs = [x for x in inputs if x.is_floating_point() and x.requires_grad]
    if needs and "grad_out" in case:
        g = torch.tensor([float(v) for v in case["grad_out"]], dtype=out.dtype).reshape(out.shape)
        out.backward(g)
        result["grads"] = [flat(x.grad) if x.is_floating_point() and x.requires_grad and x.grad is not None else None for x in inputs]
    return result


def main():
    cases = json.load(sys.stdin)
    results = []
    for case in cases:
        try:
            results.append(run(case))
        except Exception:  # reported per case to the C# side
            results.append({"error": traceback.format_exc()})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
