using Streaming.Models.Checkpoints;
using Streaming.Models.Tests.Reference;

namespace Streaming.Models.Tests.Language;

/// <summary>The C# decoder against the torch reference on the same tiny random Hugging Face checkpoints.</summary>
[Collection(LlamaReferenceCollection.Name)]
public sealed class LlamaReferenceTests(TinyCheckpoints checkpoints)
{
    static readonly ReferenceRequest TwoRows = new(
        [[3, 17, 42, 8, 0, 63, 5], [9, 9, 1, 30, 22, 47, 12]]);

    [Fact]
    public void Forward_LlamaUntiedGqa_LogitsAndHiddenStatesMatchTorch() => AssertMatchesTorch(checkpoints.LlamaUntiedGqa);

    [Fact]
    public void Forward_LlamaTiedGqaWithAttentionBias_LogitsAndHiddenStatesMatchTorch() => AssertMatchesTorch(checkpoints.LlamaTiedGqaBias);

    [Fact]
    public void Forward_Qwen2TiedGqaWithQkvBias_LogitsAndHiddenStatesMatchTorch() => AssertMatchesTorch(checkpoints.Qwen2TiedGqa);

    [Fact]
    public void Forward_Qwen2UntiedMultiHead_LogitsAndHiddenStatesMatchTorch() => AssertMatchesTorch(checkpoints.Qwen2UntiedMha);

    [Fact]
    public void Forward_LeftPaddedBatchWithPositionIds_MatchesTorchOnRealTokens()
    {
        // Row 0 is left-padded by two; its positions start at 0 on its first real token, as generate() does.
        var request = new ReferenceRequest(
            Ids: [[0, 0, 42, 8, 19, 63], [9, 9, 1, 30, 22, 47]],
            Positions: [[0, 0, 0, 1, 2, 3], [0, 1, 2, 3, 4, 5]],
            PaddingMask: [[1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]]);
        var model = HfCheckpoint.Load(checkpoints.Qwen2TiedGqa);
        ModelRun.AssertMatches(LlamaReference.Forward(checkpoints.Qwen2TiedGqa, request), ModelRun.Forward(model, request), request.PaddingMask);
    }

    [Fact]
    public void Forward_ReturnsOneHiddenStatePerLayerPlusEmbeddings()
    {
        var model = HfCheckpoint.Load(checkpoints.LlamaUntiedGqa);
        var output = ModelRun.Forward(model, TwoRows);
        Assert.Equal(model.Config.NumHiddenLayers + 1, output.HiddenStates.Count);
        Assert.Equal([2, 7, model.Config.HiddenSize], output.LastHiddenState.Shape);
        Assert.Equal([2, 7, model.Config.VocabSize], output.Logits!.Shape);
    }

    void AssertMatchesTorch(string directory)
    {
        var model = HfCheckpoint.Load(directory);
        ModelRun.AssertMatches(LlamaReference.Forward(directory, TwoRows), ModelRun.Forward(model, TwoRows));
    }
}
