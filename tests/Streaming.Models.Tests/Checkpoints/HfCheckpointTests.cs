using System.Text.Json.Nodes;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.Tests.Reference;
using Streaming.Tensors.IO;

namespace Streaming.Models.Tests.Checkpoints;

[Collection(LlamaReferenceCollection.Name)]
public sealed class HfCheckpointTests(TinyCheckpoints checkpoints)
{
    static readonly ReferenceRequest Request = new([[3, 17, 42, 8, 0], [9, 9, 1, 30, 22]]);

    [Fact]
    public void Load_Sharded_EqualsSingleFile()
    {
        // Same seed, so the same weights, split over three shards by the reference's own writer.
        var sharded = checkpoints.Get("llama-untied-gqa-3-shards", "--model-type", "llama", "--seed", "1", "--shards", "3");
        Assert.True(File.Exists(Path.Combine(sharded, HfCheckpoint.IndexFileName)));
        var single = HfCheckpoint.Load(checkpoints.LlamaUntiedGqa).State();
        var fromShards = HfCheckpoint.Load(sharded).State();
        Assert.Equal(single.Keys.Order(), fromShards.Keys.Order());
        foreach (var (name, value) in single) Assert.Equal(value.ToArray(), fromShards[name].ToArray());
    }

    [Theory]
    [InlineData("F16")]
    [InlineData("BF16")]
    public void Load_HalfPrecision_MatchesTorchOnTheSameRoundedWeights(string dtype)
    {
        var directory = checkpoints.Get("qwen2-" + dtype, "--model-type", "qwen2", "--dtype", dtype, "--seed", "5");
        var model = HfCheckpoint.Load(directory);
        ModelRun.AssertMatches(LlamaReference.Forward(directory, Request), ModelRun.Forward(model, Request));
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(20_000L)]
    public void Save_ThenLoad_RoundTripsEveryTensorAndTorchReadsIt(long maxShardBytes)
    {
        var model = new LlamaModel(LlamaConfig.Tiny with { VocabSize = 64, HiddenSize = 32, HeadDim = 8, IntermediateSize = 48 }, new Random(7));
        var directory = checkpoints.NewDirectory("saved");
        HfCheckpoint.Save(model, directory, maxShardBytes: maxShardBytes);
        Assert.Equal(maxShardBytes != long.MaxValue, File.Exists(Path.Combine(directory, HfCheckpoint.IndexFileName)));

        var loaded = HfCheckpoint.Load(directory);
        Assert.Equal(model.Config, loaded.Config);
        foreach (var (name, value) in model.State()) Assert.Equal(value.ToArray(), loaded.State()[name].ToArray());
        ModelRun.AssertMatches(LlamaReference.Forward(directory, Request), ModelRun.Forward(loaded, Request));
    }

    [Fact]
    public void EosTokenIds_GenerationConfigFirst_ThenConfig_NumberOrList()
    {
        var directory = checkpoints.NewDirectory("eos");
        Assert.Empty(HfCheckpoint.EosTokenIds(directory));
        var config = Path.Combine(directory, HfCheckpoint.ConfigFileName);
        File.WriteAllText(config, """{"model_type": "llama", "eos_token_id": 2}""");
        Assert.Equal([2], HfCheckpoint.EosTokenIds(directory));
        var generation = Path.Combine(directory, HfCheckpoint.GenerationConfigFileName);
        File.WriteAllText(generation, """{"eos_token_id": null}""");
        Assert.Equal([2], HfCheckpoint.EosTokenIds(directory));
        File.WriteAllText(generation, """{"eos_token_id": [128001, 128009]}""");
        Assert.Equal([128001, 128009], HfCheckpoint.EosTokenIds(directory));
        File.WriteAllText(generation, """{"eos_token_id": "</s>"}""");
        var bad = Assert.Throws<InvalidDataException>(() => HfCheckpoint.EosTokenIds(directory));
        Assert.Contains("eos_token_id", bad.Message, StringComparison.Ordinal);
        Assert.Contains(HfCheckpoint.GenerationConfigFileName, bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_Bf16_LoadsTheRoundedWeights()
    {
        var model = new LlamaModel(LlamaConfig.Tiny, new Random(8));
        var directory = checkpoints.NewDirectory("saved-bf16");
        HfCheckpoint.Save(model, directory, SafeTensorsDType.BF16);
        var loaded = HfCheckpoint.Load(directory);
        var original = model.Layers[0].Wq.ToArray();
        var rounded = loaded.Layers[0].Wq.ToArray();
        for (int i = 0; i < original.Length; i++)
            Assert.Equal(RoundToBFloat16(original[i]), rounded[i]);
    }

    /// <summary>float32 -> bfloat16 -> float32, rounding to nearest, ties to even.</summary>
    static float RoundToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return BitConverter.UInt32BitsToSingle((bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u);
    }

    [Fact]
    public void Save_TiedModel_WritesNoLmHead()
    {
        var model = new LlamaModel(LlamaConfig.Tiny with { TieWordEmbeddings = true }, new Random(9));
        var directory = checkpoints.NewDirectory("saved-tied");
        HfCheckpoint.Save(model, directory);
        using var file = SafeTensorsFile.Open(Path.Combine(directory, HfCheckpoint.SingleFileName));
        Assert.False(file.Contains("lm_head.weight"));
        var loaded = HfCheckpoint.Load(directory);
        Assert.Same(loaded.EmbedTokens, loaded.LmHead);
    }

    [Fact]
    public void Load_MissingDirectory_SaysSo()
    {
        var missing = Path.Combine(checkpoints.NewDirectory("empty"), "nowhere");
        var e = Assert.Throws<DirectoryNotFoundException>(() => HfCheckpoint.Load(missing));
        Assert.Contains("checkpoint directory not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoWeightsFile_NamesBothLayouts()
    {
        var directory = checkpoints.NewDirectory("config-only");
        LlamaConfig.Tiny.Save(Path.Combine(directory, HfCheckpoint.ConfigFileName));
        var e = Assert.Throws<FileNotFoundException>(() => HfCheckpoint.Load(directory));
        Assert.Contains("no model.safetensors or model.safetensors.index.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_IndexPointsToMissingShard_NamesTheShard()
    {
        var directory = CopyOf(checkpoints.Get("llama-untied-gqa-3-shards", "--model-type", "llama", "--seed", "1", "--shards", "3"), "missing-shard");
        File.Delete(Path.Combine(directory, "model-00002-of-00003.safetensors"));
        var e = Assert.Throws<FileNotFoundException>(() => HfCheckpoint.Load(directory));
        Assert.Contains("shard 'model-00002-of-00003.safetensors' is listed for", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongShapesMissingAndUnexpected_ListsEveryProblemInOneError()
    {
        var directory = CopyOf(checkpoints.LlamaUntiedGqa, "broken");
        var path = Path.Combine(directory, HfCheckpoint.SingleFileName);
        var tensors = SafeTensorsFile.Load(path);
        tensors["model.layers.1.mlp.up_proj.weight"] = tensors["model.layers.1.mlp.up_proj.weight"].Narrow(0, 0, 40).Contiguous();
        tensors.Remove("model.norm.weight");
        tensors["model.layers.0.self_attn.q_proj.lora_magnitude"] = Streaming.Tensors.Tensor.Zeros(3);
        SafeTensorsWriter.Write(path, tensors);

        var e = Assert.Throws<CheckpointException>(() => HfCheckpoint.Load(directory));
        Assert.Equal(3, e.Problems.Count);
        Assert.Contains("shape mismatch: model.layers.1.mlp.up_proj.weight is (48, 32) in the model, (40, 32) in model.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing: model.norm.weight (32)", e.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected: model.layers.0.self_attn.q_proj.lora_magnitude (3)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TiedCheckpointThatAlsoStoresLmHead_IgnoresIt()
    {
        var directory = CopyOf(checkpoints.Qwen2TiedGqa, "tied-with-head");
        var path = Path.Combine(directory, HfCheckpoint.SingleFileName);
        var tensors = SafeTensorsFile.Load(path);
        tensors["lm_head.weight"] = tensors["model.embed_tokens.weight"];
        SafeTensorsWriter.Write(path, tensors);
        Assert.True(HfCheckpoint.Load(directory).Config.TieWordEmbeddings);
    }

    [Fact]
    public void Load_IndexWithoutWeightMap_SaysWhatIsMissing()
    {
        var directory = CopyOf(checkpoints.Get("llama-untied-gqa-3-shards", "--model-type", "llama", "--seed", "1", "--shards", "3"), "bad-index");
        File.WriteAllText(Path.Combine(directory, HfCheckpoint.IndexFileName), new JsonObject { ["metadata"] = new JsonObject() }.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => HfCheckpoint.Load(directory));
        Assert.Contains("missing the object 'weight_map'", e.Message, StringComparison.Ordinal);
    }

    string CopyOf(string source, string name)
    {
        var directory = checkpoints.NewDirectory(name);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        return directory;
    }
}
