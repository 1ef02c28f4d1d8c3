using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;

namespace Streaming.Models.Tests.Anticipation;

public class AnticipationProtocolTests
{
    [Fact]
    public void Evaluate_ScoresMeanOverClassesOfThePredictedFrames()
    {
        // 10 frames: 0 0 0 1 1 1 1 2 2 2. At alpha 0.3 the observation is 0 0 0; beta 0.5 asks for frames 3..7 = 1 1 1 1 2.
        var video = new LabelledVideo("v", [0, 0, 0, 1, 1, 1, 1, 2, 2, 2], null);
        var cells = AnticipationProtocol.Evaluate([video], 3, (observed, future, _) => Enumerable.Repeat(1, future).ToArray());
        var cell = cells.Single(c => c.Alpha == 0.3 && c.Beta == 0.5);
        Assert.Equal(5, cell.Frames);
        Assert.Equal((1.0 + 0.0) / 2, cell.Moc, 9);      // class 1: 4/4 right, class 2: 0/1; class 0 does not occur
        Assert.Equal(8, cells.Count);
        // After 0 0 0, repeat-last predicts class 0 where only 1s and 2s follow; after 0 0 it is right about frame 2.
        var repeat = AnticipationProtocol.Evaluate([video], 3, AnticipationProtocol.RepeatLast);
        Assert.All(repeat.Where(c => c.Alpha == 0.3), c => Assert.Equal(0, c.Moc));
        Assert.Equal(1, repeat.Single(c => c.Alpha == 0.2 && c.Beta == 0.1).Moc);
    }

    [Fact]
    public void Transitions_FinishTheCurrentRunThenFollowTheChain()
    {
        var model = TransitionAnticipator.Train([AnticipationProtocol.Runs([0, 0, 0, 0, 1, 1, 2, 2, 2])], ["a", "b", "c"]);
        var predicted = AnticipationProtocol.Transitions(model)([0, 0, 0], 6, 9);
        Assert.Equal([0, 1, 1, 2, 2, 2], predicted);
    }

    [Fact]
    public void OnFiftySalads_TheTransitionBaselineRunsEverySplit()
    {
        var salads = FrameLabelDataset.Open(SharedData.Path("50salads"));
        var (train, test) = salads.Split(1);
        var model = TransitionAnticipator.Train(train.Select(v => AnticipationProtocol.Runs(v.Labels)), salads.Actions);
        var cells = AnticipationProtocol.Evaluate(test, salads.Actions.Count, AnticipationProtocol.Transitions(model));
        Assert.All(cells, c => Assert.InRange(c.Moc, 0.02, 0.8));
        Assert.True(cells.All(c => c.Frames > 10_000), "every cell scores thousands of frames");
    }
}
