namespace Streaming.Models.Tokenization.PostProcessors;

/// <summary>Post-processors applied in turn; empty, it changes nothing.</summary>
public sealed class PostProcessorSequence(IReadOnlyList<PostProcessor> steps) : PostProcessor
{
    public IReadOnlyList<PostProcessor> Steps { get; } = steps;

    public override List<int> Process(List<int> ids, bool addSpecialTokens)
    {
        foreach (var step in Steps) ids = step.Process(ids, addSpecialTokens);
        return ids;
    }
}
