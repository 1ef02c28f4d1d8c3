using System.Numerics.Tensors;

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
        int j0 = (int)((long)yCount * part / parts), j1 = (int)((long)yCount * (part + 1) / parts);
        for (int j = j0; j < j1; j++)
        {
            var yj = new ReadOnlySpan<float>(y + j * ldy, k);
            for (int i = 0; i < xCount; i++)
            {
                float dot = alpha * TensorPrimitives.Dot(new ReadOnlySpan<float>(x + i * ldx, k), yj);
                float* cij = c + i * csX + j * csY;
                *cij = beta == 0 ? dot : dot + beta * *cij;
            }
        }
    }
}
