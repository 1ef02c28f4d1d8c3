using System.Numerics.Tensors;

namespace Streaming.Tensors;

// Inverted dropout: kept elements are scaled by 1 / (1 - p) during training so that evaluation is
// the identity. The backward multiplies by the same scaled mask, the only thing it saves.
public sealed partial class Tensor
{
    /// <summary>
    /// Zeroes each element with probability <paramref name="p"/> (drawn from <paramref name="rng"/>)
    /// and scales the rest by 1 / (1 - p); returns this tensor unchanged when not training or p is 0.
    /// </summary>
    public Tensor Dropout(float p, bool training, Random rng)
    {
        if (!(p >= 0f && p < 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout: probability {p} must be in [0, 1) (input {Format(Shape)}).");
        ArgumentNullException.ThrowIfNull(rng);
        if (!training || p == 0f) return this;
        float scale = 1f / (1f - p);
        var mask = new float[Size];
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextSingle() < p ? 0f : scale;
        var y = Zeros(Shape);
        var x = Contiguous().Detach();
        TensorPrimitives.Multiply(x.Data.AsSpan(x.Offset, Size), mask, y.Span);
        return Record("dropout", y, [this], g =>
        {
            var dx = Zeros(Shape);
            TensorPrimitives.Multiply(g.Contiguous().Span, mask, dx.Span);
            AccumulateGrad(dx);
        });
    }
}
