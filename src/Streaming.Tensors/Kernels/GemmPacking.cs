using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
                Transpose(a + i * lda, lda, rows, kc, alpha, dst, rows);
            }
            dst += rows * kc;
        }
    }

    /// <summary>
    /// Packs the kc x nc panel of op(B) that starts at <paramref name="b"/> into slivers of nr columns. Sliver t starts
    /// at dst + t * stride (<see cref="SliverStride"/>) and holds element (p, j) at p * nr + j; the last sliver is padded
    /// with zeros to nr columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, nint ldb, int kc, int nc, int nr, float* dst, int stride)
    {
        if (!transB)
        {
            // Row by row, so that B is read in long sequential runs whatever the sliver width; the destination steps
            // from sliver to sliver by pointer (a division per sliver row cost as much as the copy).
            int full = nc / nr * nr;
            for (int p = 0; p < kc; p++)
            {
                float* src = b + p * ldb, d = dst + p * nr;
                for (int j = 0; j < full; j += nr, d += stride) Copy(src + j, d, nr);
                if (full < nc)
                {
                    Copy(src + full, d, nc - full);
                    new Span<float>(d + nc - full, nr - (nc - full)).Clear();
                }
            }
            return;
        }
        for (int j = 0; j < nc; j += nr)
        {
            int cols = Math.Min(nr, nc - j);
            // op(B) column j is row j of B.
            Transpose(b + j * ldb, ldb, cols, kc, 1f, dst, nr);
            if (cols < nr)
                for (int p = 0; p < kc; p++) new Span<float>(dst + p * nr + cols, nr - cols).Clear();
            dst += stride;
        }
    }

    /// <summary>
    /// Distance between packed B slivers: one cache line more than the sliver. At a power-of-two distance (kc = 256,
    /// nr = 32: 32 KiB) row p of every sliver falls in the same cache set, and packing one row of B evicts itself.
    /// </summary>
    public static int SliverStride(int kc, int nr) => kc * nr + 16;

    /// <summary>
    /// dst[p * ldd + r] = alpha * src[r * lds + p] for r below count and p below kc: four rows at a time through 4 x 4
    /// register transposes, then pairs through 2 x 4 ones, which run several times faster than element-by-element
    /// copies with strided stores.
    /// </summary>
    static void Transpose(float* src, nint lds, int count, int kc, float alpha, float* dst, nint ldd)
    {
        int r = 0;
        if (Sse.IsSupported)
        {
            var scale = Vector128.Create(alpha);
            for (; r + 4 <= count; r += 4)
            {
                float* s0 = src + r * lds, s1 = s0 + lds, s2 = s1 + lds, s3 = s2 + lds;
                float* d = dst + r;
                // Each source row is read in one short run (kc floats), too short for the hardware prefetcher to
                // catch: ask for the rows two groups ahead now (+8% at 32 x 4096 x 4096 with B transposed).
                if (r + 12 <= count)
                    for (int q = 0; q < kc; q += 16)
                    {
                        Sse.Prefetch0(s0 + 8 * lds + q);
                        Sse.Prefetch0(s1 + 8 * lds + q);
                        Sse.Prefetch0(s2 + 8 * lds + q);
                        Sse.Prefetch0(s3 + 8 * lds + q);
                    }
                int p = 0;
                for (; p + 4 <= kc; p += 4, d += 4 * ldd)
                {
                    var t0 = Sse.UnpackLow(Sse.LoadVector128(s0 + p), Sse.LoadVector128(s1 + p));
                    var t1 = Sse.UnpackLow(Sse.LoadVector128(s2 + p), Sse.LoadVector128(s3 + p));
                    var t2 = Sse.UnpackHigh(Sse.LoadVector128(s0 + p), Sse.LoadVector128(s1 + p));
                    var t3 = Sse.UnpackHigh(Sse.LoadVector128(s2 + p), Sse.LoadVector128(s3 + p));
                    var o0 = Sse.MoveLowToHigh(t0, t1);
                    var o1 = Sse.MoveHighToLow(t1, t0);
                    var o2 = Sse.MoveLowToHigh(t2, t3);
                    var o3 = Sse.MoveHighToLow(t3, t2);
                    if (alpha != 1)
                    {
                        o0 *= scale;
                        o1 *= scale;
                        o2 *= scale;
                        o3 *= scale;
                    }
                    o0.Store(d);
                    o1.Store(d + ldd);
                    o2.Store(d + 2 * ldd);
                    o3.Store(d + 3 * ldd);
                }
                for (; p < kc; p++, d += ldd)
                {
                    d[0] = alpha * s0[p];
                    d[1] = alpha * s1[p];
                    d[2] = alpha * s2[p];
                    d[3] = alpha * s3[p];
                }
            }
            // Two rows left (MR = 6 leaves two after the groups of four): 2 x 4 transposes, each k step's pair stored as one 8-byte write.
            for (; r + 2 <= count; r += 2)
            {
                float* s0 = src + r * lds, s1 = s0 + lds;
                float* d = dst + r;
                int p = 0;
                for (; p + 4 <= kc; p += 4, d += 4 * ldd)
                {
                    var x0 = Sse.LoadVector128(s0 + p);
                    var x1 = Sse.LoadVector128(s1 + p);
                    if (alpha != 1)
                    {
                        x0 *= scale;
                        x1 *= scale;
                    }
                    var lo = Sse.UnpackLow(x0, x1);
                    var hi = Sse.UnpackHigh(x0, x1);
                    Sse.StoreLow(d, lo);
                    Sse.StoreHigh(d + ldd, lo);
                    Sse.StoreLow(d + 2 * ldd, hi);
                    Sse.StoreHigh(d + 3 * ldd, hi);
                }
                for (; p < kc; p++, d += ldd)
                {
                    d[0] = alpha * s0[p];
                    d[1] = alpha * s1[p];
                }
            }
        }
        for (; r < count; r++)
        {
            float* s = src + r * lds;
            float* d = dst + r;
            for (int p = 0; p < kc; p++, d += ldd) *d = alpha * s[p];
        }
    }

    /// <summary>Copies a short run (one sliver row) with the widest vectors available; no call overhead.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Copy(float* src, float* dst, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16) Vector512.Store(Vector512.Load(src + i), dst + i);
        for (; i + Vector<float>.Count <= count; i += Vector<float>.Count) Vector.Load(src + i).Store(dst + i);
        for (; i < count; i++) dst[i] = src[i];
    }

    /// <summary>dst = alpha * src over a short run (one k step of an A sliver), inline: a call per run would cost more than the copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Scale(float* src, float* dst, int count, float alpha)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16) (Vector512.Load(src + i) * alpha).Store(dst + i);
        for (; i + Vector<float>.Count <= count; i += Vector<float>.Count) (Vector.Load(src + i) * alpha).Store(dst + i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + 4 <= count; i += 4) (Vector128.Load(src + i) * alpha).Store(dst + i);
        for (; i < count; i++) dst[i] = alpha * src[i];
    }
}
