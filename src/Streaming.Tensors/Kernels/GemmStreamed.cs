using System.Runtime.CompilerServices;

namespace Streaming.Tensors;

/// <summary>
/// The blocked GEMM for few rows (one block of A) and a B, not transposed, too large for the last-level cache, so
/// that B streams from memory and packing it takes as long as the arithmetic. Threads share the packed panels and take work items in one
/// fixed order: <c>pack(0, ...), [pack(1), compute(0, ...)], [pack(2), compute(1, ...)], ...</c>, where compute(q, i)
/// is a range of B slivers of panel q. One thread packs the next panel while the others compute on the current one
/// (three buffers), so reading B overlaps the arithmetic, where <see cref="GemmBlocked"/> has every thread pack its
/// share at the same moment and the memory bus serves them at once (about 23 GB/s together against 35 for one, here).
/// </summary>
/// <remarks>
/// An item waits only for items earlier in the order (the panel it reads, the same columns of C in the previous panel,
/// the panel whose buffer it reuses), so any number of threads, one included, finishes them all. The first panel has
/// nothing to overlap with: all threads pack it, a few rows each. Work goes to whichever thread is free, which also
/// keeps the cores busy when another process takes one of them for a while. The price is that cores read panels
/// another core packed, which on the 2-vCPU machine this was tuned on runs at a sixth of local speed: there the gain
/// over <see cref="GemmBlocked"/> is about 7% (32 x 4096 x 4096 on two threads).
/// </remarks>
internal sealed unsafe class GemmStreamed : IGemmWork
{
    /// <summary>B of at least this many floats (32 MiB, the L3 of a Zen 4/5 core complex) comes from memory.</summary>
    const long StreamingFloats = 8L << 20;

    const int Buffers = 3;

    [ThreadStatic] static GemmStreamed? cached;

    GemmProblem g;
    GemmKernelKind kind;
    int mr, nr, kc, nc;
    bool directB;
    int panelsK, panels, chunks, firstPackItems, panelFloats;
    float* packB;

    int nextItem;
    // Per panel: pieces packed and chunks computed; per chunk: panels done, in order.
    int[] packed = [];
    int[] computed = [];
    int[] progress = [];

    /// <summary>
    /// Whether the problem fits this schedule: one block of A rows, a B that streams, more than one thread. A transposed
    /// B is left to <see cref="GemmBlocked"/>: its packing is a transpose, more work than one packing thread keeps up
    /// with (0.85x OpenBLAS pipelined against 1.25x blocked at 32 x 4096 x 4096 on two threads).
    /// </summary>
    public static bool Suits(in GemmProblem g, int parts) =>
        parts > 1 && !g.TransB && g.M <= GemmBlocked.McTarget && (long)g.K * g.N >= StreamingFloats;

    public static void Run(in GemmProblem g, GemmKernelKind kind, int parts)
    {
        var job = cached ??= new GemmStreamed();
        job.Plan(g, kind, parts);
        GemmThreads.Run(job, parts);
    }

    void Plan(in GemmProblem problem, GemmKernelKind kernel, int parts)
    {
        g = problem;
        kind = kernel;
        (mr, nr) = GemmMicroKernel.Shape(kernel);
        kc = GemmBlocked.Split(g.K, GemmBlocked.KcTarget, 1);
        nc = GemmBlocked.Split(g.N, GemmBlocked.NcTarget, nr);
        directB = GemmBlocked.ReadsBInPlace(g, g.M, mr);
        panelsK = (g.K + kc - 1) / kc;
        panels = (g.N + nc - 1) / nc * panelsK;
        // Chunks of 512 columns keep an item's slivers in L2 (512 KiB at kc = 256), and give each thread several
        // items per panel to balance.
        int slivers = (nc + nr - 1) / nr;
        chunks = Math.Clamp(Math.Max(nc / 512, 2 * parts), 1, slivers);
        firstPackItems = Math.Min(parts, kc);
        panelFloats = slivers * GemmPacking.SliverStride(kc, nr);
        packB = GemmScratch.PackB(Buffers * panelFloats);
        nextItem = 0;
        if (packed.Length < panels)
        {
            packed = new int[panels];
            computed = new int[panels];
        }
        if (progress.Length < chunks) progress = new int[chunks];
        Array.Clear(packed, 0, panels);
        Array.Clear(computed, 0, panels);
        Array.Clear(progress, 0, chunks);
    }

    public void Execute(int part, int parts)
    {
        switch (kind)
        {
            case GemmKernelKind.Avx512: Work<GemmKernelAvx512>(); break;
            case GemmKernelKind.Avx2: Work<GemmKernelAvx2>(); break;
            default: Work<GemmKernelVector128>(); break;
        }
    }

    /// <summary>Takes items in order until none is left; the same on every thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Work<TKernel>() where TKernel : struct, IGemmMicroKernel
    {
        float* packA = GemmScratch.PackA(g.M * kc);
        float* tile = GemmScratch.Tile(mr * nr);
        // The k block of A in packA: it does not depend on the columns, so later panels may reuse it.
        int packedPanelK = -1;
        int total = firstPackItems + panels * (chunks + 1);
        for (int item; (item = Interlocked.Increment(ref nextItem) - 1) < total;)
        {
            if (item < firstPackItems)
            {
                Pack(0, item, firstPackItems);
                Interlocked.Increment(ref packed[0]);
                continue;
            }
            // For each panel q, one item packs panel q + 1 and the others compute q.
            int q = (item - firstPackItems) / (chunks + 1), slot = (item - firstPackItems) % (chunks + 1);
            if (slot == 0)
            {
                if (q + 1 >= panels) continue;
                // Its buffer held panel q + 1 - Buffers.
                if (q + 1 >= Buffers) WaitFor(ref computed[q + 1 - Buffers], chunks);
                Pack(q + 1, 0, 1);
                Volatile.Write(ref packed[q + 1], 1);
                continue;
            }
            int chunk = slot - 1;
            WaitFor(ref packed[q], q == 0 ? firstPackItems : 1);
            // C accumulates panel after panel along k: these columns' update from panel q - 1 comes first.
            WaitFor(ref progress[chunk], q);
            var (pc, kcb, jc, ncb) = Bounds(q);
            if (q % panelsK != packedPanelK)
            {
                GemmPacking.PackA(g.TransA, g.AAt(0, pc), g.Lda, g.M, kcb, mr, g.Alpha, packA);
                packedPanelK = q % panelsK;
            }
            int slivers = (ncb + nr - 1) / nr;
            int s0 = (int)((long)slivers * chunk / chunks), s1 = (int)((long)slivers * (chunk + 1) / chunks);
            GemmBlocked.MacroKernel<TKernel>(g, directB, 0, g.M, pc, kcb, jc, ncb, s0, s1, packA, Buffer(q), tile);
            Volatile.Write(ref progress[chunk], q + 1);
            Interlocked.Increment(ref computed[q]);
        }
    }

    void Pack(int q, int piece, int pieces)
    {
        var (pc, kcb, jc, ncb) = Bounds(q);
        GemmBlocked.PackPanel(g, directB, pc, kcb, jc, ncb, nr, Buffer(q), piece, pieces);
    }

    float* Buffer(int q) => packB + q % Buffers * panelFloats;

    /// <summary>Panel q covers k rows [pc, pc + kcb) and columns [jc, jc + ncb) of op(B); k runs fastest.</summary>
    (int Pc, int Kcb, int Jc, int Ncb) Bounds(int q)
    {
        int pc = q % panelsK * kc, jc = q / panelsK * nc;
        return (pc, Math.Min(kc, g.K - pc), jc, Math.Min(nc, g.N - jc));
    }

    /// <summary>Spins (yielding the core when it takes long) until another thread has counted up to target.</summary>
    static void WaitFor(ref int counter, int target)
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref counter) < target) spin.SpinOnce(sleep1Threshold: -1);
    }
}
