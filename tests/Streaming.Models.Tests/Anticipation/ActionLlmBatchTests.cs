using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization;
using Streaming.Models.Tokenization.Training;
using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Tests.Anticipation;

/// <summary>A padded batch computes what each observation computes alone: outputs, and the gradient of the mean loss.</summary>
public sealed class ActionLlmBatchTests
{
    static readonly string[] Actions = ["cut_tomato", "place_tomato_into_bowl", "add_oil", "mix"];
    const int Dv = 5;

    static ActionLlm Model(int visualFeatures, int seed = 4)
    {
        var tokenizer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 }).Train(Actions.Select(ActionCorpus.Phrase)).ToTokenizer();
        var lm = new LlamaModel(LlamaConfig.Tiny with { VocabSize = tokenizer.VocabularySize }, new Random(2));
        return new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 5, InteractionWidth = 16, VisualFeatures = visualFeatures, Dropout = 0f }, new Random(seed));
    }

    static readonly int[][] Observations = [[0, 0, 1, 2, 2, 3, 3], [1, 2], [3, 3, 3, 0, 1], [2]];

    static Tensor[] Features(int seed)
    {
        var rng = new Random(seed);
        return [.. Observations.Select(o => Init.Normal(rng, 0f, 1f, o.Length, Dv))];
    }

    static void AssertClose(Tensor expected, Tensor actual, float tolerance)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var (e, a) = (expected.ToArray(), actual.ToArray());
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= tolerance, $"[{i}] {e[i]} vs {a[i]}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Dv)]
    public void Batched_outputs_equal_each_row_alone(int visualFeatures)
    {
        var model = Model(visualFeatures);
        model.Eval();
        var features = visualFeatures > 0 ? Features(9) : null;
        using var _ = GradMode.Disable();
        var batched = model.Forward(Observations, features);
        for (int r = 0; r < Observations.Length; r++)
        {
            var alone = model.Forward(Observations[r], features?[r]);
            AssertClose(alone.PastLogits, batched[r].PastLogits, 1e-4f);
            AssertClose(alone.FutureLogits, batched[r].FutureLogits, 1e-4f);
            AssertClose(alone.Durations, batched[r].Durations, 1e-4f);
            if (visualFeatures > 0) AssertClose(alone.VisualPastLogits!, batched[r].VisualPastLogits!, 1e-4f);
        }
    }

    [Fact]
    public void Gradient_of_the_batch_mean_is_the_mean_of_each_rows_gradient()
    {
        var model = Model(Dv);
        model.Eval();
        var features = Features(11);
        var parameters = model.TrainableParameters().ToList();
        static Tensor Loss(ActionLlmOutput o) => o.FutureLogits.Square().Mean() + o.PastLogits.Mean() + o.VisualPastLogits!.Square().Mean() + o.Durations.Sum();

        var expected = parameters.ToDictionary(p => p.Name, p => new float[p.Value.Size]);
        for (int r = 0; r < Observations.Length; r++)
        {
            foreach (var (_, p) in parameters) p.Grad = null;
            Loss(model.Forward(Observations[r], features[r])).Backward();
            foreach (var (name, p) in parameters)
                if (p.Grad is not null)
                {
                    var g = p.Grad.ToArray();
                    for (int i = 0; i < g.Length; i++) expected[name][i] += g[i] / Observations.Length;
                }
        }
        foreach (var (_, p) in parameters) p.Grad = null;
        var outputs = model.Forward(Observations, features);
        outputs.Select(Loss).Aggregate((a, b) => a + b).Mul(1f / Observations.Length).Backward();
        foreach (var (name, p) in parameters)
        {
            var actual = p.Grad?.ToArray() ?? new float[p.Size];
            double scale = expected[name].Max(v => Math.Abs(v)) + 1e-6;
            for (int i = 0; i < actual.Length; i++)
                Assert.True(Math.Abs(expected[name][i] - actual[i]) <= 1e-4 * scale + 1e-6, $"{name}[{i}]: {expected[name][i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void An_ensemble_decodes_the_averaged_outputs()
    {
        var a = Model(0);
        var b = Model(0, seed: 5);
        a.Eval();
        b.Eval();
        var current = new ActionInProgress(1, 0.1, 0.6);
        int[] observed = [0, 0, 1, 1];
        // The same model twice is that model.
        Assert.Equal(a.Anticipate(observed, current), ActionLlm.Anticipate([a, a], observed, current));
        // Two different models: each query's probability is the mean of theirs.
        var pair = ActionLlm.Anticipate([a, b], observed, current);
        var (pa, pb) = (a.Anticipate(observed, current), b.Anticipate(observed, current));
        Assert.NotEqual(pa, pair);
        Assert.InRange(pair[0].Probability, Math.Min(pa[0].Probability, pb[0].Probability) - 1e-6, Math.Max(pa[0].Probability, pb[0].Probability) + 1e-6);
    }

    [Fact]
    public void Batched_anticipation_equals_each_row_alone_and_checks_every_action_in_progress()
    {
        var model = Model(0);
        model.Eval();
        ActionInProgress[] current = [new(3, 0.05, 0.6), new(2, 0, 0.9), new(1, 0.1, 0.4), new(2, 0.02, 0.95)];
        var batched = model.Anticipate(Observations, current);
        Assert.Equal(Observations.Length, batched.Count);
        for (int r = 0; r < Observations.Length; r++)
        {
            var alone = model.Anticipate(Observations[r], current[r]);
            Assert.Equal(alone.Select(s => s.Action), batched[r].Select(s => s.Action));
            for (int i = 0; i < alone.Count; i++)
            {
                Assert.True(Math.Abs(alone[i].Share - batched[r][i].Share) < 1e-5, $"row {r} segment {i} share {alone[i].Share} vs {batched[r][i].Share}");
                Assert.True(Math.Abs(alone[i].Probability - batched[r][i].Probability) < 1e-5, $"row {r} segment {i} probability");
            }
        }
        Assert.Empty(model.Anticipate([], []));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Anticipate(Observations, [.. current[..3], new ActionInProgress(Actions.Length, 0, 0.5)]));
        Assert.Contains("class 4", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.Anticipate(Observations, current[..2]));
    }
}
