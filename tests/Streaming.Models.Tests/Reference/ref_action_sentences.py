"""PyTorch references for the action-sentence tokenizer (LLM-AR's VQ-VAE): the ops beside it in
src/Streaming.Models/ActionSentences (codebooks, Gumbel-softmax, Poincare ball, MMD) and the whole loss.
"""
import math

import torch
import torch.nn.functional as F


def sqdist(x, c):
    """Pairwise squared distances (N, K), spelled out as differences."""
    return ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1)


def nearest_index(x, c):
    return sqdist(x, c).argmin(1)


def vq(x, c):
    """Nearest codebook rows with the straight-through gradient of VQ-VAE."""
    q = c[nearest_index(x, c)]
    return x + (q - x).detach()


def gumbel_softmax(logits, gumbels, tau, hard, dim=-1):
    """F.gumbel_softmax's body with its noise passed in."""
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = torch.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


# Poincare ball of curvature -c, with the engine's clamping: norms at most 1/sqrt(c) - 1e-5, arccosh argument >= 1 + 1e-12.
BOUNDARY_MARGIN = 1e-5
MIN_ARCOSH_EXCESS = 1e-12


def expmap0(v, c=1.0):
    s = math.sqrt(c)
    n = v.norm(dim=-1, keepdim=True)
    r = (torch.tanh(s * n) / s).clamp_max(1 / s - BOUNDARY_MARGIN)
    return r * v / n


def logmap0(y, c=1.0):
    s = math.sqrt(c)
    n = y.norm(dim=-1, keepdim=True)
    r = torch.atanh(s * n.clamp_max(1 / s - BOUNDARY_MARGIN)) / s
    return r * y / n


def poincare_dist(x, y, c=1.0, pairwise=False):
    if pairwise:
        x, y = x[:, None, :], y[None, :, :]  # (N, 1, D), (1, K, D)
    s = math.sqrt(c)
    min_factor = 1 - c * (1 / s - BOUNDARY_MARGIN) ** 2
    a = (1 - c * (x * x).sum(-1)).clamp_min(min_factor)
    b = (1 - c * (y * y).sum(-1)).clamp_min(min_factor)
    t = (2 * c * ((x - y) ** 2).sum(-1) / (a * b)).clamp_min(MIN_ARCOSH_EXCESS)
    return torch.acosh(1 + t) / s
