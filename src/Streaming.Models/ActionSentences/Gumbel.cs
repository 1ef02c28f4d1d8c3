using Streaming.Tensors;

namespace Streaming.Models.ActionSentences;

/// <summary>
/// Gumbel-softmax (Jang et al., Maddison et al.): a differentiable sample from the categorical distribution
/// softmax(logits). The softmax is written inline so the op stands alone; its backward is the softmax
/// Jacobian-vector product divided by tau.
/// </summary>
public static class Gumbel
{
    /// <summary>Gumbel(0, 1) noise -log(-log u) of the given shape, u uniform in (0, 1).</summary>
    public static Tensor Noise(Random rng, params int[] shape)
    {
        var noise = Tensor.Zeros(shape);
        for (int i = 0; i < noise.Size; i++)
        {
            // u in (0, 1): u = 0 would give -log(0) = inf inside the outer log.
            double u;
            do u = rng.NextDouble(); while (u == 0.0);
            noise.Data[i] = (float)-Math.Log(-Math.Log(u));
        }
        return noise;
    }

    /// <summary>
    /// torch.nn.functional.gumbel_softmax over these logits: softmax((logits + g) / tau) along
    /// <paramref name="dim"/> with g ~ Gumbel(0, 1) drawn from <paramref name="rng"/>.
    /// </summary>
    public static Tensor GumbelSoftmax(this Tensor logits, float tau, bool hard, Random rng, int dim = -1) =>
        logits.GumbelSoftmax(Noise(rng, (int[])logits.Shape.Clone()), tau, hard, dim);

    /// <summary>
    /// Gumbel-softmax with the noise given (same shape as the logits; it gets no gradient), so a run can
    /// be replayed or compared with PyTorch. With <paramref name="hard"/> the forward value is the one-hot
    /// of the argmax and the gradient is the soft sample's (straight-through).
    /// </summary>
    public static Tensor GumbelSoftmax(this Tensor logits, Tensor gumbelNoise, float tau, bool hard, int dim = -1)
    {
        var shape = logits.Shape;
        if (!Tensor.SameShape(gumbelNoise.Shape, shape))
            throw new ArgumentException($"gumbel_softmax: noise {Tensor.Format(gumbelNoise.Shape)} does not match logits {Tensor.Format(shape)}.");
        if (!(tau > 0f)) throw new ArgumentOutOfRangeException(nameof(tau), $"gumbel_softmax: tau {tau} must be positive (logits {Tensor.Format(shape)}).");
        int d = logits.Dim(dim);
        int outer = Tensor.Numel(shape.AsSpan(0, d)), n = shape[d], inner = Tensor.Numel(shape.AsSpan(d + 1));
        var x = logits.ToArray();
        var noise = gumbelNoise.ToArray();
        var soft = new float[logits.Size];
        var result = hard ? Tensor.Zeros(shape) : new Tensor(soft, (int[])shape.Clone());
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int start = o * n * inner + i;
                float max = float.NegativeInfinity;
                int argMax = 0;
                for (int j = 0, p = start; j < n; j++, p += inner)
                {
                    soft[p] = (x[p] + noise[p]) / tau;
                    if (soft[p] > max) { max = soft[p]; argMax = j; }
                }
                float sum = 0f;
                for (int j = 0, p = start; j < n; j++, p += inner) sum += soft[p] = MathF.Exp(soft[p] - max);
                for (int j = 0, p = start; j < n; j++, p += inner) soft[p] /= sum;
                if (hard && n > 0) result.Data[start + argMax * inner] = 1f;
            }

        return Tensor.CustomOp("gumbel_softmax", result, [logits], g =>
        {
            // d/dlogits = y * (g - sum_j g_j y_j) / tau, with y the soft sample in both modes.
            var gs = g.Span;
            var dx = Tensor.Zeros(shape);
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int start = o * n * inner + i;
                    float dot = 0f;
                    for (int j = 0, p = start; j < n; j++, p += inner) dot += gs[p] * soft[p];
                    for (int j = 0, p = start; j < n; j++, p += inner) dx.Data[p] = soft[p] * (gs[p] - dot) / tau;
                }
            return [dx];
        });
    }
}
