namespace Streaming.Models.Tokenization.PreTokenizers;

/// <summary>Separates digits from other text: runs of digits, or each digit alone.</summary>
public sealed class DigitsPreTokenizer(bool individualDigits) : PreTokenizer
{
    static readonly TextPattern Digit = TextPattern.Regex(@"\p{Nd}", "Digits");
    static readonly TextPattern DigitRun = TextPattern.Regex(@"\p{Nd}+", "Digits");

    public bool IndividualDigits { get; } = individualDigits;

    public override void Split(string text, bool atStart, List<string> output) =>
        Splitting.Split(text, (IndividualDigits ? Digit : DigitRun).Matches(text),
            IndividualDigits ? SplitBehavior.Isolated : SplitBehavior.Contiguous, invert: false, output);
}
