using Streaming.Tensors;

namespace Streaming.Models.Language;

/// <summary>
/// Keys and values of the tokens seen so far, per layer, for incremental decoding: allocated once for
/// <see cref="Capacity"/> positions, then each forward appends its T new positions. Keys are stored after
/// the rotary embedding, as in transformers. Inference only: values are copied in, so no gradient flows
/// through the cache.
/// </summary>
public sealed class KvCache
{
    readonly Tensor[] keys;    // per layer (B, Hkv, Capacity, D)
    readonly Tensor[] values;  // per layer (B, Hkv, Capacity, D)
    readonly float[] padding;  // (B, Capacity): nonzero marks a padded position
    bool anyPadding;

    public KvCache(LlamaConfig config, int batch, int capacity)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), $"KvCache: batch {batch} must be positive.");
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity), $"KvCache: capacity {capacity} must be positive.");
        Batch = batch;
        Capacity = capacity;
        KvHeads = config.NumKeyValueHeads;
        HeadDim = config.HeadDim;
        keys = new Tensor[config.NumHiddenLayers];
        values = new Tensor[config.NumHiddenLayers];
        for (int l = 0; l < keys.Length; l++)
        {
            keys[l] = Tensor.Zeros(batch, KvHeads, capacity, HeadDim);
            values[l] = Tensor.Zeros(batch, KvHeads, capacity, HeadDim);
        }
        padding = new float[batch * capacity];
    }

    public int Batch { get; }

    public int Capacity { get; }

    public int KvHeads { get; }

    public int HeadDim { get; }

    /// <summary>Number of positions cached so far.</summary>
    public int Length { get; private set; }

    public int Layers => keys.Length;

    /// <summary>Layer <paramref name="layer"/>'s cached keys (after the rotary embedding) and values, each a view (B, Hkv, Length, D).</summary>
    public (Tensor Keys, Tensor Values) Layer(int layer) => (keys[layer].Narrow(2, 0, Length), values[layer].Narrow(2, 0, Length));

    /// <summary>Forgets every cached position; the buffers are reused.</summary>
    public void Reset()
    {
        Length = 0;
        anyPadding = false;
        Array.Clear(padding);
    }

    /// <summary>Checks that a forward of <paramref name="batch"/> x <paramref name="count"/> new tokens fits.</summary>
    internal void CheckRoom(int batch, int count)
    {
        if (batch != Batch) throw new ArgumentException($"KvCache: the cache holds a batch of {Batch}, the input has {batch}.");
        if (Length + count > Capacity)
            throw new InvalidOperationException($"KvCache: {count} new positions after {Length} cached exceed the capacity {Capacity}.");
    }

    /// <summary>
    /// Records the padding of the <paramref name="count"/> new positions (<paramref name="newPadding"/> (B, count)
    /// row-major, or null for none) and returns the mask over every cached and new key (B, Length + count),
    /// or null when nothing is padded.
    /// </summary>
    internal Tensor? AppendPadding(float[]? newPadding, int count)
    {
        if (newPadding is not null)
            for (int b = 0; b < Batch; b++)
                for (int t = 0; t < count; t++)
                {
                    float m = newPadding[b * count + t];
                    padding[b * Capacity + Length + t] = m;
                    anyPadding |= m != 0f;
                }
        return anyPadding ? new Tensor(padding, [Batch, Capacity]).Narrow(1, 0, Length + count) : null;
    }

    /// <summary>Copies layer <paramref name="layer"/>'s new k, v (B, Hkv, T, D) in and returns views of all keys and values (B, Hkv, Length + T, D).</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        int T = k.Shape[2];
        Write(keys[layer], k);
        Write(values[layer], v);
        return (keys[layer].Narrow(2, 0, Length + T), values[layer].Narrow(2, 0, Length + T));
    }

    void Write(Tensor buffer, Tensor x)
    {
        int T = x.Shape[2];
        var rows = x.ToArray(); // (B, Hkv, T, D) row-major
        for (int bh = 0; bh < Batch * KvHeads; bh++)
            Array.Copy(rows, bh * T * HeadDim, buffer.Data, (bh * Capacity + Length) * HeadDim, T * HeadDim);
    }

    /// <summary>Whether a padded forward wrote into the cache; the inference path does not mask padding.</summary>
    internal bool Padded => anyPadding;

    /// <summary>
    /// Copies layer <paramref name="layer"/>'s new k, v in the projections' (B, T, Hkv * D) layout in, allocating
    /// nothing, and returns the layer's whole buffers (B, Hkv, Capacity, D), valid up to Length + T.
    /// </summary>
    internal (Tensor Keys, Tensor Values) AppendTimeMajor(int layer, Tensor k, Tensor v)
    {
        int T = k.Shape[1];
        for (int b = 0; b < Batch; b++)
            for (int t = 0; t < T; t++)
                for (int h = 0; h < KvHeads; h++)
                {
                    int from = ((b * T + t) * KvHeads + h) * HeadDim, to = ((b * KvHeads + h) * Capacity + Length + t) * HeadDim;
                    Array.Copy(k.Data, k.Offset + from, keys[layer].Data, to, HeadDim);
                    Array.Copy(v.Data, v.Offset + from, values[layer].Data, to, HeadDim);
                }
        return (keys[layer], values[layer]);
    }

    /// <summary>Marks the <paramref name="count"/> positions written by the last forward as cached.</summary>
    internal void Advance(int count) => Length += count;
}
