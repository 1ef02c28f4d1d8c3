"""Reference implementations of the nn ops that are longer than an expression (in scope as ref_nn)."""
import torch
import torch.nn.functional as F


def rms_norm(x, weight, eps):
    """HF LlamaRMSNorm.forward (without the dtype round trip: the oracle runs in one dtype)."""
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def js_div(p, q):
    """Jensen-Shannon divergence along the last dimension, averaged over the other positions."""
    log_m = (0.5 * (p + q)).log()
    pointwise = 0.5 * (F.kl_div(log_m, p, reduction="none") + F.kl_div(log_m, q, reduction="none"))
    return pointwise.sum(-1).mean()
