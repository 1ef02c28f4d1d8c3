using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Streaming.Tensors.Tests.Fixtures;

namespace Streaming.Tensors.Tests.Kernels;

/// <summary>
/// Gemm.Sgemm against a double-precision reference. The error bound is stated per element relative to sqrt(k):
/// |C - ref| <= 8 eps sqrt(k + 1) (|alpha| (|op(A)| |op(B)|)_ij + |beta C0_ij|), the growth of float rounding
/// error along a length-k dot product, whatever order the kernel sums in.
/// </summary>
public class GemmTests
{
    const double Eps = 1.0 / (1 << 24);

    static readonly int[] OddSizes = [1, 3, 17, 63, 65, 129, 300];

    /// <summary>
    /// Every micro-kernel this CPU runs (by name: the enum is internal), so the fallbacks are exercised here even
    /// where a wider kernel is the default.
    /// </summary>
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string>();
        foreach (var kind in SupportedKernels()) data.Add(kind.ToString());
        return data;
    }

    static GemmKernelKind[] SupportedKernels() => Enum.GetValues<GemmKernelKind>().Where(GemmMicroKernel.IsSupported).ToArray();

    /// <summary>(m, n, k) triples that put each odd size in each position, plus the dot-product shapes (m or n &lt;= 4).</summary>
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        for (int i = 0; i < OddSizes.Length; i++)
            data.Add(OddSizes[i], OddSizes[(i + 2) % OddSizes.Length], OddSizes[(i + 5) % OddSizes.Length]);
        data.Add(1, 300, 129);
        data.Add(3, 65, 300);
        data.Add(129, 1, 300);
        data.Add(300, 3, 17);
        data.Add(4, 129, 65);
        data.Add(65, 4, 129);
        data.Add(13, 33, 257);
        return data;
    }

    public static TheoryData<string, int, int, int> KernelShapes()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var kernel in SupportedKernels())
            foreach (var shape in Shapes())
                data.Add(kernel.ToString(), (int)shape[0], (int)shape[1], (int)shape[2]);
        return data;
    }

    [Theory]
    [MemberData(nameof(KernelShapes))]
    public void Sgemm_AllTransposes_OneAndTwoParts_MatchReference(string kernelName, int m, int n, int k)
    {
        var kernel = Enum.Parse<GemmKernelKind>(kernelName);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (int parts in new[] { 1, 2 })
                    Check(new Case(transA, transB, m, n, k, 1f, 0f, Seed: m * 31 + n * 7 + k), parts, kernel);
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Sgemm_TwoParts_GiveTheSameBitsWhateverTheirShares(string kernelName)
    {
        // Two parts split the tiles unevenly as the cores' speeds steer them; any split must compute each element of C
        // as one part does. Wide (split along n) and tall (along m), edge tiles at both ends, beta 0 and a general beta.
        var kernel = Enum.Parse<GemmKernelKind>(kernelName);
        foreach (var (m, n, k, beta) in new[] { (37, 301, 129, 0f), (300, 40, 77, -0.5f), (64, 512, 300, 1f) })
        {
            var rng = new Random(m + n + k);
            var (a, b, c0) = (RandomArray(rng, m * k), RandomArray(rng, k * n), RandomArray(rng, m * n));
            var one = (float[])c0.Clone();
            Gemm.Sgemm(false, false, m, n, k, 1.5f, a, 0, k, b, 0, n, beta, one, 0, n, 1, kernel);
            foreach (var share in new[] { 0.3, 0.5, 0.7 })
            {
                GemmBlocked.FirstShare = share;
                var two = (float[])c0.Clone();
                Gemm.Sgemm(false, false, m, n, k, 1.5f, a, 0, k, b, 0, n, beta, two, 0, n, 2, kernel);
                Assert.True(one.AsSpan().SequenceEqual(two), $"{m}x{n}x{k} {kernel}: two parts starting from share {share} differ from one part");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Sgemm_OffsetsAndWideStrides_TouchOnlyTheirRegion(string kernelName)
    {
        var kernel = Enum.Parse<GemmKernelKind>(kernelName);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (var (m, n, k) in new[] { (65, 63, 129), (3, 300, 17), (129, 2, 65), (33, 47, 5) })
                    foreach (int parts in new[] { 1, 2 })
                        Check(new Case(transA, transB, m, n, k, -1.5f, 0.5f, Seed: 5 + m, Offset: 7, Pad: 9), parts, kernel);
    }

    /// <summary>
    /// With k at least 1024 and 16 m, and B not transposed, threads split k and add their partial products; the
    /// transposed variants check the other split at the same sizes.
    /// </summary>
    [Theory]
    [InlineData(13, 301, 1100, 3)]
    [InlineData(5, 129, 1030, 2)]
    [InlineData(64, 65, 1024, 2)]
    [InlineData(7, 63, 2000, 2)]
    public void Sgemm_SplitAlongK_MatchesReference(int m, int n, int k, int parts)
    {
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
            {
                Check(new Case(transA, transB, m, n, k, 0.5f, 0.25f, Seed: m + parts, Offset: 3, Pad: 5), parts, GemmMicroKernel.Best);
                Check(new Case(transA, transB, m, n, k, 1f, 0f, Seed: m, NaNInC: true), parts, GemmMicroKernel.Best);
            }
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(2.5f, 0f)]
    [InlineData(1f, 1f)]
    [InlineData(-1f, 1f)]
    [InlineData(0.5f, -2f)]
    [InlineData(0f, 3f)]
    [InlineData(0f, 0f)]
    public void Sgemm_AlphaBetaVariants_MatchReference(float alpha, float beta)
    {
        foreach (var kernel in SupportedKernels())
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                    foreach (var (m, n, k) in new[] { (17, 65, 300), (2, 129, 63), (63, 3, 65), (300, 129, 17) })
                        Check(new Case(transA, transB, m, n, k, alpha, beta, Seed: 11), parts: 2, kernel);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 129, 65)]
    [InlineData(65, 3, 129)]
    [InlineData(129, 300, 63)]
    public void Sgemm_BetaZero_IgnoresNaNInC(int m, int n, int k)
    {
        foreach (var kernel in SupportedKernels())
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                    Check(new Case(transA, transB, m, n, k, 0.75f, 0f, Seed: 3, NaNInC: true), parts: 2, kernel);
    }

    [Fact]
    public void Sgemm_KZero_ScalesC()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Sgemm(false, false, 2, 3, 0, 1f, [], 0, 0, [], 0, 3, 2f, c, 0, 3);
        Assert.Equal([2f, 4, 6, 8, 10, 12], c);

        var nan = new float[6];
        Array.Fill(nan, float.NaN);
        Gemm.Sgemm(true, true, 2, 3, 0, 1f, [], 0, 2, [], 0, 0, 0f, nan, 0, 3);
        Assert.All(nan, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Sgemm_EmptyOutput_IsANoOp()
    {
        var c = new float[] { 7 };
        Gemm.Sgemm(false, false, 0, 5, 3, 1f, [], 0, 3, new float[15], 0, 5, 0f, c, 0, 5);
        Gemm.Sgemm(false, false, 4, 0, 3, 1f, new float[12], 0, 3, [], 0, 0, 0f, c, 0, 0);
        Assert.Equal(7f, c[0]);
    }

    [Fact]
    public void Sgemm_ArgumentChecking()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, -1, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 2, 2, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2, threads: 0));
        Assert.Throws<ArgumentNullException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, null!, 0, 3, b, 0, 2, 0f, c, 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MaxThreads = 0);
    }

    [Fact]
    public void Sgemm_RandomProblems_MatchReference()
    {
        var trans = Gen.Elements(false, true);
        var size = Gen.Frequency((3, Gen.Choose(1, 8)), (3, Gen.Choose(9, 70)), (1, Gen.Choose(71, 160)));
        var scalar = Gen.Elements(0f, 1f, -1f, 0.5f, 3f);
        var problems =
            from ta in trans
            from tb in trans
            from m in size
            from n in size
            from k in Gen.Frequency((1, Gen.Constant(0)), (6, size))
            from alpha in scalar
            from beta in scalar
            from offset in Gen.Choose(0, 5)
            from pad in Gen.Choose(0, 5)
            from nan in Gen.Elements(false, true)
            from parts in Gen.Choose(1, 3)
            from seed in Gen.Choose(0, 1000)
            select (new Case(ta, tb, m, n, k, alpha, beta, seed, offset, pad, nan && beta == 0), parts);
        var property = Prop.ForAll(Arb.From(problems), p =>
        {
            Check(p.Item1, p.Item2, GemmMicroKernel.Best);
            return true;
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void Sgemm_ConcurrentCallers_GetTheirOwnResults()
    {
        var cases = Enumerable.Range(0, 8)
            .Select(i => new Case(i % 2 == 1, i % 3 == 1, 100 + i, 120 - i, 90 + 3 * i, 1f, 0.5f, Seed: i)).ToArray();
        Parallel.ForEach(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, c => Check(c, parts: 2, GemmMicroKernel.Best));
    }

    [Fact]
    public void Sgemm_SteadyState_AllocatesNothing()
    {
        // Blocked on one thread, dot products, blocked on two, split along k.
        foreach (var (m, n, k, transB) in new[] { (96, 80, 70, false), (3, 200, 100, true), (64, 512, 512, false), (32, 512, 1024, false) })
        {
            var a = new float[m * k];
            var b = new float[k * n];
            var c = new float[m * n];
            int ldb = transB ? k : n;
            foreach (int threads in new[] { 1, 2 })
                SteadyState.AssertAllocatesNothing(() => Gemm.Sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, ldb, 0f, c, 0, n, threads));
        }
    }

    [Fact]
    public void Sgemm_MatchesOpenBlas()
    {
        if (!OpenBlas.IsAvailable) return;
        var rng = new Random(42);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (var (m, n, k) in new[] { (257, 129, 513), (1, 1000, 300), (300, 2, 511), (64, 512, 512) })
                {
                    var a = RandomArray(rng, m * k);
                    var b = RandomArray(rng, k * n);
                    var ours = RandomArray(rng, m * n);
                    var blas = (float[])ours.Clone();
                    int lda = transA ? m : k, ldb = transB ? k : n;
                    Gemm.Sgemm(transA, transB, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, 2f, ours, 0, n, threads: 2);
                    OpenBlas.Sgemm(transA, transB, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, 2f, blas, 0, n);
                    // Both carry the reference bound; their difference is at most twice it (|a|, |b| <= 1, |c| <= 1).
                    double tol = 2 * 8 * Eps * Math.Sqrt(k + 1) * (0.5 * k + 2);
                    for (int i = 0; i < ours.Length; i++)
                        Assert.True(Math.Abs(ours[i] - blas[i]) <= tol, $"{m}x{n}x{k} tA={transA} tB={transB} [{i}]: {ours[i]} vs {blas[i]}");
                }
    }

    /// <summary>One problem: sizes, scalars and the layout of the operands within their arrays.</summary>
    public sealed record Case(bool TransA, bool TransB, int M, int N, int K, float Alpha, float Beta,
        int Seed, int Offset = 0, int Pad = 0, bool NaNInC = false);

    static void Check(Case p, int parts, GemmKernelKind kernel)
    {
        var rng = new Random(p.Seed);
        int aRows = p.TransA ? p.K : p.M, aCols = p.TransA ? p.M : p.K;
        int bRows = p.TransB ? p.N : p.K, bCols = p.TransB ? p.K : p.N;
        int lda = aCols + p.Pad, ldb = bCols + p.Pad, ldc = p.N + p.Pad;
        var a = RandomArray(rng, p.Offset + aRows * lda + p.Pad);
        var b = RandomArray(rng, p.Offset + bRows * ldb + p.Pad);
        var c = RandomArray(rng, p.Offset + p.M * ldc + p.Pad);
        if (p.NaNInC) Array.Fill(c, float.NaN);
        var before = (float[])c.Clone();

        Gemm.Sgemm(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, a, p.Offset, lda, b, p.Offset, ldb,
            p.Beta, c, p.Offset, ldc, parts, kernel);

        for (int i = 0; i < p.M; i++)
        {
            for (int j = 0; j < p.N; j++)
            {
                double sum = 0, abs = 0;
                for (int q = 0; q < p.K; q++)
                {
                    double av = p.TransA ? a[p.Offset + q * lda + i] : a[p.Offset + i * lda + q];
                    double bv = p.TransB ? b[p.Offset + j * ldb + q] : b[p.Offset + q * ldb + j];
                    sum += av * bv;
                    abs += Math.Abs(av * bv);
                }
                int at = p.Offset + i * ldc + j;
                double c0 = p.Beta == 0 ? 0 : before[at];
                double expected = p.Alpha * sum + p.Beta * c0;
                double tol = 8 * Eps * Math.Sqrt(p.K + 1) * (Math.Abs(p.Alpha) * abs + Math.Abs(p.Beta * c0));
                if (!(Math.Abs(c[at] - expected) <= tol))
                    Assert.Fail($"{p} {kernel} parts={parts}: C[{i},{j}] = {c[at]}, expected {expected} (tol {tol:E2})");
                before[at] = c[at];
            }
        }
        // Everything outside the m x n window, offset and padding included, is untouched.
        for (int i = 0; i < c.Length; i++)
            if (!c[i].Equals(before[i])) Assert.Fail($"{p} {kernel} parts={parts}: C[{i}] outside the output changed");
    }

    static float[] RandomArray(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
