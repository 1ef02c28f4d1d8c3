using Streaming.Models.Adapters;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.Tests.Reference;
using Streaming.Tensors;
using Streaming.Tensors.Nn;
using Streaming.Tensors.Optim;

namespace Streaming.Models.Tests.Adapters;

[Collection(LlamaReferenceCollection.Name)]
public sealed class LoraTests(TinyCheckpoints checkpoints)
{
    static readonly ReferenceRequest Request = new(
        Ids: [[3, 17, 42, 8, 0, 63], [9, 9, 1, 30, 22, 47]],
        Targets: [[17, 42, 8, 0, 63, 5], [9, 1, 30, 22, 47, -100]]);

    static readonly LoraConfig AllProjections = new() { Rank = 4, Alpha = 8f, Targets = LoraTargets.All };

    /// <summary>An adapter with B drawn at random too, so that both A and B receive gradients.</summary>
    static LoraAdapter RandomLora(LlamaConfig model, LoraConfig config, int seed)
    {
        var rng = new Random(seed);
        var lora = new LoraAdapter(model, config, rng);
        foreach (var (name, value) in lora.NamedParameters())
            if (name.Contains("lora_B", StringComparison.Ordinal))
                Init.Normal(rng, 0f, 0.1f, value.Shape).Span.CopyTo(value.Span);
        return lora;
    }

    [Fact]
    public void Forward_ZeroInitializedB_GivesTheBaseLogits()
    {
        var model = HfCheckpoint.Load(checkpoints.LlamaUntiedGqa);
        var baseLogits = ModelRun.Forward(model, Request).Logits!.ToArray();
        model.Lora = new LoraAdapter(model.Config, AllProjections, new Random(1));
        Assert.Equal(baseLogits, ModelRun.Forward(model, Request).Logits!.ToArray());
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void Backward_LoraGradients_MatchTorch_AndBaseWeightsGetNone(string family)
    {
        var directory = family == "llama" ? checkpoints.LlamaUntiedGqa : checkpoints.Qwen2TiedGqa;
        var model = HfCheckpoint.Load(directory);
        model.Freeze();
        var lora = RandomLora(model.Config, AllProjections, seed: 2);
        model.Lora = lora;
        var adapterDirectory = checkpoints.NewDirectory("lora-" + family);
        lora.Save(adapterDirectory);

        var output = ModelRun.Forward(model, Request);
        var loss = ModelRun.Loss(output.Logits!, Request.Targets!);
        loss.Backward();
        var expected = LlamaReference.Forward(directory, Request, lora: adapterDirectory);

        ModelRun.AssertMatches(expected, output);
        Assert.Equal(expected.Loss!.Value, loss.Item(), 4);
        Assert.Equal(lora.NamedParameters().Count(), expected.Grads.Count);
        foreach (var (name, value) in lora.NamedParameters())
            Close.Assert(expected.Grads[name], value.Grad!.ToArray(), ModelRun.Tolerance, "grad " + name);
        Assert.All(model.NamedParameters(), p => Assert.Null(p.Value.Grad));
    }

    [Fact]
    public void Optimizer_OverModelAndAdapter_KeepsStateForTheAdapterOnly()
    {
        var model = new LlamaModel(LlamaConfig.Tiny, new Random(3));
        model.Freeze();
        var lora = new LoraAdapter(model.Config, new LoraConfig(), new Random(4));
        model.Lora = lora;
        var before = model.Layers[0].Wq.ToArray();
        var optimizer = new AdamW([.. model.NamedParameters(), .. lora.NamedParameters()], learningRate: 1e-2f);

        var logits = model.Forward([1, 2, 3, 4], batch: 1).Logits!;
        Tensor.CrossEntropy(logits.Reshape(-1, model.Config.VocabSize), [2, 3, 4, 5]).Backward();
        optimizer.Step();

        Assert.Equal(before, model.Layers[0].Wq.ToArray());
        Assert.All(model.NamedParameters(), p => Assert.Null(p.Value.Grad));
        Assert.All(lora.NamedParameters(), p => Assert.NotNull(p.Value.Grad));
        Assert.NotEqual(0f, lora.Weights(0, LoraTargets.V).B.ToArray().Max(MathF.Abs));
    }

    [Fact]
    public void Merge_GivesTheAdaptedLogits_AndUnmergeRestoresTheBaseWeights()
    {
        var model = HfCheckpoint.Load(checkpoints.Qwen2TiedGqa);
        var baseWeights = model.State().ToDictionary(p => p.Key, p => p.Value.ToArray());
        var lora = RandomLora(model.Config, AllProjections, seed: 5);
        model.Lora = lora;
        var adapted = ModelRun.Forward(model, Request).Logits!.ToArray();

        lora.Merge(model);
        Assert.True(lora.Merged);
        Close.Assert(adapted, ModelRun.Forward(model, Request).Logits!.ToArray(), 1e-4f, "merged logits");
        Assert.NotEqual(baseWeights["model.layers.0.self_attn.q_proj.weight"], model.Layers[0].Wq.ToArray());

        lora.Unmerge(model);
        foreach (var (name, value) in model.State())
            Close.Assert(baseWeights[name], value.ToArray(), 1e-6f, "restored " + name);
        Assert.Throws<InvalidOperationException>(() => lora.Unmerge(model));
    }

    [Fact]
    public void Dropout_ActsInTrainingOnly()
    {
        var model = new LlamaModel(LlamaConfig.Tiny, new Random(10));
        var lora = RandomLora(model.Config, AllProjections with { Dropout = 0.5f }, seed: 11);
        model.Lora = lora;
        lora.Eval();
        var first = model.Forward([1, 2, 3], 1).Logits!.ToArray();
        Assert.Equal(first, model.Forward([1, 2, 3], 1).Logits!.ToArray());
        lora.Train();
        Assert.NotEqual(first, model.Forward([1, 2, 3], 1).Logits!.ToArray());
    }

    [Fact]
    public void Save_ThenLoad_RoundTripsOnlyTheAdapterTensors()
    {
        var config = LlamaConfig.Tiny;
        var lora = RandomLora(config, new LoraConfig { Rank = 2, Alpha = 4f, Dropout = 0.1f, Targets = LoraTargets.Q | LoraTargets.Down }, seed: 6);
        var directory = checkpoints.NewDirectory("lora-roundtrip");
        lora.Save(directory);

        var loaded = LoraAdapter.Load(directory, config);
        Assert.Equal(lora.Config, loaded.Config);
        var names = loaded.NamedParameters().Select(p => p.Name).ToList();
        Assert.Equal(config.NumHiddenLayers * 2 * 2, names.Count);
        Assert.Contains("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight", names);
        foreach (var (name, value) in lora.NamedParameters()) Assert.Equal(value.ToArray(), loaded.State()[name].ToArray());
        // Small: a fraction of the base model.
        long adapterBytes = new FileInfo(Path.Combine(directory, LoraAdapter.WeightsFileName)).Length;
        Assert.True(adapterBytes * 10 < new LlamaModel(config).ParameterCount() * 4, $"adapter file {adapterBytes} bytes");
    }

    [Fact]
    public void Load_WrongAdapterType_NamesIt()
    {
        var directory = checkpoints.NewDirectory("prefix-not-lora");
        new PrefixTuning(LlamaConfig.Tiny, 4, new Random(7)).Save(directory);
        var e = Assert.Throws<InvalidDataException>(() => LoraAdapter.Load(directory, LlamaConfig.Tiny));
        Assert.Contains("'PREFIX_TUNING' where a LORA adapter was expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AdapterForAnotherModelShape_ListsTheMismatches()
    {
        var directory = checkpoints.NewDirectory("lora-other-model");
        new LoraAdapter(LlamaConfig.Tiny with { HiddenSize = 32, HeadDim = 8 }, new LoraConfig(), new Random(8)).Save(directory);
        var e = Assert.Throws<CheckpointException>(() => LoraAdapter.Load(directory, LlamaConfig.Tiny));
        Assert.Contains("shape mismatch: base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight is (8, 64) in the model, (8, 32)", e.Message, StringComparison.Ordinal);
    }
}
