using Streaming.Models.Adapters;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.Tests.Reference;
using Streaming.Tensors;

namespace Streaming.Models.Tests.Adapters;

/// <summary>P-Tuning v2 prefixes and soft prompts against the torch reference.</summary>
[Collection(LlamaReferenceCollection.Name)]
public sealed class PromptTests(TinyCheckpoints checkpoints)
{
    static readonly ReferenceRequest Request = new(
        Ids: [[3, 17, 42, 8, 0], [9, 9, 1, 30, 22]],
        Targets: [[17, 42, 8, 0, 63], [9, 1, 30, 22, -100]]);

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void PrefixTuning_LogitsAndPrefixGradients_MatchTorch(string family)
    {
        var directory = family == "llama" ? checkpoints.LlamaTiedGqaBias : checkpoints.Qwen2UntiedMha;
        var model = HfCheckpoint.Load(directory);
        model.Freeze();
        var prefix = new PrefixTuning(model.Config, numVirtualTokens: 3, new Random(11));
        model.Prefix = prefix;
        var adapterDirectory = checkpoints.NewDirectory("prefix-" + family);
        prefix.Save(adapterDirectory);

        var output = ModelRun.Forward(model, Request);
        ModelRun.Loss(output.Logits!, Request.Targets!).Backward();
        var expected = LlamaReference.Forward(directory, Request, prefix: adapterDirectory);

        ModelRun.AssertMatches(expected, output);
        Close.Assert(expected.Grads["prefix.prompt_embeddings"], prefix.PromptEmbeddings.Grad!.ToArray(), ModelRun.Tolerance, "prefix gradient");
        Assert.All(model.NamedParameters(), p => Assert.Null(p.Value.Grad));
    }

    [Fact]
    public void PrefixTuning_PaddedBatch_MatchesTorchOnRealTokens()
    {
        var request = Request with { PaddingMask = [[0, 0, 0, 0, 0], [0, 0, 0, 1, 1]], Targets = null };
        var model = HfCheckpoint.Load(checkpoints.LlamaUntiedGqa);
        var prefix = new PrefixTuning(model.Config, numVirtualTokens: 2, new Random(12));
        model.Prefix = prefix;
        var adapterDirectory = checkpoints.NewDirectory("prefix-padded");
        prefix.Save(adapterDirectory);
        ModelRun.AssertMatches(LlamaReference.Forward(checkpoints.LlamaUntiedGqa, request, prefix: adapterDirectory), ModelRun.Forward(model, request), request.PaddingMask);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]   // more prompts than tokens: the tokens repeat
    public void PrefixTuning_InitializedFromText_IsThatTextBeforeTheInput(int prompts)
    {
        var model = HfCheckpoint.Load(checkpoints.LlamaUntiedGqa);
        int[] text = [5, 23, 11, 40], input = [3, 17, 42, 8, 0];
        var prefix = new PrefixTuning(model.Config, prompts, new Random(14));
        prefix.InitializeFrom(model, text);

        // The bare model reading the prompts' text and then the input, at the input's positions ...
        int[] both = [.. Enumerable.Range(0, prompts).Select(i => text[i % text.Length]), .. input];
        float[] expected;
        using (GradMode.Disable())
            expected = model.Forward(both, 1).Logits!.Narrow(1, prompts, input.Length).ToArray();
        // ... is the model with the prompts reading the input alone.
        model.Prefix = prefix;
        float[] actual;
        using (GradMode.Disable()) actual = model.Forward(input, 1).Logits!.ToArray();
        Close.Assert(expected, actual, 1e-4f, "logits after prompts made from text");
    }

    [Fact]
    public void PrefixTuning_InitializeFrom_RefusesAnotherModelAndNoText()
    {
        var model = HfCheckpoint.Load(checkpoints.LlamaUntiedGqa);
        var deeper = new PrefixTuning(model.Config with { NumHiddenLayers = model.Config.NumHiddenLayers + 1 }, 2, new Random(15));
        Assert.Contains("another base model", Assert.Throws<ArgumentException>(() => deeper.InitializeFrom(model, [1, 2])).Message, StringComparison.Ordinal);
        var prefix = new PrefixTuning(model.Config, 2, new Random(15));
        Assert.Contains("no tokens", Assert.Throws<ArgumentException>(() => prefix.InitializeFrom(model, [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SoftPrompt_ThroughInputEmbeddings_LogitsAndGradientsMatchTorch()
    {
        var directory = checkpoints.Qwen2TiedGqa;
        var model = HfCheckpoint.Load(directory);
        model.Freeze();
        var prompt = new SoftPrompt(numVirtualTokens: 3, model.Config.HiddenSize, new Random(13));
        var adapterDirectory = checkpoints.NewDirectory("soft-prompt");
        prompt.Save(adapterDirectory);

        var embeds = prompt.Prepend(model.Embed([.. Request.Ids.SelectMany(r => r)], batch: 2));   // (2, 3 + 5, C)
        var output = model.Forward(embeds);
        int[][] targets = [.. Request.Targets!.Select(r => (int[])[-100, -100, -100, .. r])];
        ModelRun.Loss(output.Logits!, targets).Backward();
        var expected = LlamaReference.Forward(directory, Request with { Targets = targets.Select(r => r[3..]).ToArray() }, softPrompt: adapterDirectory);

        ModelRun.AssertMatches(expected, output);
        Close.Assert(expected.Grads["soft_prompt.prompt_embeddings"], prompt.PromptEmbeddings.Grad!.ToArray(), ModelRun.Tolerance, "soft prompt gradient");
        Assert.All(model.NamedParameters(), p => Assert.Null(p.Value.Grad));
    }

    [Fact]
    public void Prefix_And_SoftPrompt_SaveThenLoad_RoundTrip()
    {
        var config = LlamaConfig.Tiny;
        var prefix = new PrefixTuning(config, 4, new Random(14));
        var prompt = new SoftPrompt(5, config.HiddenSize, new Random(15));
        string prefixDirectory = checkpoints.NewDirectory("prefix-roundtrip"), promptDirectory = checkpoints.NewDirectory("prompt-roundtrip");
        prefix.Save(prefixDirectory);
        prompt.Save(promptDirectory);
        Assert.Equal(prefix.PromptEmbeddings.ToArray(), PrefixTuning.Load(prefixDirectory, config).PromptEmbeddings.ToArray());
        Assert.Equal(prompt.PromptEmbeddings.ToArray(), SoftPrompt.Load(promptDirectory, config).PromptEmbeddings.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => SoftPrompt.Load(promptDirectory, config with { HiddenSize = 32, HeadDim = 8 }));
        Assert.Contains("token_dim", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SoftPrompt_PrependPadding_NeverPadsThePrompt()
    {
        var prompt = new SoftPrompt(2, 8, new Random(16));
        var mask = prompt.PrependPadding(Tensor.FromArray([0f, 1f, 0f, 0f], 2, 2));
        Assert.Equal([0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f], mask.ToArray());
    }
}
