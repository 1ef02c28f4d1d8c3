using Streaming.Models.Datasets;
using Streaming.Models.Recognition;
using Streaming.Models.Tokenization;

namespace Streaming.Models.LlmAr;

/// <summary>
/// LLM-AR's prompt (<see cref="ActionInstruction"/>) as token ids of the base model's tokenizer: end of text and the
/// instruction line listing the labels (shared by every window, so it is run once: <see cref="Language.PromptPrefix"/>),
/// then the window's action sentence, then the answer cue, then a label. The label keeps the space before it, as byte-level
/// BPE tokenized "Answer: hand clap" in the corpus, and ends with a newline so that no label's tokens are a prefix of another's.
/// </summary>
public sealed class ActionPrompt
{
    public ActionPrompt(Tokenizer tokenizer, IReadOnlyList<string> labels, int endOfText)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count < 2) throw new ArgumentException($"LLM-AR: {labels.Count} label(s); a recognizer needs at least two.", nameof(labels));
        var duplicate = labels.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"LLM-AR: the label '{duplicate.Key}' is listed twice.", nameof(labels));
        Instruction = [endOfText, .. tokenizer.Encode(ActionInstruction.For(labels) + "\n", addSpecialTokens: false)];
        AnswerCue = [.. tokenizer.Encode("\n" + ActionInstruction.AnswerPrefix.TrimEnd(), addSpecialTokens: false)];
        Labels = [.. labels.Select(l => tokenizer.Encode(" " + ActionCorpus.Phrase(l) + "\n", addSpecialTokens: false).ToArray())];
    }

    /// <summary>End of text, then the instruction and a newline: the prefix every window shares.</summary>
    public int[] Instruction { get; }

    /// <summary>"\nAnswer:", after the action sentence.</summary>
    public int[] AnswerCue { get; }

    /// <summary>Each label's tokens, " label\n", in class order.</summary>
    public IReadOnlyList<int[]> Labels { get; }

    public int LongestLabel => Labels.Max(l => l.Length);
}
