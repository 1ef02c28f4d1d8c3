using System.Runtime.CompilerServices;
using System.Numerics;

namespace Streaming.Tensors;

/// <summary>
/// The cache-blocked GEMM loop nest (Goto/BLIS): a kc x nc panel of op(B) is packed once and reused by every
/// mc x kc block of op(A); within a block each B sliver (kc x NR, in L1) meets every A sliver (MR x kc, from L2).
/// </summary>
internal sealed unsafe class GemmBlocked : IGemmWork
{
    // kc x NR floats of B (32 KiB for the AVX-512 kernel) stay in the 48 KiB L1 while the A slivers stream past;
    // mc x kc floats of A (192 KiB) sit in the 1 MiB L2; the kc x nc panel of B (up to 4 MiB) sits in L3. A wide
    // panel also means long sequential runs when packing B, which is what sets the pace when m is small and B
    // streams from memory (2 KiB runs read at a third of the bandwidth of 16 KiB ones).
    const int KcTarget = 256;
    const int McTarget = 192;
    const int NcTarget = 4096;

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
        parts = job.rowParts * job.colParts;
        GemmThreads.Run(job, parts);
    }

    public void Execute(int part, int parts)
    {
        int pi = part / colParts, pj = part % colParts;
        var (i0, i1) = Range(problem.M, mr, pi, rowParts);
        var (j0, j1) = Range(problem.N, nr, pj, colParts);
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
    public static void Run<TKernel>(in GemmProblem g, int i0, int i1, int j0, int j1) where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int kc = Split(g.K, KcTarget, 1), mc = Split(i1 - i0, McTarget, mr), nc = Split(j1 - j0, NcTarget, nr);
        // With a single sliver of A rows, each B element is used once: read B in place instead of packing it.
        bool directB = !g.TransB && i1 - i0 <= mr;
        float* packA = GemmScratch.PackA(mc * kc);
        float* packB = GemmScratch.PackB((directB ? 1 : nc / nr) * GemmPacking.SliverStride(kc, nr));
        float* tile = GemmScratch.Tile(mr * nr);
        for (int jc = j0; jc < j1; jc += nc)
        {
            int ncb = Math.Min(nc, j1 - jc);
            for (int pc = 0; pc < g.K; pc += kc)
            {
                int kcb = Math.Min(kc, g.K - pc);
                // The first k block applies beta; the later ones accumulate onto it.
                float beta = pc == 0 ? g.Beta : 1f;
                float* bPanel = g.BAt(pc, jc);
                if (!directB) GemmPacking.PackB(g.TransB, bPanel, g.Ldb, kcb, ncb, nr, packB);
                for (int ic = i0; ic < i1; ic += mc)
                {
                    int mcb = Math.Min(mc, i1 - ic);
                    GemmPacking.PackA(g.TransA, g.AAt(ic, pc), g.Lda, mcb, kcb, mr, g.Alpha, packA);
                    for (int jr = 0; jr < ncb; jr += nr)
                    {
                        int cols = Math.Min(nr, ncb - jr);
                        float* bSliver = packB + jr / nr * GemmPacking.SliverStride(kcb, nr);
                        nint bStride = nr;
                        if (directB && cols == nr)
                        {
                            bSliver = bPanel + jr;
                            bStride = g.Ldb;
                        }
                        else if (directB)
                        {
                            // Kernels read NR columns: a narrower edge would read past the row, so pad it.
                            GemmPacking.PackB(false, bPanel + jr, g.Ldb, kcb, cols, nr, packB);
                            bSliver = packB;
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
