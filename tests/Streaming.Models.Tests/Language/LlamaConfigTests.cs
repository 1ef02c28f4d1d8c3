using System.Text.Json.Nodes;
using Streaming.Models.Language;
using Streaming.Tensors.Tests.IO;

namespace Streaming.Models.Tests.Language;

public sealed class LlamaConfigTests : IDisposable
{
    readonly TempDirectory temp = new();

    static JsonObject Qwen2() => new()
    {
        ["model_type"] = "qwen2", ["vocab_size"] = 151936, ["hidden_size"] = 896, ["intermediate_size"] = 4864,
        ["num_hidden_layers"] = 24, ["num_attention_heads"] = 14, ["num_key_value_heads"] = 2, ["rms_norm_eps"] = 1e-6,
        ["rope_theta"] = 1000000.0, ["max_position_embeddings"] = 32768, ["tie_word_embeddings"] = true,
        ["hidden_act"] = "silu", ["rope_scaling"] = null,
    };

    string Write(JsonObject json)
    {
        var path = temp.File("config-" + Guid.NewGuid().ToString("N")[..6] + ".json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    [Fact]
    public void Load_Qwen2Config_ReadsEveryField()
    {
        var config = LlamaConfig.Load(Write(Qwen2()));
        Assert.Equal(new LlamaConfig
        {
            ModelType = "qwen2", VocabSize = 151936, HiddenSize = 896, IntermediateSize = 4864, NumHiddenLayers = 24,
            NumAttentionHeads = 14, NumKeyValueHeads = 2, HeadDim = 64, RmsNormEps = 1e-6f, RopeTheta = 1e6f,
            MaxPositionEmbeddings = 32768, TieWordEmbeddings = true,
        }, config);
        Assert.True(config.QkvBias);
        Assert.False(config.OutputBias);
    }

    [Fact]
    public void Save_ThenLoad_RoundTrips()
    {
        var config = LlamaConfig.Tiny with { AttentionBias = true, RopeTheta = 500000f };
        var path = temp.File("config.json");
        config.Save(path);
        Assert.Equal(config, LlamaConfig.Load(path));
    }

    [Theory]
    [InlineData("hidden_size")]
    [InlineData("num_hidden_layers")]
    [InlineData("rms_norm_eps")]
    [InlineData("model_type")]
    public void Load_MissingField_NamesIt(string field)
    {
        var json = Qwen2();
        json.Remove(field);
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.Load(Write(json)));
        Assert.Contains($"missing field '{field}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EosTokenId_FirstOfAListAndABadOneNamed()
    {
        var json = Qwen2();
        json["eos_token_id"] = new JsonArray(151643, 151645);
        Assert.Equal(151643, LlamaConfig.Load(Write(json)).EosTokenId);
        json["eos_token_id"] = "eos";
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.Load(Write(json)));
        Assert.Contains("field 'eos_token_id': \"eos\" is not a token id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownModelType_ListsSupportedTypes()
    {
        var json = Qwen2();
        json["model_type"] = "gpt2";
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.Load(Write(json)));
        Assert.Contains("unknown model type 'gpt2'; supported: llama, qwen2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongFieldType_NamesFieldAndValue()
    {
        var json = Qwen2();
        json["hidden_size"] = "896";
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.Load(Write(json)));
        Assert.Contains("field 'hidden_size': \"896\" is not an integer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HeadsNotAMultipleOfKvHeads_SaysSo()
    {
        var json = Qwen2();
        json["num_key_value_heads"] = 4;
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.Load(Write(json)));
        Assert.Contains("num_attention_heads 14 is not a multiple of num_key_value_heads 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RopeScaling_IsRejectedAsUnsupported()
    {
        var json = Qwen2();
        json["rope_scaling"] = new JsonObject { ["type"] = "linear", ["factor"] = 2.0 };
        var e = Assert.Throws<InvalidDataException>(() => LlamaConfig.Load(Write(json)));
        Assert.Contains("field 'rope_scaling'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_NamesThePath()
    {
        var path = temp.File("absent.json");
        var e = Assert.Throws<FileNotFoundException>(() => LlamaConfig.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => temp.Dispose();
}
