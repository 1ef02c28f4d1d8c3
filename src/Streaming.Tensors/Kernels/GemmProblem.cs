namespace Streaming.Tensors;

/// <summary>
/// One validated GEMM call on pinned memory: C = alpha * op(A) @ op(B) + beta * C with op(A) m x k and op(B) k x n.
/// The pointers already include the callers' offsets; lda, ldb and ldc are row strides of the stored matrices.
/// </summary>
internal readonly unsafe struct GemmProblem(bool transA, bool transB, int m, int n, int k, float alpha,
    float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
{
    public readonly bool TransA = transA;
    public readonly bool TransB = transB;
    public readonly int M = m;
    public readonly int N = n;
    public readonly int K = k;
    public readonly float Alpha = alpha;
    public readonly float* A = a;
    public readonly nint Lda = lda;
    public readonly float* B = b;
    public readonly nint Ldb = ldb;
    public readonly float Beta = beta;
    public readonly float* C = c;
    public readonly nint Ldc = ldc;

    /// <summary>Address of op(A)[i, p].</summary>
    public float* AAt(int i, int p) => TransA ? A + p * Lda + i : A + i * Lda + p;

    /// <summary>Address of op(B)[p, j].</summary>
    public float* BAt(int p, int j) => TransB ? B + j * Ldb + p : B + p * Ldb + j;
}
