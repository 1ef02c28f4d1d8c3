using Streaming.Models.Anticipation;

namespace Streaming.Models.Tests.Anticipation;

public class TransitionAnticipatorTests
{
    static readonly string[] Labels = ["a", "b", "c"];

    static TransitionAnticipator Chain() => TransitionAnticipator.Train(
    [
        [new(0, 2), new(1, 4), new(2, 6)],
        [new(0, 4), new(1, 4), new(1, 4), new(2, 6)],   // two runs of b merge into one of 8
        [new(0, 3), new(2, 3)],
    ], Labels);

    [Fact]
    public void Train_CountsTransitionsAndMeanDurations()
    {
        var m = Chain();
        Assert.Equal(3, m.MeanDurations[0], 9);
        Assert.Equal(6, m.MeanDurations[1], 9);   // 4 and 8
        Assert.Equal(5, m.MeanDurations[2], 9);   // 6, 6, 3
        Assert.True(m.Transitions[0][1] > m.Transitions[0][2] && m.Transitions[0][1] < 1, "a -> b twice, a -> c once");
        Assert.Equal(0, m.Transitions[1][1]);
        Assert.All(m.Transitions, row => Assert.True(Math.Abs(row.Sum() - 1) < 1e-9 || row.Sum() == 0));
    }

    [Fact]
    public void Anticipate_FinishesTheCurrentActionThenFollowsTheLikeliestChain()
    {
        var future = Chain().Anticipate(current: 0, elapsed: 1, horizon: 10);
        Assert.Equal([0, 1, 2], future.Select(f => f.Action));
        Assert.Equal(2, future[0].End, 9);                 // mean 3, 1 elapsed
        Assert.Equal((2, 8), (future[1].Start, future[1].End));
        Assert.True(future[2].Probability < future[1].Probability && future[1].Probability < future[0].Probability);
        // Past its mean, an action still lasts a tenth of its mean.
        Assert.Equal(0.3, Chain().Anticipate(0, 50, 1)[0].End, 9);
    }

    [Fact]
    public void SaveAndLoad_RoundTrips_AndBadFilesAreNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), $"anticipator-{Guid.NewGuid():N}.json");
        try
        {
            Chain().Save(path);
            var loaded = TransitionAnticipator.Load(path);
            Assert.Equal(Chain().Transitions, loaded.Transitions);
            Assert.Equal(Labels, loaded.Labels);
            File.WriteAllText(path, "{\"kind\": \"first-order-transitions\", \"labels\": [\"a\"]");
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => TransitionAnticipator.Load(path)).Message, StringComparison.Ordinal);
            File.WriteAllText(path, "{\"kind\": \"other\", \"labels\": [], \"transitions\": [], \"mean_durations\": [], \"initial\": []}");
            Assert.Contains("kind 'other'", Assert.ThrowsAny<Exception>(() => TransitionAnticipator.Load(path)).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Chain().Anticipate(7, 0, 1));
        Assert.Throws<ArgumentException>(() => TransitionAnticipator.Train([[new(5, 1)]], Labels));
    }
}
