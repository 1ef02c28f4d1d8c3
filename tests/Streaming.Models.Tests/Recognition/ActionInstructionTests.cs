using Streaming.Models.Datasets;
using Streaming.Models.Recognition;

namespace Streaming.Models.Tests.Recognition;

public class ActionInstructionTests
{
    [Fact]
    public void For_MsrAction3D_ListsItsActionsInIdOrder()
    {
        var instruction = ActionInstruction.For(MsrAction3D.ActionNames(SharedData.Path("msr-action3d")));
        Assert.StartsWith("Given a sequence of action tokens, please predict the corresponding action from: high arm wave, horizontal arm wave, hammer, ", instruction, StringComparison.Ordinal);
        Assert.EndsWith(", golf swing, pickup and throw.", instruction, StringComparison.Ordinal);
    }

    [Fact]
    public void ForAndAnswer_ReadLabelsAsPhrases()
    {
        Assert.Equal("Given a sequence of action tokens, please predict the corresponding action from: walk, sit down, wave hands.", ActionInstruction.For(["walk", "sit_down", "wave_hands"]));
        Assert.Equal("Answer: sit down", ActionInstruction.Answer("sit_down"));
    }

    [Fact]
    public void For_NoLabels_Throws() => Assert.Throws<ArgumentException>(() => ActionInstruction.For([]));
}
