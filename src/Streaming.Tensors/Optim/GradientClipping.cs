using System.Numerics.Tensors;

namespace Streaming.Tensors.Optim;

/// <summary>torch.nn.utils.clip_grad_norm_: scales all gradients so their joint L2 norm is at most maxNorm.</summary>
public static class GradientClipping
{
    /// <summary>Returns the total norm before clipping.</summary>
    public static float ClipNorm(IEnumerable<(string Name, Tensor Value)> parameters, float maxNorm)
    {
        var grads = parameters.Select(p => p.Value.Grad).OfType<Tensor>().ToList();
        double sumSquares = 0;
        foreach (var g in grads) sumSquares += TensorPrimitives.SumOfSquares(g.Span);
        float total = (float)Math.Sqrt(sumSquares);
        float scale = maxNorm / (total + 1e-6f);
        if (scale < 1f)
            foreach (var g in grads) TensorPrimitives.Multiply(g.Span, scale, g.Span);
        return total;
    }
}
