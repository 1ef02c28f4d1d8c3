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
/// Trains <see cref="SkeletonMlp"/> on MSR Action3D with the cross-subject protocol (odd subjects train,
/// even subjects test) and reports test accuracy. The engine's end-to-end check on real data.
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
        var (xTrain, yTrain) = Matrix(train, options.Frames);
        var (xTest, yTest) = Matrix(test, options.Frames);
        int inputs = SkeletonFeatures.Size(options.Frames, MsrAction3D.Joints);
        // Zero mean, unit variance per feature, with statistics from the training set only.
        var (mean, scale) = SkeletonMlpClassifier.Statistics(xTrain, inputs);
        SkeletonMlpClassifier.Standardize(xTrain, mean, scale);
        SkeletonMlpClassifier.Standardize(xTest, mean, scale);

        var rng = new Random(options.Seed);
        var config = new SkeletonMlpConfig(inputs, options.Hidden, MsrAction3D.Classes, options.Dropout);
        var model = new SkeletonMlp(config, rng);
        var optimizer = new AdamW(model.TrainableParameters(), options.LearningRate, weightDecay: options.WeightDecay, noDecay: n => n.EndsWith("bias", StringComparison.Ordinal));
        int batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var schedule = new LearningRateSchedule(options.LearningRate, options.LearningRate / 20, batches, options.Epochs * batches);
        var order = Enumerable.Range(0, train.Count).ToArray();
        int step = 0;
        var stepClock = Stopwatch.StartNew();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            model.Train();
            rng.Shuffle(order);
            for (int b = 0; b < batches; b++)
            {
                var rows = order.AsSpan(b * options.BatchSize, Math.Min(options.BatchSize, train.Count - b * options.BatchSize)).ToArray();
                var x = Rows(xTrain, inputs, rows);
                var y = rows.Select(r => yTrain[r]).ToArray();
                optimizer.LearningRate = schedule.At(step);
                var loss = Tensor.CrossEntropy(model.Forward(x), y);
                optimizer.ZeroGrad();
                loss.Backward();
                GradientClipping.ClipNorm(model.TrainableParameters(), 1f);
                optimizer.Step();
                step++;
                progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, step, options.Epochs * batches, loss.Item(), step / stepClock.Elapsed.TotalSeconds));
            }
        }
        var (trainAcc, _, _) = Evaluate(model, xTrain, yTrain, inputs);
        var (testAcc, perClass, confusion) = Evaluate(model, xTest, yTest, inputs);
        var classifier = new SkeletonMlpClassifier(model, config, labels, options.Frames, MsrAction3D.Joints, mean, scale);
        return new SkeletonTrainingResult(trainAcc, testAcc, perClass, confusion, train.Count, test.Count, clock.Elapsed, classifier);
    }

    static (double Accuracy, double[] PerClass, int[,] Confusion) Evaluate(SkeletonMlp model, float[] x, int[] y, int inputs)
    {
        model.Eval();
        using var _ = GradMode.Disable();
        var predicted = model.Forward(new Tensor(x, [y.Length, inputs])).ArgMax(-1).ToArray();
        var confusion = new int[MsrAction3D.Classes, MsrAction3D.Classes];
        for (int i = 0; i < y.Length; i++) confusion[y[i], (int)predicted[i]]++;
        var perClass = new double[MsrAction3D.Classes];
        int correct = 0;
        for (int c = 0; c < MsrAction3D.Classes; c++)
        {
            int total = 0;
            for (int p = 0; p < MsrAction3D.Classes; p++) total += confusion[c, p];
            perClass[c] = total == 0 ? double.NaN : (double)confusion[c, c] / total;
            correct += confusion[c, c];
        }
        return ((double)correct / y.Length, perClass, confusion);
    }

    static (float[] X, int[] Y) Matrix(List<MsrAction3DSample> samples, int frames)
    {
        int size = SkeletonFeatures.Size(frames, MsrAction3D.Joints);
        var x = new float[samples.Count * size];
        var y = new int[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            SkeletonFeatures.Describe(samples[i].Skeletons, frames).CopyTo(x.AsSpan(i * size, size));
            y[i] = samples[i].Action - 1;
        }
        return (x, y);
    }

    static Tensor Rows(float[] x, int size, int[] rows)
    {
        var data = new float[rows.Length * size];
        for (int i = 0; i < rows.Length; i++) x.AsSpan(rows[i] * size, size).CopyTo(data.AsSpan(i * size, size));
        return new Tensor(data, [rows.Length, size]);
    }
}
