namespace Streaming.Models.Tokenization;

/// <summary>A tokenizer.json that cannot be read: malformed JSON, a missing or mistyped field, or a component type we do not implement.</summary>
public sealed class TokenizerFormatException : FormatException
{
    public TokenizerFormatException(string message) : base(message) { }

    public TokenizerFormatException(string message, Exception inner) : base(message, inner) { }
}
