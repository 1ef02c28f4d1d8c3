using System.Numerics.Tensors;

namespace Streaming.Tensors;

/// <summary>
/// Single-precision GEMM on row-major matrices: C = alpha * op(A) @ op(B) + beta * C, where op(A) is
/// m x k and op(B) is k x n. lda/ldb/ldc are row strides of the stored (untransposed) matrices.
/// </summary>
/// <remarks>
/// Large products run the cache-blocked loop nest (<see cref="GemmBlocked"/>) over the widest micro-kernel the CPU
/// has.
/// Products with at most four rows are bound by reading B and skip packing: row updates when B is not transposed
/// (<see cref="GemmAxpy"/>), dot products when it is (<see cref="GemmDot"/>), as are products with at most four
/// columns and A not transposed. beta = 0 writes C without reading it, so C may hold garbage, NaN included. C must not
/// overlap A or B.
/// </remarks>
public static class Gemm
{
    /// <summary>Below this many multiply-adds per thread, waking another thread costs more than it saves.</summary>
    const long MinMacsPerThread = 1 << 20;

    /// <summary>Threads the overloads without a thread count use (default: all cores).</summary>
    public static int MaxThreads
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = Environment.ProcessorCount;

    /// <summary>C = alpha * op(A) @ op(B) + beta * C on up to <see cref="MaxThreads"/> threads.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
        float beta, float[] c, int cOffset, int ldc) =>
        Sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, MaxThreads);

    /// <summary>C = alpha * op(A) @ op(B) + beta * C on up to <paramref name="threads"/> threads (fewer for small products).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
        float beta, float[] c, int cOffset, int ldc, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int parts = (int)Math.Clamp((long)m * n * k / MinMacsPerThread, 1, threads);
        Sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc, parts, GemmMicroKernel.Best);
    }

    /// <summary>
    /// As the public overloads, split into exactly <paramref name="parts"/> parallel parts (fewer only where there are
    /// fewer tiles) on the micro-kernel chosen by the caller: tests run every kernel the CPU has, threaded or not.
    /// </summary>
    internal static unsafe void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
        float beta, float[] c, int cOffset, int ldc, int parts, GemmKernelKind kernel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        if (!GemmMicroKernel.IsSupported(kernel)) throw new PlatformNotSupportedException($"GEMM kernel {kernel} is not supported on this CPU.");
        CheckArguments(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            ScaleC(c, cOffset, ldc, m, n, beta);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            float* a0 = pa + aOffset, b0 = pb + bOffset, c0 = pc + cOffset;
            var problem = new GemmProblem(transA, transB, m, n, k, alpha, a0, lda, b0, ldb, beta, c0, ldc);
            if (m <= GemmAxpy.MaxRows && !transB)
            {
                GemmAxpy.Run(problem, parts);
            }
            else if (m <= GemmDot.MaxRows && transB)
            {
                // Rows of op(A) against rows of B; a transposed A is gathered into contiguous rows first.
                float* x = a0;
                nint ldx = lda;
                if (transA)
                {
                    x = GemmScratch.PackA(m * k);
                    for (int i = 0; i < m; i++)
                        for (int p = 0; p < k; p++) x[i * k + p] = a0[p * lda + i];
                    ldx = k;
                }
                GemmDot.Run(x, ldx, m, b0, ldb, n, k, alpha, beta, c0, ldc, 1, parts);
            }
            else if (n <= GemmDot.MaxRows && !transA)
            {
                // The same with the roles swapped: C^T = op(B)^T @ op(A)^T, columns of op(B) against rows of A.
                float* x = b0;
                nint ldx = ldb;
                if (!transB)
                {
                    x = GemmScratch.PackA(n * k);
                    for (int j = 0; j < n; j++)
                        for (int p = 0; p < k; p++) x[j * k + p] = b0[p * ldb + j];
                    ldx = k;
                }
                GemmDot.Run(x, ldx, n, a0, lda, m, k, alpha, beta, c0, 1, ldc, parts);
            }
            else
            {
                GemmBlocked.Run(problem, kernel, parts);
            }
        }
    }

    /// <summary>The kernels use raw pointers: every element they may touch must lie inside its array.</summary>
    internal static void CheckArguments(bool transA, bool transB, int m, int n, int k, float[] a, int aOffset, int lda,
        float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckMatrix(a, aOffset, lda, transA ? k : m, transA ? m : k, nameof(a));
        CheckMatrix(b, bOffset, ldb, transB ? n : k, transB ? k : n, nameof(b));
        CheckMatrix(c, cOffset, ldc, m, n, nameof(c));
    }

    static void CheckMatrix(float[] x, int offset, int ld, int rows, int cols, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (rows == 0 || cols == 0) return;
        if (offset < 0) throw new ArgumentOutOfRangeException(name, $"Sgemm: offset of {name} is negative.");
        if (ld < cols) throw new ArgumentOutOfRangeException(name, $"Sgemm: leading dimension of {name} ({ld}) is below its width ({cols}).");
        if (offset + (long)(rows - 1) * ld + cols > x.Length)
            throw new ArgumentException($"Sgemm: {name} ({x.Length} floats) is too small for {rows} x {cols} at offset {offset} with stride {ld}.", name);
    }

    /// <summary>C = beta * C, the whole product when k = 0 or alpha = 0 (A and B are not read).</summary>
    static void ScaleC(float[] c, int offset, int ldc, int m, int n, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.AsSpan(offset + i * ldc, n);
            if (beta == 0) row.Clear();
            else if (beta != 1) TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
