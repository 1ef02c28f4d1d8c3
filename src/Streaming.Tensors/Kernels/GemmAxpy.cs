using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Streaming.Tensors;

/// <summary>
/// GEMM with at most <see cref="MaxRows"/> rows of C and B not transposed, computed row by row of B:
/// <c>C[i, :] = beta * C[i, :] + alpha * sum_p A[i, p] * B[p, :]</c>. This is x @ W for an (in, out) weight and a
/// batch of one: the product is bound by reading B, and reading B's rows front to back, four at a time, is the
/// fastest way to read it (packing would read it in short runs, the blocked kernels in 128-byte ones).
/// </summary>
internal sealed unsafe class GemmAxpy : IParallelWork
{
    public const int MaxRows = 4;

    [ThreadStatic] static GemmAxpy? cached;

    GemmProblem problem;

    public static void Run(in GemmProblem g, int parts)
    {
        var job = cached ??= new GemmAxpy();
        job.problem = g;
        // Parts own column ranges of at least a few vectors each.
        WorkerThreads.Run(job, Math.Clamp(g.N / (4 * Vector<float>.Count), 1, parts));
    }

    public void Execute(int part, int parts)
    {
        var g = problem;
        int w = Vector<float>.Count;
        // Column ranges cut at whole vectors, so that only the last part has a scalar tail.
        int vectors = (g.N + w - 1) / w;
        int j0 = Math.Min(g.N, vectors * part / parts * w), j1 = Math.Min(g.N, vectors * (part + 1) / parts * w);
        if (j0 >= j1) return;
        for (int i = 0; i < g.M; i++)
        {
            var row = new Span<float>(g.C + i * g.Ldc + j0, j1 - j0);
            if (g.Beta == 0) row.Clear();
            else if (g.Beta != 1) TensorPrimitives.Multiply(row, g.Beta, row);
        }
        int p = 0;
        for (; p + 4 <= g.K; p += 4) Accumulate4(g, p, j0, j1);
        for (; p < g.K; p++) Accumulate1(g, p, j0, j1);
    }

    /// <summary>C[i, j0..j1) += alpha * (A[i, p] B[p, :] + ... + A[i, p + 3] B[p + 3, :]): four B rows per pass over C.</summary>
    static void Accumulate4(in GemmProblem g, int p, int j0, int j1)
    {
        float* b0 = g.BAt(p, 0), b1 = b0 + g.Ldb, b2 = b1 + g.Ldb, b3 = b2 + g.Ldb;
        for (int i = 0; i < g.M; i++)
        {
            float a0 = g.Alpha * *g.AAt(i, p), a1 = g.Alpha * *g.AAt(i, p + 1);
            float a2 = g.Alpha * *g.AAt(i, p + 2), a3 = g.Alpha * *g.AAt(i, p + 3);
            float* c = g.C + i * g.Ldc;
            int j = j0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= j1; j += 16)
                {
                    var sum = Vector512.MultiplyAddEstimate(Vector512.Load(b0 + j), Vector512.Create(a0), Vector512.Load(c + j));
                    sum = Vector512.MultiplyAddEstimate(Vector512.Load(b1 + j), Vector512.Create(a1), sum);
                    sum = Vector512.MultiplyAddEstimate(Vector512.Load(b2 + j), Vector512.Create(a2), sum);
                    Vector512.MultiplyAddEstimate(Vector512.Load(b3 + j), Vector512.Create(a3), sum).Store(c + j);
                }
            }
            for (; j + Vector<float>.Count <= j1; j += Vector<float>.Count)
            {
                var sum = Vector.MultiplyAddEstimate(Vector.Load(b0 + j), new Vector<float>(a0), Vector.Load(c + j));
                sum = Vector.MultiplyAddEstimate(Vector.Load(b1 + j), new Vector<float>(a1), sum);
                sum = Vector.MultiplyAddEstimate(Vector.Load(b2 + j), new Vector<float>(a2), sum);
                Vector.MultiplyAddEstimate(Vector.Load(b3 + j), new Vector<float>(a3), sum).Store(c + j);
            }
            for (; j < j1; j++) c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
    }

    static void Accumulate1(in GemmProblem g, int p, int j0, int j1)
    {
        float* b = g.BAt(p, 0);
        for (int i = 0; i < g.M; i++)
        {
            float a = g.Alpha * *g.AAt(i, p);
            float* c = g.C + i * g.Ldc;
            int j = j0;
            if (Vector512.IsHardwareAccelerated)
                for (; j + 16 <= j1; j += 16)
                    Vector512.MultiplyAddEstimate(Vector512.Load(b + j), Vector512.Create(a), Vector512.Load(c + j)).Store(c + j);
            for (; j + Vector<float>.Count <= j1; j += Vector<float>.Count)
                Vector.MultiplyAddEstimate(Vector.Load(b + j), new Vector<float>(a), Vector.Load(c + j)).Store(c + j);
            for (; j < j1; j++) c[j] += a * b[j];
        }
    }
}
