using System.Runtime.InteropServices;

namespace Streaming.Tensors;

/// <summary>
/// OpenBLAS's <c>cblas_sgemm</c> from Debian's libopenblas0-pthread, loaded by full path at run time: the yardstick
/// for <see cref="Gemm"/> in benchmarks and an oracle in tests. Absent the library, <see cref="IsAvailable"/> is false.
/// </summary>
public static unsafe class OpenBlas
{
    const int RowMajor = 101, NoTrans = 111, Trans = 112;

    // Debian installs each BLAS variant in its own directory; the plain soname is the last resort.
    static readonly string[] Candidates =
    [
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "libopenblas.so.0",
    ];

    static readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> sgemm;
    static readonly delegate* unmanaged[Cdecl]<int, void> setNumThreads;
    static readonly Lock ThreadsGate = new();
    static int threads;

    static OpenBlas()
    {
        foreach (var path in Candidates)
        {
            if (!NativeLibrary.TryLoad(path, out var handle)) continue;
            if (NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var gemm) &&
                NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var set))
            {
                sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)gemm;
                setNumThreads = (delegate* unmanaged[Cdecl]<int, void>)set;
                Path = path;
                return;
            }
            NativeLibrary.Free(handle);
        }
    }

    /// <summary>Whether the library was found and loaded.</summary>
    public static bool IsAvailable => sgemm != null;

    /// <summary>The path the library was loaded from, or null.</summary>
    public static string? Path { get; }

    /// <summary>Sets OpenBLAS's thread count (process-wide).</summary>
    public static void SetThreads(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        EnsureAvailable();
        lock (ThreadsGate)
        {
            if (threads == count) return;
            setNumThreads(count);
            threads = count;
        }
    }

    /// <summary>C = alpha * op(A) @ op(B) + beta * C with the argument convention of <see cref="Gemm.Sgemm(bool, bool, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)"/>.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
        float beta, float[] c, int cOffset, int ldc)
    {
        EnsureAvailable();
        Gemm.CheckArguments(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        if (m == 0 || n == 0) return;
        // cblas rejects (and prints about) strides below 1 even where a dimension is empty.
        lda = Math.Max(lda, 1);
        ldb = Math.Max(ldb, 1);
        fixed (float* pa = a, pb = b, pc = c)
            sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k,
                alpha, pa + aOffset, lda, pb + bOffset, ldb, beta, pc + cOffset, ldc);
    }

    /// <summary>As <see cref="Sgemm(bool, bool, int, int, int, float, float[], int, int, float[], int, int, float, float[], int, int)"/> on <paramref name="threads"/> OpenBLAS threads.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb,
        float beta, float[] c, int cOffset, int ldc, int threads)
    {
        SetThreads(threads);
        Sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc);
    }

    static void EnsureAvailable()
    {
        if (!IsAvailable) throw new DllNotFoundException("OpenBLAS not found: install libopenblas0-pthread (scripts/setup.sh).");
    }
}
