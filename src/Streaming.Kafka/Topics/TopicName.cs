namespace Streaming.Kafka.Topics;

/// <summary>Kafka's rule for topic names: 1 to 249 characters from [a-zA-Z0-9._-], not "." or "..".</summary>
public static class TopicName
{
    public const int MaxLength = 249;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && name is not ("." or "..")
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid topic name.</exception>
    public static void Validate(string? name, string parameterName)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid Kafka topic name: expected 1 to {MaxLength} characters from a-z, A-Z, 0-9, '.', '_', '-' (not '.' or '..').",
                parameterName);
        }
    }
}
