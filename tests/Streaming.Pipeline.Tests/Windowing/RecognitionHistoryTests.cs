using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Pipeline.Windowing;

namespace Streaming.Pipeline.Tests.Windowing;

public class RecognitionHistoryTests
{
    static DateTimeOffset At(double seconds) => SkeletonFrames.T0.AddSeconds(seconds);

    [Fact]
    public void Add_ConsecutiveSameAction_OneSegment_ANewActionStartsWhereItEnds()
    {
        var history = new RecognitionHistory();
        history.Add(At(0), At(1), new LabelProbability("walk", 0.6));
        history.Add(At(0.5), At(1.5), new LabelProbability("walk", 0.8));
        history.Add(At(1), At(2), new LabelProbability("sit", 0.7));
        history.Add(At(5), At(6), new LabelProbability("sit", 0.9)); // after a pause: not the same segment
        Assert.Equal(
            [new ActionSegment("walk", At(0), At(1.5), 0.8), new ActionSegment("sit", At(1.5), At(2), 0.7), new ActionSegment("sit", At(5), At(6), 0.9)],
            history.Segments);
    }

    [Fact]
    public void Add_ManyActions_KeepsTheMostRecentSegments()
    {
        var history = new RecognitionHistory();
        for (int i = 0; i < RecognitionHistory.MaxSegments + 5; i++) history.Add(At(i), At(i + 1), new LabelProbability(i % 2 == 0 ? "a" : "b", 1));
        Assert.Equal(RecognitionHistory.MaxSegments, history.Segments.Count);
        Assert.Equal(At(RecognitionHistory.MaxSegments + 5), history.Segments[^1].End);
        Assert.Equal(At(5), history.Segments[0].Start);
    }
}
