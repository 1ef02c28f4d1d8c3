using System.Text.Json.Nodes;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Adapters;

/// <summary>
/// Prompt tuning: P learned input embeddings put in front of the token embeddings (PEFT's PROMPT_TUNING,
/// table <c>prompt_embeddings</c> (P, C)). Use <see cref="Prepend"/> on the embeddings passed to
/// <see cref="LlamaModel.Forward(Tensor, int[], Tensor, KvCache, bool)"/>.
/// </summary>
public sealed class SoftPrompt : Module
{
    public const string ConfigFileName = "adapter_config.json";
    public const string WeightsFileName = "adapter_model.safetensors";

    public SoftPrompt(int numVirtualTokens, int hiddenSize, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (numVirtualTokens <= 0) throw new ArgumentOutOfRangeException(nameof(numVirtualTokens), $"SoftPrompt: {numVirtualTokens} virtual tokens; need at least one.");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"SoftPrompt: hidden size {hiddenSize} must be positive.");
        PromptEmbeddings = Parameter("prompt_embeddings", Init.Normal(rng, 0f, 1f, numVirtualTokens, hiddenSize));
    }

    /// <summary>(P, C).</summary>
    public Tensor PromptEmbeddings { get; }

    public int NumVirtualTokens => PromptEmbeddings.Shape[0];

    /// <summary>embeds (B, T, C) -> (B, P + T, C).</summary>
    public Tensor Prepend(Tensor embeds)
    {
        ArgumentNullException.ThrowIfNull(embeds);
        if (embeds.Rank != 3 || embeds.Shape[2] != PromptEmbeddings.Shape[1])
            throw new ArgumentException($"SoftPrompt: expected embeddings (B, T, {PromptEmbeddings.Shape[1]}), got {Tensor.Format(embeds.Shape)}.", nameof(embeds));
        int B = embeds.Shape[0];
        var prompt = PromptEmbeddings.Unsqueeze(0).Expand(B, NumVirtualTokens, PromptEmbeddings.Shape[1]);   // (B, P, C)
        return Tensor.Concat([prompt, embeds], 1);
    }

    /// <summary>A padding mask (B, T) for the tokens -> (B, P + T), the prompt never padded.</summary>
    public Tensor PrependPadding(Tensor paddingMask)
    {
        ArgumentNullException.ThrowIfNull(paddingMask);
        if (paddingMask.Rank != 2) throw new ArgumentException($"SoftPrompt: expected a padding mask (B, T), got {Tensor.Format(paddingMask.Shape)}.", nameof(paddingMask));
        return Tensor.Concat([Tensor.Zeros(paddingMask.Shape[0], NumVirtualTokens), paddingMask], 1);
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        ConfigJson.Write(Path.Combine(directory, ConfigFileName), new JsonObject
        {
            ["peft_type"] = "PROMPT_TUNING",
            ["task_type"] = "CAUSAL_LM",
            ["num_virtual_tokens"] = NumVirtualTokens,
            ["token_dim"] = PromptEmbeddings.Shape[1],
        });
        AdapterFiles.WriteWeights(Path.Combine(directory, WeightsFileName), this);
    }

    public static SoftPrompt Load(string directory, LlamaConfig model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var json = AdapterFiles.ReadConfig(directory, ConfigFileName, "PROMPT_TUNING");
        int width = json.PositiveInt("token_dim");
        if (width != model.HiddenSize) throw json.Invalid("token_dim", $"{width} differs from the model's hidden_size {model.HiddenSize}");
        var prompt = new SoftPrompt(json.PositiveInt("num_virtual_tokens"), width, new Random(0));
        AdapterFiles.ReadWeights(Path.Combine(directory, WeightsFileName), prompt);
        return prompt;
    }
}
