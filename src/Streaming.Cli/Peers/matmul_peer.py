"""GEMM peer for `streaming bench engine`: torch.matmul GFLOP/s for (M, K, N) shapes on a given thread count.

usage: matmul_peer.py THREADS REPEATS M,K,N [M,K,N ...]
Prints one JSON document: {"torch": version, "threads": t, "omp_wait_policy": .., "results": [{"m", "k", "n", "gflops"}]}, where gflops
is the median over REPEATS timed batches after a warm-up, each batch long enough (~50 ms) for the clock.
"""
import json
import os
import statistics
import sys
import time

threads = int(sys.argv[1])
repeats = int(sys.argv[2])
shapes = [tuple(int(x) for x in s.split(",")) for s in sys.argv[3:]]

# Debian's torch multiplies through the system BLAS (OpenBLAS), which reads its thread count at load time.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(threads)

import torch  # noqa: E402  (after the environment above)

torch.set_num_threads(threads)
torch.manual_seed(0)

results = []
for m, k, n in shapes:
    a = torch.randn(m, k)
    b = torch.randn(k, n)
    c = torch.empty(m, n)
    flops = 2.0 * m * k * n
    torch.matmul(a, b, out=c)
    start = time.perf_counter()
    torch.matmul(a, b, out=c)
    once = max(time.perf_counter() - start, 1e-6)
    batch = max(1, int(0.05 / once))
    for _ in range(batch):  # warm-up
        torch.matmul(a, b, out=c)
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batch):
            torch.matmul(a, b, out=c)
        rates.append(flops * batch / (time.perf_counter() - start) / 1e9)
    results.append({"m": m, "k": k, "n": n, "gflops": statistics.median(rates)})

print(json.dumps({"torch": torch.__version__, "threads": threads, "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
                  "results": results}))
