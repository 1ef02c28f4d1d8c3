using System.Security.Cryptography;
using Streaming.Models.Anticipation;
using Streaming.Models.Recognition;
using Streaming.Pipeline.Inference;

namespace Streaming.Service.ModelFolders;

/// <summary>A folder written by <c>streaming train baseline</c>: pose-classifier.safetensors and anticipator.json.</summary>
public static class BaselineModelFolder
{
    public const string ClassifierFile = "pose-classifier.safetensors";
    public const string AnticipatorFile = "anticipator.json";

    /// <summary>The models behind the pipeline; the id names the folder and a hash of the classifier, so outputs say which model made them.</summary>
    public static BaselineActionModel Load(string folder, TimeSpan horizon)
    {
        var classifierPath = Path.Combine(folder, ClassifierFile);
        var anticipatorPath = Path.Combine(folder, AnticipatorFile);
        foreach (var path in new[] { classifierPath, anticipatorPath })
            if (!File.Exists(path))
                throw new FileNotFoundException($"model folder {Path.GetFullPath(folder)} has no {Path.GetFileName(path)}; create it with `streaming train baseline --out {folder}`.", path);
        var classifier = PoseClassifier.Load(classifierPath);
        var anticipator = TransitionAnticipator.Load(anticipatorPath);
        if (!classifier.Labels.SequenceEqual(anticipator.Labels))
            throw new InvalidDataException($"{folder}: the classifier's labels ({string.Join(", ", classifier.Labels)}) differ from the anticipator's ({string.Join(", ", anticipator.Labels)}).");
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(classifierPath)))[..8];
        return new BaselineActionModel(classifier, anticipator, $"baseline-{classifier.Layout}@{hash}", horizon);
    }
}
