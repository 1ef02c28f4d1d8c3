using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Streaming.Tensors;

/// <summary>
/// GEMM with at most <see cref="MaxRows"/> rows on one side, computed as dot products between contiguous rows:
/// <c>C[i, j] = alpha * dot(X_i, Y_j) + beta * C[i, j]</c>. This is y = x @ W^T for a (out, in) weight and a batch
/// of one: packing W would read it twice, and a dot product reads it once, which is all a memory-bound call can do.
/// </summary>
internal sealed unsafe class GemmDot : IParallelWork
{
    public const int MaxRows = 4;

    [ThreadStatic] static GemmDot? cached;

    float* x, y, c;
    nint ldx, ldy, csX, csY;
    int xCount, yCount, k;
    float alpha, beta;

    /// <summary>
    /// X holds <paramref name="xCount"/> rows of k floats with stride ldx, Y holds yCount rows with stride ldy;
    /// result (i, j) goes to c + i * csX + j * csY.
    /// </summary>
    public static void Run(float* x, nint ldx, int xCount, float* y, nint ldy, int yCount, int k,
        float alpha, float beta, float* c, nint csX, nint csY, int parts)
    {
        var job = cached ??= new GemmDot();
        job.x = x;
        job.y = y;
        job.c = c;
        (job.ldx, job.xCount, job.ldy, job.yCount, job.k) = (ldx, xCount, ldy, yCount, k);
        (job.alpha, job.beta, job.csX, job.csY) = (alpha, beta, csX, csY);
        WorkerThreads.Run(job, Math.Min(parts, yCount));
    }

    public void Execute(int part, int parts)
    {
        int j0 = (int)((long)yCount * part / parts), j1 = (int)((long)yCount * (part + 1) / parts), j = j0;
        // Four rows of Y at a time against each row of X: each X vector is loaded once per four products.
        for (; j + 4 <= j1; j += 4)
            for (int i = 0; i < xCount; i++)
            {
                var (d0, d1, d2, d3) = Dot4(x + i * ldx, y + j * ldy, ldy, k);
                Store(i, j, d0);
                Store(i, j + 1, d1);
                Store(i, j + 2, d2);
                Store(i, j + 3, d3);
            }
        for (; j < j1; j++)
            for (int i = 0; i < xCount; i++)
                Store(i, j, TensorPrimitives.Dot(new ReadOnlySpan<float>(x + i * ldx, k), new ReadOnlySpan<float>(y + j * ldy, k)));
    }

    void Store(int i, int j, float dot)
    {
        float* cij = c + i * csX + j * csY;
        *cij = beta == 0 ? alpha * dot : alpha * dot + beta * *cij;
    }

    /// <summary>The dot products of x with the four rows of k floats at r, r + stride, r + 2 stride, r + 3 stride.</summary>
    internal static (float, float, float, float) Dot4(float* x, float* r, nint stride, int k)
    {
        float* r1 = r + stride, r2 = r1 + stride, r3 = r2 + stride;
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero;
        var a3 = Vector256<float>.Zero;
        int p = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; p + 8 <= k; p += 8)
            {
                var xv = Vector256.Load(x + p);
                a0 = Vector256.MultiplyAddEstimate(xv, Vector256.Load(r + p), a0);
                a1 = Vector256.MultiplyAddEstimate(xv, Vector256.Load(r1 + p), a1);
                a2 = Vector256.MultiplyAddEstimate(xv, Vector256.Load(r2 + p), a2);
                a3 = Vector256.MultiplyAddEstimate(xv, Vector256.Load(r3 + p), a3);
            }
        float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
        for (; p < k; p++)
        {
            s0 += x[p] * r[p];
            s1 += x[p] * r1[p];
            s2 += x[p] * r2[p];
            s3 += x[p] * r3[p];
        }
        return (s0, s1, s2, s3);
    }
}
