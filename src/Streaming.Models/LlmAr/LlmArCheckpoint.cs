using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Streaming.Models.ActionSentences;
using Streaming.Models.Adapters;
using Streaming.Models.Checkpoints;
using Streaming.Models.Observations;
using Streaming.Models.Tokenization;
using Streaming.Tensors;
using Streaming.Tensors.IO;
using Streaming.Tensors.Optim;

namespace Streaming.Models.LlmAr;

/// <summary>Where a resumed stage stands: epochs done, optimizer steps and moments.</summary>
public sealed record LlmArTrainingState(int EpochsDone, int Steps, IReadOnlyDictionary<string, Tensor> Optimizer)
{
    public void Restore(AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.LoadState(Optimizer, Steps);
    }
}

/// <summary>
/// An LLM-AR folder, self-contained: <c>llm-ar.json</c> (labels, clip settings, readout, the base model's SHA-256),
/// <c>llm-ar.safetensors</c> (the class head and the action tokens), <c>adapter/</c> (LoRA or P-Tuning v2's prompts, as
/// PEFT saves them), the observation tokenizer's files (<see cref="ObservationTokenizers"/>) and <c>base/</c>
/// (the frozen base model with its tokenizer.json). While training, <c>tokenizer-state.safetensors</c> and
/// <c>training-state.safetensors</c> hold what <c>--resume</c> needs. The config is written last, under a temporary name
/// and renamed, so a crash mid-save leaves the previous epoch's folder.
/// </summary>
public static class LlmArCheckpoint
{
    public const string ConfigFile = "llm-ar.json";
    public const string HeadFile = "llm-ar.safetensors";
    public const string AdapterFolder = "adapter";
    public const string BaseFolder = "base";
    public const string TokenizerStateFile = "tokenizer-state.safetensors";
    public const string TrainingStateFile = "training-state.safetensors";
    const string Format = "streaming-llm-ar/1";

    public static bool IsFolder(string folder) => File.Exists(Path.Combine(folder, ConfigFile));

    /// <summary>Copies the base model folder (config.json, safetensors, tokenizer.json) into <paramref name="folder"/>/base.</summary>
    public static void CopyBase(string folder, string baseModelFolder)
    {
        var target = Path.Combine(folder, BaseFolder);
        if (Path.GetFullPath(baseModelFolder).TrimEnd('/') == Path.GetFullPath(target).TrimEnd('/')) return;
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(baseModelFolder).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".safetensors", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
    }

    /// <summary>SHA-256 of the base model's weights, which LoRA and the head are bound to.</summary>
    public static string BaseModelHash(string folder)
    {
        var weights = Path.Combine(folder, BaseFolder, HfCheckpoint.SingleFileName);
        if (!File.Exists(weights)) throw new FileNotFoundException($"{Path.GetFullPath(folder)}: the base model's {HfCheckpoint.SingleFileName} is missing from {BaseFolder}/.", weights);
        using var stream = File.OpenRead(weights);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Writes the tokenizer stage's result and, while it runs, its optimizer state.</summary>
    public static void SaveTokenizer(string folder, ObservationTokenizer tokenizer, int epochsDone, AdamW? optimizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        tokenizer.Save(folder);
        WriteState(Path.Combine(folder, TokenizerStateFile), epochsDone, optimizer);
    }

    public static LlmArTrainingState? LoadTokenizerState(string folder) => ReadState(Path.Combine(folder, TokenizerStateFile));

    public static LlmArTrainingState? LoadTrainingState(string folder) => ReadState(Path.Combine(folder, TrainingStateFile));

    /// <summary>Writes the recognizer (its base/ must be in place: <see cref="CopyBase"/>), with the optimizer state when training goes on.</summary>
    public static void Save(string folder, LlmArRecognizer model, string dataset, int epochsDone, AdamW? optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(folder);
        model.Observations.Save(folder);
        SafeTensorsWriter.Write(Path.Combine(folder, HeadFile), model.State(), new Dictionary<string, string> { ["format"] = Format });
        var adapter = Path.Combine(folder, AdapterFolder);
        if (model.Lora is { } lora)
        {
            bool merged = lora.Merged;
            if (merged) lora.Unmerge(model.Lm);
            lora.Save(adapter);
            if (merged) lora.Merge(model.Lm);
        }
        else if (model.Prompts is { } prompts) prompts.Save(adapter);
        else if (Directory.Exists(adapter)) Directory.Delete(adapter, recursive: true);
        WriteState(Path.Combine(folder, TrainingStateFile), epochsDone, optimizer);
        var c = model.Config;
        var config = Path.Combine(folder, ConfigFile);
        ConfigJson.Write(config + ".tmp", new JsonObject
        {
            ["format"] = Format,
            ["dataset"] = dataset,
            ["labels"] = new JsonArray([.. model.Labels.Select(l => (JsonNode)l)]),
            ["frames"] = c.Frames,
            ["dimensions"] = c.Dimensions,
            ["sequence"] = c.Sequence.ToString(),
            ["window_frames"] = c.WindowFrames,
            ["readout"] = c.Readout.ToString(),
            ["tokenizer"] = model.Observations.Kind,
            ["adapter"] = c.Adapter.ToString(),
            ["prompt_tokens"] = c.PromptTokens,
            ["base_model_sha256"] = BaseModelHash(folder),
            ["epochs_done"] = epochsDone,
        });
        File.Move(config + ".tmp", config, overwrite: true);
    }

    /// <summary>The dataset the folder's model was trained on, as its config names it.</summary>
    public static string Dataset(string folder) => ConfigJson.Read(Path.Combine(folder, ConfigFile)).String("dataset");

    /// <summary>Loads a recognizer written by <see cref="Save"/>; a missing file, a field out of range or weights that do not fit are errors naming them.</summary>
    public static LlmArRecognizer Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: LLM-AR model folder not found; create one with `streaming train llm-ar --out {folder}`.");
        var json = ConfigJson.Read(Path.Combine(folder, ConfigFile));
        if (json.String("format") != Format) throw json.Invalid("format", $"'{json.String("format")}' where '{Format}' was expected");
        if (!Enum.TryParse<LlmArReadout>(json.String("readout"), out var readout)) throw json.Invalid("readout", "expected ClassHead or LabelLikelihood");
        if (!Enum.TryParse<LlmArSequence>(json.String("sequence"), out var sequence)) throw json.Invalid("sequence", "expected Window or Take");
        var labels = json.Strings("labels");
        var hash = BaseModelHash(folder);
        if (json.String("base_model_sha256") != hash)
            throw json.Invalid("base_model_sha256", $"the adapter and head were trained on the base model {json.String("base_model_sha256")[..12]}..., but {BaseFolder}/ holds {hash[..12]}...; LoRA weights only fit the model they were trained on");
        // Folders from before P-Tuning v2 say use_lora instead.
        var adapterKind = json.Has("adapter")
            ? Enum.TryParse<LlmArAdapter>(json.String("adapter"), out var kind) ? kind : throw json.Invalid("adapter", "expected Lora, PTuningV2 or None")
            : json.Bool("use_lora") ? LlmArAdapter.Lora : LlmArAdapter.None;
        var adapterFolder = Path.Combine(folder, AdapterFolder);
        var baseFolder = Path.Combine(folder, BaseFolder);
        var lm = HfCheckpoint.Load(baseFolder);
        var lora = adapterKind == LlmArAdapter.Lora ? LoraAdapter.Load(adapterFolder, lm.Config) : null;
        var prompts = adapterKind == LlmArAdapter.PTuningV2 ? PrefixTuning.Load(adapterFolder, lm.Config) : null;
        var config = new LlmArConfig
        {
            Frames = json.PositiveInt("frames"),
            Dimensions = json.PositiveInt("dimensions"),
            Sequence = sequence,
            WindowFrames = json.Int("window_frames", 0),
            Readout = readout,
            Adapter = adapterKind,
            PromptTokens = prompts?.NumVirtualTokens ?? new LlmArConfig().PromptTokens,
            LoraRank = lora?.Config.Rank ?? new LlmArConfig().LoraRank,
            LoraAlpha = lora?.Config.Alpha ?? new LlmArConfig().LoraAlpha,
            LoraTargets = lora?.Config.Targets ?? new LlmArConfig().LoraTargets,
        };
        var sentences = ObservationTokenizers.Load(folder, json.String("tokenizer", ActionSentenceTokenizer.TokenizerKind));
        var model = new LlmArRecognizer(lm, Tokenizer.Load(Path.Combine(baseFolder, "tokenizer.json")), sentences, labels, config, new Random(0));
        // The loaded adapter has read and checked its weights; the recognizer's own (the same shape, from the config) takes a copy.
        if (lora is not null) model.Lora!.LoadState(lora.State());
        if (prompts is not null) model.Prompts!.LoadState(prompts.State());
        var head = Path.Combine(folder, HeadFile);
        if (!File.Exists(head)) throw new FileNotFoundException($"{Path.GetFullPath(folder)}: {HeadFile} is missing.", head);
        var state = SafeTensorsFile.Load(head);
        foreach (var (name, value) in model.State())
            if (state.TryGetValue(name, out var stored) && !Tensor.SameShape(stored.Shape, value.Shape))
                throw new InvalidDataException($"{head}: '{name}' is {Tensor.Format(stored.Shape)} but {labels.Count} labels of width {lm.Config.HiddenSize} need {Tensor.Format(value.Shape)}; the label list of {ConfigFile} does not match the checkpoint.");
        model.LoadState(state);
        model.Eval();
        return model;
    }

    static void WriteState(string path, int epochsDone, AdamW? optimizer)
    {
        if (optimizer is null)
        {
            File.Delete(path);
            return;
        }
        SafeTensorsWriter.Write(path, optimizer.State(), new Dictionary<string, string>
        {
            ["epochs_done"] = epochsDone.ToString(CultureInfo.InvariantCulture),
            ["steps"] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture),
        });
    }

    static LlmArTrainingState? ReadState(string path)
    {
        if (!File.Exists(path)) return null;
        using var file = SafeTensorsFile.Open(path);
        int Field(string name) => file.Metadata.TryGetValue(name, out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out int value)
            ? value : throw new InvalidDataException($"{path}: metadata '{name}' is missing or not a number.");
        return new LlmArTrainingState(Field("epochs_done"), Field("steps"), SafeTensorsFile.Load(path));
    }
}
