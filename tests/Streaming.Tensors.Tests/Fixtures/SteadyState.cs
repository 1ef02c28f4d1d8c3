namespace Streaming.Tensors.Tests.Fixtures;

/// <summary>Checks that a kernel, once warm, allocates nothing per call on the calling thread.</summary>
public static class SteadyState
{
    /// <summary>
    /// Runs <paramref name="call"/> once to warm it, then rounds of <paramref name="callsPerRound"/> calls until one
    /// round allocates nothing. A per-call allocation shows in every round and fails; a one-off allocation of the
    /// runtime (the wait handle made the first time a loaded machine makes this thread block) passes in a later round.
    /// </summary>
    public static void AssertAllocatesNothing(Action call, int callsPerRound = 3, int rounds = 4)
    {
        call();
        var allocated = new List<long>();
        for (int r = 0; r < rounds; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < callsPerRound; i++) call();
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (bytes == 0) return;
            allocated.Add(bytes);
        }
        Assert.Fail($"Every round of {callsPerRound} calls allocated on this thread: {string.Join(", ", allocated)} bytes.");
    }
}
