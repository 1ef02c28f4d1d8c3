using Streaming.Tensors;
using Streaming.Tensors.IO;

namespace Streaming.Models.Datasets;

/// <summary>One video of a frame-label dataset: its name, one action index per frame, and its feature file if any.</summary>
public sealed record LabelledVideo(string Name, int[] Labels, string? FeaturesPath)
{
    /// <summary>The video's feature matrix as stored, (D, T): D features for each of the T labelled frames.</summary>
    public Tensor Features()
    {
        if (FeaturesPath is null) throw new InvalidOperationException($"video '{Name}' has no feature file (features/{Name}.npy).");
        var features = NpyFile.Load(FeaturesPath);
        if (features.Shape.Length != 2 || features.Shape[1] != Labels.Length)
            throw new FormatException($"feature/label length mismatch: {FeaturesPath} has shape ({string.Join(", ", features.Shape)}) where [D, T = {Labels.Length}] " +
                $"was expected for video '{Name}' ({Labels.Length} labelled frames).");
        return features;
    }

    /// <summary>The features of the given frames, one row each, (F, D): how a model reads its observed steps.</summary>
    public Tensor FeaturesAt(int[] frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return Features().IndexSelect(1, frames).Transpose(0, 1).Contiguous();     // (D, T) -> (D, F) -> (F, D)
    }
}
