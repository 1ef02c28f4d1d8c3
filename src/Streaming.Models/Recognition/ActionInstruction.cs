using Streaming.Models.Datasets;

namespace Streaming.Models.Recognition;

/// <summary>
/// The text of LLM-AR's recognition prompt (DESIGN.md §1 method 3): the instruction line naming the candidate actions, the
/// action sentence on the next line, then <see cref="AnswerPrefix"/> and the action. `streaming train lm` puts the instruction
/// and its answers for the skeleton datasets in the base model's corpus, so the recognizer must prompt with this same text.
/// Labels are read as phrases ("sit_down" -> "sit down"), as everywhere in the corpus.
/// </summary>
public static class ActionInstruction
{
    public const string Lead = "Given a sequence of action tokens, please predict the corresponding action from: ";
    public const string AnswerPrefix = "Answer: ";

    /// <summary>The instruction line for <paramref name="labels"/> in their order (a dataset's id order), ending with a full stop.</summary>
    public static string For(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0) throw new ArgumentException("an instruction needs at least one label.", nameof(labels));
        return Lead + string.Join(", ", labels.Select(ActionCorpus.Phrase)) + ".";
    }

    /// <summary>The answer line: <see cref="AnswerPrefix"/> and the label as a phrase.</summary>
    public static string Answer(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return AnswerPrefix + ActionCorpus.Phrase(label);
    }
}
