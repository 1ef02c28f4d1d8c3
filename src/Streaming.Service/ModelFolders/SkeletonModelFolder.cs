using System.Security.Cryptography;
using Streaming.Models.Anticipation;
using Streaming.Models.LlmAr;
using Streaming.Models.Recognition;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Inference;

namespace Streaming.Service.ModelFolders;

/// <summary>
/// The model of skeleton input (Pipeline:Model), by what the folder holds: <see cref="LlmArCheckpoint.ConfigFile"/>
/// (<c>streaming train llm-ar</c>: LLM-AR, with the transition anticipator of the same labels when the folder has
/// <see cref="BaselineModelFolder.AnticipatorFile"/>), <see cref="SkeletonMlpClassifier.ConfigFile"/> and
/// <see cref="SkeletonMlpClassifier.WeightsFile"/> (<c>streaming train mlp</c>: the MSR Action3D recognizer), otherwise
/// the baseline models of <c>streaming train baseline</c> (<see cref="BaselineModelFolder"/>).
/// </summary>
public static class SkeletonModelFolder
{
    public static IActionRecognizer Load(string folder, TimeSpan horizon) =>
        LlmArCheckpoint.IsFolder(folder) ? LoadLlmAr(folder, horizon)
        : SkeletonMlpClassifier.IsFolder(folder) ? LoadMlp(folder)
        : BaselineModelFolder.Load(folder, horizon);

    /// <summary>The MLP behind the model stage; the id names a hash of its weights, so outputs say which model made them.</summary>
    public static SkeletonMlpActionModel LoadMlp(string folder)
    {
        if (!SkeletonMlpClassifier.IsFolder(folder))
            throw new FileNotFoundException($"{Path.GetFullPath(folder)} holds no skeleton MLP ({SkeletonMlpClassifier.ConfigFile} and {SkeletonMlpClassifier.WeightsFile}); " +
                $"create one with `streaming train mlp --out {folder}` (a few seconds).", Path.Combine(folder, SkeletonMlpClassifier.ConfigFile));
        var classifier = SkeletonMlpClassifier.Load(folder);
        // A first pass compiles the engine's kernels now rather than on the first windows of live streams.
        classifier.Probabilities([new SkeletonSequence(new float[classifier.Frames * classifier.Joints * 3], classifier.Frames, classifier.Joints)]);
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, SkeletonMlpClassifier.WeightsFile))))[..8];
        return new SkeletonMlpActionModel(classifier, $"skeleton-mlp@{hash}");
    }

    /// <summary>
    /// LLM-AR (or VTEM, or another tokenizer and adapter) behind the model stage, anticipating with the folder's transition
    /// anticipator when it has one; the id names the method, the kind (3-D or 2-D) and a hash of every trained weight
    /// (head and action tokens, adapter, tokenizer).
    /// </summary>
    public static LlmArActionModel LoadLlmAr(string folder, TimeSpan horizon)
    {
        if (!LlmArCheckpoint.IsFolder(folder))
            throw new FileNotFoundException($"{Path.GetFullPath(folder)} holds no LLM-AR model ({LlmArCheckpoint.ConfigFile}); create one with `streaming train llm-ar --out {folder}`.",
                Path.Combine(folder, LlmArCheckpoint.ConfigFile));
        var recognizer = LlmArCheckpoint.Load(folder);
        var anticipatorPath = Path.Combine(folder, BaselineModelFolder.AnticipatorFile);
        var anticipator = File.Exists(anticipatorPath) ? TransitionAnticipator.Load(anticipatorPath) : null;
        if (anticipator is not null && !anticipator.Labels.SequenceEqual(recognizer.Labels))
            throw new InvalidDataException($"{folder}: the recognizer's labels ({string.Join(", ", recognizer.Labels)}) differ from the anticipator's ({string.Join(", ", anticipator.Labels)}).");
        // A first forward compiles the kernels and computes the instruction's keys and values now rather than on the first live windows.
        var config = recognizer.Config;
        recognizer.Probabilities([new SkeletonClip(new float[config.Frames * CanonicalSkeleton.JointCount * config.Dimensions], config.Frames, config.Dimensions)]);
        return new LlmArActionModel(recognizer, anticipator, $"{recognizer.Method}-{config.Dimensions}d@{WeightsHash(folder)}", horizon);
    }

    static string WeightsHash(string folder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var adapter = Path.Combine(folder, LlmArCheckpoint.AdapterFolder);
        // Every trained weight; base/ is bound by its own hash in the config, and training state is not the model.
        var files = Directory.GetFiles(folder, "*.safetensors").Concat(Directory.Exists(adapter) ? Directory.GetFiles(adapter, "*.safetensors") : [])
            .Where(f => Path.GetFileName(f) is not (LlmArCheckpoint.TrainingStateFile or LlmArCheckpoint.TokenizerStateFile))
            .Order(StringComparer.Ordinal);
        foreach (var path in files) hash.AppendData(File.ReadAllBytes(path));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..8];
    }
}
