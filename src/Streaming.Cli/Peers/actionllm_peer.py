"""PyTorch peer for `streaming bench anticipator`: ActionLLM training steps, float32 on the CPU.

The same architecture as Streaming.Models.Anticipation.ActionLlm (label-only): each observed step's text feature (a
fixed (K, C) table), N learnable action queries, the Cross-Modality Interaction Block in width D (self- and cross-
attention of the text steps and the queries, sinusoidal positions, Linear-SiLU-Linear FFNs, RMSNorms), the residual
projections back to C, the join norm, the action-tuning bottleneck with dropout, a frozen LLaMA-style decoder
(rotary positions, grouped-query causal attention, SwiGLU; weights random: only the speed is measured), and the past,
future and duration heads. Loss per observation: cross-entropy of the future classes and of the observed labels, and
the squared error of the real segments' durations; the mean over the batch. Then backward (into the frozen decoder's
input, not its weights), gradient clipping to norm 1 and AdamW, as ActionLlmTraining.Step.

A batch pads observations to the longest: padded steps are masked out of every attention, and the decoder's rotary
positions count only a row's own steps, as ours does.

usage: actionllm_peer.py SPEC.json THREADS SECONDS
  SPEC.json: the model's sizes and the batches of observations (written by the bench)
prints {"examples_per_s": .., "peak_rss_mb": ..}: a warm-up round of at least a second, then the median of 5 rounds of
SECONDS / 5 each, cycling through the batches, as the bench times ours.
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

spec = json.load(open(sys.argv[1]))
THREADS, SECONDS = int(sys.argv[2]), float(sys.argv[3])
torch.set_num_threads(THREADS)
torch.manual_seed(0)

K, N, D, DH, TUNE, DROPOUT = spec["actions"], spec["queries"], spec["width"], spec["heads"], spec["tuning"], spec["dropout"]
lm = spec["lm"]
C, LAYERS, H, HKV, HD, FFN, EPS, THETA = lm["hidden"], lm["layers"], lm["heads"], lm["kv_heads"], lm["head_dim"], lm["ffn"], lm["eps"], lm["rope_theta"]


def rms_norm(x, w, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def attention(q, k, v, allowed=None):
    """softmax(q k^T / sqrt(d)) v, keys where allowed is False masked out (Debian's torch 1.13 has no fused attention)."""
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if allowed is not None:
        scores = scores.masked_fill(~allowed, float("-inf"))
    return scores.softmax(-1) @ v


class Decoder(nn.Module):
    """The frozen base model from its input embeddings to the final norm (no LM head: ActionLLM reads hidden states)."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList()
        for _ in range(LAYERS):
            layer = nn.Module()
            layer.q, layer.k = nn.Linear(C, H * HD, bias=False), nn.Linear(C, HKV * HD, bias=False)
            layer.v, layer.o = nn.Linear(C, HKV * HD, bias=False), nn.Linear(H * HD, C, bias=False)
            layer.g, layer.u, layer.d = nn.Linear(C, FFN, bias=False), nn.Linear(C, FFN, bias=False), nn.Linear(FFN, C, bias=False)
            layer.n1, layer.n2 = nn.Parameter(torch.ones(C)), nn.Parameter(torch.ones(C))
            self.layers.append(layer)
        self.norm = nn.Parameter(torch.ones(C))
        self.inv_freq = 1.0 / (THETA ** (torch.arange(0, HD, 2).float() / HD))

    def forward(self, x, positions, padding):
        b, t, _ = x.shape
        freqs = positions[..., None].float() * self.inv_freq                   # (B, T, HD/2)
        emb = torch.cat((freqs, freqs), dim=-1)[:, None]                        # (B, 1, T, HD)
        cos, sin = emb.cos(), emb.sin()
        allowed = torch.ones(t, t, dtype=torch.bool).tril()
        if padding is not None:
            allowed = allowed & ~padding[:, None, None, :]                     # (B, 1, T, T)

        def rope(z):
            z1, z2 = z[..., : HD // 2], z[..., HD // 2:]
            return z * cos + torch.cat((-z2, z1), dim=-1) * sin

        for w in self.layers:
            h = rms_norm(x, w.n1, EPS)
            q = rope(w.q(h).view(b, t, H, HD).transpose(1, 2))
            k = rope(w.k(h).view(b, t, HKV, HD).transpose(1, 2)).repeat_interleave(H // HKV, dim=1)
            v = w.v(h).view(b, t, HKV, HD).transpose(1, 2).repeat_interleave(H // HKV, dim=1)
            y = attention(q, k, v, allowed)
            x = x + w.o(y.transpose(1, 2).reshape(b, t, H * HD))
            h = rms_norm(x, w.n2, EPS)
            x = x + w.d(F.silu(w.g(h)) * w.u(h))
        return rms_norm(x, self.norm, EPS)


class CrossAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(D, D) for _ in range(4))

    def forward(self, x, y, y_padding=None):
        b, tx, ty, hd = x.shape[0], x.shape[1], y.shape[1], D // DH
        q = self.q(x).view(b, tx, DH, hd).transpose(1, 2)
        k = self.k(y).view(b, ty, DH, hd).transpose(1, 2)
        v = self.v(y).view(b, ty, DH, hd).transpose(1, 2)
        mask = None if y_padding is None else ~y_padding[:, None, None, :]
        return self.o(attention(q, k, v, mask).transpose(1, 2).reshape(b, tx, D))


def positional(x):
    t, d = x.shape[1], x.shape[2]
    p = torch.arange(t, dtype=torch.float64)[:, None]
    i = torch.arange(d)
    angle = p / torch.pow(10000.0, 2.0 * (i // 2).double() / d)
    pe = torch.where(i % 2 == 0, angle.sin(), angle.cos()).float()
    return x + pe


class ActionLlm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lm = Decoder().requires_grad_(False)
        self.register_buffer("label_features", torch.randn(K, C) * 0.02)
        self.queries = nn.Parameter(torch.full((N, C), 0.1))
        self.down_t, self.down_q, self.up_t, self.up_q = nn.Linear(C, D), nn.Linear(C, D), nn.Linear(D, C), nn.Linear(D, C)
        self.tt, self.tq, self.qq, self.qt = CrossAttention(), CrossAttention(), CrossAttention(), CrossAttention()
        self.ffn_t = nn.Sequential(nn.Linear(D, 4 * D), nn.SiLU(), nn.Linear(4 * D, D))
        self.ffn_q = nn.Sequential(nn.Linear(D, 4 * D), nn.SiLU(), nn.Linear(4 * D, D))
        self.t_norm1, self.t_norm2, self.q_norm1, self.q_norm2 = (nn.Parameter(torch.ones(D)) for _ in range(4))
        self.join_norm = nn.Parameter(torch.ones(C))
        self.tune_down, self.tune_up = nn.Linear(C, TUNE), nn.Linear(TUNE, C)
        self.past_head, self.future_head, self.duration_head = nn.Linear(C, K), nn.Linear(C, K + 1), nn.Linear(C, 1)

    def forward(self, observed):
        b, lengths = len(observed), [len(o) for o in observed]
        s = max(lengths)
        ids = torch.zeros(b, s, dtype=torch.long)
        for r, o in enumerate(observed):
            ids[r, : len(o)] = torch.tensor(o)
        padding = None if min(lengths) == s else torch.arange(s)[None, :] >= torch.tensor(lengths)[:, None]   # (B, S)
        text = self.label_features[ids]                                                                          # (B, S, C)
        query = self.queries[None].expand(b, N, C)
        t, q = positional(self.down_t(text)), positional(self.down_q(query))
        ot = self.tt(t, t, padding) + self.tq(t, q)
        oq = self.qq(q, q) + self.qt(q, t, padding)
        t, q = rms_norm(t + ot, self.t_norm1), rms_norm(q + oq, self.q_norm1)
        t, q = rms_norm(t + self.ffn_t(t), self.t_norm2), rms_norm(q + self.ffn_q(q), self.q_norm2)
        text, query = text + self.up_t(t), query + self.up_q(q)
        x = rms_norm(torch.cat((text, query), 1), self.join_norm)
        x = x + self.tune_up(F.dropout(self.tune_down(x), DROPOUT, self.training))
        positions = torch.empty(b, s + N, dtype=torch.long)
        for r, sr in enumerate(lengths):
            positions[r, :s] = torch.arange(s).clamp(max=sr - 1)
            positions[r, s:] = sr + torch.arange(N)
        lm_padding = None if padding is None else torch.cat((padding, torch.zeros(b, N, dtype=torch.bool)), 1)
        h = self.lm(x, positions, lm_padding)
        hq = h[:, s:]
        return self.past_head(h[:, :s]), self.future_head(hq), self.duration_head(hq).squeeze(-1), lengths


model = ActionLlm()
model.train()
trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
no_decay = lambda n: n.endswith("bias") or "norm" in n
optimizer = torch.optim.AdamW([
    {"params": [p for n, p in trainable if not no_decay(n)], "weight_decay": spec["weight_decay"]},
    {"params": [p for n, p in trainable if no_decay(n)], "weight_decay": 0.0}], lr=spec["learning_rate"])
batches = spec["batches"]
targets = [[(torch.tensor(e["observed"]), torch.tensor(e["classes"]), torch.tensor(e["durations"][: e["segments"]]), e["segments"]) for e in batch]
           for batch in batches]


def step(index):
    batch, target = batches[index], targets[index]
    past, future, durations, lengths = model([e["observed"] for e in batch])
    loss = 0
    for r, (observed, classes, duration, segments) in enumerate(target):
        row = F.cross_entropy(future[r], classes) + F.cross_entropy(past[r, : lengths[r]], observed)
        if segments > 0:
            row = row + F.mse_loss(durations[r, :segments], duration)
        loss = loss + row
    loss = loss / len(batch)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
    optimizer.step()
    return len(batch)


def median_rate():
    rates, index = [], 0
    for r in range(6):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < max(SECONDS / 5, 1.0 if r == 0 else 0) or done == 0:
            done += step(index % len(batches))
            index += 1
        rates.append(done / (time.perf_counter() - start))
    timed = sorted(rates[1:])
    return timed[len(timed) // 2]


def peak_rss_mb():
    # VmHWM, not getrusage: on Linux ru_maxrss carries the parent's peak across fork and exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


print(json.dumps({"examples_per_s": median_rate(), "peak_rss_mb": peak_rss_mb()}))
