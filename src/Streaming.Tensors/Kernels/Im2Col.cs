using System.Numerics.Tensors;

namespace Streaming.Tensors;

/// <summary>
/// The column matrices behind 1-D convolution: <see cref="Expand"/> lays out every kernel tap of every
/// output position as a GEMM operand; <see cref="Fold"/> is its adjoint (transposed convolution and
/// the input gradient).
/// </summary>
internal static class Im2Col
{
    /// <summary>
    /// Columns of a (C, inLen) image: col[c*K + k, colOffset + t] = image[c, t*stride + k*dilation - padding]
    /// (zero outside) for t &lt; outLen; ld is the row stride of col.
    /// </summary>
    public static void Expand(ReadOnlySpan<float> image, int channels, int inLen, int K, int stride, int padding, int dilation, int outLen,
        float[] col, int colOffset, int ld)
    {
        for (int c = 0; c < channels; c++)
        {
            var src = image.Slice(c * inLen, inLen);
            for (int k = 0; k < K; k++)
            {
                var row = col.AsSpan((c * K + k) * ld + colOffset, outLen);
                var (t0, t1) = ValidRange(k * dilation - padding, stride, inLen, outLen);
                row[..t0].Clear();
                row[t1..].Clear();
                int start = t0 * stride + k * dilation - padding;
                if (stride == 1) src.Slice(start, t1 - t0).CopyTo(row[t0..t1]);
                else for (int t = t0, p = start; t < t1; t++, p += stride) row[t] = src[p];
            }
        }
    }

    /// <summary>The adjoint of <see cref="Expand"/>: adds each column entry back into the (C, inLen) image position it was read from.</summary>
    public static void Fold(float[] col, int colOffset, int ld, int channels, int inLen, int K, int stride, int padding, int dilation, int outLen,
        Span<float> image)
    {
        for (int c = 0; c < channels; c++)
        {
            var dst = image.Slice(c * inLen, inLen);
            for (int k = 0; k < K; k++)
            {
                var row = col.AsSpan((c * K + k) * ld + colOffset, outLen);
                var (t0, t1) = ValidRange(k * dilation - padding, stride, inLen, outLen);
                int start = t0 * stride + k * dilation - padding;
                if (stride == 1)
                {
                    var target = dst.Slice(start, t1 - t0);
                    TensorPrimitives.Add(target, row[t0..t1], target);
                }
                else for (int t = t0, p = start; t < t1; t++, p += stride) dst[p] += row[t];
            }
        }
    }

    /// <summary>The output positions t in [t0, t1) whose input position t*stride + shift lies inside [0, inLen).</summary>
    static (int T0, int T1) ValidRange(int shift, int stride, int inLen, int outLen)
    {
        int t0 = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
        int t1 = inLen - shift <= 0 ? 0 : (inLen - shift - 1) / stride + 1;
        t0 = Math.Min(t0, outLen);
        return (t0, Math.Clamp(t1, t0, outLen));
    }

    /// <summary>(B, C, L) -> (C, B*L), so that channels are GEMM rows and the whole batch is one set of columns.</summary>
    public static float[] ToChannelMajor(Tensor t, int B, int C, int L)
    {
        var src = t.Contiguous().Detach();
        var dst = new float[C * B * L];
        for (int b = 0; b < B; b++)
            for (int c = 0; c < C; c++)
                src.Data.AsSpan(src.Offset + (b * C + c) * L, L).CopyTo(dst.AsSpan((c * B + b) * L, L));
        return dst;
    }

    /// <summary>(C, B*L) -> (B, C, L).</summary>
    public static float[] FromChannelMajor(float[] src, int B, int C, int L)
    {
        var dst = new float[B * C * L];
        for (int c = 0; c < C; c++)
            for (int b = 0; b < B; b++)
                src.AsSpan((c * B + b) * L, L).CopyTo(dst.AsSpan((b * C + c) * L, L));
        return dst;
    }

    public static Tensor RowSums(float[] m, int rows, int cols)
    {
        var sums = Tensor.Zeros(rows);
        for (int r = 0; r < rows; r++) sums.Data[r] = TensorPrimitives.Sum(m.AsSpan(r * cols, cols));
        return sums;
    }
}
