using System.Buffers;
using System.Numerics.Tensors;

namespace Streaming.Tensors;

// Conv1d over channels-last sequences (B, L, C), the layout models keep time series in. Output position t reads
// input positions t*stride - padding .. + K - 1, which are K neighbouring rows in this layout: the column matrix is
// one copy of K*Cin floats per output row (zeros past the edges), and the product comes out channels-last too, so
// neither side is transposed. The column buffer is pooled; backward builds it again rather than keep it.
public sealed partial class Tensor
{
    /// <summary>
    /// conv1d over a channels-last sequence: x (B, L, Cin), weight (Cout, Cin, K) as in <see cref="Conv1d"/>, bias (Cout)
    /// -> (B, Lout, Cout), equal to <c>F.conv1d(x.transpose(1, 2), weight, bias, stride, padding).transpose(1, 2)</c>.
    /// </summary>
    public static Tensor Conv1dChannelsLast(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0)
    {
        if (x.Rank != 3 || weight.Rank != 3 || weight.Shape[1] != x.Shape[2])
            throw new ArgumentException($"conv1d_channels_last: expected input (B, L, Cin) and weight (Cout, Cin, K), got {Format(x.Shape)} and {Format(weight.Shape)}.");
        CheckConvArguments("conv1d_channels_last", stride, padding, dilation: 1, groups: 1);
        int B = x.Shape[0], L = x.Shape[1], Cin = x.Shape[2], Cout = weight.Shape[0], K = weight.Shape[2];
        CheckConvBias("conv1d_channels_last", bias, Cout, weight);
        int span = L + 2 * padding - K;
        if (span < 0)
            throw new ArgumentException($"conv1d_channels_last: input {Format(x.Shape)} padded by {padding} is shorter than the kernel of weight {Format(weight.Shape)}.");
        int Lout = span / stride + 1, rows = B * Lout, width = K * Cin;

        var xs = x.Contiguous().Detach();
        var taps = new float[Cout * width];                                         // (Cout, K*Cin)
        TapMajor(weight.Contiguous().Detach().Span, Cout, Cin, K, taps);
        var y = new float[rows * Cout];                                             // (B*Lout, Cout)
        if (bias is not null)
        {
            var bs = bias.Contiguous().Detach().Span;
            for (int r = 0; r < rows; r++) bs.CopyTo(y.AsSpan(r * Cout, Cout));
        }
        var col = ArrayPool<float>.Shared.Rent(rows * width);                       // (B*Lout, K*Cin)
        ExpandChannelsLast(xs.Span, B, L, Cin, K, stride, padding, Lout, col);
        Gemm.Sgemm(false, true, rows, Cout, width, 1f, col, 0, width, taps, 0, width, bias is null ? 0f : 1f, y, 0, Cout);
        ArrayPool<float>.Shared.Return(col);
        var result = new Tensor(y, [B, Lout, Cout]);

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Record("conv1d_channels_last", result, inputs, gradOut =>
        {
            var gy = gradOut.Contiguous();                                          // (B*Lout, Cout)
            if (weight.RequiresGrad)
            {
                var cols = ArrayPool<float>.Shared.Rent(rows * width);
                ExpandChannelsLast(xs.Span, B, L, Cin, K, stride, padding, Lout, cols);
                var dTaps = new float[Cout * width];                                // dW = dY^T @ col
                Gemm.Sgemm(true, false, Cout, width, rows, 1f, gy.Data, gy.Offset, Cout, cols, 0, width, 0f, dTaps, 0, width);
                ArrayPool<float>.Shared.Return(cols);
                weight.AccumulateGrad(new Tensor(TapMajorBack(dTaps, Cout, Cin, K), [Cout, Cin, K]));
            }
            if (x.RequiresGrad)
            {
                var dcol = ArrayPool<float>.Shared.Rent(rows * width);             // dcol = dY @ W
                Gemm.Sgemm(false, false, rows, width, Cout, 1f, gy.Data, gy.Offset, Cout, taps, 0, width, 0f, dcol, 0, width);
                var dx = Zeros(x.Shape);
                FoldChannelsLast(dcol, B, L, Cin, K, stride, padding, Lout, dx.Data);
                ArrayPool<float>.Shared.Return(dcol);
                x.AccumulateGrad(dx);
            }
            if (bias is not null && bias.RequiresGrad)
            {
                var db = Zeros(Cout);
                for (int r = 0; r < rows; r++) TensorPrimitives.Add(db.Span, gy.Data.AsSpan(gy.Offset + r * Cout, Cout), db.Span);
                bias.AccumulateGrad(db);
            }
        });
    }

    /// <summary>(Cout, Cin, K) -> (Cout, K*Cin), tap k's weights of output o next to each other as the column rows hold them.</summary>
    internal static void TapMajor(ReadOnlySpan<float> w, int Cout, int Cin, int K, Span<float> taps)
    {
        for (int o = 0; o < Cout; o++)
            for (int c = 0; c < Cin; c++)
                for (int k = 0; k < K; k++) taps[(o * K + k) * Cin + c] = w[(o * Cin + c) * K + k];
    }

    /// <summary>The inverse of <see cref="TapMajor"/>.</summary>
    static float[] TapMajorBack(float[] taps, int Cout, int Cin, int K)
    {
        var dst = new float[Cout * Cin * K];
        for (int o = 0; o < Cout; o++)
            for (int c = 0; c < Cin; c++)
                for (int k = 0; k < K; k++) dst[(o * Cin + c) * K + k] = taps[(o * K + k) * Cin + c];
        return dst;
    }

    /// <summary>col[b*Lout + t, k*Cin + c] = x[b, t*stride - padding + k, c], zero outside [0, L).</summary>
    internal static void ExpandChannelsLast(ReadOnlySpan<float> x, int B, int L, int Cin, int K, int stride, int padding, int Lout, float[] col)
    {
        int width = K * Cin;
        for (int b = 0; b < B; b++)
            for (int t = 0; t < Lout; t++)
            {
                var row = col.AsSpan((b * Lout + t) * width, width);
                var (first, from, to) = Taps(t, stride, padding, K, L);
                row[..(from * Cin)].Clear();
                if (to > from) x.Slice((b * L + first + from) * Cin, (to - from) * Cin).CopyTo(row[(from * Cin)..]);
                row[(to * Cin)..].Clear();
            }
    }

    /// <summary>The adjoint of <see cref="ExpandChannelsLast"/>: adds each column entry back into the input position it was read from.</summary>
    static void FoldChannelsLast(float[] col, int B, int L, int Cin, int K, int stride, int padding, int Lout, float[] dx)
    {
        int width = K * Cin;
        for (int b = 0; b < B; b++)
            for (int t = 0; t < Lout; t++)
            {
                var (first, from, to) = Taps(t, stride, padding, K, L);
                if (to == from) continue;
                var source = col.AsSpan((b * Lout + t) * width + from * Cin, (to - from) * Cin);
                var target = dx.AsSpan((b * L + first + from) * Cin, (to - from) * Cin);
                TensorPrimitives.Add(target, source, target);
            }
    }

    /// <summary>Output position t reads input rows first + k for the taps k in [from, to), those inside [0, L).</summary>
    static (int First, int From, int To) Taps(int t, int stride, int padding, int K, int L)
    {
        int first = t * stride - padding, from = Math.Clamp(-first, 0, K);
        return (first, from, Math.Clamp(L - first, from, K));
    }
}
