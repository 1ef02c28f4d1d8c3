"""Explicit PyTorch references for the sequence ops (attention, RoPE).

torch 1.13 has no F.scaled_dot_product_attention, so attention is spelled out: scores, masks, softmax,
weighted sum, with repeat_interleave for grouped-query attention.
"""
import math

import torch
import torch.nn.functional as F


def sdpa(q, k, v, causal=False, padding=None, scale=None):
    """q (B, H, Tq, D), k (B, Hkv, Tk, D), v (B, Hkv, Tk, Dv); padding (B, Tk), nonzero = ignored.

    Causal is bottom-right aligned: query i sees keys j <= i + (Tk - Tq). Rows that see no key give zeros.
    """
    B, H, Tq, D = q.shape
    Hkv, Tk = k.shape[1], k.shape[2]
    k = k.repeat_interleave(H // Hkv, dim=1)  # (B, H, Tk, D)
    v = v.repeat_interleave(H // Hkv, dim=1)  # (B, H, Tk, Dv)
    scale = 1.0 / math.sqrt(D) if scale is None else scale
    scores = q @ k.transpose(-1, -2) * scale  # (B, H, Tq, Tk)
    allowed = torch.ones(B, 1, Tq, Tk, dtype=torch.bool)
    if causal:
        allowed = allowed & torch.ones(Tq, Tk, dtype=torch.bool).tril(diagonal=Tk - Tq)
    if padding is not None:
        allowed = allowed & ~padding.bool()[:, None, None, :]
    any_key = allowed.any(-1, keepdim=True)
    scores = scores.masked_fill(~allowed, float("-inf")).masked_fill(~any_key, 0.0)
    p = F.softmax(scores, dim=-1) * allowed
    return p @ v


def causal_top_left(q, k, v):
    """What torch 2's is_causal=True computes (top-left aligned lower triangle), for Tq == Tk."""
    Tq, Tk = q.shape[2], k.shape[2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    mask = torch.ones(Tq, Tk, dtype=torch.bool).tril()
    return F.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1) @ v


def rope(x, positions, theta=10000.0):
    """transformers' apply_rotary_pos_emb (rotate_half layout) in float64; positions (T,) or (B*T,)."""
    B, H, T, D = x.shape
    inv_freq = 1.0 / (theta ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
    pos = positions.to(torch.float64).reshape(-1, T)  # (1 or B, T)
    freqs = pos[..., None] * inv_freq  # (1 or B, T, D/2)
    emb = torch.cat((freqs, freqs), dim=-1)[:, None]  # (1 or B, 1, T, D)
    x1, x2 = x[..., : D // 2], x[..., D // 2 :]
    return x * emb.cos() + torch.cat((-x2, x1), dim=-1) * emb.sin()
