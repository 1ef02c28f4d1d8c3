using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Ingest;

/// <summary>
/// Input topics are keyed by stream id, so that all of a stream lands in one partition and one consumer holds its state.
/// A message whose key is not its stream id would be windowed by whichever consumer its key's partition belongs to.
/// </summary>
static class KeyMismatch
{
    /// <summary><paramref name="parsed"/>, or a <c>key-mismatch</c> rejection when the message's <paramref name="key"/> is not its stream id.</summary>
    public static Parsed<T> Check<T>(Parsed<T> parsed, string key) where T : class, IStreamInput
    {
        if (!parsed.IsValid || parsed.Value.Stream == key) return parsed;
        var stream = parsed.Value.Stream;
        return Parsed<T>.Fail(RejectionReason.KeyMismatch, key.Length == 0
            ? $"the message has no key; key it by its stream id '{stream}' so that the stream stays in one partition"
            : $"the message key '{key}' is not its stream id '{stream}'; the input topic is keyed by stream id so that each stream stays in one partition");
    }
}
