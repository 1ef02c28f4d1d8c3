using Streaming.Models.Adapters;
using Streaming.Models.Language;
using Streaming.Tensors;
using Streaming.Tensors.Tests.Fixtures;

namespace Streaming.Models.Tests.Language;

/// <summary>
/// The allocation-free prefill and cached decoding must give the logits of <see cref="LlamaModel.Forward(int[], int, int[], Tensor, KvCache, bool)"/>,
/// which the reference tests check against PyTorch, for llama and qwen2 (biases) with GQA, tied and untied heads;
/// greedy generation must pick what rerunning the full forward on the growing sequence picks; the hidden states after a
/// shared prompt prefix, with added tokens, must be those of the autograd forward with the prefix attached.
/// </summary>
public sealed class LlamaInferenceTests
{
    static LlamaModel NewModel(LlamaConfig config, int seed)
    {
        var model = new LlamaModel(config, new Random(seed));
        // Larger weights than HF's 0.02 init, so that attention is far from uniform and mistakes show.
        foreach (var (_, p) in model.NamedParameters())
            if (p.Rank == 2 || p.Shape[0] != config.HiddenSize) p.Span.ToArray().Select(v => v * 10f).ToArray().CopyTo(p.Span);
        return model;
    }

    static readonly int[] Ids = [5, 17, 200, 3, 99, 42, 7, 8, 130, 64, 1, 250, 33, 34, 35, 36, 2, 4, 6, 8, 10, 12, 14, 16];   // (2, 12)

    public static TheoryData<string, int, int, bool> Configs => new()
    {
        { "llama", 4, 2, false },
        { "llama", 4, 4, true },
        { "qwen2", 4, 1, true },
        { "qwen2", 2, 2, false },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Prefill_MatchesTheAutogradForward(string type, int heads, int kvHeads, bool tied)
    {
        var model = ConfiguredModel(type, heads, kvHeads, tied);
        float[] expected;
        using (GradMode.Disable()) expected = model.Forward(Ids, batch: 2).Logits!.Narrow(1, 11, 1).ToArray();
        var actual = new LlamaInference(model).Prefill(Ids, batch: 2).ToArray();
        AssertClose(expected, actual, "prefill");
    }

    static LlamaModel ConfiguredModel(string type, int heads, int kvHeads, bool tied)
    {
        var config = LlamaConfig.Tiny with { ModelType = type, NumAttentionHeads = heads, NumKeyValueHeads = kvHeads, TieWordEmbeddings = tied, HeadDim = 64 / heads };
        var model = NewModel(config, seed: 3);
        if (config.QkvBias)
            foreach (var layer in model.Layers)
                foreach (var bias in new[] { layer.Bq!, layer.Bk!, layer.Bv! })
                    Enumerable.Range(0, bias.Size).Select(i => MathF.Sin(i)).ToArray().CopyTo(bias.Span);
        return model;
    }

    static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(actual[i] - expected[i]) <= 1e-4f + 1e-4f * MathF.Abs(expected[i]), $"{what}, logit {i}: {actual[i]} against {expected[i]}");
    }

    /// <summary>Columns [from, from + count) of the (2, 12) rows of <see cref="Ids"/>, row-major.</summary>
    static int[] Columns(int from, int count) => [.. Ids.Take(12).Skip(from).Take(count), .. Ids.Skip(12 + from).Take(count)];

    [Theory]
    [MemberData(nameof(Configs))]
    public void Decode_PromptThenChunksThroughTheCache_MatchesTheAutogradForwardAtEveryStep(string type, int heads, int kvHeads, bool tied)
    {
        var model = ConfiguredModel(type, heads, kvHeads, tied);
        Tensor full;
        using (GradMode.Disable()) full = model.Forward(Ids, batch: 2).Logits!;                // (2, 12, V)
        var inference = new LlamaInference(model);
        var cache = new KvCache(model.Config, batch: 2, capacity: 12);

        // A 5-token prompt, then single tokens, then a chunk of 3, then single tokens again.
        foreach (var (from, count) in new[] { (0, 5), (5, 1), (6, 1), (7, 3), (10, 1), (11, 1) })
        {
            var actual = inference.Decode(Columns(from, count), cache).ToArray();
            AssertClose(full.Narrow(1, from + count - 1, 1).ToArray(), actual, $"decode of positions {from}..{from + count - 1}");
        }
        Assert.Equal(12, cache.Length);
        Assert.Throws<InvalidOperationException>(() => inference.Decode([1, 2], cache));
    }

    [Fact]
    public void Decode_InSteadyState_AllocatesNothing_AndChecksTheCache()
    {
        var model = NewModel(LlamaConfig.Tiny, seed: 5);
        var inference = new LlamaInference(model);
        var cache = new KvCache(model.Config, batch: 2, capacity: 16);
        inference.Decode(Columns(0, 9), cache);
        int[] step = [3, 4];
        SteadyState.AssertAllocatesNothing(() => inference.Decode(step, cache), callsPerRound: 1);

        Assert.Throws<ArgumentException>(() => inference.Decode([1, 2, 3], cache));
        Assert.Throws<ArgumentException>(() => inference.Decode([1], new KvCache(model.Config with { NumHiddenLayers = 3 }, 1, 4)));
        var padded = new KvCache(model.Config, batch: 1, capacity: 4);
        using (GradMode.Disable()) model.Forward([1, 2], 1, paddingMask: Tensor.FromArray([1f, 0f], 1, 2), cache: padded);
        Assert.Throws<NotSupportedException>(() => inference.Decode([3], padded));
    }

    /// <summary>The oracle: rerun the whole sequence through the autograd forward and take the argmax of the last position.</summary>
    static List<int> GreedyByFullForward(LlamaModel model, int[] prompt, int maxNewTokens, int? stop)
    {
        var ids = prompt.ToList();
        var generated = new List<int>();
        using var _ = GradMode.Disable();
        while (generated.Count < maxNewTokens)
        {
            var logits = model.Forward([.. ids], batch: 1).Logits!.Narrow(1, ids.Count - 1, 1).ToArray();
            int next = Array.IndexOf(logits, logits.Max());
            generated.Add(next);
            ids.Add(next);
            if (next == stop) break;
        }
        return generated;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Greedy_EqualsTheArgMaxOfTheFullForwardRepeated_AndStopsAtTheStopToken(string type, int heads, int kvHeads, bool tied)
    {
        var model = ConfiguredModel(type, heads, kvHeads, tied);
        int[] prompt = [5, 17, 200, 3, 99];
        var inference = new LlamaInference(model);

        var expected = GreedyByFullForward(model, prompt, 12, stop: null);
        Assert.Equal(expected, inference.Greedy(prompt, 12, []));

        // Stopping at the fourth token's id: the output ends at its first occurrence, which it includes.
        int stop = expected[3];
        var stopped = inference.Greedy(prompt, 12, [stop]);
        Assert.Equal(GreedyByFullForward(model, prompt, 12, stop), stopped);
        Assert.Equal(stop, stopped[^1]);
        Assert.True(stopped.Count <= 4);
    }

    [Fact]
    public void Greedy_StopsAtMaxPositionEmbeddings_AndChecksArguments()
    {
        var model = NewModel(LlamaConfig.Tiny with { MaxPositionEmbeddings = 8 }, seed: 6);
        var inference = new LlamaInference(model);

        // Positions 0..7 exist: a 5-token prompt can feed 3 generated tokens back, so the 4th is the last.
        Assert.Equal(GreedyByFullForward(model, [1, 2, 3, 4, 5], 4, null), inference.Greedy([1, 2, 3, 4, 5], 20, []));
        Assert.Empty(inference.Greedy([1], 0, []));
        Assert.Throws<ArgumentException>(() => inference.Greedy([], 3, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => inference.Greedy([1], -1, []));
        Assert.Throws<ArgumentException>(() => inference.Greedy([.. Enumerable.Range(1, 9)], 2, []));
    }

    [Fact]
    public void Prefill_InSteadyState_AllocatesNothing_AndRefusesUnmergedAdapters()
    {
        var model = NewModel(LlamaConfig.Tiny, seed: 4);
        var inference = new LlamaInference(model);
        SteadyState.AssertAllocatesNothing(() => inference.Prefill(Ids, batch: 2));

        model.Lora = new LoraAdapter(model.Config, new LoraConfig { Rank = 2, Alpha = 4 }, new Random(1));
        Assert.Contains("merge the LoRA adapter", Assert.Throws<NotSupportedException>(() => inference.Prefill(Ids, 2)).Message, StringComparison.Ordinal);
        model.Lora.Merge(model);
        inference.Prefill(Ids, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => inference.Prefill([1, 2, 99999], 1));
        Assert.Throws<ArgumentException>(() => inference.Prefill([1, 2, 3], 2));
    }

    /// <summary>
    /// Three rows of four: added tokens (V, V + 1, V + 2) among words, as LLM-AR's action tokens precede its answer cue;
    /// the added tokens (U, C) and the autograd forward's input embeddings of the same rows.
    /// </summary>
    static (int[] Ids, Tensor Added, Tensor Embeddings) RowsWithAddedTokens(LlamaModel model)
    {
        int V = model.Config.VocabSize, C = model.Config.HiddenSize;
        var added = Tensor.FromArray([.. Enumerable.Range(0, 3 * C).Select(i => MathF.Sin(i * 0.37f))], 3, C);
        int[] ids = [V + 2, V, 42, 7, V + 1, 8, V + 1, V + 1, 130, 64, V + 2, 1];
        var rows = ids.SelectMany(id => (id < V ? model.EmbedTokens.Narrow(0, id, 1) : added.Narrow(0, id - V, 1)).ToArray());
        return (ids, added, Tensor.FromArray([.. rows], 3, 4, C));
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void HiddenStates_AfterASharedPromptWithAddedTokens_MatchTheAutogradForwardWithThePrefixAttached(string type, int heads, int kvHeads, bool tied)
    {
        var model = ConfiguredModel(type, heads, kvHeads, tied);
        var (ids, added, embeddings) = RowsWithAddedTokens(model);
        PromptPrefix prefix;
        float[] expected, withoutPrefix;
        using (GradMode.Disable())
        {
            withoutPrefix = model.Forward(embeddings, computeLogits: false).HiddenStates[^1].ToArray();
            prefix = PromptPrefix.Encode(model, [5, 17, 200, 3, 99]);
            model.Prefix = prefix;
            expected = model.Forward(embeddings, computeLogits: false).HiddenStates[^1].ToArray();   // (3, 4, C)
            model.Prefix = null;
        }
        var inference = new LlamaInference(model);
        int C = model.Config.HiddenSize;
        // One row, then all three (the buffers grow: the prefix is copied again), one again, three again (rows keep their copy).
        AssertClose(expected[..(4 * C)], inference.HiddenStates(ids[..4], 1, prefix, added).ToArray(), "one row");
        AssertClose(expected, inference.HiddenStates(ids, 3, prefix, added).ToArray(), "three rows");
        AssertClose(expected[..(4 * C)], inference.HiddenStates(ids[..4], 1, prefix, added).ToArray(), "one row again");
        AssertClose(expected, inference.HiddenStates(ids, 3, prefix, added).ToArray(), "three rows again");
        AssertClose(withoutPrefix, inference.HiddenStates(ids, 3, addedTokens: added).ToArray(), "no prefix");
    }

    [Fact]
    public void HiddenStates_InSteadyState_AllocatesNothing_AndChecksTheInput()
    {
        var model = NewModel(LlamaConfig.Tiny, seed: 7);
        var (ids, added, _) = RowsWithAddedTokens(model);
        PromptPrefix prefix;
        using (GradMode.Disable()) prefix = PromptPrefix.Encode(model, [1, 2, 3]);
        var inference = new LlamaInference(model);
        SteadyState.AssertAllocatesNothing(() => inference.HiddenStates(ids, 3, prefix, added));

        int V = model.Config.VocabSize;
        Assert.Contains("added tokens", Assert.Throws<ArgumentOutOfRangeException>(() => inference.HiddenStates([V + 3], 1, prefix, added)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => inference.HiddenStates([V], 1, prefix));
        Assert.Throws<ArgumentException>(() => inference.HiddenStates([1], 1, prefix, Tensor.Zeros(2, 3)));
        Assert.Throws<ArgumentException>(() => inference.HiddenStates([1, 2, 3], 2, prefix));
    }
}
