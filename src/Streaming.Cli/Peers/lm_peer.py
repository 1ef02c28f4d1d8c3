"""PyTorch peer for `streaming bench lm`: prefill of a LLaMA-style decoder (random weights, float32, CPU).

The model follows transformers' modeling_llama: embedding, per layer x + attn(rmsnorm(x)) with rotary positions and
grouped-query attention, x + swiglu(rmsnorm(x)), final norm, LM head. Prefill = the forward over B x T prompt tokens
under no_grad and the logits of the last position, what generation needs before its first token.

Decode (with STEPS > 0) continues each row from a T-token prompt one token at a time for STEPS tokens through a
key/value cache preallocated for T + STEPS positions (a static cache, as transformers' StaticCache), each step the
logits of the new position; decode_ms is the time of the STEPS steps, prefill of the prompt excluded.

usage: lm_peer.py B T D LAYERS HEADS KV_HEADS FFN VOCAB THREADS REPEATS [STEPS]
prints {"prefill_ms": .., "decode_ms": .. (with STEPS), "peak_rss_mb": ..}
"""
import json
import sys
import time

import torch
import torch.nn.functional as F

B, T, D, L, H, HKV, FFN, V, THREADS, REPEATS = (int(a) for a in sys.argv[1:11])
STEPS = int(sys.argv[11]) if len(sys.argv) > 11 else 0
torch.set_num_threads(THREADS)
torch.manual_seed(0)
HD = D // H


def p(*shape):
    return torch.randn(*shape) * 0.02


layers = [{"n1": torch.ones(D), "n2": torch.ones(D), "q": p(H * HD, D), "k": p(HKV * HD, D), "v": p(HKV * HD, D),
           "o": p(D, H * HD), "g": p(FFN, D), "u": p(FFN, D), "d": p(D, FFN)} for _ in range(L)]
embed, norm, head = p(V, D), torch.ones(D), p(V, D)
inv_freq = 1.0 / (10000 ** (torch.arange(0, HD, 2).float() / HD))
freqs = torch.outer(torch.arange(T + STEPS).float(), inv_freq)
emb = torch.cat((freqs, freqs), dim=-1)
cos_all, sin_all = emb.cos(), emb.sin()
cos, sin = cos_all[:T], sin_all[:T]
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


def rope_at(x, pos):
    c, s_ = cos_all[pos: pos + x.shape[-2]], sin_all[pos: pos + x.shape[-2]]
    x1, x2 = x[..., : HD // 2], x[..., HD // 2:]
    return x * c + torch.cat((-x2, x1), dim=-1) * s_


def cached_layer(x, w, ck, cv, pos):
    # x (B, n, D) at positions pos .. pos + n - 1; ck/cv (B, HKV, T + STEPS, HD) filled up to pos.
    n = x.shape[1]
    h = rms_norm(x, w["n1"])
    q = rope_at(F.linear(h, w["q"]).view(B, n, H, HD).transpose(1, 2), pos)
    ck[:, :, pos: pos + n] = rope_at(F.linear(h, w["k"]).view(B, n, HKV, HD).transpose(1, 2), pos)
    cv[:, :, pos: pos + n] = F.linear(h, w["v"]).view(B, n, HKV, HD).transpose(1, 2)
    k = ck[:, :, : pos + n].repeat_interleave(H // HKV, dim=1)
    v = cv[:, :, : pos + n].repeat_interleave(H // HKV, dim=1)
    att = (q @ k.transpose(-2, -1)) / HD ** 0.5
    if n > 1:  # the prompt (pos 0): causal; a single new token attends everything cached
        att = att + mask
    y = att.softmax(-1) @ v
    x = x + F.linear(y.transpose(1, 2).reshape(B, n, H * HD), w["o"])
    h = rms_norm(x, w["n2"])
    return x + F.linear(F.silu(F.linear(h, w["g"])) * F.linear(h, w["u"]), w["d"])


def decode():
    with torch.no_grad():
        cache = [(torch.zeros(B, HKV, T + STEPS, HD), torch.zeros(B, HKV, T + STEPS, HD)) for _ in layers]
        x = F.embedding(tokens, embed)
        for w, (ck, cv) in zip(layers, cache):
            x = cached_layer(x, w, ck, cv, 0)
        next_tokens = torch.randint(0, V, (STEPS, B, 1))
        start = time.perf_counter()
        for step in range(STEPS):
            x = F.embedding(next_tokens[step], embed)
            for w, (ck, cv) in zip(layers, cache):
                x = cached_layer(x, w, ck, cv, T + step)
            F.linear(rms_norm(x[:, -1], norm), head)
        return time.perf_counter() - start


result = {"prefill_ms": times[len(times) // 2] * 1000}
if STEPS > 0:
    decode()
    decode_times = sorted(decode() for _ in range(REPEATS))
    result["decode_ms"] = decode_times[len(decode_times) // 2] * 1000
result["peak_rss_mb"] = peak_rss_mb()
print(json.dumps(result))
