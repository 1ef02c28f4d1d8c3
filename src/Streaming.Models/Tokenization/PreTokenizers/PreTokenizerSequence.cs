namespace Streaming.Models.Tokenization.PreTokenizers;

/// <summary>Pre-tokenizers applied in turn, each to every piece the previous one produced (Qwen: regex split, then ByteLevel).</summary>
public sealed class PreTokenizerSequence(IReadOnlyList<PreTokenizer> steps) : PreTokenizer
{
    public IReadOnlyList<PreTokenizer> Steps { get; } = steps;

    public override void Split(string text, bool atStart, List<string> output)
    {
        List<string> pieces = [text];
        foreach (var step in Steps)
        {
            var next = new List<string>(pieces.Count);
            for (var i = 0; i < pieces.Count; i++) step.Split(pieces[i], atStart && i == 0, next);
            pieces = next;
        }
        output.AddRange(pieces);
    }
}
