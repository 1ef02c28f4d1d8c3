using Streaming.Models.Anticipation;
using Streaming.Models.Language;
using Streaming.Models.Tokenization.Training;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;
using Streaming.Tensors;

namespace Streaming.Pipeline.Tests.Anticipation;

/// <summary>The history-to-future mapping of ActionLLM in the pipeline, on a tiny trained checkpoint.</summary>
public sealed class ActionLlmAnticipatorTests : IClassFixture<ActionLlmAnticipatorTests.Checkpoints>
{
    /// <summary>Two tiny checkpoints made once: one with the usual 2048 positions, one whose base LM has only 32.</summary>
    public sealed class Checkpoints : IDisposable
    {
        readonly string root = Directory.CreateTempSubdirectory("actionllm-anticipator-").FullName;

        public Checkpoints()
        {
            Wide = ActionLlmCheckpoint.Load(TinyActionLlm.Save(Path.Combine(root, "wide")));
            Narrow = ActionLlmCheckpoint.Load(TinyActionLlm.Save(Path.Combine(root, "narrow"), maxPositions: 32, epochs: 1));
        }

        public TrainedAnticipator Wide { get; }
        public TrainedAnticipator Narrow { get; }

        public void Dispose() => Directory.Delete(root, recursive: true);
    }

    static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    readonly Checkpoints checkpoints;

    public ActionLlmAnticipatorTests(Checkpoints checkpoints) => this.checkpoints = checkpoints;

    /// <summary>A frame-label video's first <paramref name="frames"/> frames as a history: one segment per run of a label, 1 / fps s per frame.</summary>
    static ActionHistory History(int[] labels, int frames, double fps, double scale = 1)
    {
        var segments = new List<ActionSegment>();
        DateTimeOffset At(int frame) => T0 + TimeSpan.FromSeconds(frame / fps * scale);
        for (int start = 0; start < frames;)
        {
            int end = start;
            while (end < frames && labels[end] == labels[start]) end++;
            segments.Add(new ActionSegment(TinyActionLlm.Actions[labels[start]], At(start), At(end), 1));
            start = end;
        }
        return new ActionHistory(T0, segments);
    }

    static readonly int[] Video = [.. Enumerable.Repeat(0, 90), .. Enumerable.Repeat(1, 70), .. Enumerable.Repeat(2, 140), .. Enumerable.Repeat(3, 100)]; // 400 frames

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    public void Steps_SampleTheHistoryAsTrainingSamplesTheVideo(double alpha)
    {
        // 400 frames at 10 fps are a 40 s activity: 20 steps of 2 s, as training sees the video in steps of 20 frames.
        var anticipator = new ActionLlmAnticipator(checkpoints.Wide, TimeSpan.FromSeconds(40));
        int observed = (int)(alpha * Video.Length);
        var expected = ActionLlmTraining.Example(Video, alpha, TinyActionLlm.StepsPerVideo, 5, TinyActionLlm.Actions.Length).Observed;
        Assert.Equal(expected, anticipator.Steps(History(Video, observed, fps: 10)));
        Assert.Equal(TimeSpan.FromSeconds(2), anticipator.StepLength);
    }

    [Fact]
    public void Anticipate_SegmentsFollowTheNewestEvent_AsTheModelDecodesThem_InActivityTime()
    {
        var activity = TimeSpan.FromSeconds(40);
        var anticipator = new ActionLlmAnticipator(checkpoints.Wide, activity);
        var history = History(Video, 120, fps: 10);
        var future = anticipator.Anticipate(history);

        Assert.NotEmpty(future);
        Assert.Equal(history.Now, future[0].Start);
        Assert.Equal(history.Segments[^1].Label, future[0].Label);
        for (int i = 1; i < future.Count; i++) Assert.Equal(future[i - 1].End, future[i].Start);
        Assert.All(future, f => Assert.True(f.End > f.Start, $"{f.Label} {f.Start:O}..{f.End:O} is empty"));
        Assert.All(future, f => Assert.InRange(f.Probability, 1e-9, 1.0));

        // The action in progress, 1 since frame 90 (3 s of the 40 s activity), takes its residual time from the
        // training runs; the decoded queries after it share the rest of the activity (40 s less the 12 s seen).
        var model = checkpoints.Wide.Model;
        var rest = activity - (history.Now - history.ActivityStart);
        var segments = model.Anticipate(anticipator.Steps(history), new ActionInProgress(1, Elapsed: 3.0 / 40, Rest: rest / activity));
        Assert.Equal(segments.Select(s => TinyActionLlm.Actions[s.Action]), future.Select(f => f.Label));
        Assert.Equal(segments.Select(s => s.Probability), future.Select(f => f.Probability));
        Assert.Equal(segments.Select(s => s.Share * rest.TotalSeconds), future.Select(f => (f.End - f.Start).TotalSeconds), new ToleranceComparer(1e-3));
        Assert.Equal(Math.Min(1, model.Durations!.Remaining(1, 3.0 / 40) / (rest / activity)) * rest.TotalSeconds, (future[0].End - future[0].Start).TotalSeconds, 3);
        Assert.True(future.Count > 1, "the tiny model anticipates actions after the one in progress");
        Assert.Equal(rest.TotalSeconds, (future[^1].End - future[0].Start).TotalSeconds, 3);
        ActionLlmOutput output;
        using (GradMode.Disable()) output = model.Forward(anticipator.Steps(history));
        int classes = TinyActionLlm.Actions.Length + 1;
        var row = output.FutureLogits.ToArray().AsSpan(0, classes).ToArray().Select(l => Math.Exp(l)).ToArray();
        Assert.Equal(row[Array.IndexOf(TinyActionLlm.Actions, future[0].Label)] / row.Sum(), future[0].Probability, 5);
        // Later queries name the action with the largest product of class and transition probabilities, at least 1/K of it.
        Assert.All(future.Skip(1), f => Assert.True(f.Probability >= 1.0 / classes, $"{f.Label}: {f.Probability}"));
    }

    [Fact]
    public void Anticipate_IsInvariantToTheTimeUnit_WhenTheActivityLengthScalesWithIt()
    {
        var history = History(Video, 150, fps: 10);
        var slow = History(Video, 150, fps: 10, scale: 3);
        var future = new ActionLlmAnticipator(checkpoints.Wide, TimeSpan.FromSeconds(40)).Anticipate(history);
        var slowFuture = new ActionLlmAnticipator(checkpoints.Wide, TimeSpan.FromSeconds(120)).Anticipate(slow);
        Assert.Equal(future.Select(f => (f.Label, f.Probability)), slowFuture.Select(f => (f.Label, f.Probability)));
        Assert.Equal(future.Select(f => 3 * (f.End - f.Start).TotalSeconds), slowFuture.Select(f => (f.End - f.Start).TotalSeconds), new ToleranceComparer(1e-3));
    }

    [Fact]
    public void EmptyHistory_NoStepsAndNoFuture()
    {
        var anticipator = new ActionLlmAnticipator(checkpoints.Wide, TimeSpan.FromSeconds(40));
        var empty = new ActionHistory(T0, []);
        Assert.Empty(anticipator.Steps(empty));
        Assert.Empty(anticipator.Anticipate(empty));
    }

    [Fact]
    public void SingleEvent_OneStepOfItsLabel()
    {
        var anticipator = new ActionLlmAnticipator(checkpoints.Wide, TimeSpan.FromSeconds(40));
        var history = new ActionHistory(T0, [new ActionSegment("add_oil", T0, T0, 0.7)]);
        Assert.Equal([2], anticipator.Steps(history));
        Assert.Equal("add_oil", anticipator.Anticipate(history)[0].Label);
    }

    [Fact]
    public void HistoryLongerThanTheModelTakes_KeepsTheMostRecentSteps()
    {
        // The narrow base LM has 32 positions, 5 of them for the queries: 27 steps at most.
        var anticipator = new ActionLlmAnticipator(checkpoints.Narrow, TimeSpan.FromSeconds(40));
        Assert.Equal(27, anticipator.MaxSteps);
        var labels = Enumerable.Range(0, 1000).Select(f => f / 50 % 4).ToArray();
        var history = History(labels, 1000, fps: 10);   // 100 s: 50 steps of 2 s
        var wide = new ActionLlmAnticipator(checkpoints.Wide, TimeSpan.FromSeconds(40)).Steps(history);
        Assert.Equal(50, wide.Length);
        Assert.Equal(wide[^27..], anticipator.Steps(history));
        Assert.NotEmpty(anticipator.Anticipate(history));
    }

    [Fact]
    public void UnknownLabel_InTheHistory_SaysWhichAndWhatIsKnown()
    {
        var anticipator = new ActionLlmAnticipator(checkpoints.Wide, TimeSpan.FromSeconds(40));
        var history = new ActionHistory(T0, [new ActionSegment("juggle", T0, T0 + TimeSpan.FromSeconds(5), 1)]);
        var e = Assert.Throws<InvalidOperationException>(() => anticipator.Anticipate(history));
        Assert.Contains("'juggle'", e.Message);
        Assert.Contains("add_oil", e.Message);
    }

    [Fact]
    public void VisualCheckpoint_IsRefused_TheStreamCarriesLabelsOnly()
    {
        var bpe = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 }).Train(TinyActionLlm.Actions.Select(Streaming.Models.Datasets.ActionCorpus.Phrase)).ToTokenizer();
        var lm = new LlamaModel(LlamaConfig.Tiny with { VocabSize = bpe.VocabularySize }, new Random(2));
        var visual = new ActionLlm(lm, bpe, TinyActionLlm.Actions, new ActionLlmConfig { Queries = 5, InteractionWidth = 16, VisualFeatures = 8 }, new Random(4));
        var e = Assert.Throws<ArgumentException>(() => new ActionLlmAnticipator(new TrainedAnticipator(visual, TinyActionLlm.StepsPerVideo, 0), TimeSpan.FromSeconds(40)));
        Assert.Contains("reads Dv = 8 visual features per step; train the pipeline's anticipator with --no-visual", e.Message, StringComparison.Ordinal);
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
