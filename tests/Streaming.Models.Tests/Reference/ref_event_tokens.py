"""PyTorch reference for the event tokenizer (VT-LVLM-AR's Video-to-Event Mapper, src/Streaming.Models/EventTokens):
the saliency pooling and the whole loss, written from the method's equations rather than from the C# code.
"""
import torch
import torch.nn.functional as F


def segment_assignment(s, M):
    """Positive saliencies s (B, T) -> soft assignments a (B, M, T) of the frames to M segments."""
    c = (torch.cumsum(s, 1) - s / 2) / s.sum(1, keepdim=True)  # (B, T): sum_{tau<t} s + s_t / 2, normalized
    centres = (torch.arange(M, dtype=s.dtype) + 0.5) / M  # (M)
    sigma = 1 / (2 * M)
    return (-((c[:, None, :] - centres[None, :, None]) ** 2) / (2 * sigma**2)).softmax(-1)


def info_nce(z, B, M, tau):
    """Each segment (b, m < M-1) picks (b, m+1) among the batch's other segments, its predecessor left out."""
    zn = F.normalize(z, dim=1)
    logits = zn @ zn.T / tau  # (N, N)
    N = B * M
    i = torch.arange(N)
    m = i % M
    mask = torch.eye(N, dtype=torch.bool)
    mask[i[m > 0], i[m > 0] - 1] = True
    logits = logits.masked_fill(mask, float("-inf"))
    anchors = m < M - 1
    return F.cross_entropy(logits[anchors], i[anchors] + 1)


def loss_terms(x, p, M, uniform=False, alpha=1.0, beta=0.5, tau=0.1, commit_w=0.25):
    """EventTokenizer.Loss: [total, reconstruction, contrast, codebook, commitment].

    x (B, T, F) frames, p the parameters by their checkpoint names.
    """
    B, T, _ = x.shape
    v = torch.cat([torch.zeros_like(x[:, :1]), x[:, 1:] - x[:, :-1]], 1)  # velocities, 0 at t = 0
    f = torch.cat([x, v], 2)  # (B, T, 2F)
    h = F.conv1d(f.transpose(1, 2), p["encoder.conv1.weight"], p["encoder.conv1.bias"], padding=1).relu()
    h = F.conv1d(h, p["encoder.conv2.weight"], p["encoder.conv2.bias"], padding=1).relu().transpose(1, 2)  # (B, T, H)
    if uniform:
        s = torch.ones(B, T, dtype=x.dtype)
    else:
        s = F.softplus(F.linear(h, p["saliency.weight"], p["saliency.bias"]).squeeze(-1)) + 1e-3  # (B, T)
    a = segment_assignment(s, M)  # (B, M, T)
    z = F.linear(a @ h, p["projection.weight"], p["projection.bias"]).reshape(B * M, -1)  # (N, D)
    codebook = p["codebook"]
    q = codebook[((z[:, None, :] - codebook[None, :, :]) ** 2).sum(-1).argmin(1)]
    q_st = z + (q - z).detach()
    rec = F.linear(F.linear(q_st, p["decoder.fc1.weight"], p["decoder.fc1.bias"]).relu(), p["decoder.fc2.weight"], p["decoder.fc2.bias"])
    pooled = (a.detach() @ f).reshape(B * M, -1)  # (N, 2F)
    rec_loss = F.smooth_l1_loss(rec, pooled)
    codebook_loss = ((z.detach() - q) ** 2).sum(1).mean()
    commitment = ((z - q.detach()) ** 2).sum(1).mean()
    contrast = info_nce(z, B, M, tau)
    total = alpha * rec_loss + beta * contrast + codebook_loss + commit_w * commitment
    return torch.stack([total, rec_loss, contrast, codebook_loss, commitment])
