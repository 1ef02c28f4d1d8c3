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
/// state, parameters and caches are made outside (or with their own arrays). Arrays come in size classes a quarter of a
/// power of two apart, so steps of different lengths share them; a tensor may therefore view a longer array than it
/// needs (<see cref="Tensor.Data"/>'s length is not its size). Small tensors keep their own arrays: the young
/// generation of the GC already recycles those cheaply.
/// </remarks>
public sealed class TensorArena
{
    /// <summary>Tensors below this many floats (64 KiB) are not worth a size class.</summary>
    public const int MinFloats = 1 << 10;

    /// <summary>A class not asked for in this many steps is dropped, so that lengths seen once do not stay.</summary>
    const int IdleSteps = 16;

    [ThreadStatic] static TensorArena? current;

    readonly Dictionary<int, Stack<float[]>> free = [];
    readonly Dictionary<int, int> lastUsed = [];
    readonly List<float[]> lent = [];
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
    public long FreeFloats => free.Values.Sum(s => s.Sum(a => (long)a.Length));

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

    /// <summary>Room for <paramref name="floats"/> zeros: the first <paramref name="floats"/> of an array of its size class.</summary>
    internal float[] Rent(int floats)
    {
        int size = SizeClass(floats);
        lastUsed[size] = step;
        var array = free.TryGetValue(size, out var stack) && stack.Count > 0 ? stack.Pop() : GC.AllocateUninitializedArray<float>(size);
        Array.Clear(array, 0, floats);
        lent.Add(array);
        LentFloats += size;
        return array;
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
        }
        lent.Clear();
        step++;
        foreach (int size in lastUsed.Where(e => step - e.Value > IdleSteps).Select(e => e.Key).ToList())
        {
            free.Remove(size);
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
