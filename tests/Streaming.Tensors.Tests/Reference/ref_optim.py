"""Reference optimizer runs for the engine's tests: torch.optim on given gradients."""
import torch


def adamw(w0, grads, lr, beta1, beta2, eps, weight_decay):
    """Final weights after one AdamW step per row of `grads` (steps, *w0.shape)."""
    w = torch.nn.Parameter(w0.detach().clone())
    opt = torch.optim.AdamW([w], lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
    for g in grads:
        w.grad = g.clone()
        opt.step()
    return w.detach()


def clip(grads, max_norm):
    """Gradients after torch.nn.utils.clip_grad_norm_ over a list given as rows of `grads`."""
    ps = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(ps, max_norm)
    return torch.stack([p.grad for p in ps])
