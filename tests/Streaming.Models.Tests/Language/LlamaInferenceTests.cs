using Streaming.Models.Adapters;
using Streaming.Models.Language;
using Streaming.Tensors;

namespace Streaming.Models.Tests.Language;

/// <summary>
/// The allocation-free prefill must give the last-position logits of <see cref="LlamaModel.Forward(int[], int, int[], Tensor, KvCache, bool)"/>,
/// which the reference tests check against PyTorch, for llama and qwen2 (biases) with GQA, tied and untied heads.
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
        var config = LlamaConfig.Tiny with { ModelType = type, NumAttentionHeads = heads, NumKeyValueHeads = kvHeads, TieWordEmbeddings = tied, HeadDim = 64 / heads };
        var model = NewModel(config, seed: 3);
        if (config.QkvBias)
            foreach (var layer in model.Layers)
                foreach (var bias in new[] { layer.Bq!, layer.Bk!, layer.Bv! })
                    Enumerable.Range(0, bias.Size).Select(i => MathF.Sin(i)).ToArray().CopyTo(bias.Span);
        float[] expected;
        using (GradMode.Disable()) expected = model.Forward(Ids, batch: 2).Logits!.Narrow(1, 11, 1).ToArray();
        var actual = new LlamaInference(model).Prefill(Ids, batch: 2).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(actual[i] - expected[i]) <= 1e-4f + 1e-4f * MathF.Abs(expected[i]), $"logit {i}: {actual[i]} against {expected[i]}");
    }

    [Fact]
    public void Prefill_InSteadyState_AllocatesNothing_AndRefusesUnmergedAdapters()
    {
        var model = NewModel(LlamaConfig.Tiny, seed: 4);
        var inference = new LlamaInference(model);
        inference.Prefill(Ids, batch: 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 3; i++) inference.Prefill(Ids, batch: 2);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        model.Lora = new LoraAdapter(model.Config, new LoraConfig { Rank = 2, Alpha = 4 }, new Random(1));
        Assert.Contains("merge the LoRA adapter", Assert.Throws<NotSupportedException>(() => inference.Prefill(Ids, 2)).Message, StringComparison.Ordinal);
        model.Lora.Merge(model);
        inference.Prefill(Ids, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => inference.Prefill([1, 2, 99999], 1));
        Assert.Throws<ArgumentException>(() => inference.Prefill([1, 2, 3], 2));
    }
}
