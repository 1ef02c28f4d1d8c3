using System.Numerics.Tensors;

namespace Streaming.Tensors;

// RMSNorm and LayerNorm over the last dimension, fused: one pass per row forward, one per row for
// the input's gradient (rows in parallel) and one serial pass for the weight and bias gradients.
// Each saves the input and the per-row statistics, and recomputes the normalized rows in backward.
public sealed partial class Tensor
{
    /// <summary>
    /// LLaMA's RMSNorm (HF LlamaRMSNorm): x * rsqrt(mean(x^2) + eps) * weight over the last dimension.
    /// x is (..., D) and weight (D).
    /// </summary>
    public static Tensor RmsNorm(Tensor x, Tensor weight, float eps)
    {
        int n = NormRowLength("rms_norm", x, weight, null, eps);
        int rows = n == 0 ? 0 : x.Size / n;
        var xc = x.Contiguous().Detach();
        var w = weight.Contiguous().Detach();
        var y = Zeros(x.Shape);
        var rstd = new float[rows];
        RowBlocks.For(rows, n, (start, end) =>
        {
            var ws = w.Data.AsSpan(w.Offset, n);
            for (int r = start; r < end; r++)
            {
                var xr = xc.Data.AsSpan(xc.Offset + r * n, n);
                var yr = y.Data.AsSpan(r * n, n);
                rstd[r] = 1f / MathF.Sqrt(TensorPrimitives.Dot(xr, xr) / n + eps);
                TensorPrimitives.Multiply(xr, rstd[r], yr);
                TensorPrimitives.Multiply(yr, ws, yr);
            }
        });
        return Record("rms_norm", y, [x, weight], g =>
        {
            var gs = g.Contiguous();
            if (x.RequiresGrad)
            {
                // With xhat = x * rstd and dxhat = g * weight: dx = rstd * (dxhat - xhat * mean(dxhat * xhat)).
                var dx = Zeros(x.Shape);
                RowBlocks.For(rows, n, (start, end) =>
                {
                    var ws = w.Data.AsSpan(w.Offset, n);
                    for (int r = start; r < end; r++)
                    {
                        var xr = xc.Data.AsSpan(xc.Offset + r * n, n);
                        var dxr = dx.Data.AsSpan(r * n, n);
                        float s = rstd[r];
                        TensorPrimitives.Multiply(gs.Data.AsSpan(gs.Offset + r * n, n), ws, dxr);
                        float c = s * s * s * TensorPrimitives.Dot(dxr, xr) / n;
                        TensorPrimitives.Multiply(dxr, s, dxr);
                        TensorPrimitives.MultiplyAdd(xr, -c, dxr, dxr);
                    }
                });
                x.AccumulateOwnedGrad(dx);
            }
            if (weight.RequiresGrad)
            {
                var dw = Zeros(n);
                var xhatG = new float[n];
                for (int r = 0; r < rows; r++)
                {
                    TensorPrimitives.Multiply(xc.Data.AsSpan(xc.Offset + r * n, n), gs.Data.AsSpan(gs.Offset + r * n, n), xhatG);
                    TensorPrimitives.MultiplyAdd(xhatG, rstd[r], dw.Span, dw.Span);
                }
                weight.AccumulateOwnedGrad(dw);
            }
        });
    }

    /// <summary>
    /// LayerNorm over the last dimension: (x - mean) / sqrt(var + eps) * weight + bias, with the biased
    /// variance as torch.nn.functional.layer_norm. x is (..., D); weight and bias are (D) or null.
    /// </summary>
    public static Tensor LayerNorm(Tensor x, Tensor? weight, Tensor? bias, float eps)
    {
        int n = NormRowLength("layer_norm", x, weight, bias, eps);
        int rows = n == 0 ? 0 : x.Size / n;
        var xc = x.Contiguous().Detach();
        var w = weight?.Contiguous().Detach();
        var b = bias?.Contiguous().Detach();
        var y = Zeros(x.Shape);
        var mean = new float[rows];
        var rstd = new float[rows];
        RowBlocks.For(rows, n, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var xr = xc.Data.AsSpan(xc.Offset + r * n, n);
                var yr = y.Data.AsSpan(r * n, n);
                mean[r] = TensorPrimitives.Sum(xr) / n;
                // Two passes (centre, then square) keep the variance accurate when |mean| >> std.
                TensorPrimitives.Subtract(xr, mean[r], yr);
                rstd[r] = 1f / MathF.Sqrt(TensorPrimitives.Dot(yr, yr) / n + eps);
                TensorPrimitives.Multiply(yr, rstd[r], yr);
                if (w is not null) TensorPrimitives.Multiply(yr, w.Data.AsSpan(w.Offset, n), yr);
                if (b is not null) TensorPrimitives.Add(yr, b.Data.AsSpan(b.Offset, n), yr);
            }
        });
        Tensor[] inputs = [.. new[] { x, weight, bias }.OfType<Tensor>()];
        return Record("layer_norm", y, inputs, g =>
        {
            var gs = g.Contiguous();
            if (x.RequiresGrad)
            {
                // With dxhat = g * weight: dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
                var dx = Zeros(x.Shape);
                RowBlocks.For(rows, n, (start, end) =>
                {
                    var xhat = new float[n];
                    for (int r = start; r < end; r++)
                    {
                        var dxr = dx.Data.AsSpan(r * n, n);
                        var gr = gs.Data.AsSpan(gs.Offset + r * n, n);
                        if (w is null) gr.CopyTo(dxr);
                        else TensorPrimitives.Multiply(gr, w.Data.AsSpan(w.Offset, n), dxr);
                        Normalized(xc.Data.AsSpan(xc.Offset + r * n, n), mean[r], rstd[r], xhat);
                        float meanDxhat = TensorPrimitives.Sum(dxr) / n;
                        float meanDxhatXhat = TensorPrimitives.Dot(dxr, xhat) / n;
                        TensorPrimitives.Subtract(dxr, meanDxhat, dxr);
                        TensorPrimitives.MultiplyAdd(xhat, -meanDxhatXhat, dxr, dxr);
                        TensorPrimitives.Multiply(dxr, rstd[r], dxr);
                    }
                });
                x.AccumulateOwnedGrad(dx);
            }
            if (weight is not null && weight.RequiresGrad)
            {
                var dw = Zeros(n);
                var xhat = new float[n];
                for (int r = 0; r < rows; r++)
                {
                    Normalized(xc.Data.AsSpan(xc.Offset + r * n, n), mean[r], rstd[r], xhat);
                    TensorPrimitives.MultiplyAdd(xhat, gs.Data.AsSpan(gs.Offset + r * n, n), dw.Span, dw.Span);
                }
                weight.AccumulateOwnedGrad(dw);
            }
            if (bias is not null && bias.RequiresGrad) bias.AccumulateGrad(gs.Reshape(rows, n).Sum(0));
        });
    }

    static void Normalized(ReadOnlySpan<float> x, float mean, float rstd, Span<float> xhat)
    {
        TensorPrimitives.Subtract(x, mean, xhat);
        TensorPrimitives.Multiply(xhat, rstd, xhat);
    }

    /// <summary>Checks the shapes of a last-dimension norm and returns the normalized length D.</summary>
    static int NormRowLength(string op, Tensor x, Tensor? weight, Tensor? bias, float eps)
    {
        if (x.Rank == 0) throw new ArgumentException($"{op}: x must have at least one dimension, got shape {Format(x.Shape)}.", nameof(x));
        int n = x.Shape[^1];
        if (weight is not null && (weight.Rank != 1 || weight.Shape[0] != n))
            throw new ArgumentException($"{op}: weight {Format(weight.Shape)} does not match the last dimension of x {Format(x.Shape)}; expected ({n}).", nameof(weight));
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != n))
            throw new ArgumentException($"{op}: bias {Format(bias.Shape)} does not match the last dimension of x {Format(x.Shape)}; expected ({n}).", nameof(bias));
        if (!(eps >= 0f)) throw new ArgumentOutOfRangeException(nameof(eps), $"{op}: eps must be non-negative, got {eps}.");
        return n;
    }
}
