using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Streaming.Tensors;

/// <summary>
/// The cache-blocked GEMM loop nest (Goto/BLIS): a kc x nc panel of op(B) is packed once and reused by every
/// mc x kc block of op(A); within a block each B sliver (kc x NR, in L1) meets every A sliver (MR x kc, from L2).
/// Threads own rectangles of C and pack what they use themselves: on this kind of machine a core reads data another
/// core just wrote at a sixth of the speed of its own (18 against 110 GB/s here), so sharing packed panels costs more
/// than packing A twice.
/// </summary>
internal sealed unsafe class GemmBlocked : IParallelWork
{
    // kc x NR floats of B (32 KiB for the AVX-512 kernel) stay in the 48 KiB L1 while the A slivers stream past;
    // mc x kc floats of A (192 KiB) sit in the 1 MiB L2; the kc x nc panel of B (up to 4 MiB) sits in L3. A wide
    // panel also means long sequential runs when packing B, which is what sets the pace when m is small and B
    // streams from memory (2 KiB runs read at a third of the bandwidth of 16 KiB ones).
    const int KcTarget = 256;
    const int McTarget = 192;
    const int NcTarget = 4096;

    [ThreadStatic] static GemmBlocked? cached;

    // The share of the tiles the first of two parts takes, split along m or n. The cores of a shared machine do not run
    // at one speed (here one ran 5-30% slower than the other for seconds at a time), and with an even split the faster
    // waits for the slower; each call of at least a millisecond a part moves the share an eighth of the way towards the
    // one that would have finished both together (one call's balance is noisy: it tracks what lasts over several calls;
    // shorter calls are timed too coarsely and follow the longer ones' share).
    // Any split computes every element of C the same way, so the results do not depend on it.
    static double firstShare = 0.5;
    const double MinShare = 0.3, MaxShare = 0.7;
    static readonly long SteeringTicks = Stopwatch.Frequency / 1000;

    /// <summary>The share the next two-part split starts from (tests set it to check that results do not depend on it).</summary>
    internal static double FirstShare
    {
        get => firstShare;
        set => firstShare = Math.Clamp(value, MinShare, MaxShare);
    }

    double share;
    long time0, time1, work0, work1;  // each part's ticks and elements of C in the last call

    GemmProblem problem;
    GemmKernelKind kind;
    int mr, nr, rowParts, colParts, depthParts;
    // Partial products of depth parts 1.., m x n each with row stride n; part 0 accumulates into C itself.
    float* partials;

    /// <summary>
    /// Runs the problem on up to <paramref name="parts"/> threads. Each part owns a rectangle of C made of whole tiles:
    /// split along n when n is the longer side (each part packs all of A and its share of B) and along m otherwise.
    /// When B (stored k x n) outweighs C, k at least 16 m, parts instead take a range of k each: rows of B, one
    /// contiguous stretch of memory per thread read in full rows, and no operand packed twice; their partial products
    /// are added up at the end. Reading B is then what bounds the product, and this reads it 1.2 to 1.5 times as fast
    /// as half rows each (32 x k x n, k = n = 1024 to 4096, two threads); with smaller k the sums cost more than that.
    /// </summary>
    public static void Run(in GemmProblem g, GemmKernelKind kind, int parts)
    {
        var job = cached ??= new GemmBlocked();
        job.problem = g;
        job.kind = kind;
        (job.mr, job.nr) = GemmMicroKernel.Shape(kind);
        int depthParts = Math.Min(parts, (g.K + KcTarget - 1) / KcTarget);
        long partialFloats = (long)(depthParts - 1) * g.M * g.N;
        if (depthParts > 1 && !g.TransB && g.K >= 4 * KcTarget && g.K >= 16L * g.M && partialFloats <= int.MaxValue / 2)
        {
            (job.rowParts, job.colParts, job.depthParts) = (1, 1, depthParts);
            job.partials = GemmScratch.Partials((int)partialFloats);
            WorkerThreads.Run(job, job.depthParts);
            job.AddPartials();
            return;
        }
        job.depthParts = 1;
        int rowTiles = (g.M + job.mr - 1) / job.mr, colTiles = (g.N + job.nr - 1) / job.nr;
        parts = Math.Clamp(parts, 1, rowTiles * colTiles);
        // Each part packs its rows of A and its columns of B: pick the grid that packs the least in total.
        (job.rowParts, job.colParts) = (parts, 1);
        double best = double.MaxValue;
        for (int cp = 1; cp <= parts; cp++)
        {
            if (parts % cp != 0 || cp > colTiles || parts / cp > rowTiles) continue;
            double packed = (double)cp * g.M + (double)(parts / cp) * g.N;
            if (packed <= best) (best, job.rowParts, job.colParts) = (packed, parts / cp, cp);
        }
        (job.share, job.time0, job.time1) = (firstShare, 0, 0);
        WorkerThreads.Run(job, job.rowParts * job.colParts);
        if (job.rowParts * job.colParts == 2) job.Steer();
    }

    /// <summary>Moves <see cref="firstShare"/> an eighth of the way towards the share at which both parts of the last call would have ended together.</summary>
    void Steer()
    {
        if (time0 < SteeringTicks || time1 < SteeringTicks) return;
        double first = (double)time0 / work0, second = (double)time1 / work1; // ticks per element of C
        double balanced = second / (first + second);
        firstShare = Math.Clamp(firstShare + (balanced - firstShare) / 8, MinShare, MaxShare);
    }

    public void Execute(int part, int parts)
    {
        var g = problem;
        if (depthParts > 1)
        {
            var (k0, k1) = Range(g.K, KcTarget, part, depthParts);
            float* c = part == 0 ? g.C : partials + (long)(part - 1) * g.M * g.N;
            g = new GemmProblem(g.TransA, g.TransB, g.M, g.N, k1 - k0, g.Alpha, g.AAt(0, k0), g.Lda, g.BAt(k0, 0), g.Ldb,
                part == 0 ? g.Beta : 0f, c, part == 0 ? g.Ldc : g.N);
        }
        var (i0, i1) = Range(g.M, mr, part % (rowParts * colParts) / colParts, rowParts, share);
        var (j0, j1) = Range(g.N, nr, part % colParts, colParts, share);
        if (i0 >= i1 || j0 >= j1) return;
        long start = Stopwatch.GetTimestamp();
        switch (kind)
        {
            case GemmKernelKind.Avx512: Run<GemmKernelAvx512>(g, i0, i1, j0, j1); break;
            case GemmKernelKind.Avx2: Run<GemmKernelAvx2>(g, i0, i1, j0, j1); break;
            default: Run<GemmKernelVector128>(g, i0, i1, j0, j1); break;
        }
        long work = (long)(i1 - i0) * (j1 - j0), time = Stopwatch.GetTimestamp() - start;
        if (part == 0) (time0, work0) = (time, work);
        else if (part == 1) (time1, work1) = (time, work);
    }

    /// <summary>C += the partial products of depth parts 1.. (each already scaled by alpha).</summary>
    void AddPartials()
    {
        var g = problem;
        for (int part = 1; part < depthParts; part++)
        {
            float* partial = partials + (long)(part - 1) * g.M * g.N;
            for (int i = 0; i < g.M; i++)
            {
                var row = new Span<float>(g.C + i * g.Ldc, g.N);
                TensorPrimitives.Add(row, new ReadOnlySpan<float>(partial + (long)i * g.N, g.N), row);
            }
        }
    }

    /// <summary>
    /// Part <paramref name="index"/> of <paramref name="count"/> of [0, total), cut at multiples of the tile: even parts,
    /// or of two parts the first <paramref name="firstShare"/> of the tiles.
    /// </summary>
    static (int Start, int End) Range(int total, int tile, int index, int count, double firstShare = 0.5)
    {
        long tiles = (total + tile - 1) / tile;
        int Cut(int i) => count == 2 && i == 1 && tiles >= 2 ? (int)Math.Clamp((long)(tiles * firstShare), 1, tiles - 1) : (int)(tiles * i / count);
        int start = Cut(index) * tile, end = Cut(index + 1) * tile;
        return (Math.Min(start, total), Math.Min(end, total));
    }

    /// <summary>Computes rows [i0, i1) x columns [j0, j1) of C on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Run<TKernel>(in GemmProblem g, int i0, int i1, int j0, int j1) where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int kc = Split(g.K, KcTarget, 1), mc = Split(i1 - i0, McTarget, mr), nc = Split(j1 - j0, NcTarget, nr);
        // With a single sliver of A rows each B element is used once: B is read in place, not packed, but for a narrow
        // last sliver (kernels read NR columns, which would run past the row).
        bool directB = !g.TransB && i1 - i0 <= mr;
        float* packA = GemmScratch.PackA(mc * kc);
        float* packB = GemmScratch.PackB((nc + nr - 1) / nr * GemmPacking.SliverStride(kc, nr));
        float* tile = GemmScratch.Tile(mr * nr);
        for (int jc = j0; jc < j1; jc += nc)
        {
            int ncb = Math.Min(nc, j1 - jc);
            for (int pc = 0; pc < g.K; pc += kc)
            {
                int kcb = Math.Min(kc, g.K - pc);
                int stride = GemmPacking.SliverStride(kcb, nr), edge = ncb / nr * nr;
                if (!directB) GemmPacking.PackB(g.TransB, g.BAt(pc, jc), g.Ldb, kcb, ncb, nr, packB, stride);
                else if (edge < ncb) GemmPacking.PackB(false, g.BAt(pc, jc + edge), g.Ldb, kcb, ncb - edge, nr, packB, stride);
                // The first k block applies beta; the later ones accumulate onto it.
                float beta = pc == 0 ? g.Beta : 1f;
                for (int ic = i0; ic < i1; ic += mc)
                {
                    int mcb = Math.Min(mc, i1 - ic);
                    GemmPacking.PackA(g.TransA, g.AAt(ic, pc), g.Lda, mcb, kcb, mr, g.Alpha, packA);
                    for (int jr = 0; jr < ncb; jr += nr)
                    {
                        int cols = Math.Min(nr, ncb - jr);
                        float* bSliver = directB ? (cols == nr ? g.BAt(pc, jc + jr) : packB) : packB + jr / nr * stride;
                        nint bStride = directB && cols == nr ? g.Ldb : nr;
                        for (int ir = 0; ir < mcb; ir += mr)
                        {
                            int rows = Math.Min(mr, mcb - ir);
                            float* aSliver = packA + ir * kcb;
                            float* cTile = g.C + (ic + ir) * g.Ldc + jc + jr;
                            if (cols == nr)
                            {
                                TKernel.Tile(rows, kcb, aSliver, bSliver, bStride, cTile, g.Ldc, beta);
                            }
                            else
                            {
                                // Kernels write whole MR x NR tiles: an edge tile goes through a scratch tile.
                                TKernel.Tile(rows, kcb, aSliver, bSliver, bStride, tile, nr, 0f);
                                MergeTile(tile, nr, cTile, g.Ldc, rows, cols, beta);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Block size for <paramref name="total"/>: at most about <paramref name="target"/>, a multiple of
    /// <paramref name="multiple"/>, and evenly spread so that no block is a sliver.</summary>
    static int Split(int total, int target, int multiple)
    {
        int blocks = Math.Max(1, (total + target - 1) / target);
        int size = (total + blocks - 1) / blocks;
        return Math.Max(multiple, (size + multiple - 1) / multiple * multiple);
    }

    /// <summary>C = tile + beta * C over the valid rows x cols of an edge tile.</summary>
    static void MergeTile(float* tile, int ldt, float* c, nint ldc, int rows, int cols, float beta)
    {
        for (int r = 0; r < rows; r++, tile += ldt, c += ldc)
        {
            int j = 0;
            if (beta == 0)
            {
                for (; j + Vector<float>.Count <= cols; j += Vector<float>.Count) Vector.Load(tile + j).Store(c + j);
                for (; j < cols; j++) c[j] = tile[j];
            }
            else
            {
                for (; j + Vector<float>.Count <= cols; j += Vector<float>.Count) (Vector.Load(tile + j) + Vector.Load(c + j) * beta).Store(c + j);
                for (; j < cols; j++) c[j] = tile[j] + beta * c[j];
            }
        }
    }
}
