using Streaming.Models.Adapters;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.Tests.Reference;
using Streaming.Tensors;

namespace Streaming.Models.Tests.Language;

/// <summary>
/// A prompt run once as a <see cref="PromptPrefix"/> and attended by every row must give what running each row with the
/// prompt in front of it gives: the same logits and, through LoRA (whose weights change the prompt's keys and values too),
/// the same gradients.
/// </summary>
[Collection(LlamaReferenceCollection.Name)]
public sealed class PromptPrefixTests(TinyCheckpoints checkpoints)
{
    static readonly int[] Prompt = [5, 12, 7, 33, 2];
    static readonly int[][] Rows = [[3, 17, 42], [9, 1, 30]];

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void SharedPrompt_MatchesThePromptInEveryRow_LogitsAndLoraGradients(string family)
    {
        var directory = family == "llama" ? checkpoints.LlamaTiedGqaBias : checkpoints.Qwen2UntiedMha;
        var (full, fullLora) = Adapted(directory);
        int P = Prompt.Length, T = Rows[0].Length, B = Rows.Length;
        var ids = Rows.SelectMany(r => Prompt.Concat(r)).ToArray();
        var expected = full.Forward(ids, B).Logits!.Narrow(1, P, T);                 // (B, T, V): the rows' positions only
        expected.Square().Mean().Backward();

        var (shared, sharedLora) = Adapted(directory);
        var prefix = PromptPrefix.Encode(shared, Prompt);
        shared.Prefix = prefix;
        var actual = shared.Forward(Rows.SelectMany(r => r).ToArray(), B).Logits!;  // positions P.., as after the prompt
        actual.Square().Mean().Backward();

        Assert.Equal(P, prefix.Length);
        Close.Assert(expected.Contiguous().ToArray(), actual.ToArray(), 1e-4f, "logits after the shared prompt");
        foreach (var ((name, a), (_, b)) in fullLora.NamedParameters().Zip(sharedLora.NamedParameters()))
            Close.Assert(a.Grad!.ToArray(), b.Grad!.ToArray(), 1e-5f, $"gradient of {name}");
    }

    /// <summary>
    /// With P-Tuning v2's prompts the shared prompt attends them and holds both: a row attending it must see what it sees
    /// with the prompts as the model's prefix and the instruction in front of it, and the prompts' gradient must be the same.
    /// </summary>
    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void SharedPrompt_AfterLearnedPrompts_MatchesThePromptInEveryRow_LogitsAndPromptGradients(string family)
    {
        var directory = family == "llama" ? checkpoints.LlamaTiedGqaBias : checkpoints.Qwen2UntiedMha;
        int P = Prompt.Length, T = Rows[0].Length, B = Rows.Length, L = 3;
        var full = HfCheckpoint.Load(directory);
        full.Freeze();
        var fullPrompts = new PrefixTuning(full.Config, L, new Random(9));
        full.Prefix = fullPrompts;
        var expected = full.Forward(Rows.SelectMany(r => Prompt.Concat(r)).ToArray(), B).Logits!.Narrow(1, P, T);   // (B, T, V)
        expected.Square().Mean().Backward();

        var shared = HfCheckpoint.Load(directory);
        shared.Freeze();
        var sharedPrompts = new PrefixTuning(shared.Config, L, new Random(9));
        var prefix = PromptPrefix.Encode(shared, Prompt, sharedPrompts);
        Assert.Null(shared.Prefix);
        shared.Prefix = prefix;
        var actual = shared.Forward(Rows.SelectMany(r => r).ToArray(), B).Logits!;
        actual.Square().Mean().Backward();

        Assert.Equal(L + P, prefix.Length);
        Close.Assert(expected.Contiguous().ToArray(), actual.ToArray(), 1e-4f, "logits after the prompts and the shared instruction");
        Close.Assert(fullPrompts.PromptEmbeddings.Grad!.ToArray(), sharedPrompts.PromptEmbeddings.Grad!.ToArray(), 1e-5f, "gradient of the prompts");
    }

    [Fact]
    public void Encode_RefusesAnEmptyPromptAndAModelThatCarriesAPrefix()
    {
        var model = HfCheckpoint.Load(checkpoints.LlamaUntiedGqa);
        Assert.Contains("no tokens", Assert.Throws<ArgumentException>(() => PromptPrefix.Encode(model, [])).Message);
        model.Prefix = new PrefixTuning(model.Config, 2, new Random(1));
        Assert.Contains("detach", Assert.Throws<InvalidOperationException>(() => PromptPrefix.Encode(model, Prompt)).Message);
    }

    /// <summary>The checkpoint, frozen, with LoRA on every projection whose B is drawn too, so the adapter changes the output.</summary>
    static (LlamaModel Model, LoraAdapter Lora) Adapted(string directory)
    {
        var model = HfCheckpoint.Load(directory);
        model.Freeze();
        var lora = new LoraAdapter(model.Config, new LoraConfig { Rank = 4, Alpha = 8, Targets = LoraTargets.All }, new Random(7));
        var rng = new Random(8);
        foreach (var (name, value) in lora.NamedParameters().Where(p => p.Name.Contains("lora_B", StringComparison.Ordinal)))
            for (int i = 0; i < value.Size; i++) value.Span[i] = (float)(rng.NextDouble() - 0.5) * 0.1f;
        model.Lora = lora;
        return (model, lora);
    }
}
