using Streaming.Models.ActionSentences;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.LlmAr;
using Streaming.Models.Skeletons;
using Streaming.Models.Tokenization;

namespace Streaming.Models.Tests.LlmAr;

/// <summary>
/// An LLM-AR folder round-trips (both readouts give the same probabilities after loading), and each way it can be wrong
/// is one error naming the thing: LoRA and head for another base model, a label list that does not fit the head, a
/// codebook of another width, a missing file.
/// </summary>
public sealed class LlmArCheckpointTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "llm-ar-checkpoint-" + Guid.NewGuid().ToString("N"));
    static readonly IReadOnlyList<SkeletonClip> Clips = [.. MsrAction3D.Load(SharedData.Path("msr-action3d")).Take(3)
        .Select(s => SkeletonClip.From(LayoutMapping.Kinect20, MsrAction3D.ToKinect20(s.Skeletons), 3))];

    static readonly string[] Labels = ["high arm wave", "hand clap", "bend"];

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>An untrained recognizer on samples/lm whose adapter is drawn off its start (LoRA's B nonzero, the prompts scaled), saved to <see cref="folder"/>.</summary>
    LlmArRecognizer Saved(LlmArAdapter adapter = LlmArAdapter.Lora)
    {
        LlmArCheckpoint.CopyBase(folder, SharedData.Repository("samples", "lm"));
        var baseFolder = Path.Combine(folder, LlmArCheckpoint.BaseFolder);
        var lm = HfCheckpoint.Load(baseFolder);
        var sentences = new ActionSentenceTokenizer(ActionSentenceConfig.ForLanguageModel(lm.Config, 60) with { Codes = 64, Hidden = 16 }, new Random(1));
        var model = new LlmArRecognizer(lm, Tokenizer.Load(Path.Combine(baseFolder, "tokenizer.json")), sentences, Labels, new LlmArConfig { LoraRank = 4, Adapter = adapter, PromptTokens = 3 }, new Random(2));
        var rng = new Random(3);
        foreach (var (_, value) in model.Lora?.NamedParameters().Where(p => p.Name.Contains("lora_B", StringComparison.Ordinal)) ?? [])
            for (int i = 0; i < value.Size; i++) value.Span[i] = (float)(rng.NextDouble() - 0.5) * 0.05f;
        foreach (var (_, value) in model.Prompts?.NamedParameters() ?? [])
            for (int i = 0; i < value.Size; i++) value.Span[i] *= 1f + (float)rng.NextDouble();
        model.Eval();
        LlmArCheckpoint.Save(folder, model, "msr-action3d", epochsDone: 1, optimizer: null);
        return model;
    }

    [Theory]
    [InlineData(LlmArAdapter.Lora)]
    [InlineData(LlmArAdapter.PTuningV2)]
    [InlineData(LlmArAdapter.None)]
    public void SaveThenLoad_GivesTheSameProbabilitiesWithBothReadouts(LlmArAdapter adapter)
    {
        var saved = Saved(adapter);
        var loaded = LlmArCheckpoint.Load(folder);
        Assert.Equal(Labels, loaded.Labels);
        Assert.Equal(adapter, loaded.Config.Adapter);
        Assert.Equal(saved.TrainedParameterCount, loaded.TrainedParameterCount);
        foreach (var readout in Enum.GetValues<LlmArReadout>())
        {
            var expected = saved.Probabilities(Clips, readout);
            var actual = loaded.Probabilities(Clips, readout);
            for (int b = 0; b < Clips.Count; b++)
            {
                Assert.Equal(1f, actual[b].Sum(), 1e-4f);
                for (int k = 0; k < Labels.Length; k++) Assert.Equal(expected[b][k], actual[b][k], 1e-5f);
            }
        }
    }

    [Fact]
    public void LoraForAnotherBaseModel_IsRefusedNamingTheHash()
    {
        Saved();
        var weights = Path.Combine(folder, LlmArCheckpoint.BaseFolder, HfCheckpoint.SingleFileName);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x40;                                    // another model: one weight differs
        File.WriteAllBytes(weights, bytes);
        var e = Assert.Throws<InvalidDataException>(() => LlmArCheckpoint.Load(folder));
        Assert.Contains("base_model_sha256", e.Message);
        Assert.Contains("LoRA weights only fit the model they were trained on", e.Message);
    }

    [Fact]
    public void LabelListThatDoesNotFitTheHead_IsRefused()
    {
        Saved();
        var config = Path.Combine(folder, LlmArCheckpoint.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"bend\"", "\"bend\", \"jogging\"", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => LlmArCheckpoint.Load(folder));
        Assert.Contains("label list", e.Message);
    }

    [Fact]
    public void CodebookOfAnotherWidth_IsRefused()
    {
        var lm = HfCheckpoint.Load(SharedData.Repository("samples", "lm"));
        var narrow = new ActionSentenceTokenizer(new ActionSentenceConfig { Inputs = 60, Width = 64, Codes = 8, Hidden = 8 }, new Random(1));
        var text = Tokenizer.Load(SharedData.Repository("samples", "lm", "tokenizer.json"));
        var e = Assert.Throws<ArgumentException>(() => new LlmArRecognizer(lm, text, narrow, Labels, new LlmArConfig(), new Random(2)));
        Assert.Contains("codebook width is 64", e.Message);
    }

    [Fact]
    public void PromptsForAnotherBaseModel_AreRefusedNamingTheField()
    {
        Saved(LlmArAdapter.PTuningV2);
        var config = Path.Combine(folder, LlmArCheckpoint.AdapterFolder, "adapter_config.json");
        var json = File.ReadAllText(config);
        File.WriteAllText(config, System.Text.RegularExpressions.Regex.Replace(json, "\"num_layers\": *\\d+", "\"num_layers\": 99"));
        var e = Assert.Throws<InvalidDataException>(() => LlmArCheckpoint.Load(folder));
        Assert.Contains("num_layers", e.Message);
        Assert.Contains("another base model", e.Message);
    }

    [Fact]
    public void UnknownAdapterOrTokenizer_IsRefusedNamingTheField()
    {
        Saved();
        var config = Path.Combine(folder, LlmArCheckpoint.ConfigFile);
        var json = File.ReadAllText(config);
        File.WriteAllText(config, json.Replace("\"Lora\"", "\"Prefix\"", StringComparison.Ordinal));
        Assert.Contains("field 'adapter'", Assert.Throws<InvalidDataException>(() => LlmArCheckpoint.Load(folder)).Message);
        File.WriteAllText(config, json.Replace("\"action-sentences\"", "\"pixels\"", StringComparison.Ordinal));
        Assert.Contains("tokenizer 'pixels'", Assert.Throws<InvalidDataException>(() => LlmArCheckpoint.Load(folder)).Message);
    }

    [Fact]
    public void MissingAdapter_IsAnErrorNamingTheFile()
    {
        Saved();
        File.Delete(Path.Combine(folder, LlmArCheckpoint.AdapterFolder, "adapter_model.safetensors"));
        var e = Assert.ThrowsAny<Exception>(() => LlmArCheckpoint.Load(folder));
        Assert.Contains("adapter_model.safetensors", e.Message);
    }
}
