using System.Text.Json;
using System.Text.Json.Serialization;
using Streaming.Models.Skeletons;
using Streaming.Tensors;
using Streaming.Tensors.IO;

namespace Streaming.Models.Recognition;

/// <summary>What <see cref="SkeletonMlpClassifier"/> writes to <see cref="SkeletonMlpClassifier.ConfigFile"/> beside its weights.</summary>
public sealed record SkeletonMlpFolderConfig(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("inputs")] int Inputs,
    [property: JsonPropertyName("hidden")] int Hidden,
    [property: JsonPropertyName("classes")] int Classes,
    [property: JsonPropertyName("dropout")] float Dropout,
    [property: JsonPropertyName("frames")] int Frames,
    [property: JsonPropertyName("joints")] int Joints,
    [property: JsonPropertyName("joint_order")] string JointOrder,
    [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels,
    [property: JsonPropertyName("standardization")] string Standardization);

/// <summary>
/// A trained <see cref="SkeletonMlp"/> with what inference needs to feed it as training did: the <see cref="Frames"/> time
/// steps <see cref="SkeletonFeatures"/> resamples a sequence to, and the per-feature standardization from the training
/// set ((x - mean) * scale, scale = 1 / max(std, 1e-4)). Saved as a folder: <see cref="WeightsFile"/> (fc1/fc2 weights and
/// biases, feature_mean, feature_scale, float32) and <see cref="ConfigFile"/> (shapes, frames, joints, labels).
/// </summary>
public sealed class SkeletonMlpClassifier
{
    public const string Kind = "skeleton-mlp";
    public const string ConfigFile = "mlp.json";
    public const string WeightsFile = "mlp.safetensors";

    /// <summary>Joints are in MSR Action3D's own order (Vemulapalli et al.'s body model), as the dataset files hold them.</summary>
    public const string MsrJointOrder = "msr-action3d";

    readonly float[] featureMean, featureScale;

    public SkeletonMlpClassifier(SkeletonMlp model, SkeletonMlpConfig config, IReadOnlyList<string> labels, int frames, int joints, float[] featureMean, float[] featureScale)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labels);
        int size = SkeletonFeatures.Size(frames, joints);
        if (config.Inputs != size) throw new ArgumentException($"skeleton MLP: {config.Inputs} inputs, but {frames} frames of {joints} joints make {size} features.", nameof(config));
        if (labels.Count != config.Classes) throw new ArgumentException($"skeleton MLP: {labels.Count} labels for {config.Classes} classes.", nameof(labels));
        if (featureMean.Length != size || featureScale.Length != size) throw new ArgumentException($"skeleton MLP: standardization has {featureMean.Length}/{featureScale.Length} values, expected {size}.");
        (Model, Config, Labels, Frames, Joints) = (model, config, labels, frames, joints);
        (this.featureMean, this.featureScale) = (featureMean, featureScale);
        model.Eval();
    }

    public SkeletonMlp Model { get; }
    public SkeletonMlpConfig Config { get; }
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The time steps every sequence is resampled to, whatever its length.</summary>
    public int Frames { get; }

    public int Joints { get; }

    /// <summary>Per-feature statistics of the training set: the standardized feature is (x - mean) * scale.</summary>
    public static (float[] Mean, float[] Scale) Statistics(float[] x, int size)
    {
        int n = x.Length / size;
        var mean = new float[size];
        var scale = new float[size];
        for (int f = 0; f < size; f++)
        {
            double m = 0, sq = 0;
            for (int i = 0; i < n; i++) m += x[i * size + f];
            m /= n;
            for (int i = 0; i < n; i++) sq += Math.Pow(x[i * size + f] - m, 2);
            mean[f] = (float)m;
            scale[f] = 1f / (float)Math.Max(Math.Sqrt(sq / n), 1e-4);
        }
        return (mean, scale);
    }

    /// <summary>Standardizes rows of <paramref name="x"/> in place with the given statistics.</summary>
    public static void Standardize(Span<float> x, float[] mean, float[] scale)
    {
        for (int k = 0; k < x.Length; k++) x[k] = (x[k] - mean[k % mean.Length]) * scale[k % scale.Length];
    }

    /// <summary>The model input of one sequence: <see cref="SkeletonFeatures"/> at <see cref="Frames"/> steps, standardized.</summary>
    public float[] Features(SkeletonSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (sequence.Joints != Joints) throw new ArgumentException($"skeleton MLP: trained on {Joints} joints, the sequence has {sequence.Joints}.", nameof(sequence));
        var x = SkeletonFeatures.Describe(sequence, Frames);
        Standardize(x, featureMean, featureScale);
        return x;
    }

    /// <summary>Class logits of each sequence: (sequences, classes).</summary>
    public Tensor Logits(IReadOnlyList<SkeletonSequence> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int size = Config.Inputs;
        var x = new float[sequences.Count * size];
        for (int i = 0; i < sequences.Count; i++) Features(sequences[i]).CopyTo(x.AsSpan(i * size, size));
        using var _ = GradMode.Disable();
        return Model.Forward(new Tensor(x, [sequences.Count, size]));
    }

    /// <summary>Class probabilities of each sequence, one array per sequence.</summary>
    public float[][] Probabilities(IReadOnlyList<SkeletonSequence> sequences)
    {
        if (sequences.Count == 0) return [];
        float[] p;
        using (GradMode.Disable()) p = Logits(sequences).Softmax(-1).ToArray();
        int c = Config.Classes;
        return Enumerable.Range(0, sequences.Count).Select(i => p.AsSpan(i * c, c).ToArray()).ToArray();
    }

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var tensors = Model.State();
        tensors["feature_mean"] = Tensor.FromArray(featureMean, featureMean.Length);
        tensors["feature_scale"] = Tensor.FromArray(featureScale, featureScale.Length);
        SafeTensorsWriter.Write(Path.Combine(folder, WeightsFile), tensors, new Dictionary<string, string> { ["kind"] = Kind });
        var config = new SkeletonMlpFolderConfig(Kind, Config.Inputs, Config.Hidden, Config.Classes, Config.Dropout, Frames, Joints, MsrJointOrder, Labels,
            "feature_mean and feature_scale in " + WeightsFile + ": (features - feature_mean) * feature_scale");
        File.WriteAllText(Path.Combine(folder, ConfigFile), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Whether <paramref name="folder"/> holds a saved skeleton MLP (both of its files).</summary>
    public static bool IsFolder(string folder) => File.Exists(Path.Combine(folder, ConfigFile)) && File.Exists(Path.Combine(folder, WeightsFile));

    public static SkeletonMlpClassifier Load(string folder)
    {
        var configPath = Path.Combine(folder, ConfigFile);
        var weightsPath = Path.Combine(folder, WeightsFile);
        foreach (var path in new[] { configPath, weightsPath })
            if (!File.Exists(path)) throw new FileNotFoundException($"{Path.GetFullPath(folder)} is not a skeleton MLP folder: {Path.GetFileName(path)} is missing.", path);
        var config = JsonSerializer.Deserialize<SkeletonMlpFolderConfig>(File.ReadAllText(configPath))
            ?? throw new InvalidDataException($"{configPath}: empty.");
        if (config.Kind != Kind) throw new InvalidDataException($"{configPath}: model kind '{config.Kind}', expected '{Kind}'.");
        if (config.JointOrder != MsrJointOrder) throw new InvalidDataException($"{configPath}: joint order '{config.JointOrder}', expected '{MsrJointOrder}'.");
        var tensors = SafeTensorsFile.Load(weightsPath);
        int size = SkeletonFeatures.Size(config.Frames, config.Joints);
        float[] Statistic(string name) => tensors.Remove(name, out var t) && Tensor.SameShape(t.Shape, [size]) ? t.ToArray()
            : throw new InvalidDataException($"{weightsPath}: tensor '{name}' of shape [{size}] is missing.");
        var mean = Statistic("feature_mean");
        var scale = Statistic("feature_scale");
        var mlpConfig = new SkeletonMlpConfig(config.Inputs, config.Hidden, config.Classes, config.Dropout);
        var model = new SkeletonMlp(mlpConfig, new Random(0));
        model.LoadState(tensors);
        return new SkeletonMlpClassifier(model, mlpConfig, config.Labels, config.Frames, config.Joints, mean, scale);
    }
}
