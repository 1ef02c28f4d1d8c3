namespace Streaming.Models.Tokenization;

/// <summary>
/// A token matched verbatim in the text before the model runs (<c>&lt;|im_start|&gt;</c>,
/// <c>&lt;s&gt;</c>); one entry of tokenizer.json's <c>added_tokens</c>.
/// </summary>
/// <param name="Id">Its id.</param>
/// <param name="Content">The text it matches.</param>
/// <param name="Special">Control tokens, dropped by <c>Decode(..., skipSpecialTokens: true)</c>.</param>
/// <param name="SingleWord">Matches only where no letter, digit or underscore touches it.</param>
/// <param name="LeftStrip">Swallows the whitespace before it.</param>
/// <param name="RightStrip">Swallows the whitespace after it.</param>
/// <param name="Normalized">Matched in the normalized text rather than the raw text.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool SingleWord = false, bool LeftStrip = false, bool RightStrip = false, bool Normalized = false)
{
    internal static AddedToken Parse(JsonSection json)
    {
        var content = json.String("content");
        if (content.Length == 0) throw json["content"].Error("an added token cannot be empty");
        var special = json.BoolOr("special", false);
        return new(json.Required("id").Int(), content, special, json.BoolOr("single_word", false), json.BoolOr("lstrip", false),
            json.BoolOr("rstrip", false), json.BoolOr("normalized", !special));
    }
}
