namespace Streaming.Models.Tokenization.PostProcessors;

/// <summary>The last stage of encoding: adds the special tokens a model expects around a sequence (LLaMA's BOS).</summary>
public abstract class PostProcessor
{
    /// <summary>The final ids for one sequence; <paramref name="addSpecialTokens"/> false leaves them unchanged.</summary>
    public abstract List<int> Process(List<int> ids, bool addSpecialTokens);

    internal static PostProcessor? Parse(JsonSection json)
    {
        if (json.IsNull) return null;
        var type = json.Type();
        return type switch
        {
            "TemplateProcessing" => TemplatePostProcessor.FromJson(json),
            "BertProcessing" or "RobertaProcessing" => TemplatePostProcessor.Bracketing(json),
            // ByteLevel post-processing only trims offsets, which encoding to ids does not report.
            "ByteLevel" => new PostProcessorSequence([]),
            "Sequence" => new PostProcessorSequence(json.Required("processors").Items().Select(p => Parse(p) ?? throw p.Error("a null post-processor inside a Sequence")).ToArray()),
            _ => throw json.Unsupported("post_processor", type, "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence"),
        };
    }
}
