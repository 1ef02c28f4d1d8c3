using System.Numerics;

namespace Streaming.Tensors;

/// <summary>
/// Storage for the tensors of one training step, handed back and reused by the next. A step allocates megabytes of
/// activations and gradients that all die together when it ends; fresh arrays of that size land on the large object
/// heap, whose allocation, zeroing and collections cost more than the arithmetic of a small model (ActionLLM trained
/// at less than half the speed). While a <see cref="Scope"/> is open on a thread, <see cref="Tensor.Zeros(int[])"/>
/// on that thread takes its storage from here; closing the scope takes back everything handed out in it.
/// </summary>
/// <remarks>
/// Only code that knows what outlives the step may open a scope: every tensor made inside it is invalid after it
/// closes. A training step reads its loss and clears the parameters' gradients before closing it; the optimizer's
/// state, parameters and caches are made outside (or with their own arrays). A request takes the shortest free array
/// that holds it (at most twice as long), and new arrays come in size classes a quarter of a power of two apart, so steps
/// of different lengths share storage; a tensor may therefore view a longer array than it needs
/// (<see cref="Tensor.Data"/>'s length is not its size). Tiny tensors keep their own arrays. Capping what waits at one
/// step's footprint, dropping the lengths asked for longest ago, cost a third of the speed (ActionLLM, 50 Salads):
/// steps of other lengths need other arrays, so the free lists keep every length asked for in the last 16 steps.
/// </remarks>
public sealed class TensorArena
{
    /// <summary>Tensors below this many floats (4 KiB) keep their own arrays.</summary>
    public const int MinFloats = 1 << 10;

    /// <summary>Arrays of a length not asked for in this many steps are dropped, so that lengths seen once do not stay.</summary>
    const int IdleSteps = 16;

    [ThreadStatic] static TensorArena? current;

    readonly SortedList<int, Stack<float[]>> free = [];
    readonly Dictionary<int, int> lastUsed = [];
    readonly List<float[]> lent = [];
    long freeFloats;
    int step;
    bool open;

    /// <summary>
    /// Overwrites what comes back with NaN, so that a tensor used after its step shows up as NaN instead of as another
    /// step's numbers (tests).
    /// </summary>
    public bool PoisonReturned { get; init; }

    /// <summary>
    /// Whether arenas made for training steps (<see cref="Optim.TrainingStep.Arena"/>) poison what comes back; the test
    /// suites turn it on, so that every training loop they run checks that nothing outlives its step.
    /// </summary>
    public static bool PoisonByDefault { get; set; }

    /// <summary>Floats handed out in the current or last scope (its footprint).</summary>
    public long LentFloats { get; private set; }

    /// <summary>Floats waiting in the free lists.</summary>
    public long FreeFloats => freeFloats;

    /// <summary>The arena open on this thread, if any.</summary>
    internal static TensorArena? Current => current;

    /// <summary>Hands this arena's storage to the tensors this thread makes until the returned scope is disposed.</summary>
    public ArenaScope Scope()
    {
        if (open) throw new InvalidOperationException("TensorArena: a scope is already open on this arena; scopes do not nest.");
        open = true;
        LentFloats = 0;
        var previous = current;
        current = this;
        return new ArenaScope(this, previous);
    }

    /// <summary>
    /// Room for <paramref name="floats"/> zeros: the first <paramref name="floats"/> of the shortest free array that holds
    /// them and is at most twice as long, or of a new array of their size class.
    /// </summary>
    internal float[] Rent(int floats)
    {
        float[]? array = null;
        var lengths = free.Keys;
        for (int i = FirstAtLeast(lengths, floats); array is null && i < lengths.Count && lengths[i] <= 2L * floats; i++)
        {
            var stack = free.GetValueAtIndex(i);
            if (stack.Count == 0) continue;
            array = stack.Pop();
            freeFloats -= array.Length;
            lastUsed[array.Length] = step;
        }
        if (array is null)
        {
            array = GC.AllocateUninitializedArray<float>(SizeClass(floats));
            lastUsed[array.Length] = step;
        }
        Array.Clear(array, 0, floats);
        lent.Add(array);
        LentFloats += array.Length;
        return array;
    }

    /// <summary>The index of the first of the sorted <paramref name="lengths"/> at least <paramref name="floats"/> long.</summary>
    static int FirstAtLeast(IList<int> lengths, int floats)
    {
        int lo = 0, hi = lengths.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (lengths[mid] < floats) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    void Close(TensorArena? previous)
    {
        current = previous;
        open = false;
        foreach (var array in lent)
        {
            if (PoisonReturned) Array.Fill(array, float.NaN);
            if (!free.TryGetValue(array.Length, out var stack)) free[array.Length] = stack = new Stack<float[]>();
            stack.Push(array);
            freeFloats += array.Length;
        }
        lent.Clear();
        step++;
        // Arrays of a length not asked for lately go: lengths seen once (a rare long observation) do not stay.
        foreach (int size in lastUsed.Where(e => step - e.Value > IdleSteps).Select(e => e.Key).ToList())
        {
            if (free.Remove(size, out var dropped)) freeFloats -= dropped.Sum(a => (long)a.Length);
            lastUsed.Remove(size);
        }
    }

    /// <summary>The smallest of 2^k, 1.25 2^k, 1.5 2^k, 1.75 2^k that holds <paramref name="floats"/>.</summary>
    internal static int SizeClass(int floats)
    {
        int power = 1 << (31 - BitOperations.LeadingZeroCount((uint)floats));
        if (power == floats || power < 4) return floats;
        int quarter = power / 4;
        return (int)Math.Min(int.MaxValue, ((long)floats + quarter - 1) / quarter * quarter);
    }

    /// <summary>An open scope of a <see cref="TensorArena"/>; disposing it takes the storage back.</summary>
    public readonly struct ArenaScope : IDisposable
    {
        readonly TensorArena arena;
        readonly TensorArena? previous;

        internal ArenaScope(TensorArena arena, TensorArena? previous) => (this.arena, this.previous) = (arena, previous);

        public void Dispose() => arena?.Close(previous);
    }
}
