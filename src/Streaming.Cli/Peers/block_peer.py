"""PyTorch peer for `streaming bench engine`: one LLaMA-style block (RMSNorm, attention with rotary
positions, SwiGLU), timed forward (no_grad) and forward+backward, float32 on the CPU.

usage: block_peer.py B T D HEADS FFN THREADS REPEATS -> prints {"forward_ms": .., "train_ms": .., "peak_rss_mb": ..}
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

B, T, D, H, FFN, THREADS, REPEATS = (int(a) for a in sys.argv[1:8])
torch.set_num_threads(THREADS)
torch.manual_seed(0)
HD = D // H


def rms_norm(x, w, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


inv_freq = 1.0 / (10000 ** (torch.arange(0, HD, 2).float() / HD))
freqs = torch.outer(torch.arange(T).float(), inv_freq)
emb = torch.cat((freqs, freqs), dim=-1)
cos, sin = emb.cos(), emb.sin()


def p(*shape):
    return (torch.randn(*shape) * 0.02).requires_grad_()


w = {"n1": torch.ones(D, requires_grad=True), "n2": torch.ones(D, requires_grad=True),
     "q": p(D, D), "k": p(D, D), "v": p(D, D), "o": p(D, D), "g": p(FFN, D), "u": p(FFN, D), "d": p(D, FFN)}
mask = torch.full((T, T), float("-inf")).triu(1)


def block(x):
    h = rms_norm(x, w["n1"])
    q = F.linear(h, w["q"]).view(B, T, H, HD).transpose(1, 2)
    k = F.linear(h, w["k"]).view(B, T, H, HD).transpose(1, 2)
    v = F.linear(h, w["v"]).view(B, T, H, HD).transpose(1, 2)
    q = q * cos + rotate_half(q) * sin
    k = k * cos + rotate_half(k) * sin
    att = (q @ k.transpose(-2, -1)) / HD ** 0.5 + mask
    y = att.softmax(-1) @ v
    x = x + F.linear(y.transpose(1, 2).reshape(B, T, D), w["o"])
    h = rms_norm(x, w["n2"])
    return x + F.linear(F.silu(F.linear(h, w["g"])) * F.linear(h, w["u"]), w["d"])


x = torch.randn(B, T, D)


def timed(fn):
    fn()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1000


def forward():
    with torch.no_grad():
        block(x)


def train():
    for t in w.values():
        t.grad = None
    block(x).sum().backward()


def peak_rss_mb():
    # VmHWM, not getrusage: on Linux ru_maxrss carries the parent's peak across fork and exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


print(json.dumps({"forward_ms": timed(forward), "train_ms": timed(train), "peak_rss_mb": peak_rss_mb()}))
