using System.Security.Cryptography;
using Streaming.Models.Recognition;
using Streaming.Models.Skeletons;
using Streaming.Pipeline.Inference;

namespace Streaming.Service.ModelFolders;

/// <summary>
/// The model of skeleton input (Pipeline:Model), by what the folder holds: <see cref="SkeletonMlpClassifier.ConfigFile"/> and
/// <see cref="SkeletonMlpClassifier.WeightsFile"/> (<c>streaming train mlp</c>: the MSR Action3D recognizer), otherwise
/// the baseline models of <c>streaming train baseline</c> (<see cref="BaselineModelFolder"/>).
/// </summary>
public static class SkeletonModelFolder
{
    public static IActionModel Load(string folder, TimeSpan horizon) =>
        SkeletonMlpClassifier.IsFolder(folder) ? LoadMlp(folder) : BaselineModelFolder.Load(folder, horizon);

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
}
