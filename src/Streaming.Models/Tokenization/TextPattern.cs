namespace Streaming.Models.Tokenization;

/// <summary>The <c>pattern</c> of a Split or Replace component: <c>{"String": "..."}</c> (literal) or <c>{"Regex": "..."}</c>.</summary>
internal sealed class TextPattern
{
    readonly string? _literal;
    readonly CodePointRegex? _regex;

    TextPattern(string? literal, CodePointRegex? regex) => (_literal, _regex) = (literal, regex);

    public static TextPattern Literal(string text) => new(text, null);

    public static TextPattern Regex(string pattern, string where) => new(null, new CodePointRegex(pattern, where));

    public static TextPattern Parse(JsonSection pattern)
    {
        if (pattern.Has("String"))
        {
            var literal = pattern.String("String");
            if (literal.Length == 0) throw pattern["String"].Error("an empty pattern matches nothing useful");
            return Literal(literal);
        }
        if (pattern.Has("Regex")) return Regex(pattern.String("Regex"), pattern["Regex"].Path);
        throw pattern.Error("expected {\"String\": ...} or {\"Regex\": ...}");
    }

    /// <summary>The non-empty matches, left to right, without overlap.</summary>
    public List<(int Start, int End)> Matches(string text)
    {
        if (_regex is not null) return _regex.Matches(text);
        var result = new List<(int, int)>();
        for (var at = text.IndexOf(_literal!, StringComparison.Ordinal); at >= 0; at = text.IndexOf(_literal!, at + _literal!.Length, StringComparison.Ordinal))
            result.Add((at, at + _literal!.Length));
        return result;
    }

    public string Replace(string text, string content)
    {
        if (_literal is not null) return text.Replace(_literal, content, StringComparison.Ordinal);
        var matches = _regex!.Matches(text);
        if (matches.Count == 0) return text;
        var sb = new System.Text.StringBuilder(text.Length);
        var previous = 0;
        foreach (var (start, end) in matches)
        {
            sb.Append(text, previous, start - previous).Append(content);
            previous = end;
        }
        return sb.Append(text, previous, text.Length - previous).ToString();
    }
}
