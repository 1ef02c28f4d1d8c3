using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Streaming.Tensors;

/// <summary>
/// Copies blocks of op(A) and op(B) into the layouts the micro-kernels stream through: the transposes are resolved
/// here, once per block, so the kernels only ever see unit-stride slivers.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs the mc x kc block of op(A) that starts at <paramref name="a"/> into slivers of mr rows, scaled by alpha.
    /// Sliver s starts at dst + s * mr * kc and holds element (r, p) at p * rows + r, where rows = min(mr, mc - s * mr):
    /// the last sliver is not padded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, nint lda, int mc, int kc, int mr, float alpha, float* dst)
    {
        for (int i = 0; i < mc; i += mr)
        {
            int rows = Math.Min(mr, mc - i);
            if (transA)
            {
                // op(A) row i is column i of A: each k step is a contiguous run of rows floats.
                for (int p = 0; p < kc; p++)
                    Scale(a + p * lda + i, dst + p * rows, rows, alpha);
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    float* src = a + (i + r) * lda;
                    float* d = dst + r;
                    for (int p = 0; p < kc; p++, d += rows) *d = alpha * src[p];
                }
            }
            dst += rows * kc;
        }
    }

    /// <summary>
    /// Packs the kc x nc panel of op(B) that starts at <paramref name="b"/> into slivers of nr columns. Sliver t starts
    /// at dst + t * nr * kc and holds element (p, j) at p * nr + j; the last sliver is padded with zeros to nr columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, nint ldb, int kc, int nc, int nr, float* dst)
    {
        if (!transB)
        {
            // Row by row, so that B is read in long sequential runs whatever the sliver width.
            for (int p = 0; p < kc; p++)
            {
                float* src = b + p * ldb;
                for (int j = 0; j < nc; j += nr)
                {
                    int cols = Math.Min(nr, nc - j);
                    float* d = dst + j * kc + p * nr;
                    Copy(src + j, d, cols);
                    for (int q = cols; q < nr; q++) d[q] = 0;
                }
            }
            return;
        }
        for (int j = 0; j < nc; j += nr)
        {
            int cols = Math.Min(nr, nc - j);
            // op(B) column j is row j of B: read it contiguously, write it with stride nr.
            for (int q = 0; q < cols; q++)
            {
                float* src = b + (j + q) * ldb;
                float* d = dst + q;
                for (int p = 0; p < kc; p++, d += nr) *d = src[p];
            }
            for (int p = 0; p < kc; p++)
                for (int q = cols; q < nr; q++) dst[p * nr + q] = 0;
            dst += nr * kc;
        }
    }

    /// <summary>Copies a short run (one sliver row) with the widest vectors available; no call overhead.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Copy(float* src, float* dst, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
        for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i < count; i++) dst[i] = src[i];
    }

    static void Scale(float* src, float* dst, int count, float alpha)
    {
        if (alpha == 1) new ReadOnlySpan<float>(src, count).CopyTo(new Span<float>(dst, count));
        else TensorPrimitives.Multiply(new ReadOnlySpan<float>(src, count), alpha, new Span<float>(dst, count));
    }
}
