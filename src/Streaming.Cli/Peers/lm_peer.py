"""PyTorch peer for `streaming bench lm`: prefill of a LLaMA-style decoder (random weights, float32, CPU).

The model follows transformers' modeling_llama: embedding, per layer x + attn(rmsnorm(x)) with rotary positions and
grouped-query attention, x + swiglu(rmsnorm(x)), final norm, LM head. Prefill = the forward over B x T prompt tokens
under no_grad and the logits of the last position, what generation needs before its first token.

usage: lm_peer.py B T D LAYERS HEADS KV_HEADS FFN VOCAB THREADS REPEATS
prints {"prefill_ms": .., "peak_rss_mb": ..}
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

B, T, D, L, H, HKV, FFN, V, THREADS, REPEATS = (int(a) for a in sys.argv[1:11])
torch.set_num_threads(THREADS)
torch.manual_seed(0)
HD = D // H


def p(*shape):
    return torch.randn(*shape) * 0.02


layers = [{"n1": torch.ones(D), "n2": torch.ones(D), "q": p(H * HD, D), "k": p(HKV * HD, D), "v": p(HKV * HD, D),
           "o": p(D, H * HD), "g": p(FFN, D), "u": p(FFN, D), "d": p(D, FFN)} for _ in range(L)]
embed, norm, head = p(V, D), torch.ones(D), p(V, D)
inv_freq = 1.0 / (10000 ** (torch.arange(0, HD, 2).float() / HD))
freqs = torch.outer(torch.arange(T).float(), inv_freq)
emb = torch.cat((freqs, freqs), dim=-1)
cos, sin = emb.cos(), emb.sin()
mask = torch.full((T, T), float("-inf")).triu(1)


def rms_norm(x, w, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x):
    x1, x2 = x[..., : HD // 2], x[..., HD // 2:]
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


def layer(x, w):
    h = rms_norm(x, w["n1"])
    q = rope(F.linear(h, w["q"]).view(B, T, H, HD).transpose(1, 2))
    k = rope(F.linear(h, w["k"]).view(B, T, HKV, HD).transpose(1, 2)).repeat_interleave(H // HKV, dim=1)
    v = F.linear(h, w["v"]).view(B, T, HKV, HD).transpose(1, 2).repeat_interleave(H // HKV, dim=1)
    att = (q @ k.transpose(-2, -1)) / HD ** 0.5 + mask
    y = att.softmax(-1) @ v
    x = x + F.linear(y.transpose(1, 2).reshape(B, T, H * HD), w["o"])
    h = rms_norm(x, w["n2"])
    return x + F.linear(F.silu(F.linear(h, w["g"])) * F.linear(h, w["u"]), w["d"])


tokens = torch.randint(0, V, (B, T))


def prefill():
    with torch.no_grad():
        x = F.embedding(tokens, embed)
        for w in layers:
            x = layer(x, w)
        return F.linear(rms_norm(x[:, -1], norm), head)


prefill()
times = []
for _ in range(REPEATS):
    start = time.perf_counter()
    prefill()
    times.append(time.perf_counter() - start)
times.sort()


def peak_rss_mb():
    # VmHWM, not getrusage: on Linux ru_maxrss carries the parent's peak across fork and exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


print(json.dumps({"prefill_ms": times[len(times) // 2] * 1000, "peak_rss_mb": peak_rss_mb()}))
