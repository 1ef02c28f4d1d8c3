using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Streaming.Tensors;

/// <summary>AVX-512 micro-kernel: a 12 x 32 tile of C in 24 zmm accumulators; per k step two loads of B, twelve broadcasts of A, 24 FMAs.</summary>
internal readonly unsafe struct GemmKernelAvx512 : IGemmMicroKernel
{
    public static int MR => 12;
    public static int NR => 32;

    public static void Tile(int rows, int kc, float* a, float* b, nint bStride, float* c, nint ldc, float beta)
    {
        switch (rows)
        {
            case 12: Run<Rows12>(kc, a, b, bStride, c, ldc, beta); break;
            case 11: Run<Rows11>(kc, a, b, bStride, c, ldc, beta); break;
            case 10: Run<Rows10>(kc, a, b, bStride, c, ldc, beta); break;
            case 9: Run<Rows9>(kc, a, b, bStride, c, ldc, beta); break;
            case 8: Run<Rows8>(kc, a, b, bStride, c, ldc, beta); break;
            case 7: Run<Rows7>(kc, a, b, bStride, c, ldc, beta); break;
            case 6: Run<Rows6>(kc, a, b, bStride, c, ldc, beta); break;
            case 5: Run<Rows5>(kc, a, b, bStride, c, ldc, beta); break;
            case 4: Run<Rows4>(kc, a, b, bStride, c, ldc, beta); break;
            case 3: Run<Rows3>(kc, a, b, bStride, c, ldc, beta); break;
            case 2: Run<Rows2>(kc, a, b, bStride, c, ldc, beta); break;
            default: Run<Rows1>(kc, a, b, bStride, c, ldc, beta); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Run<TRows>(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float beta) where TRows : struct, IRowCount
    {
        Vector512<float> r0a = default, r0b = default, r1a = default, r1b = default, r2a = default, r2b = default, r3a = default, r3b = default,
            r4a = default, r4b = default, r5a = default, r5b = default, r6a = default, r6b = default, r7a = default, r7b = default,
            r8a = default, r8b = default, r9a = default, r9b = default, r10a = default, r10b = default, r11a = default, r11b = default;
        // C is read (or written) only after the k loop: start fetching it now.
        Sse.Prefetch0(c + 0 * ldc); Sse.Prefetch0(c + 0 * ldc + 16);
        if (TRows.Value > 1) { Sse.Prefetch0(c + 1 * ldc); Sse.Prefetch0(c + 1 * ldc + 16); }
        if (TRows.Value > 2) { Sse.Prefetch0(c + 2 * ldc); Sse.Prefetch0(c + 2 * ldc + 16); }
        if (TRows.Value > 3) { Sse.Prefetch0(c + 3 * ldc); Sse.Prefetch0(c + 3 * ldc + 16); }
        if (TRows.Value > 4) { Sse.Prefetch0(c + 4 * ldc); Sse.Prefetch0(c + 4 * ldc + 16); }
        if (TRows.Value > 5) { Sse.Prefetch0(c + 5 * ldc); Sse.Prefetch0(c + 5 * ldc + 16); }
        if (TRows.Value > 6) { Sse.Prefetch0(c + 6 * ldc); Sse.Prefetch0(c + 6 * ldc + 16); }
        if (TRows.Value > 7) { Sse.Prefetch0(c + 7 * ldc); Sse.Prefetch0(c + 7 * ldc + 16); }
        if (TRows.Value > 8) { Sse.Prefetch0(c + 8 * ldc); Sse.Prefetch0(c + 8 * ldc + 16); }
        if (TRows.Value > 9) { Sse.Prefetch0(c + 9 * ldc); Sse.Prefetch0(c + 9 * ldc + 16); }
        if (TRows.Value > 10) { Sse.Prefetch0(c + 10 * ldc); Sse.Prefetch0(c + 10 * ldc + 16); }
        if (TRows.Value > 11) { Sse.Prefetch0(c + 11 * ldc); Sse.Prefetch0(c + 11 * ldc + 16); }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            Vector512<float> x;
            x = Vector512.Create(a[0]); r0a = Avx512F.FusedMultiplyAdd(x, b0, r0a); r0b = Avx512F.FusedMultiplyAdd(x, b1, r0b);
            if (TRows.Value > 1) { x = Vector512.Create(a[1]); r1a = Avx512F.FusedMultiplyAdd(x, b0, r1a); r1b = Avx512F.FusedMultiplyAdd(x, b1, r1b); }
            if (TRows.Value > 2) { x = Vector512.Create(a[2]); r2a = Avx512F.FusedMultiplyAdd(x, b0, r2a); r2b = Avx512F.FusedMultiplyAdd(x, b1, r2b); }
            if (TRows.Value > 3) { x = Vector512.Create(a[3]); r3a = Avx512F.FusedMultiplyAdd(x, b0, r3a); r3b = Avx512F.FusedMultiplyAdd(x, b1, r3b); }
            if (TRows.Value > 4) { x = Vector512.Create(a[4]); r4a = Avx512F.FusedMultiplyAdd(x, b0, r4a); r4b = Avx512F.FusedMultiplyAdd(x, b1, r4b); }
            if (TRows.Value > 5) { x = Vector512.Create(a[5]); r5a = Avx512F.FusedMultiplyAdd(x, b0, r5a); r5b = Avx512F.FusedMultiplyAdd(x, b1, r5b); }
            if (TRows.Value > 6) { x = Vector512.Create(a[6]); r6a = Avx512F.FusedMultiplyAdd(x, b0, r6a); r6b = Avx512F.FusedMultiplyAdd(x, b1, r6b); }
            if (TRows.Value > 7) { x = Vector512.Create(a[7]); r7a = Avx512F.FusedMultiplyAdd(x, b0, r7a); r7b = Avx512F.FusedMultiplyAdd(x, b1, r7b); }
            if (TRows.Value > 8) { x = Vector512.Create(a[8]); r8a = Avx512F.FusedMultiplyAdd(x, b0, r8a); r8b = Avx512F.FusedMultiplyAdd(x, b1, r8b); }
            if (TRows.Value > 9) { x = Vector512.Create(a[9]); r9a = Avx512F.FusedMultiplyAdd(x, b0, r9a); r9b = Avx512F.FusedMultiplyAdd(x, b1, r9b); }
            if (TRows.Value > 10) { x = Vector512.Create(a[10]); r10a = Avx512F.FusedMultiplyAdd(x, b0, r10a); r10b = Avx512F.FusedMultiplyAdd(x, b1, r10b); }
            if (TRows.Value > 11) { x = Vector512.Create(a[11]); r11a = Avx512F.FusedMultiplyAdd(x, b0, r11a); r11b = Avx512F.FusedMultiplyAdd(x, b1, r11b); }
            a += TRows.Value;
            b += bStride;
        }
        Store(c + 0 * ldc, beta, r0a, r0b);
        if (TRows.Value > 1) Store(c + 1 * ldc, beta, r1a, r1b);
        if (TRows.Value > 2) Store(c + 2 * ldc, beta, r2a, r2b);
        if (TRows.Value > 3) Store(c + 3 * ldc, beta, r3a, r3b);
        if (TRows.Value > 4) Store(c + 4 * ldc, beta, r4a, r4b);
        if (TRows.Value > 5) Store(c + 5 * ldc, beta, r5a, r5b);
        if (TRows.Value > 6) Store(c + 6 * ldc, beta, r6a, r6b);
        if (TRows.Value > 7) Store(c + 7 * ldc, beta, r7a, r7b);
        if (TRows.Value > 8) Store(c + 8 * ldc, beta, r8a, r8b);
        if (TRows.Value > 9) Store(c + 9 * ldc, beta, r9a, r9b);
        if (TRows.Value > 10) Store(c + 10 * ldc, beta, r10a, r10b);
        if (TRows.Value > 11) Store(c + 11 * ldc, beta, r11a, r11b);
    }

    /// <summary>Writes one row of the tile: beta 0 overwrites without reading C, beta 1 adds, others scale C first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* c, float beta, Vector512<float> v0, Vector512<float> v1)
    {
        if (beta == 0)
        {
            v0.Store(c);
            v1.Store(c + 16);
        }
        else if (beta == 1)
        {
            (Vector512.Load(c) + v0).Store(c);
            (Vector512.Load(c + 16) + v1).Store(c + 16);
        }
        else
        {
            var s = Vector512.Create(beta);
            Avx512F.FusedMultiplyAdd(Vector512.Load(c), s, v0).Store(c);
            Avx512F.FusedMultiplyAdd(Vector512.Load(c + 16), s, v1).Store(c + 16);
        }
    }
}
