using Streaming.Models.Anticipation;

namespace Streaming.Models.Tests.Anticipation;

public sealed class ActionDurationsTests
{
    // Action 0 ran for 0.1, 0.2, 0.4 and 0.7 of its videos; action 1 for 0.3; action 2 never.
    static readonly ActionDurations Durations = new([[0.4, 0.1, 0.7, 0.2], [0.3], []]);

    [Theory]
    [InlineData(0, 0.0, (0.2 + 0.4) / 2)]               // nothing elapsed: the median run (an even count: the two middle ones)
    [InlineData(0, 0.15, 0.4 - 0.15)]                   // only the runs longer than 0.15 count: 0.2, 0.4, 0.7
    [InlineData(0, 0.2, (0.4 + 0.7) / 2 - 0.2)]         // a run exactly as long as the elapsed time has ended
    [InlineData(0, 0.8, 0.1 * (0.1 + 0.2 + 0.4 + 0.7) / 4)] // past every run: a tenth of the mean
    [InlineData(1, 0.1, 0.2)]
    [InlineData(2, 0.0, 0.3)]                           // never seen: the runs of all actions, 0.1 0.2 0.3 0.4 0.7
    [InlineData(2, 0.25, 0.4 - 0.25)]                   // 0.3, 0.4, 0.7 of all runs
    public void Remaining_IsTheMedianResidualOfTheLongerRuns(int action, double elapsed, double expected) =>
        Assert.Equal(expected, Durations.Remaining(action, elapsed), 12);

    [Fact]
    public void Count_TakesEveryRunAsAFractionOfItsVideo()
    {
        var counted = ActionDurations.Count([[0, 0, 1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 1, 1]], actions: 3);
        Assert.Equal([0.2, 0.5], counted.Runs[0]);
        Assert.Equal([0.3, 1.0], counted.Runs[1]);
        Assert.Empty(counted.Runs[2]);
    }

    [Fact]
    public void BadRunsAndQueries_GetClearErrors()
    {
        Assert.Contains("(0, 1]", Assert.Throws<ArgumentException>(() => new ActionDurations([[0.2, 1.5]])).Message);
        Assert.Contains("(0, 1]", Assert.Throws<ArgumentException>(() => new ActionDurations([[double.NaN]])).Message);
        Assert.Contains("no runs", Assert.Throws<ArgumentException>(() => new ActionDurations([[], []])).Message);
        Assert.Contains("no actions", Assert.Throws<ArgumentException>(() => new ActionDurations([])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Durations.Remaining(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Durations.Remaining(0, -0.1));
    }
}
