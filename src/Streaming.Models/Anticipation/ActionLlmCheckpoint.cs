using System.Text.Json.Nodes;
using Streaming.Models.Adapters;
using Streaming.Models.Checkpoints;
using Streaming.Models.Tokenization;
using Streaming.Tensors;
using Streaming.Tensors.IO;

namespace Streaming.Models.Anticipation;

/// <summary>A trained anticipator as loaded: the model and the steps a video is sampled into.</summary>
public sealed record TrainedAnticipator(ActionLlm Model, int StepsPerVideo, int EpochsDone);

/// <summary>
/// An ActionLLM checkpoint folder, self-contained: anticipator.json (architecture, visual features per step with 0 for
/// label-only, actions, sampling, epochs done), anticipator.safetensors (ActionLLM's own weights), base/ (the frozen
/// base model as a Hugging Face checkpoint with its tokenizer.json) and, for resuming, training-state.safetensors (the optimizer's moments). Each file is
/// written whole under a temporary name and renamed, so a crash mid-save leaves the previous epoch's files.
/// </summary>
public static class ActionLlmCheckpoint
{
    public const string ConfigFileName = "anticipator.json";
    public const string WeightsFileName = "anticipator.safetensors";
    public const string TrainingStateFileName = "training-state.safetensors";
    public const string BaseFolderName = "base";
    const string Format = "streaming-actionllm/1";

    /// <summary>Writes the checkpoint; <paramref name="baseModelFolder"/> (config.json, safetensors, tokenizer.json) is copied into base/ unless it is already there.</summary>
    public static void Save(string directory, ActionLlm model, string baseModelFolder, int stepsPerVideo, AnticipationTrainingState? state = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(directory);
        var baseTarget = Path.Combine(directory, BaseFolderName);
        if (Path.GetFullPath(baseModelFolder).TrimEnd('/') != Path.GetFullPath(baseTarget).TrimEnd('/'))
        {
            Directory.CreateDirectory(baseTarget);
            foreach (var file in Directory.GetFiles(baseModelFolder).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".safetensors", StringComparison.Ordinal)))
                File.Copy(file, Path.Combine(baseTarget, Path.GetFileName(file)), overwrite: true);
        }
        var c = model.Config;
        AdapterFiles.WriteWeights(Path.Combine(directory, WeightsFileName), model);
        if (state is not null)
            SafeTensorsWriter.Write(Path.Combine(directory, TrainingStateFileName), state.Optimizer.ToDictionary(),
                new Dictionary<string, string> { ["epochs_done"] = state.EpochsDone.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var config = Path.Combine(directory, ConfigFileName);
        var temporary = config + ".tmp";
        ConfigJson.Write(temporary, new JsonObject
        {
            ["format"] = Format,
            ["actions"] = new JsonArray([.. model.Actions.Select(a => (JsonNode)a)]),
            ["queries"] = c.Queries,
            ["interaction_width"] = c.InteractionWidth,
            ["interaction_heads"] = c.InteractionHeads,
            ["tuning_width"] = c.TuningWidth,
            ["dropout"] = c.Dropout,
            ["use_interaction_block"] = c.UseInteractionBlock,
            ["query_init"] = c.QueryInit.ToString(),
            ["visual_features"] = c.VisualFeatures,
            ["steps_per_video"] = stepsPerVideo,
            ["epochs_done"] = state?.EpochsDone ?? 0,
            ["action_durations"] = model.Durations is null ? null : Matrix(model.Durations.Runs),
            ["action_transitions"] = model.Transitions is null ? null : Matrix(model.Transitions.Probabilities),
        });
        File.Move(temporary, config, overwrite: true);
    }

    /// <summary>Loads a checkpoint written by <see cref="Save"/>; a missing or inconsistent file is an error naming it.</summary>
    public static TrainedAnticipator Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: anticipator checkpoint folder not found.");
        var json = ConfigJson.Read(Path.Combine(directory, ConfigFileName));
        if (json.String("format") != Format) throw json.Invalid("format", $"'{json.String("format")}' where '{Format}' was expected");
        if (!Enum.TryParse<QueryInit>(json.String("query_init"), out var init)) throw json.Invalid("query_init", "expected Constant, Zero or Normal");
        int visualFeatures = json.Int("visual_features", 0);                  // absent in label-only checkpoints written before the visual branch
        if (visualFeatures < 0) throw json.Invalid("visual_features", $"{visualFeatures}; expected 0 (label-only) or the visual features per step");
        var config = new ActionLlmConfig
        {
            Queries = json.PositiveInt("queries"),
            InteractionWidth = json.PositiveInt("interaction_width"),
            InteractionHeads = json.PositiveInt("interaction_heads"),
            TuningWidth = json.PositiveInt("tuning_width"),
            Dropout = json.Float("dropout"),
            UseInteractionBlock = json.Bool("use_interaction_block"),
            QueryInit = init,
            VisualFeatures = visualFeatures,
        };
        var actions = json.Strings("actions");
        if (actions.Count == 0) throw json.Invalid("actions", "no actions");
        var baseFolder = Path.Combine(directory, BaseFolderName);
        var lm = HfCheckpoint.Load(baseFolder);
        var model = new ActionLlm(lm, Tokenizer.Load(Path.Combine(baseFolder, "tokenizer.json")), actions, config, new Random(0));
        ReadWeights(directory, model);
        model.Durations = ReadMatrix(json, "action_durations", actions.Count, "lists of run durations, one per action", runs => new ActionDurations(runs));
        model.Transitions = ReadMatrix(json, "action_transitions", actions.Count, "rows of transition probabilities, one per action", rows => new ActionTransitions(rows));
        model.Eval();
        return new TrainedAnticipator(model, json.PositiveInt("steps_per_video"), json.Int("epochs_done", 0));
    }

    static JsonArray Matrix(IReadOnlyList<IReadOnlyList<double>> rows) =>
        new([.. rows.Select(r => (JsonNode)new JsonArray([.. r.Select(d => (JsonNode)d)]))]);

    /// <summary>
    /// A field holding one list of numbers per action (action_durations: each action's training runs as fractions of
    /// their videos; action_transitions: its row of transition probabilities); absent (null) in checkpoints that leave
    /// durations or classes to the model alone.
    /// </summary>
    static T? ReadMatrix<T>(ConfigJson json, string field, int actions, string expected, Func<IReadOnlyList<IReadOnlyList<double>>, T> create) where T : class
    {
        if (json.Node(field) is not { } node) return null;
        if (node is not JsonArray perAction || perAction.Count != actions || perAction.Any(r => r is not JsonArray))
            throw json.Invalid(field, $"expected {actions} {expected}");
        try
        {
            return create([.. perAction.Select(r => (IReadOnlyList<double>)[.. r!.AsArray().Select(d =>
                d is JsonValue v && v.TryGetValue<double>(out var x) ? x : throw new FormatException($"{d?.ToJsonString() ?? "null"} is not a number"))])]);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw json.Invalid(field, e.Message);
        }
    }

    /// <summary>Reads the checkpoint's ActionLLM weights into <paramref name="model"/>, which must have the same architecture (every tensor is checked).</summary>
    public static void ReadWeights(string directory, ActionLlm model)
    {
        ArgumentNullException.ThrowIfNull(model);
        AdapterFiles.ReadWeights(Path.Combine(directory, WeightsFileName), model);
    }

    /// <summary>The state to resume from: the epochs done and the optimizer's moments; null when the folder has none.</summary>
    public static AnticipationTrainingState? LoadTrainingState(string directory)
    {
        var path = Path.Combine(directory, TrainingStateFileName);
        if (!File.Exists(path)) return null;
        using var file = SafeTensorsFile.Open(path);
        if (!file.Metadata.TryGetValue("epochs_done", out var done) || !int.TryParse(done, System.Globalization.CultureInfo.InvariantCulture, out int epochs))
            throw new InvalidDataException($"{path}: metadata 'epochs_done' is missing or not a number.");
        return new AnticipationTrainingState(epochs, SafeTensorsFile.Load(path));
    }
}
