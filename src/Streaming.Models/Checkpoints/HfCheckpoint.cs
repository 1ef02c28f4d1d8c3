using System.Globalization;
using System.Text.Json.Nodes;
using Streaming.Models.Language;
using Streaming.Tensors;
using Streaming.Tensors.IO;

namespace Streaming.Models.Checkpoints;

/// <summary>
/// A Hugging Face model directory: config.json plus model.safetensors, or shards listed by
/// model.safetensors.index.json. Tensors may be F32, F16 or BF16; they are converted to float32.
/// </summary>
public static class HfCheckpoint
{
    public const string ConfigFileName = "config.json";
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";
    public const string GenerationConfigFileName = "generation_config.json";

    /// <summary>Loads the configuration and weights; every missing, unexpected or mis-shaped tensor is reported in one <see cref="CheckpointException"/>.</summary>
    public static LlamaModel Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: checkpoint directory not found.");
        var config = LlamaConfig.Load(Path.Combine(directory, ConfigFileName));
        var model = new LlamaModel(config);
        using var checkpoint = Open(directory);
        checkpoint.ReadInto(model.NamedParameters(), name => Ignored(name, config));
        return model;
    }

    /// <summary>
    /// The token ids that end generation: <c>eos_token_id</c> (one id or a list) of generation_config.json when it
    /// has one, else of config.json, as transformers' GenerationConfig takes it; empty when neither names one.
    /// </summary>
    public static IReadOnlyList<int> EosTokenIds(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        foreach (var name in new[] { GenerationConfigFileName, ConfigFileName })
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path)) continue;
            var json = ConfigJson.Read(path);
            if (json.Has("eos_token_id")) return json.TokenIds("eos_token_id");
        }
        return [];
    }

    /// <summary>
    /// Tensors a valid checkpoint may hold that the model does not take: older LLaMA exports store the rotary
    /// inverse frequencies, and tied checkpoints sometimes store the (tied) LM head anyway.
    /// </summary>
    static bool Ignored(string name, LlamaConfig config) =>
        name.EndsWith(".self_attn.rotary_emb.inv_freq", StringComparison.Ordinal) || (config.TieWordEmbeddings && name == "lm_head.weight");

    static SafeTensorsCheckpoint Open(string directory)
    {
        var single = Path.Combine(directory, SingleFileName);
        var index = Path.Combine(directory, IndexFileName);
        if (File.Exists(single)) return SafeTensorsCheckpoint.OpenFile(single);
        if (File.Exists(index)) return SafeTensorsCheckpoint.OpenIndex(index);
        throw new FileNotFoundException($"{directory}: no {SingleFileName} or {IndexFileName}.", single);
    }

    /// <summary>
    /// Writes config.json and the weights as <paramref name="dtype"/>: one model.safetensors, or shards of at most
    /// <paramref name="maxShardBytes"/> each (a larger tensor gets a shard of its own) with their index.
    /// A tied LM head is not written, as transformers does.
    /// </summary>
    public static void Save(LlamaModel model, string directory, SafeTensorsDType dtype = SafeTensorsDType.F32, long maxShardBytes = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (maxShardBytes <= 0) throw new ArgumentOutOfRangeException(nameof(maxShardBytes), $"HfCheckpoint: shard size {maxShardBytes} must be positive.");
        int elementSize = dtype switch
        {
            SafeTensorsDType.F32 => 4,
            SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
            _ => throw new ArgumentException($"HfCheckpoint: cannot save as {dtype}; use F32, F16 or BF16.", nameof(dtype)),
        };
        Directory.CreateDirectory(directory);
        model.Config.Save(Path.Combine(directory, ConfigFileName));
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };

        var shards = new List<List<(string Name, Tensor Value)>> { new() };
        long shardBytes = 0, totalBytes = 0;
        foreach (var (name, value) in model.NamedParameters())
        {
            long bytes = (long)value.Size * elementSize;
            if (shards[^1].Count > 0 && shardBytes + bytes > maxShardBytes)
            {
                shards.Add([]);
                shardBytes = 0;
            }
            shards[^1].Add((name, value));
            shardBytes += bytes;
            totalBytes += bytes;
        }
        if (shards.Count == 1)
        {
            SafeTensorsWriter.Write(Path.Combine(directory, SingleFileName), shards[0].ToDictionary(p => p.Name, p => p.Value), metadata, dtype);
            return;
        }
        var weightMap = new JsonObject();
        for (int s = 0; s < shards.Count; s++)
        {
            var file = string.Create(CultureInfo.InvariantCulture, $"model-{s + 1:00000}-of-{shards.Count:00000}.safetensors");
            SafeTensorsWriter.Write(Path.Combine(directory, file), shards[s].ToDictionary(p => p.Name, p => p.Value), metadata, dtype);
            foreach (var (name, _) in shards[s]) weightMap[name] = file;
        }
        ConfigJson.Write(Path.Combine(directory, IndexFileName), new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = totalBytes },
            ["weight_map"] = weightMap,
        });
    }
}
