using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Streaming.Models.Tokenization;

/// <summary>
/// A regular expression that matches code points, as the Rust tokenizers (Oniguruma) and the
/// JavaScript peer (<c>u</c> flag) do, although .NET <see cref="Regex"/> matches UTF-16 units.
/// </summary>
/// <remarks>
/// Outside the BMP a .NET class such as <c>\p{L}</c> sees two surrogates (category Cs), so
/// "😀abc" would split differently. Text holding surrogate pairs is therefore matched in a
/// projection where each pair becomes one BMP stand-in of the same general category; match
/// boundaries are mapped back to the original text. Patterns test categories, not particular
/// astral characters, so the projection preserves every match the tokenizer patterns make.
/// </remarks>
internal sealed class CodePointRegex
{
    readonly Regex _regex;

    public CodePointRegex(string pattern, string where)
    {
        if (pattern.Any(char.IsSurrogate))
            throw new TokenizerFormatException($"tokenizer.json: {where}: regex \"{pattern}\" names characters outside the BMP, which the code-point matcher cannot project.");
        try
        {
            _regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException($"tokenizer.json: {where}: regex \"{pattern}\" is not supported by .NET regular expressions: {e.Message}", e);
        }
    }

    public string Pattern => _regex.ToString();

    /// <summary>The non-empty matches, left to right, as UTF-16 ranges of <paramref name="text"/>.</summary>
    public List<(int Start, int End)> Matches(string text)
    {
        var result = new List<(int, int)>();
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            foreach (var m in _regex.EnumerateMatches(text))
                if (m.Length > 0) result.Add((m.Index, m.Index + m.Length));
            return result;
        }
        var (projected, origin) = Project(text);
        foreach (var m in _regex.EnumerateMatches(projected))
            if (m.Length > 0) result.Add((origin[m.Index], origin[m.Index + m.Length]));
        return result;
    }

    /// <summary>The text with each surrogate pair replaced by a stand-in; origin[i] is where projected char i starts in text.</summary>
    static (string Projected, int[] Origin) Project(string text)
    {
        var projected = new StringBuilder(text.Length);
        var origin = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length;)
        {
            origin.Add(i);
            if (Rune.TryGetRuneAt(text, i, out var rune) && rune.Utf16SequenceLength == 2)
            {
                projected.Append(StandIn(Rune.GetUnicodeCategory(rune)));
                i += 2;
            }
            else
            {
                projected.Append(text[i]);  // BMP character or lone surrogate: itself
                i++;
            }
        }
        origin.Add(text.Length);
        return (projected.ToString(), origin.ToArray());
    }

    /// <summary>A BMP character of the given general category, outside ASCII so literal pattern characters do not match it.</summary>
    internal static char StandIn(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter => '\u0391',       // Greek capital alpha
        UnicodeCategory.LowercaseLetter => '\u03B1',       // Greek small alpha
        UnicodeCategory.TitlecaseLetter => '\u01C5',
        UnicodeCategory.ModifierLetter => '\u02B0',
        UnicodeCategory.OtherLetter => '\u05D0',           // Hebrew alef
        UnicodeCategory.NonSpacingMark => '\u0300',
        UnicodeCategory.SpacingCombiningMark => '\u0903',
        UnicodeCategory.EnclosingMark => '\u20DD',
        UnicodeCategory.DecimalDigitNumber => '\u0660',    // Arabic-Indic zero
        UnicodeCategory.LetterNumber => '\u2160',          // Roman numeral one
        UnicodeCategory.OtherNumber => '\u2460',           // circled one
        UnicodeCategory.ConnectorPunctuation => '\u203F',
        UnicodeCategory.DashPunctuation => '\u2010',
        UnicodeCategory.OpenPunctuation => '\u2045',
        UnicodeCategory.ClosePunctuation => '\u2046',
        UnicodeCategory.InitialQuotePunctuation => '\u2039',
        UnicodeCategory.FinalQuotePunctuation => '\u203A',
        UnicodeCategory.OtherPunctuation => '\u2020',
        UnicodeCategory.MathSymbol => '\u2200',
        UnicodeCategory.CurrencySymbol => '\u20A0',
        UnicodeCategory.ModifierSymbol => '\u02C2',
        UnicodeCategory.OtherSymbol => '\u2600',
        UnicodeCategory.Format => '\u2061',
        UnicodeCategory.PrivateUse => '\uE000',
        UnicodeCategory.OtherNotAssigned => '\u0378',
        // No astral code point is a space, separator, control or surrogate.
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "no astral code point has this category"),
    };
}
