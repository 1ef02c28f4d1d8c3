using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Streaming.Tensors;

/// <summary>A kernel split into parts that may run concurrently; part 0 runs on the calling thread.</summary>
internal interface IParallelWork
{
    void Execute(int part, int parts);
}

/// <summary>
/// Persistent worker threads for GEMM and the inference kernels: they allocate nothing per call, where the thread
/// pool's <c>Parallel.For</c> allocates and queues. Waking a blocked thread costs tens of microseconds (more in a VM,
/// where the idle vCPU must be woken too), as much as a mid-size GEMM takes, so workers and caller spin briefly before
/// they block: back-to-back kernels find each other awake. One kernel uses the pool at a time; a concurrent caller
/// runs its parts on its own thread instead of waiting.
/// </summary>
internal static class WorkerThreads
{
    static readonly Lock Gate = new();
    static readonly ManualResetEventSlim AllDone = new(false);
    static readonly List<Worker> Workers = [];
    static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 us
    static int pending;
    static ExceptionDispatchInfo? failure;

    public static void Run(IParallelWork work, int parts)
    {
        if (parts <= 1 || !Gate.TryEnter())
        {
            for (int p = 0; p < parts; p++) work.Execute(p, parts);
            return;
        }
        try
        {
            while (Workers.Count < parts - 1) Workers.Add(new Worker(Workers.Count + 1));
            failure = null;
            pending = parts - 1;
            AllDone.Reset();
            for (int p = 1; p < parts; p++) Workers[p - 1].Start(work, p, parts);
            try
            {
                work.Execute(0, parts);
            }
            finally
            {
                // The workers read the caller's pinned arrays: never return before they are done.
                SpinThenWait(AllDone);
            }
            failure?.Throw();
        }
        finally
        {
            Gate.Exit();
        }
    }

    /// <summary>Waits for the event, spinning (and yielding to other threads) for up to 200 us before blocking.</summary>
    static void SpinThenWait(ManualResetEventSlim signal)
    {
        long start = Stopwatch.GetTimestamp();
        var spin = new SpinWait();
        while (!signal.IsSet && Stopwatch.GetTimestamp() - start < SpinTicks) spin.SpinOnce(sleep1Threshold: -1);
        signal.Wait();
    }

    sealed class Worker
    {
        readonly ManualResetEventSlim go = new(false);
        IParallelWork? work;
        int part, parts;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"gemm-{index}" };
            thread.Start();
        }

        public void Start(IParallelWork w, int p, int count)
        {
            work = w;
            part = p;
            parts = count;
            go.Set();
        }

        void Loop()
        {
            while (true)
            {
                SpinThenWait(go);
                go.Reset();
                try
                {
                    work!.Execute(part, parts);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                }
                work = null;
                if (Interlocked.Decrement(ref pending) == 0) AllDone.Set();
            }
        }
    }
}
