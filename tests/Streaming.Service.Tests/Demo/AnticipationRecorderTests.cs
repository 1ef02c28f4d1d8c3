using Streaming.Service.Demo;
using Streaming.Service.Replay;
using Streaming.Pipeline.Contracts;

namespace Streaming.Service.Tests.Demo;

/// <summary>How the anticipation demo picks the prediction shown at a moment and scores it against the ground truth.</summary>
public class AnticipationRecorderTests
{
    static readonly DateTimeOffset Origin = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    static readonly RecordedActivity Activity = new("salad", [],
        [new TimelineSegment("cut", 0, 40), new TimelineSegment("place", 40, 60), new TimelineSegment("mix", 60, 100)], 100);

    static ActionPrediction Prediction(double end, params (string Label, double Start, double End)[] future) =>
        new("salad", 0, Origin.AddSeconds(end), Origin.AddSeconds(end), new RecognizedAction("cut", 1, []), [],
            [.. future.Select(f => new ActionSegment(f.Label, Origin.AddSeconds(f.Start), Origin.AddSeconds(f.End), 0.5))], "m", 0);

    [Fact]
    public void Moment_TakesTheLatestPredictionMadeByThen_AndScoresTheNextBetaOfTheActivity()
    {
        var recorder = new AnticipationRecorder([Activity], fps: 10) { Origin = Origin };
        recorder.Add(Prediction(10, ("cut", 10, 50)));
        // At 30 s (alpha 0.3) the prediction made at 25 s is shown: cut until 35 s, then place until 55 s; scored over 25..45 s.
        recorder.Add(Prediction(25, ("cut", 25, 35), ("place", 35, 55)));
        recorder.Add(Prediction(31, ("mix", 31, 90)));

        var moment = Assert.Single(Assert.Single(recorder.Timelines([0.3], beta: 0.2)).Moments);
        Assert.Equal(25, moment.At, 6);
        Assert.Equal(20, moment.Horizon, 6);
        Assert.Equal(["cut", "place"], moment.Anticipated.Select(s => s.Label));
        // 25..35 cut (right), 35..40 place (wrong: cut), 40..45 place (right): 15 of 20 s.
        Assert.Equal(0.75, moment.Accuracy, 2);
    }

    [Fact]
    public void Moment_BeforeAnyPrediction_IsLeftOut_AndUncoveredFramesCountAsWrong()
    {
        var recorder = new AnticipationRecorder([Activity], fps: 10) { Origin = Origin };
        recorder.Add(Prediction(50, ("place", 50, 55)));
        var moments = Assert.Single(recorder.Timelines([0.2, 0.5], beta: 0.1)).Moments;
        var moment = Assert.Single(moments);
        Assert.Equal(0.5, moment.Fraction);
        Assert.Equal(0.5, moment.Accuracy, 2);   // 50..55 right, 55..60 not anticipated
    }
}
