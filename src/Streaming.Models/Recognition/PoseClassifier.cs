using System.Globalization;
using System.Text.Json;
using Streaming.Tensors;
using Streaming.Tensors.IO;
using Streaming.Tensors.Optim;

namespace Streaming.Models.Recognition;

/// <summary>A training example: <see cref="FrameCount"/> skeleton frames (row-major x, y, z per joint) and its class.</summary>
public sealed record PoseWindow(float[] Frames, int FrameCount, int Label);

/// <summary>Hyper-parameters of <see cref="PoseClassifier.Train"/>.</summary>
public sealed record PoseClassifierOptions(int Steps = 400, float LearningRate = 0.05f, float WeightDecay = 1e-3f, int Seed = 1);

/// <summary>
/// The baseline recognizer: multinomial logistic regression over <see cref="PoseStatistics"/> of a window of frames,
/// features standardized with the training set's mean and deviation. Small, fast and honest: the yardstick the
/// LM-based recognizers are compared with. Saved as safetensors (weight, bias, feature_mean, feature_std) with the
/// labels and layout in the header's metadata.
/// </summary>
public sealed class PoseClassifier
{
    public const string Kind = "pose-statistics-logistic-regression";

    readonly Tensor weight, bias;     // (C, F), (C)
    readonly float[] featureMean, featureStd;

    PoseClassifier(IReadOnlyList<string> labels, string layout, int joints, int windowFrames, Tensor weight, Tensor bias, float[] featureMean, float[] featureStd)
    {
        (Labels, Layout, Joints, WindowFrames) = (labels, layout, joints, windowFrames);
        (this.weight, this.bias, this.featureMean, this.featureStd) = (weight, bias, featureMean, featureStd);
    }

    public IReadOnlyList<string> Labels { get; }

    /// <summary>The values training fits: the weights and biases.</summary>
    public long ParameterCount => weight.Size + bias.Size;

    /// <summary>The skeleton layout it was trained on (e.g. kinect20): joint order matters.</summary>
    public string Layout { get; }

    public int Joints { get; }

    /// <summary>The window length (frames) it was trained with; other lengths work, this one fits best.</summary>
    public int WindowFrames { get; }

    public static PoseClassifier Train(IReadOnlyList<PoseWindow> windows, IReadOnlyList<string> labels, string layout, int joints, int windowFrames,
        PoseClassifierOptions options, IProgress<(int Step, float Loss)>? progress = null)
    {
        if (windows.Count == 0) throw new ArgumentException("pose classifier: no training windows.", nameof(windows));
        int f = PoseStatistics.Size(joints), n = windows.Count;
        var x = new float[n * f];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            var w = windows[i];
            if (w.Label < 0 || w.Label >= labels.Count) throw new ArgumentException($"pose classifier: window {i} has label {w.Label}; expected 0..{labels.Count - 1}.", nameof(windows));
            PoseStatistics.Describe(w.Frames, w.FrameCount, joints, x.AsSpan(i * f, f));
            y[i] = w.Label;
        }
        var (mean, std) = Moments(x, n, f);
        for (int i = 0; i < n; i++) Standardize(x.AsSpan(i * f, f), mean, std);

        var rng = new Random(options.Seed);
        var weight = Tensor.Parameter(Enumerable.Range(0, labels.Count * f).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.01f).ToArray(), labels.Count, f);
        var bias = Tensor.Parameter(new float[labels.Count], labels.Count);
        var optimizer = new AdamW([("weight", weight), ("bias", bias)], options.LearningRate, weightDecay: options.WeightDecay, noDecay: name => name == "bias");
        var features = Tensor.FromArray(x, n, f);
        for (int step = 0; step < options.Steps; step++)
        {
            float loss = TrainingStep.Run(optimizer, () => Tensor.CrossEntropy(Tensor.Linear(features, weight, bias), y), maxGradientNorm: null);
            progress?.Report((step + 1, loss));
        }
        weight.RequiresGrad = bias.RequiresGrad = false;
        return new PoseClassifier(labels.ToArray(), layout, joints, windowFrames, weight.Detach(), bias.Detach(), mean, std);
    }

    /// <summary>Class probabilities for a window of <paramref name="frameCount"/> frames.</summary>
    public float[] Probabilities(ReadOnlySpan<float> frames, int frameCount)
    {
        int f = PoseStatistics.Size(Joints);
        var x = new float[f];
        PoseStatistics.Describe(frames, frameCount, Joints, x);
        Standardize(x, featureMean, featureStd);
        using var _ = GradMode.Disable();
        return Tensor.Linear(Tensor.FromArray(x, 1, f), weight, bias).Softmax(-1).ToArray();
    }

    public void Save(string path)
    {
        var metadata = new Dictionary<string, string>
        {
            ["kind"] = Kind,
            ["labels"] = JsonSerializer.Serialize(Labels),
            ["layout"] = Layout,
            ["joints"] = Joints.ToString(CultureInfo.InvariantCulture),
            ["window_frames"] = WindowFrames.ToString(CultureInfo.InvariantCulture),
        };
        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor>
        {
            ["weight"] = weight,
            ["bias"] = bias,
            ["feature_mean"] = Tensor.FromArray(featureMean, featureMean.Length),
            ["feature_std"] = Tensor.FromArray(featureStd, featureStd.Length),
        }, metadata);
    }

    public static PoseClassifier Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        string Meta(string key) => file.Metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{path}: not a pose classifier: metadata '{key}' is missing.");
        if (Meta("kind") != Kind) throw new InvalidDataException($"{path}: model kind '{Meta("kind")}', expected '{Kind}'.");
        var labels = JsonSerializer.Deserialize<string[]>(Meta("labels")) ?? throw new InvalidDataException($"{path}: metadata 'labels' is not a JSON list of strings.");
        int joints = int.Parse(Meta("joints"), CultureInfo.InvariantCulture), windowFrames = int.Parse(Meta("window_frames"), CultureInfo.InvariantCulture);
        var tensors = file.ReadAll();
        int f = PoseStatistics.Size(joints);
        Tensor Get(string name, params int[] shape)
        {
            if (!tensors.TryGetValue(name, out var t)) throw new InvalidDataException($"{path}: tensor '{name}' is missing.");
            if (!Tensor.SameShape(t.Shape, shape)) throw new InvalidDataException($"{path}: tensor '{name}' has shape {Tensor.Format(t.Shape)}, expected {Tensor.Format(shape)}.");
            return t;
        }
        return new PoseClassifier(labels, Meta("layout"), joints, windowFrames, Get("weight", labels.Length, f), Get("bias", labels.Length),
            Get("feature_mean", f).ToArray(), Get("feature_std", f).ToArray());
    }

    static (float[] Mean, float[] Std) Moments(float[] x, int n, int f)
    {
        var mean = new float[f];
        var std = new float[f];
        for (int i = 0; i < n; i++) for (int k = 0; k < f; k++) mean[k] += x[i * f + k] / n;
        for (int i = 0; i < n; i++) for (int k = 0; k < f; k++) std[k] += MathF.Pow(x[i * f + k] - mean[k], 2) / n;
        for (int k = 0; k < f; k++) std[k] = MathF.Max(MathF.Sqrt(std[k]), 1e-6f);
        return (mean, std);
    }

    static void Standardize(Span<float> x, float[] mean, float[] std)
    {
        for (int k = 0; k < x.Length; k++) x[k] = (x[k] - mean[k]) / std[k];
    }
}
