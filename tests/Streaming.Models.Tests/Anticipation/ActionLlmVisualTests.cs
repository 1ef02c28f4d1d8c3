using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tests.Datasets;
using Streaming.Models.Tokenization;
using Streaming.Models.Tokenization.Training;
using Streaming.Tensors;
using Xunit.Abstractions;

namespace Streaming.Models.Tests.Anticipation;

/// <summary>
/// ActionLLM's visual branch on synthetic videos whose text is pure noise and whose features carry the labels:
/// features of a frame = P one_hot(label) + noise, P a fixed random (Dv, K) matrix.
/// </summary>
public sealed class ActionLlmVisualTests(ITestOutputHelper output) : IDisposable
{
    static readonly string[] Actions = ["cut_tomato", "place_tomato_into_bowl", "add_oil", "mix", "peel_cucumber"];
    const int Dv = 8, Steps = 40;

    readonly string root = Directory.CreateTempSubdirectory("actionllm-visual-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static (LlamaModel Lm, Tokenizer Tokenizer) TinyLm()
    {
        var tokenizer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 }).Train(Actions.Select(ActionCorpus.Phrase)).ToTokenizer();
        return (new LlamaModel(LlamaConfig.Tiny with { VocabSize = tokenizer.VocabularySize }, new Random(2)), tokenizer);
    }

    /// <summary>Videos of 4 to 6 segments of random actions (no order to learn), 15 to 35 frames each, with features/&lt;name&gt;.npy [Dv, T].</summary>
    List<LabelledVideo> Videos(string prefix, int count, int seed, int width = Dv)
    {
        var projection = new Random(7);                                   // P, the same for every video
        var p = Enumerable.Range(0, width * Actions.Length).Select(_ => (float)(projection.NextDouble() * 2 - 1)).ToArray();
        var rng = new Random(seed);
        var videos = new List<LabelledVideo>();
        for (int v = 0; v < count; v++)
        {
            var labels = new List<int>();
            for (int segment = 0, last = -1, segments = 4 + rng.Next(3); segment < segments; segment++)
            {
                int action;
                do action = rng.Next(Actions.Length); while (action == last);
                labels.AddRange(Enumerable.Repeat(action, 15 + rng.Next(21)));
                last = action;
            }
            int t = labels.Count;
            var features = new float[width * t];                          // (Dv, T)
            for (int d = 0; d < width; d++)
                for (int f = 0; f < t; f++)
                    features[d * t + f] = p[d * Actions.Length + labels[f]] + (float)(0.2 * (rng.NextDouble() * 2 - 1));
            var path = Path.Combine(root, "features", $"{prefix}{v}.npy");
            NpyTestFile.Write(path, [width, t], features);
            videos.Add(new LabelledVideo($"{prefix}{v}", [.. labels], path));
        }
        return videos;
    }

    /// <summary>Past-label accuracy and mean cross-entropy on the observed steps, with uniformly random text.</summary>
    static (double Accuracy, double Loss) Past(ActionLlm model, IEnumerable<LabelledVideo> videos, bool visualPositions)
    {
        var rng = new Random(11);
        int right = 0, total = 0;
        double loss = 0;
        using var _ = GradMode.Disable();
        foreach (var video in videos)
        {
            int rate = Math.Max(1, video.Labels.Length / Steps), s = video.Labels.Length / 2 / rate;
            var frames = Enumerable.Range(0, s).Select(i => i * rate).ToArray();
            var truth = frames.Select(f => video.Labels[f]).ToArray();
            var text = truth.Select(_ => rng.Next(Actions.Length)).ToArray();
            var o = model.Forward(text, model.Config.VisualFeatures == 0 ? null : video.FeaturesAt(frames));
            var logits = visualPositions ? o.VisualPastLogits! : o.PastLogits;
            var predicted = logits.ArgMax(1).ToArray();
            right += truth.Where((label, i) => (int)predicted[i] == label).Count();
            total += s;
            loss += Tensor.CrossEntropy(logits, truth).Item() * s;
        }
        return ((double)right / total, loss / total);
    }

    [Fact]
    public void Features_CarryTheLabels_WhenTheTextDoesNot()
    {
        var train = Videos("train", 12, seed: 1);
        var test = Videos("test", 6, seed: 2);
        var options = new ActionLlmTrainingOptions { Epochs = 8, StepsPerVideo = Steps, LabelNoise = 1.0 };   // every observed label replaced at random

        var (lm, tokenizer) = TinyLm();
        var visual = new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 6, InteractionWidth = 32, VisualFeatures = Dv }, new Random(4));
        var before = Past(visual, test, visualPositions: true);
        ActionLlmTraining.Train(visual, train, options);
        var after = Past(visual, test, visualPositions: true);
        var text = Past(visual, test, visualPositions: false);

        var (lm2, tokenizer2) = TinyLm();
        var labelOnly = ActionLlmTraining.Train(new ActionLlm(lm2, tokenizer2, Actions, new ActionLlmConfig { Queries = 6, InteractionWidth = 32 }, new Random(4)),
            train, options);
        var blind = Past(labelOnly, test, visualPositions: false);

        output.WriteLine($"visual positions: L_V {before.Loss:0.000} -> {after.Loss:0.000}, accuracy {before.Accuracy:P0} -> {after.Accuracy:P0}; " +
            $"text positions {text.Accuracy:P0}; label-only model {blind.Accuracy:P0}");
        Assert.True(after.Loss < 0.5 * before.Loss, $"L_V on unseen videos {before.Loss} -> {after.Loss}");
        Assert.True(after.Accuracy > 0.8, $"past accuracy from the features {after.Accuracy:P0}");
        Assert.True(blind.Accuracy < 0.45, $"a label-only model should not recover labels from noise: {blind.Accuracy:P0}");
        Assert.True(after.Accuracy > blind.Accuracy + 0.4, $"with features {after.Accuracy:P0}, label-only {blind.Accuracy:P0}");

        var cells = AnticipationProtocol.Evaluate(test, Actions.Length, ActionLlmTraining.VisualAnticipation(visual, Steps));
        Assert.Equal(8, cells.Count);
        Assert.All(cells, c => Assert.True(c.Frames > 0));
    }

    [Fact]
    public void VisualLoss_Option_AddsOrDropsL_V()
    {
        var train = Videos("train", 3, seed: 1);
        var first = new List<float>();
        foreach (var visualLoss in new[] { true, false })
        {
            var (lm, tokenizer) = TinyLm();
            var model = new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 6, InteractionWidth = 32, VisualFeatures = Dv, Dropout = 0f }, new Random(4));
            var losses = new List<float>();
            ActionLlmTraining.Train(model, train, new ActionLlmTrainingOptions { Epochs = 1, StepsPerVideo = Steps, ObservationsPerVideo = 1, VisualLoss = visualLoss },
                new InlineProgress<AnticipationProgress>(p => losses.Add(p.Loss)));
            first.Add(losses[0]);
        }
        // Same model, example and noise before the first update: the difference is L_V, a cross-entropy over K = 5 classes near ln 5.
        output.WriteLine($"first loss with L_V {first[0]:0.000}, without {first[1]:0.000}");
        Assert.InRange(first[0] - first[1], 0.5f, 3f);
    }

    [Fact]
    public void WrongFeatures_GetClearErrors()
    {
        var (lm, tokenizer) = TinyLm();
        var visual = new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 4, InteractionWidth = 16, VisualFeatures = Dv }, new Random(4));
        var labelOnly = new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 4, InteractionWidth = 16 }, new Random(4));
        int[] observed = [0, 1, 1];

        Assert.Contains("visual features of shape (3, 9) where (S, Dv) = (3, 8) was expected",
            Assert.Throws<ArgumentException>(() => visual.Forward(observed, Tensor.Zeros(3, Dv + 1))).Message, StringComparison.Ordinal);
        Assert.Contains("(S, Dv) = (3, 8)", Assert.Throws<ArgumentException>(() => visual.Forward(observed, Tensor.Zeros(2, Dv))).Message, StringComparison.Ordinal);
        Assert.Contains("reads Dv = 8 visual features per observed step", Assert.Throws<ArgumentException>(() => visual.Forward(observed)).Message, StringComparison.Ordinal);
        Assert.Contains("label-only", Assert.Throws<ArgumentException>(() => labelOnly.Forward(observed, Tensor.Zeros(3, Dv))).Message, StringComparison.Ordinal);

        var options = new ActionLlmTrainingOptions { Epochs = 1, StepsPerVideo = Steps };
        var wide = Videos("wide", 1, seed: 3, width: Dv + 1);
        Assert.Contains($"has D = 9 features per frame but the model reads Dv = 8",
            Assert.Throws<ArgumentException>(() => ActionLlmTraining.Train(visual, wide, options)).Message, StringComparison.Ordinal);
        var bare = new LabelledVideo("bare", [0, 0, 1, 1], null);
        Assert.Contains("video 'bare' has no feature file", Assert.Throws<ArgumentException>(() => ActionLlmTraining.Train(visual, [bare], options)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => AnticipationProtocol.Evaluate([bare], Actions.Length, ActionLlmTraining.VisualAnticipation(visual, Steps)));
        Assert.Contains("reads Dv = 8", Assert.Throws<ArgumentException>(
            () => AnticipationProtocol.Evaluate(Videos("v", 1, seed: 4), Actions.Length, ActionLlmTraining.Anticipation(visual, Steps))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxObservedSteps_VisualModel_TwoPositionsPerStep()
    {
        var (lm, tokenizer) = TinyLm();
        var labelOnly = new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 6, InteractionWidth = 16 }, new Random(4));
        var visual = new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 6, InteractionWidth = 16, VisualFeatures = Dv }, new Random(4));
        Assert.Equal(lm.Config.MaxPositionEmbeddings - 6, labelOnly.MaxObservedSteps);
        Assert.Equal((lm.Config.MaxPositionEmbeddings - 6) / 2, visual.MaxObservedSteps);
    }

    sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
