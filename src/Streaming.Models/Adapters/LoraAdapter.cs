using System.Globalization;
using System.Text.Json.Nodes;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Adapters;

/// <summary>
/// LoRA (Hu et al. 2021) on chosen projections of every decoder layer: W x + B A x * alpha / r, with A
/// Kaiming-uniform and B zero at the start so the adapted model begins equal to the base. Attach it with
/// <c>model.Lora = adapter</c>; its parameters are named as PEFT saves them
/// (<c>base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</c>), apart from the base weights.
/// </summary>
public sealed class LoraAdapter : Module
{
    public const string ConfigFileName = "adapter_config.json";
    public const string WeightsFileName = "adapter_model.safetensors";

    readonly LoraProjection?[,] projections;   // [layer, index in LoraTargetNames.Each]
    readonly Random rng;
    readonly LlamaConfig model;

    public LoraAdapter(LlamaConfig model, LoraConfig config, Random rng)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(rng);
        this.model = model.Validate();
        Config = config.Validate();
        this.rng = rng;
        projections = new LoraProjection?[model.NumHiddenLayers, LoraTargetNames.Each.Count];
        var layers = Child("base_model", new NamedScope()).Scope("model").Scope("model").Scope("layers");
        for (int l = 0; l < model.NumHiddenLayers; l++)
        {
            var layer = layers.Scope(l.ToString(CultureInfo.InvariantCulture));
            for (int t = 0; t < LoraTargetNames.Each.Count; t++)
            {
                var target = LoraTargetNames.Each[t];
                if ((config.Targets & target) == 0) continue;
                var (inFeatures, outFeatures) = Dimensions(model, target);
                var scope = layer.Scope(LoraTargetNames.Block(target)).Scope(LoraTargetNames.ModuleName(target));
                var a = scope.Scope("lora_A").Add("weight", Init.KaimingUniform(rng, inFeatures, config.Rank, inFeatures));
                var b = scope.Scope("lora_B").Add("weight", Tensor.Zeros(outFeatures, config.Rank));
                projections[l, t] = new LoraProjection(a, b);
            }
        }
    }

    public LoraConfig Config { get; }

    /// <summary>Whether the updates are folded into the base weights (<see cref="Merge"/>), so the forward skips them.</summary>
    public bool Merged { get; private set; }

    /// <summary>(in, out) features of a projection.</summary>
    static (int In, int Out) Dimensions(LlamaConfig m, LoraTargets target) => target switch
    {
        LoraTargets.Q => (m.HiddenSize, m.NumAttentionHeads * m.HeadDim),
        LoraTargets.K or LoraTargets.V => (m.HiddenSize, m.NumKeyValueHeads * m.HeadDim),
        LoraTargets.O => (m.NumAttentionHeads * m.HeadDim, m.HiddenSize),
        LoraTargets.Gate or LoraTargets.Up => (m.HiddenSize, m.IntermediateSize),
        _ => (m.IntermediateSize, m.HiddenSize),
    };

    /// <summary>A (r, in) and B (out, r) of one adapted projection; throws if it is not adapted.</summary>
    public (Tensor A, Tensor B) Weights(int layer, LoraTargets target)
    {
        var p = Find(layer, target) ?? throw new ArgumentException($"LoRA: projection {LoraTargetNames.ModuleName(target)} of layer {layer} is not adapted (targets {Config.Targets}).", nameof(target));
        return (p.A, p.B);
    }

    LoraProjection? Find(int layer, LoraTargets target) => projections[layer, IndexOf(target)];

    static int IndexOf(LoraTargets target)
    {
        for (int i = 0; i < LoraTargetNames.Each.Count; i++)
            if (LoraTargetNames.Each[i] == target) return i;
        throw new ArgumentException($"LoRA: {target} is not a single projection.", nameof(target));
    }

    /// <summary>The update B A dropout(x) * alpha / r (..., out) of a projection, or null when it is not adapted or merged.</summary>
    public Tensor? Delta(int layer, LoraTargets target, Tensor x)
    {
        if (Merged) return null;
        return Find(layer, target)?.Delta(x, Config.Scaling, Config.Dropout, Training, rng);
    }

    /// <summary>Folds B A * alpha / r into <paramref name="model"/>'s weights for inference; the forward then skips the adapter.</summary>
    public void Merge(LlamaModel model)
    {
        if (Merged) throw new InvalidOperationException("LoRA: already merged.");
        Apply(model, Config.Scaling);
        Merged = true;
    }

    /// <summary>Subtracts what <see cref="Merge"/> added, restoring the base weights (up to float rounding).</summary>
    public void Unmerge(LlamaModel model)
    {
        if (!Merged) throw new InvalidOperationException("LoRA: not merged.");
        Apply(model, -Config.Scaling);
        Merged = false;
    }

    void Apply(LlamaModel target, float scaling)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Config != model)
            throw new ArgumentException("LoRA: the adapter was made for a model of a different configuration.", nameof(target));
        for (int l = 0; l < model.NumHiddenLayers; l++)
            foreach (var t in LoraTargetNames.Each)
                Find(l, t)?.AddTo(target.Layers[l].Weight(t), scaling);
    }

    /// <summary>Writes adapter_config.json (PEFT's fields) and adapter_model.safetensors into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var targets = new JsonArray([.. LoraTargetNames.Each.Where(t => (Config.Targets & t) != 0).Select(t => (JsonNode)LoraTargetNames.ModuleName(t))]);
        ConfigJson.Write(Path.Combine(directory, ConfigFileName), new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["r"] = Config.Rank,
            ["lora_alpha"] = Config.Alpha,
            ["lora_dropout"] = Config.Dropout,
            ["target_modules"] = targets,
            ["bias"] = "none",
        });
        AdapterFiles.WriteWeights(Path.Combine(directory, WeightsFileName), this);
    }

    /// <summary>Reads an adapter saved by <see cref="Save"/> (or PEFT) for a model of configuration <paramref name="model"/>.</summary>
    public static LoraAdapter Load(string directory, LlamaConfig model, Random? rng = null)
    {
        var json = AdapterFiles.ReadConfig(directory, ConfigFileName, "LORA");
        var config = new LoraConfig
        {
            Rank = json.PositiveInt("r"),
            Alpha = json.Float("lora_alpha"),
            Dropout = json.Float("lora_dropout", 0f),
            Targets = json.Strings("target_modules").Aggregate(LoraTargets.None, (all, name) =>
                all | (LoraTargetNames.Each.Any(t => LoraTargetNames.ModuleName(t) == name)
                    ? LoraTargetNames.Parse(name)
                    : throw json.Invalid("target_modules", $"unknown module '{name}'; expected q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj or down_proj"))),
        };
        var adapter = new LoraAdapter(model, config, rng ?? new Random(0));
        AdapterFiles.ReadWeights(Path.Combine(directory, WeightsFileName), adapter);
        return adapter;
    }
}
