using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization;
using Streaming.Models.Tokenization.Training;
using Streaming.Tensors;
using Xunit.Abstractions;

namespace Streaming.Models.Tests.Anticipation;

public sealed class ActionLlmTests(ITestOutputHelper output)
{
    static readonly string[] Actions = ["cut_tomato", "place_tomato_into_bowl", "add_oil", "mix"];

    static (LlamaModel Lm, Tokenizer Tokenizer) TinyLm(IEnumerable<string> corpus)
    {
        var tokenizer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 }).Train(corpus).ToTokenizer();
        var lm = new LlamaModel(LlamaConfig.Tiny with { VocabSize = tokenizer.VocabularySize }, new Random(2));
        return (lm, tokenizer);
    }

    [Theory]
    [InlineData(0, 64, 4, 0.1f, 0, "ActionLLM: 0 queries; at least 1.")]
    [InlineData(20, 64, 4, 0.1f, -1, "ActionLLM: VisualFeatures is -1; 0 (label-only) or Dv > 0.")]
    [InlineData(20, 30, 4, 0.1f, 0, "ActionLLM: the interaction width 30 must be a positive multiple of its 4 heads.")]
    [InlineData(20, 64, 0, 0.1f, 0, "ActionLLM: the tuning width is 0; at least 1.")]
    [InlineData(20, 64, 4, -0.5f, 0, "ActionLLM: dropout -0.5 must be in [0, 1).")]
    public void Config_Validate_NamesTheSettingThatDoesNotFit(int queries, int width, int tuning, float dropout, int visual, string message)
    {
        var config = new ActionLlmConfig { Queries = queries, InteractionWidth = width, TuningWidth = tuning, Dropout = dropout, VisualFeatures = visual };
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => config.Validate()).Message);
    }

    [Fact]
    public void Example_ObservesStepsAndTargetsTheFollowingSegmentsThenNone()
    {
        // 20 frames: 0 x6, 1 x4, 2 x6, 3 x4. With 10 steps per video a step is 2 frames.
        int[] labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3];
        var e = ActionLlmTraining.Example(labels, observedFraction: 0.4, stepsPerVideo: 10, queries: 5, noneClass: 4);
        Assert.Equal([0, 0, 0, 1], e.Observed);                        // frames 0, 2, 4, 6 of the first 8
        Assert.Equal([1, 2, 3, 4, 4], e.FutureClasses);                // rest of 1, then 2, 3, then None
        Assert.Equal([2 / 12f, 6 / 12f, 4 / 12f], e.FutureDurations[..3]);   // of the 12 unobserved frames
        Assert.Equal(3, e.FutureSegments);

        // Observed up to a boundary: the current action's rest is empty and still takes the first query.
        var b = ActionLlmTraining.Example(labels, observedFraction: 0.5, stepsPerVideo: 10, queries: 5, noneClass: 4);
        Assert.Equal([1, 2, 3, 4, 4], b.FutureClasses);
        Assert.Equal([0f, 6 / 10f, 4 / 10f], b.FutureDurations[..3]);
    }

    [Fact]
    public void Example_ObservingTheWholeVideo_Throws() =>
        Assert.Contains("leaves no future", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ActionLlmTraining.Example([0, 0, 1, 1], observedFraction: 1.0, stepsPerVideo: 2, queries: 3, noneClass: 2)).Message);

    [Fact]
    public void Training_LowersTheLoss_AndPredictsEveryFutureFrame()
    {
        var (lm, tokenizer) = TinyLm(Actions.Select(a => a.Replace('_', ' ')));
        var rng = new Random(3);
        // Videos that always run 0 -> 1 -> 2 -> 3 with jittered lengths: the order is learnable.
        var videos = Enumerable.Range(0, 8).Select(v => new LabelledVideo($"v{v}",
            Enumerable.Range(0, 4).SelectMany(a => Enumerable.Repeat(a, 30 + rng.Next(30))).ToArray(), null)).ToList();
        var model = new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 6, InteractionWidth = 32 }, new Random(4));
        Assert.DoesNotContain(model.NamedParameters(), p => p.Name.StartsWith("model.", StringComparison.Ordinal));
        var losses = new List<float>();
        ActionLlmTraining.Train(model, videos, new ActionLlmTrainingOptions { Epochs = 6, StepsPerVideo = 40, LabelNoise = 0 },
            new InlineProgress<AnticipationProgress>(p => losses.Add(p.Loss)));
        float first = losses.Take(8).Average(), last = losses.TakeLast(8).Average();
        output.WriteLine($"loss {first:0.000} -> {last:0.000} over {losses.Count} steps");
        Assert.True(last < 0.6f * first, $"loss {first} -> {last}");
        Assert.All(lm.NamedParameters(), p => Assert.Null(p.Value.Grad));

        var cells = AnticipationProtocol.Evaluate(videos, Actions.Length, ActionLlmTraining.Anticipation(model, 40));
        foreach (var c in cells) output.WriteLine($"a {c.Alpha} b {c.Beta} moc {c.Moc:P1}");
        foreach (var vid in videos.Take(4))
        {
            var v0 = vid.Labels;
            int obs = (int)(0.2 * v0.Length);
            var pred = ActionLlmTraining.Anticipation(model, 40)(v0[..obs], (int)(0.5 * v0.Length), v0.Length);
            output.WriteLine("obs   " + string.Join("", v0[..obs]));
            output.WriteLine("truth " + string.Join("", v0[obs..(obs + pred.Length)]));
            output.WriteLine("pred  " + string.Join("", pred));
        }
        Assert.True(cells.Average(c => c.Moc) > 0.5, $"MoC on the training videos {cells.Average(c => c.Moc):P1}");
    }

    /// <summary>An untrained model in eval mode, an observation and the action in progress at its end (1, for 0.1 of the activity, with 0.6 left).</summary>
    static (ActionLlm Model, int[] Observed, ActionInProgress Current) Untrained()
    {
        var (lm, tokenizer) = TinyLm(Actions.Select(a => a.Replace('_', ' ')));
        var model = new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 6, InteractionWidth = 16 }, new Random(4));
        model.Eval();
        return (model, [0, 0, 1, 1], new ActionInProgress(1, Elapsed: 0.1, Rest: 0.6));
    }

    [Fact]
    public void Decoding_WithDurations_TheActionInProgressTakesItsResidualTime_TheOthersShareWhatIsLeft()
    {
        var (model, observed, current) = Untrained();

        var byModel = model.Anticipate(observed, current);
        Assert.Equal(1, byModel[0].Action);
        Assert.Equal(1.0, byModel.Sum(s => s.Share), 9);

        model.Durations = new ActionDurations([[0.2], [0.25, 0.35], [0.1], [0.3]]);
        var byRuns = model.Anticipate(observed, current);
        double first = ((0.25 - 0.1) + (0.35 - 0.1)) / 2 / 0.6;
        Assert.Equal(first, byRuns[0].Share, 9);
        Assert.Equal(byModel[0].Probability, byRuns[0].Probability);
        // The same following actions, their predicted durations scaled into what the action in progress leaves.
        Assert.Equal(byModel.Skip(1).Select(s => s.Action), byRuns.Skip(1).Select(s => s.Action));
        Assert.True(byRuns.Count > 2, "this model decodes actions after the one in progress");
        Assert.Equal(1.0, byRuns.Sum(s => s.Share), 9);
        for (int i = 2; i < byRuns.Count; i++)
            Assert.Equal(byModel[i].Share / byModel[1].Share, byRuns[i].Share / byRuns[1].Share, 6);

        // More residual time than is left: the action in progress fills the rest.
        Assert.Equal(1.0, model.Anticipate(observed, current with { Rest = 0.05 })[0].Share, 9);

        Assert.Throws<ArgumentOutOfRangeException>(() => model.Anticipate(observed, current with { Action = 4 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Anticipate(observed, current with { Rest = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Anticipate(observed, current with { Elapsed = double.NaN }));
        Assert.Contains("no observed steps", Assert.Throws<ArgumentException>(() => model.Anticipate([], current)).Message);
        Assert.Contains("durations of 2 actions", Assert.Throws<ArgumentException>(() => model.Durations = new ActionDurations([[0.2], [0.3]])).Message);
    }

    [Fact]
    public void Decoding_WithTransitions_EachQueryIsWeighedByTheTransitionFromTheActionBeforeIt()
    {
        var (model, observed, current) = Untrained();
        var alone = model.Anticipate(observed, current);
        Assert.True(alone.Count > 2, "this model decodes actions after the one in progress");

        // Every action has one successor, the next index: whatever the queries prefer, the actions then follow 1 -> 2 -> 3 -> 0,
        // each with probability 1, and the queries still decide where the future ends and how long each action lasts.
        model.Transitions = new ActionTransitions([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]);
        var weighed = model.Anticipate(observed, current);
        Assert.Equal(alone.Count, weighed.Count);
        Assert.Equal(alone.Select(s => s.Share), weighed.Select(s => s.Share));
        Assert.Equal(alone[0], weighed[0]);
        for (int i = 1; i < weighed.Count; i++)
        {
            Assert.Equal((1 + i) % 4, weighed[i].Action);
            Assert.Equal(1.0, weighed[i].Probability, 9);
        }
        Assert.Contains("transitions of 2 actions", Assert.Throws<ArgumentException>(() => model.Transitions = new ActionTransitions([[0.0, 1.0], [1.0, 0.0]])).Message);
    }

    [Fact]
    public void Training_CountsTheRunsAndTransitionsOfItsVideos_UnlessTheModelIsToDecide()
    {
        var (lm, tokenizer) = TinyLm(Actions.Select(a => a.Replace('_', ' ')));
        var videos = new List<LabelledVideo> { new("v", [0, 0, 1, 1, 1, 1, 2, 2, 3, 3], null) };
        var options = new ActionLlmTrainingOptions { Epochs = 1, StepsPerVideo = 10, ObservationsPerVideo = 1 };
        var model = ActionLlmTraining.Train(new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 4, InteractionWidth = 16 }, new Random(4)), videos, options);
        Assert.Equal([0.4], model.Durations!.Runs[1]);
        Assert.Equal(1.0, model.Transitions!.Probability(1, 2), 0.05);   // b -> c, smoothed
        var alone = ActionLlmTraining.Train(model, videos, options with { DurationPrior = false, TransitionPrior = false });
        Assert.Null(alone.Durations);
        Assert.Null(alone.Transitions);
    }

    [Fact]
    public void LabelOnly_ParametersDrawsAndOutputs_AreThoseOfEarlierCheckpoints()
    {
        // Pinned before the visual branch existed: a label-only model keeps its parameter names, shapes, creation order
        // and random draws, and its outputs, so that saved checkpoints and published results stay valid.
        var (lm, tokenizer) = TinyLm(Actions.Select(a => a.Replace('_', ' ')));
        var model = new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 6, InteractionWidth = 32, Dropout = 0f }, new Random(4));
        var parameters = model.NamedParameters().ToList();
        string[] attention = ["q.weight [32, 32]", "q.bias [32]", "k.weight [32, 32]", "k.bias [32]", "v.weight [32, 32]", "v.bias [32]", "o.weight [32, 32]", "o.bias [32]"];
        string[] expected =
        [
            "queries [6, 64]", "join_norm [64]", "down_t.weight [32, 64]", "down_t.bias [32]", "down_q.weight [32, 64]", "down_q.bias [32]",
            "up_t.weight [64, 32]", "up_t.bias [64]", "up_q.weight [64, 32]", "up_q.bias [64]",
            "cmib.t_norm1 [32]", "cmib.t_norm2 [32]", "cmib.q_norm1 [32]", "cmib.q_norm2 [32]",
            .. new[] { "t_self", "t_q", "q_self", "q_t" }.SelectMany(a => attention.Select(p => $"cmib.{a}.{p}")),
            "cmib.t_ffn1.weight [128, 32]", "cmib.t_ffn1.bias [128]", "cmib.t_ffn2.weight [32, 128]", "cmib.t_ffn2.bias [32]",
            "cmib.q_ffn1.weight [128, 32]", "cmib.q_ffn1.bias [128]", "cmib.q_ffn2.weight [32, 128]", "cmib.q_ffn2.bias [32]",
            "tune_down.weight [4, 64]", "tune_down.bias [4]", "tune_up.weight [64, 4]", "tune_up.bias [64]",
            "past_head.weight [4, 64]", "past_head.bias [4]", "future_head.weight [5, 64]", "future_head.bias [5]",
            "duration_head.weight [1, 64]", "duration_head.bias [1]",
        ];
        Assert.Equal(expected, parameters.Select(p => $"{p.Name} [{string.Join(", ", p.Value.Shape)}]"));

        // The random draws, through two sums over every value in order.
        double sum = 0, weighted = 0;
        long index = 0;
        foreach (var v in parameters.SelectMany(p => p.Value.ToArray())) (sum, weighted) = (sum + v, weighted + v * (++index % 9973));
        Assert.Equal(43790, index);
        Assert.Equal(233.20016905665398, sum, 1e-9);
        Assert.Equal(1188570.858871989, weighted, 1e-6);

        model.Eval();
        using var _ = GradMode.Disable();
        var o = model.Forward([0, 0, 1, 2, 2, 3]);
        Assert.Equal(-1.9018f, o.PastLogits.ToArray().Sum(), 1e-3f);
        Assert.Equal(2.2984755f, o.FutureLogits.ToArray().Sum(), 1e-3f);
        Assert.Equal(-1.5427934f, o.Durations.ToArray().Sum(), 1e-3f);
        Assert.Equal(0.5104257f, o.FutureLogits.ToArray()[0], 1e-4f);
    }

    sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
