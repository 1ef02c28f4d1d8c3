using System.Diagnostics;
using Streaming.Models.Datasets;
using Streaming.Models.Skeletons;
using Streaming.Tensors;
using Streaming.Tensors.Optim;

namespace Streaming.Models.Recognition;

/// <summary>Hyper-parameters of <see cref="SkeletonClassifierTraining"/>.</summary>
public sealed record SkeletonTrainingOptions(int Epochs = 60, int BatchSize = 32, float LearningRate = 2e-3f, float WeightDecay = 0.05f,
    int Frames = 16, int Hidden = 256, float Dropout = 0.3f, int Seed = 1);

/// <summary>Progress after each optimizer step.</summary>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Step, int TotalSteps, float Loss, double StepsPerSecond);

/// <summary>
/// Accuracy on the training and test subjects, per class on test, the confusion matrix [true, predicted], and the trained
/// model with the feature settings and standardization inference needs.
/// </summary>
public sealed record SkeletonTrainingResult(double TrainAccuracy, double TestAccuracy, double[] TestAccuracyPerClass, int[,] Confusion,
    int TrainSamples, int TestSamples, TimeSpan Elapsed, SkeletonMlpClassifier Classifier)
{
    public SkeletonMlp Model => Classifier.Model;
}

/// <summary>
/// Trains <see cref="SkeletonMlp"/> on skeleton sequences of one joint layout: <see cref="Run"/> on MSR Action3D with the
/// cross-subject protocol (odd subjects train, even subjects test), the engine's end-to-end check on real data, and
/// <see cref="Train"/> on any protocol's training sequences.
/// </summary>
public static class SkeletonClassifierTraining
{
    /// <summary>Trains and evaluates; <paramref name="labels"/> names the 20 actions (default "action 1".."action 20").</summary>
    public static SkeletonTrainingResult Run(IReadOnlyList<MsrAction3DSample> samples, SkeletonTrainingOptions options, IProgress<TrainingProgress>? progress = null,
        IReadOnlyList<string>? labels = null)
    {
        labels ??= [.. Enumerable.Range(1, MsrAction3D.Classes).Select(a => $"action {a}")];
        var clock = Stopwatch.StartNew();
        var train = samples.Where(s => MsrAction3D.IsTrainSubject(s.Subject)).ToList();
        var test = samples.Where(s => !MsrAction3D.IsTrainSubject(s.Subject)).ToList();
        if (train.Count == 0 || test.Count == 0) throw new ArgumentException("skeleton training: need samples of both odd (train) and even (test) subjects.");
        var classifier = Train([.. train.Select(s => s.Skeletons)], [.. train.Select(s => s.Action - 1)], labels, options, progress);
        var (trainAcc, _, _) = Evaluate(classifier, train);
        var (testAcc, perClass, confusion) = Evaluate(classifier, test);
        return new SkeletonTrainingResult(trainAcc, testAcc, perClass, confusion, train.Count, test.Count, clock.Elapsed, classifier);
    }

    /// <summary>
    /// Trains the MLP on <paramref name="sequences"/> (one joint layout) with their classes <paramref name="classes"/>
    /// (indices into <paramref name="labels"/>), standardized with their own statistics.
    /// </summary>
    public static SkeletonMlpClassifier Train(IReadOnlyList<SkeletonSequence> sequences, IReadOnlyList<int> classes, IReadOnlyList<string> labels,
        SkeletonTrainingOptions options, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        if (sequences.Count == 0) throw new ArgumentException("skeleton training: no training sequences.", nameof(sequences));
        if (classes.Count != sequences.Count) throw new ArgumentException($"skeleton training: {classes.Count} classes for {sequences.Count} sequences.", nameof(classes));
        int joints = sequences[0].Joints;
        foreach (var s in sequences)
            if (s.Joints != joints) throw new ArgumentException($"skeleton training: sequences of {s.Joints} and {joints} joints; one layout per model.", nameof(sequences));
        foreach (var c in classes)
            if ((uint)c >= (uint)labels.Count) throw new ArgumentException($"skeleton training: class {c} is outside the {labels.Count} labels.", nameof(classes));
        var xTrain = Matrix(sequences, options.Frames);
        var yTrain = classes.ToArray();
        int inputs = SkeletonFeatures.Size(options.Frames, joints);
        // Zero mean, unit variance per feature, with statistics from the training set only.
        var (mean, scale) = SkeletonMlpClassifier.Statistics(xTrain, inputs);
        SkeletonMlpClassifier.Standardize(xTrain, mean, scale);

        var rng = new Random(options.Seed);
        var config = new SkeletonMlpConfig(inputs, options.Hidden, labels.Count, options.Dropout);
        var model = new SkeletonMlp(config, rng);
        var optimizer = new AdamW(model.TrainableParameters(), options.LearningRate, weightDecay: options.WeightDecay, noDecay: n => n.EndsWith("bias", StringComparison.Ordinal));
        int n = sequences.Count, batches = (n + options.BatchSize - 1) / options.BatchSize;
        var schedule = new LearningRateSchedule(options.LearningRate, options.LearningRate / 20, batches, options.Epochs * batches);
        var order = Enumerable.Range(0, n).ToArray();
        int step = 0;
        var stepClock = Stopwatch.StartNew();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            model.Train();
            rng.Shuffle(order);
            for (int b = 0; b < batches; b++)
            {
                var rows = order.AsSpan(b * options.BatchSize, Math.Min(options.BatchSize, n - b * options.BatchSize)).ToArray();
                var x = Rows(xTrain, inputs, rows);
                var y = rows.Select(r => yTrain[r]).ToArray();
                optimizer.LearningRate = schedule.At(step);
                float loss = TrainingStep.Run(optimizer, () => Tensor.CrossEntropy(model.Forward(x), y));
                step++;
                progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, step, options.Epochs * batches, loss, step / stepClock.Elapsed.TotalSeconds));
            }
        }
        return new SkeletonMlpClassifier(model, config, labels, options.Frames, joints, mean, scale);
    }

    /// <summary>Accuracy, per class accuracy and the confusion matrix [true, predicted] of <paramref name="classifier"/> on <paramref name="samples"/>.</summary>
    static (double Accuracy, double[] PerClass, int[,] Confusion) Evaluate(SkeletonMlpClassifier classifier, List<MsrAction3DSample> samples)
    {
        int classes = classifier.Config.Classes;
        var predicted = classifier.Logits([.. samples.Select(s => s.Skeletons)]).ArgMax(-1).ToArray();
        var confusion = new int[classes, classes];
        for (int i = 0; i < samples.Count; i++) confusion[samples[i].Action - 1, (int)predicted[i]]++;
        var perClass = new double[classes];
        int correct = 0;
        for (int c = 0; c < classes; c++)
        {
            int total = 0;
            for (int p = 0; p < classes; p++) total += confusion[c, p];
            perClass[c] = total == 0 ? double.NaN : (double)confusion[c, c] / total;
            correct += confusion[c, c];
        }
        return ((double)correct / samples.Count, perClass, confusion);
    }

    static float[] Matrix(IReadOnlyList<SkeletonSequence> sequences, int frames)
    {
        int size = SkeletonFeatures.Size(frames, sequences[0].Joints);
        var x = new float[sequences.Count * size];
        for (int i = 0; i < sequences.Count; i++) SkeletonFeatures.Describe(sequences[i], frames).CopyTo(x.AsSpan(i * size, size));
        return x;
    }

    static Tensor Rows(float[] x, int size, int[] rows)
    {
        var data = new float[rows.Length * size];
        for (int i = 0; i < rows.Length; i++) x.AsSpan(rows[i] * size, size).CopyTo(data.AsSpan(i * size, size));
        return new Tensor(data, [rows.Length, size]);
    }
}
