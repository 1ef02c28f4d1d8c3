using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Streaming.Tensors;

/// <summary>Portable micro-kernel: a 4 x 8 tile of C in eight 128-bit accumulators (SSE or NEON; fused where the hardware has FMA).</summary>
internal readonly unsafe struct GemmKernelVector128 : IGemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 8;

    public static void Tile(int rows, int kc, float* a, float* b, nint bStride, float* c, nint ldc, float beta)
    {
        switch (rows)
        {
            case 4: Run<Rows4>(kc, a, b, bStride, c, ldc, beta); break;
            case 3: Run<Rows3>(kc, a, b, bStride, c, ldc, beta); break;
            case 2: Run<Rows2>(kc, a, b, bStride, c, ldc, beta); break;
            default: Run<Rows1>(kc, a, b, bStride, c, ldc, beta); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Run<TRows>(int kc, float* a, float* b, nint bStride, float* c, nint ldc, float beta) where TRows : struct, IRowCount
    {
        Vector128<float> r0a = default, r0b = default, r1a = default, r1b = default, r2a = default, r2b = default, r3a = default, r3b = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            Vector128<float> x;
            x = Vector128.Create(a[0]); r0a = Vector128.MultiplyAddEstimate(x, b0, r0a); r0b = Vector128.MultiplyAddEstimate(x, b1, r0b);
            if (TRows.Value > 1) { x = Vector128.Create(a[1]); r1a = Vector128.MultiplyAddEstimate(x, b0, r1a); r1b = Vector128.MultiplyAddEstimate(x, b1, r1b); }
            if (TRows.Value > 2) { x = Vector128.Create(a[2]); r2a = Vector128.MultiplyAddEstimate(x, b0, r2a); r2b = Vector128.MultiplyAddEstimate(x, b1, r2b); }
            if (TRows.Value > 3) { x = Vector128.Create(a[3]); r3a = Vector128.MultiplyAddEstimate(x, b0, r3a); r3b = Vector128.MultiplyAddEstimate(x, b1, r3b); }
            a += TRows.Value;
            b += bStride;
        }
        Store(c + 0 * ldc, beta, r0a, r0b);
        if (TRows.Value > 1) Store(c + 1 * ldc, beta, r1a, r1b);
        if (TRows.Value > 2) Store(c + 2 * ldc, beta, r2a, r2b);
        if (TRows.Value > 3) Store(c + 3 * ldc, beta, r3a, r3b);
    }

    /// <summary>Writes one row of the tile: beta 0 overwrites without reading C, beta 1 adds, others scale C first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* c, float beta, Vector128<float> v0, Vector128<float> v1)
    {
        if (beta == 0)
        {
            v0.Store(c);
            v1.Store(c + 4);
        }
        else if (beta == 1)
        {
            (Vector128.Load(c) + v0).Store(c);
            (Vector128.Load(c + 4) + v1).Store(c + 4);
        }
        else
        {
            var s = Vector128.Create(beta);
            Vector128.MultiplyAddEstimate(Vector128.Load(c), s, v0).Store(c);
            Vector128.MultiplyAddEstimate(Vector128.Load(c + 4), s, v1).Store(c + 4);
        }
    }
}
