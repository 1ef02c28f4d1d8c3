namespace Streaming.Models.Tokenization;

/// <summary>
/// Finds added tokens in text, leftmost first and longest at each position (as the Rust
/// tokenizers' Aho-Corasick search), and cuts the text into plain sections and tokens.
/// </summary>
internal sealed class AddedTokenMatcher
{
    sealed class Node
    {
        public readonly Dictionary<char, Node> Children = [];
        public AddedToken? Token;
    }

    readonly Node _root = new();

    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        foreach (var token in tokens)
        {
            var node = _root;
            foreach (var c in token.Content)
            {
                if (!node.Children.TryGetValue(c, out var child)) node.Children[c] = child = new Node();
                node = child;
            }
            node.Token ??= token;
        }
    }

    public bool IsEmpty => _root.Children.Count == 0;

    /// <summary>One section of the text: plain text starting at <paramref name="Start"/>, or an added token.</summary>
    public readonly record struct Section(string Text, int Start, AddedToken? Token);

    public List<Section> Split(string text)
    {
        var sections = new List<Section>();
        if (IsEmpty)
        {
            if (text.Length > 0) sections.Add(new(text, 0, null));
            return sections;
        }

        var matches = new List<(int Start, int End, AddedToken Token)>();
        for (var i = 0; i < text.Length;)
        {
            var (end, token) = LongestAt(text, i);
            if (token is null || (token.SingleWord && !StandsAlone(text, i, end)))
            {
                i += token is null ? 1 : end - i;
                continue;
            }
            matches.Add((i, end, token));
            i = end;
        }

        var previous = 0;
        for (var m = 0; m < matches.Count; m++)
        {
            var (start, end, token) = matches[m];
            var textEnd = start;
            if (token.LeftStrip) while (textEnd > previous && char.IsWhiteSpace(text[textEnd - 1])) textEnd--;
            if (textEnd > previous) sections.Add(new(text[previous..textEnd], previous, null));
            sections.Add(new(token.Content, start, token));
            var limit = m + 1 < matches.Count ? matches[m + 1].Start : text.Length;
            if (token.RightStrip) while (end < limit && char.IsWhiteSpace(text[end])) end++;
            previous = end;
        }
        if (previous < text.Length) sections.Add(new(text[previous..], previous, null));
        return sections;
    }

    (int End, AddedToken? Token) LongestAt(string text, int start)
    {
        var node = _root;
        (int, AddedToken?) best = (start, null);
        for (var j = start; j < text.Length && node.Children.TryGetValue(text[j], out var child); j++)
        {
            node = child;
            if (node.Token is not null) best = (j + 1, node.Token);
        }
        return best;
    }

    static bool StandsAlone(string text, int start, int end) =>
        (start == 0 || !IsWordChar(text[start - 1])) && (end == text.Length || !IsWordChar(text[end]));

    static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
