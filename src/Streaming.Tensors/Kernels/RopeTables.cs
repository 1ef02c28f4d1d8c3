namespace Streaming.Tensors;

/// <summary>
/// Cached cos/sin tables for rotary embeddings: for head size D and base theta, row p holds
/// cos(p * theta^(-2i/D)) and sin(...) for i &lt; D/2. A table grows (to the next power of two) when a
/// later call needs a larger position. Angles are computed in double precision, then rounded.
/// </summary>
internal static class RopeTables
{
    public sealed record Table(int Positions, float[] Cos, float[] Sin);

    static readonly Lock Gate = new();

    /// <summary>Keyed by head size and theta's bits; a plain dictionary under a lock, as lookups must not allocate.</summary>
    static readonly Dictionary<long, Table> Cache = [];

    /// <summary>A table covering positions 0..maxPosition for head size headDim.</summary>
    public static Table For(int headDim, float theta, int maxPosition)
    {
        long key = (long)headDim << 32 | (uint)BitConverter.SingleToInt32Bits(theta);
        lock (Gate)
        {
            if (Cache.TryGetValue(key, out var table) && table.Positions > maxPosition) return table;
            int positions = (int)Math.Min(int.MaxValue / Math.Max(headDim, 1), System.Numerics.BitOperations.RoundUpToPowerOf2((uint)maxPosition + 1));
            return Cache[key] = Build(headDim, theta, Math.Max(positions, maxPosition + 1));
        }
    }

    static Table Build(int headDim, float theta, int positions)
    {
        int half = headDim / 2;
        var cos = new float[positions * half];
        var sin = new float[positions * half];
        for (int i = 0; i < half; i++)
        {
            double invFreq = Math.Pow(theta, -2.0 * i / headDim);
            for (int p = 0; p < positions; p++)
            {
                double angle = p * invFreq;
                cos[p * half + i] = (float)Math.Cos(angle);
                sin[p * half + i] = (float)Math.Sin(angle);
            }
        }
        return new Table(positions, cos, sin);
    }
}
