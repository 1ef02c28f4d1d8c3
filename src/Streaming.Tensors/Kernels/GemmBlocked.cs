using System.Numerics;
using System.Runtime.CompilerServices;

namespace Streaming.Tensors;

/// <summary>
/// The cache-blocked GEMM loop nest (Goto/BLIS): a kc x nc panel of op(B) is packed once and reused by every
/// mc x kc block of op(A); within a block each B sliver (kc x NR, in L1) meets every A sliver (MR x kc, from L2).
/// Threads own rectangles of C and pack what they use themselves: on this kind of machine a core reads data another
/// core just wrote at a sixth of the speed of its own (18 against 110 GB/s here), so sharing packed panels costs more
/// than packing A twice.
/// </summary>
internal sealed unsafe class GemmBlocked : IGemmWork
{
    // kc x NR floats of B (32 KiB for the AVX-512 kernel) stay in the 48 KiB L1 while the A slivers stream past;
    // mc x kc floats of A (192 KiB) sit in the 1 MiB L2; the kc x nc panel of B (up to 4 MiB) sits in L3. A wide
    // panel also means long sequential runs when packing B, which is what sets the pace when m is small and B
    // streams from memory (2 KiB runs read at a third of the bandwidth of 16 KiB ones).
    public const int KcTarget = 256;
    public const int McTarget = 192;
    public const int NcTarget = 4096;

    [ThreadStatic] static GemmBlocked? cached;

    GemmProblem problem;
    GemmKernelKind kind;
    int mr, nr, rowParts, colParts;

    /// <summary>
    /// Runs the problem on up to <paramref name="parts"/> threads, each owning a rectangle of C made of whole tiles:
    /// split along n when n is the longer side (each part packs all of A and its share of B) and along m otherwise.
    /// </summary>
    public static void Run(in GemmProblem g, GemmKernelKind kind, int parts)
    {
        var job = cached ??= new GemmBlocked();
        job.problem = g;
        job.kind = kind;
        (job.mr, job.nr) = GemmMicroKernel.Shape(kind);
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
        GemmThreads.Run(job, job.rowParts * job.colParts);
    }

    public void Execute(int part, int parts)
    {
        var (i0, i1) = Range(problem.M, mr, part / colParts, rowParts);
        var (j0, j1) = Range(problem.N, nr, part % colParts, colParts);
        if (i0 >= i1 || j0 >= j1) return;
        switch (kind)
        {
            case GemmKernelKind.Avx512: Run<GemmKernelAvx512>(problem, i0, i1, j0, j1); break;
            case GemmKernelKind.Avx2: Run<GemmKernelAvx2>(problem, i0, i1, j0, j1); break;
            default: Run<GemmKernelVector128>(problem, i0, i1, j0, j1); break;
        }
    }

    /// <summary>Part <paramref name="index"/> of <paramref name="count"/> of [0, total), cut at multiples of the tile.</summary>
    static (int Start, int End) Range(int total, int tile, int index, int count)
    {
        long tiles = (total + tile - 1) / tile;
        int start = (int)(tiles * index / count) * tile, end = (int)(tiles * (index + 1) / count) * tile;
        return (Math.Min(start, total), Math.Min(end, total));
    }

    /// <summary>Computes rows [i0, i1) x columns [j0, j1) of C on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Run<TKernel>(in GemmProblem g, int i0, int i1, int j0, int j1) where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int kc = Split(g.K, KcTarget, 1), mc = Split(i1 - i0, McTarget, mr), nc = Split(j1 - j0, NcTarget, nr);
        bool directB = ReadsBInPlace(g, i1 - i0, mr);
        float* packA = GemmScratch.PackA(mc * kc);
        float* packB = GemmScratch.PackB((nc + nr - 1) / nr * GemmPacking.SliverStride(kc, nr));
        float* tile = GemmScratch.Tile(mr * nr);
        for (int jc = j0; jc < j1; jc += nc)
        {
            int ncb = Math.Min(nc, j1 - jc);
            for (int pc = 0; pc < g.K; pc += kc)
            {
                int kcb = Math.Min(kc, g.K - pc);
                PackPanel(g, directB, pc, kcb, jc, ncb, nr, packB, 0, 1);
                for (int ic = i0; ic < i1; ic += mc)
                {
                    int mcb = Math.Min(mc, i1 - ic);
                    GemmPacking.PackA(g.TransA, g.AAt(ic, pc), g.Lda, mcb, kcb, mr, g.Alpha, packA);
                    MacroKernel<TKernel>(g, directB, ic, mcb, pc, kcb, jc, ncb, 0, (ncb + nr - 1) / nr, packA, packB, tile);
                }
            }
        }
    }

    /// <summary>With a single sliver of A rows each B element is used once: B is read in place, not packed.</summary>
    public static bool ReadsBInPlace(in GemmProblem g, int rows, int mr) => !g.TransB && rows <= mr;

    /// <summary>
    /// Packs piece <paramref name="piece"/> of <paramref name="pieces"/> (a range of its k rows) of the kc x nc panel of
    /// op(B) at (pc, jc) into <paramref name="buffer"/>. Where B is read in place only a narrow last sliver is packed:
    /// kernels read NR columns, which would run past the row.
    /// </summary>
    public static void PackPanel(in GemmProblem g, bool directB, int pc, int kcb, int jc, int ncb, int nr, float* buffer, int piece, int pieces)
    {
        int p0 = kcb * piece / pieces, p1 = kcb * (piece + 1) / pieces;
        int stride = GemmPacking.SliverStride(kcb, nr);
        if (!directB)
        {
            GemmPacking.PackB(g.TransB, g.BAt(pc + p0, jc), g.Ldb, p1 - p0, ncb, nr, buffer + p0 * nr, stride);
        }
        else if (ncb % nr != 0)
        {
            int edge = ncb / nr * nr;
            GemmPacking.PackB(false, g.BAt(pc + p0, jc + edge), g.Ldb, p1 - p0, ncb - edge, nr, buffer + p0 * nr, stride);
        }
    }

    /// <summary>
    /// Rows [ic, ic + mcb) of C (packed in <paramref name="packA"/>) times slivers [s0, s1) of the panel at (pc, jc):
    /// the first k block applies beta, the later ones accumulate onto it. Edge tiles go through
    /// <paramref name="tile"/>, as kernels always write MR x NR.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MacroKernel<TKernel>(in GemmProblem g, bool directB, int ic, int mcb, int pc, int kcb, int jc, int ncb,
        int s0, int s1, float* packA, float* packB, float* tile) where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        float beta = pc == 0 ? g.Beta : 1f;
        int stride = GemmPacking.SliverStride(kcb, nr);
        for (int s = s0; s < s1; s++)
        {
            int jr = s * nr, cols = Math.Min(nr, ncb - jr);
            float* bSliver = packB + s * stride;
            nint bStride = nr;
            if (directB)
            {
                bSliver = cols == nr ? g.BAt(pc, jc + jr) : packB;
                bStride = cols == nr ? g.Ldb : nr;
            }
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
                    TKernel.Tile(rows, kcb, aSliver, bSliver, bStride, tile, nr, 0f);
                    MergeTile(tile, nr, cTile, g.Ldc, rows, cols, beta);
                }
            }
        }
    }

    /// <summary>Block size for <paramref name="total"/>: at most about <paramref name="target"/>, a multiple of
    /// <paramref name="multiple"/>, and evenly spread so that no block is a sliver.</summary>
    public static int Split(int total, int target, int multiple)
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
