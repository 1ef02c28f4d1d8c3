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


def mmd_gaussian(x, y, sigma):
    """Biased MMD^2 with k(a, b) = exp(-|a - b|^2 / (2 sigma^2)), distances spelled out as differences."""
    k = lambda a, b: torch.exp(-sqdist(a, b) / (2 * sigma**2))
    return k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean()


def zipf(U, alpha, beta, dtype=torch.float64):
    r = torch.arange(1, U + 1, dtype=dtype)
    p = (r + beta) ** -alpha
    return p / p.sum()


def js(p, q):
    m = 0.5 * (p + q)
    return 0.5 * (p * (p / m).log()).sum() + 0.5 * (q * (q / m).log()).sum()


def tokenizer_loss_terms(x, noise, lm_emb, p, c=1.0, tau=1.0, alpha=1.0, beta=2.7, sigma=1.0, commit_w=0.02, human_w=0.2):
    """ActionSentenceTokenizer.Loss written independently: [total, reconstruction, codebook, commitment, zipf, context, mmd].

    x (B, T, C) frames, noise (B*W, U) Gumbel noise, lm_emb (V, D), p the parameters by their checkpoint names.
    """
    B, T, C = x.shape
    h = x.transpose(1, 2)  # (B, C, T)
    h = F.conv1d(h, p["encoder.conv_in.weight"], p["encoder.conv_in.bias"], padding=1).relu()
    h = F.conv1d(h, p["encoder.down1.weight"], p["encoder.down1.bias"], stride=2, padding=1).relu()
    h = F.conv1d(h, p["encoder.down2.weight"], p["encoder.down2.bias"], stride=2, padding=1).relu()
    z = F.conv1d(h, p["encoder.conv_out.weight"], p["encoder.conv_out.bias"], padding=1)  # (B, D, W)
    D, W = z.shape[1], z.shape[2]
    y = expmap0(z.transpose(1, 2).reshape(B * W, D), c)  # (N, D)
    points = expmap0(p["codebook"], c)  # (U, D)
    U = points.shape[0]
    dist = poincare_dist(y, points, c, pairwise=True)  # (N, U)
    ids = dist.argmin(1)
    q = y + (points[ids] - y).detach()
    h = logmap0(q, c).reshape(B, W, D).transpose(1, 2)  # (B, D, W)
    h = F.conv1d(h, p["decoder.conv_in.weight"], p["decoder.conv_in.bias"], padding=1).relu()
    h = F.conv_transpose1d(h, p["decoder.up1.weight"], p["decoder.up1.bias"], stride=2, padding=1).relu()
    h = F.conv_transpose1d(h, p["decoder.up2.weight"], p["decoder.up2.bias"], stride=2, padding=1).relu()
    x_hat = F.conv1d(h, p["decoder.conv_out.weight"], p["decoder.conv_out.bias"], padding=1).transpose(1, 2)  # (B, 4W, C)
    rec = F.smooth_l1_loss(x_hat, x[:, : 4 * W])
    chosen = points[ids]
    codebook = (poincare_dist(y.detach(), chosen, c) ** 2).mean()
    commitment = (poincare_dist(y, chosen.detach(), c) ** 2).mean()
    soft = ((-dist + noise) / tau).softmax(-1)  # (N, U)
    ranked = soft.mean(0).sort(descending=True)[0]
    zipf_loss = js(ranked, zipf(U, alpha, beta, x.dtype))
    per_seq = soft.reshape(B, W, U).mean(1)  # (B, U)
    context = ((per_seq[:, : U // 2] - per_seq[:, U // 2 :]) ** 2).sum(1).mean()
    mmd = mmd_gaussian(p["codebook"], lm_emb, sigma)
    total = rec + codebook + commit_w * commitment + human_w * (zipf_loss + context + mmd)
    return torch.stack([total, rec, codebook, commitment, zipf_loss, context, mmd])
