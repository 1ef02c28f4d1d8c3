namespace Streaming.Tensors;

/// <summary>
/// Single-precision GEMM on row-major matrices: C = alpha * op(A) @ op(B) + beta * C, where op(A) is
/// m x k and op(B) is k x n. lda/ldb/ldc are row strides of the stored (untransposed) matrices.
/// </summary>
public static class Gemm
{
    /// <summary>Upper bound on worker threads (default: all cores).</summary>
    public static int MaxThreads { get; set; } = Environment.ProcessorCount;

    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
        float beta, float[] c, int cOffset, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[aOffset + p * lda + i] : a[aOffset + i * lda + p];
                    float bv = transB ? b[bOffset + j * ldb + p] : b[bOffset + p * ldb + j];
                    sum += av * bv;
                }
                int ci = cOffset + i * ldc + j;
                c[ci] = alpha * sum + (beta == 0 ? 0 : beta * c[ci]);
            }
        }
    }
}
