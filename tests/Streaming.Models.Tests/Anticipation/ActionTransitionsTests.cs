using Streaming.Models.Anticipation;

namespace Streaming.Models.Tests.Anticipation;

public sealed class ActionTransitionsTests
{
    static readonly string[] Actions = ["a", "b", "c"];

    [Fact]
    public void Count_GivesTheTransitionsOfTheBaseline()
    {
        int[][] videos = [[0, 0, 1, 1, 2], [0, 1, 1, 2, 2], [0, 2, 2, 1]];
        var counted = ActionTransitions.Count(videos, Actions);
        var baseline = TransitionAnticipator.Train(videos.Select(v => AnticipationProtocol.Runs(v)), Actions);
        Assert.Equal(baseline.Transitions, counted.Probabilities);
        Assert.True(counted.Probability(0, 1) > counted.Probability(0, 2));   // a -> b twice, a -> c once
        Assert.Equal(0, counted.Probability(1, 1));                           // runs are maximal: never itself
    }

    [Fact]
    public void BadMatrices_GetClearErrors()
    {
        Assert.Contains("no actions", Assert.Throws<ArgumentException>(() => new ActionTransitions([])).Message);
        Assert.Contains("row 1 has 3 entries for 2", Assert.Throws<ArgumentException>(() => new ActionTransitions([[0.0, 1.0], [1.0, 0.0, 0.0]])).Message);
        Assert.Contains("outside [0, 1]", Assert.Throws<ArgumentException>(() => new ActionTransitions([[0.0, 1.0], [double.NaN, 1.0]])).Message);
        Assert.Contains("sums to 0.5", Assert.Throws<ArgumentException>(() => new ActionTransitions([[0.0, 0.5], [1.0, 0.0]])).Message);
        Assert.Equal(0, new ActionTransitions([[0.0, 0.0], [1.0, 0.0]]).Probability(0, 1));   // an action never followed
    }
}
