using System.Numerics.Tensors;

namespace Streaming.Tensors;

// Softmax and log-softmax with the row maximum subtracted first, so logits of any size stay finite.
// The fused kernels run along the last dimension; another dimension is moved last by a transpose.
// Both save only their output: softmax's and log-softmax's gradients are functions of it.
public sealed partial class Tensor
{
    /// <summary>exp(x - max) / sum(exp(x - max)) along <paramref name="dim"/>.</summary>
    public Tensor Softmax(int dim)
    {
        if (Rank == 0) return Reshape(1).Softmax(dim).Reshape();
        int d = Dim("softmax", dim);
        if (d != Rank - 1) return Transpose(d, -1).Softmax(-1).Transpose(d, -1);
        var (x, y, rows, n) = RowsLastDim();
        RowBlocks.For(rows, n, (start, end) =>
        {
            for (int r = start; r < end; r++) SoftmaxRow(x.Data.AsSpan(x.Offset + r * n, n), y.Data.AsSpan(r * n, n));
        });
        return Record("softmax", y, [this], g =>
        {
            var gs = g.Contiguous();
            var dx = Zeros(y.Shape);
            RowBlocks.For(rows, n, (start, end) =>
            {
                for (int r = start; r < end; r++)
                    SoftmaxBackwardRow(gs.Data.AsSpan(gs.Offset + r * n, n), y.Data.AsSpan(r * n, n), dx.Data.AsSpan(r * n, n));
            });
            AccumulateGrad(dx);
        });
    }

    static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        Exponential.Apply(y, y);
        TensorPrimitives.Multiply(y, 1f / TensorPrimitives.Sum(y), y);
    }

    // dx = y * (g - sum(g * y))
    static void SoftmaxBackwardRow(ReadOnlySpan<float> g, ReadOnlySpan<float> y, Span<float> dx)
    {
        TensorPrimitives.Subtract(g, TensorPrimitives.Dot(g, y), dx);
        TensorPrimitives.Multiply(dx, y, dx);
    }

    /// <summary>x - max - log(sum(exp(x - max))) along <paramref name="dim"/>: the log of <see cref="Softmax"/>, without its underflow.</summary>
    public Tensor LogSoftmax(int dim)
    {
        if (Rank == 0) return Reshape(1).LogSoftmax(dim).Reshape();
        int d = Dim("log_softmax", dim);
        if (d != Rank - 1) return Transpose(d, -1).LogSoftmax(-1).Transpose(d, -1);
        var (x, y, rows, n) = RowsLastDim();
        RowBlocks.For(rows, n, (start, end) =>
        {
            for (int r = start; r < end; r++)
            {
                var xr = x.Data.AsSpan(x.Offset + r * n, n);
                var yr = y.Data.AsSpan(r * n, n);
                var (max, logSum) = LogSumExp(xr, yr);
                LogProbabilities(xr, max, logSum, yr);
            }
        });
        return Record("log_softmax", y, [this], g =>
        {
            var gs = g.Contiguous();
            var dx = Zeros(y.Shape);
            RowBlocks.For(rows, n, (start, end) =>
            {
                for (int r = start; r < end; r++)
                {
                    // dx = g - exp(y) * sum(g)
                    var gr = gs.Data.AsSpan(gs.Offset + r * n, n);
                    var dxr = dx.Data.AsSpan(r * n, n);
                    Exponential.Apply(y.Data.AsSpan(r * n, n), dxr);
                    TensorPrimitives.MultiplyAdd(dxr, -TensorPrimitives.Sum(gr), gr, dxr);
                }
            });
            AccumulateGrad(dx);
        });
    }

    /// <summary>
    /// The log-sum-exp of one row as max + log(sum(exp(x - max))), kept in two parts: for large logits
    /// (x - max) - logSum is accurate where x - (max + logSum) would round. Overwrites <paramref name="scratch"/>.
    /// </summary>
    internal static (float Max, float LogSum) LogSumExp(ReadOnlySpan<float> x, Span<float> scratch)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, scratch);
        Exponential.Apply(scratch, scratch);
        return (max, MathF.Log(TensorPrimitives.Sum(scratch)));
    }

    /// <summary>log(softmax(x)) of one row from its <see cref="LogSumExp"/> parts.</summary>
    internal static void LogProbabilities(ReadOnlySpan<float> x, float max, float logSum, Span<float> logP)
    {
        TensorPrimitives.Subtract(x, max, logP);
        TensorPrimitives.Subtract(logP, logSum, logP);
    }

    /// <summary>Like <see cref="Dim(int)"/>, with an error that names the op.</summary>
    int Dim(string op, int dim)
    {
        if (dim < -Rank || dim >= Rank)
            throw new ArgumentOutOfRangeException(nameof(dim), $"{op}: dimension {dim} out of range for a tensor of shape {Format(Shape)}.");
        return dim < 0 ? dim + Rank : dim;
    }

    /// <summary>The input as contiguous rows along the last dimension, and a zeroed output of the same shape.</summary>
    (Tensor X, Tensor Y, int Rows, int N) RowsLastDim()
    {
        int n = Shape[^1];
        return (Contiguous().Detach(), Zeros(Shape), n == 0 ? 0 : Size / n, n);
    }
}
