using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Streaming.Tensors;

/// <summary>The register-blocked micro-kernels, widest first; <see cref="GemmMicroKernel.Best"/> picks one per machine.</summary>
internal enum GemmKernelKind
{
    /// <summary>12 x 32 tile in 24 zmm accumulators (AVX-512F).</summary>
    Avx512,
    /// <summary>6 x 16 tile in 12 ymm accumulators (AVX2 + FMA).</summary>
    Avx2,
    /// <summary>4 x 8 tile in 8 128-bit accumulators; portable (SSE, NEON or software).</summary>
    Vector128,
}

/// <summary>
/// A micro-kernel computes one tile of at most MR x NR of C from a packed A sliver and a B sliver:
/// <c>C[r, 0..NR) = beta * C[r, 0..NR) + sum_p A[p * rows + r] * B[p * bStride + 0..NR)</c> for r below rows.
/// beta is 0 (C is written without being read, so NaN garbage in C is ignored), 1 (accumulate) or any other value.
/// The sliver of A holds alpha already (packing scales it), so the kernel never sees alpha.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    static abstract int MR { get; }
    static abstract int NR { get; }
    static abstract void Tile(int rows, int kc, float* a, float* b, nint bStride, float* c, nint ldc, float beta);
}

/// <summary>
/// Row counts as types: each kernel is written once as a generic method over <see cref="IRowCount"/> and the JIT
/// specializes it per struct type, folding <c>TRows.Value</c> so that edge tiles of 1..MR rows run without padding.
/// </summary>
internal interface IRowCount
{
    static abstract int Value { get; }
}

internal readonly struct Rows1 : IRowCount { public static int Value => 1; }
internal readonly struct Rows2 : IRowCount { public static int Value => 2; }
internal readonly struct Rows3 : IRowCount { public static int Value => 3; }
internal readonly struct Rows4 : IRowCount { public static int Value => 4; }
internal readonly struct Rows5 : IRowCount { public static int Value => 5; }
internal readonly struct Rows6 : IRowCount { public static int Value => 6; }
internal readonly struct Rows7 : IRowCount { public static int Value => 7; }
internal readonly struct Rows8 : IRowCount { public static int Value => 8; }
internal readonly struct Rows9 : IRowCount { public static int Value => 9; }
internal readonly struct Rows10 : IRowCount { public static int Value => 10; }
internal readonly struct Rows11 : IRowCount { public static int Value => 11; }
internal readonly struct Rows12 : IRowCount { public static int Value => 12; }

internal static class GemmMicroKernel
{
    /// <summary>The widest kernel this machine runs natively.</summary>
    public static GemmKernelKind Best { get; } =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? GemmKernelKind.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? GemmKernelKind.Avx2
        : GemmKernelKind.Vector128;

    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => Avx512F.IsSupported,
        GemmKernelKind.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        _ => true,
    };

    /// <summary>Tile shape (MR rows by NR columns) of a kernel.</summary>
    public static (int MR, int NR) Shape(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => (GemmKernelAvx512.MR, GemmKernelAvx512.NR),
        GemmKernelKind.Avx2 => (GemmKernelAvx2.MR, GemmKernelAvx2.NR),
        _ => (GemmKernelVector128.MR, GemmKernelVector128.NR),
    };
}
