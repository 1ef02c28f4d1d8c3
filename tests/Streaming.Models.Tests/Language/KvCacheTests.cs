using Streaming.Models.Adapters;
using Streaming.Models.Language;
using Streaming.Models.Tests.Reference;
using Streaming.Tensors;

namespace Streaming.Models.Tests.Language;

/// <summary>Incremental decoding through the cache must give the full forward's logits at every position.</summary>
public sealed class KvCacheTests
{
    static readonly LlamaConfig Config = LlamaConfig.Tiny with { ModelType = "qwen2", NumAttentionHeads = 4, NumKeyValueHeads = 1 };

    static LlamaModel NewModel(int seed)
    {
        var model = new LlamaModel(Config, new Random(seed));
        // HF's 0.02 init makes nearly uniform attention; larger weights make position mistakes visible.
        foreach (var (_, p) in model.NamedParameters())
            if (p.Rank == 2) p.Span.ToArray().Select(v => v * 10f).ToArray().CopyTo(p.Span);
        return model;
    }

    static readonly int[] Ids = [5, 17, 200, 3, 99, 42, 7, 8, 130, 64, 1, 250, 33, 34, 35, 36];   // (2, 8)

    /// <summary>Feeds (2, 8) tokens in chunks of the given sizes and stitches the logits back to (2, 8, V).</summary>
    static float[] Chunked(LlamaModel model, int[] chunks, float[]? padding = null)
    {
        const int B = 2, T = 8;
        var cache = new KvCache(model.Config, B, capacity: T);
        int V = model.Config.VocabSize;
        var logits = new float[B * T * V];
        int start = 0;
        foreach (var n in chunks)
        {
            var ids = new int[B * n];
            var mask = padding is null ? null : new float[B * n];
            for (int b = 0; b < B; b++)
            {
                Array.Copy(Ids, b * T + start, ids, b * n, n);
                if (mask is not null) Array.Copy(padding!, b * T + start, mask, b * n, n);
            }
            var step = model.Forward(ids, B, paddingMask: mask is null ? null : Tensor.FromArray(mask, B, n), cache: cache).Logits!.ToArray();
            for (int b = 0; b < B; b++) Array.Copy(step, b * n * V, logits, (b * T + start) * V, n * V);
            start += n;
        }
        Assert.Equal(T, cache.Length);
        return logits;
    }

    [Theory]
    [InlineData(new[] { 1, 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 5, 1, 1, 1 })]
    [InlineData(new[] { 3, 4, 1 })]
    public void Decode_InChunks_EqualsFullForward(int[] chunks)
    {
        var model = NewModel(1);
        var full = model.Forward(Ids, 2).Logits!.ToArray();
        Close.Assert(full, Chunked(model, chunks), 1e-4f, "cached logits");
    }

    [Fact]
    public void Decode_WithPaddingAndPrefix_EqualsFullForward()
    {
        var model = NewModel(2);
        model.Prefix = new PrefixTuning(model.Config, 3, new Random(3));
        float[] padding = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var full = model.Forward(Ids, 2, paddingMask: Tensor.FromArray(padding, 2, 8)).Logits!.ToArray();
        int V = model.Config.VocabSize;
        Close.Assert(full, Chunked(model, [4, 1, 1, 2], padding), 1e-4f, "cached logits", i => i >= 2 * V);
    }

    [Fact]
    public void Forward_PastCapacity_SaysSo()
    {
        var model = NewModel(4);
        var cache = new KvCache(model.Config, 1, capacity: 4);
        model.Forward([1, 2, 3], 1, cache: cache);
        var e = Assert.Throws<InvalidOperationException>(() => model.Forward([4, 5], 1, cache: cache));
        Assert.Contains("2 new positions after 3 cached exceed the capacity 4", e.Message, StringComparison.Ordinal);
        cache.Reset();
        Assert.Equal(0, cache.Length);
    }
}
