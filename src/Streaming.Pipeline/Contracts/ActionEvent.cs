namespace Streaming.Pipeline.Contracts;

/// <summary>
/// One recognized or observed action of a stream: from <see cref="Time"/> on, the stream shows <see cref="Label"/>
/// (until its next event). A source sends one per label change, or repeats the label now and then; either way the
/// events of a stream describe its action history. <see cref="Confidence"/> is the source's probability for the label
/// (null when the source does not say, as for ground truth).
/// </summary>
public sealed record ActionEvent(string Stream, DateTimeOffset Time, string Label, double? Confidence) : IStreamInput
{
    /// <summary>The action-event JSON schema version this code reads and writes (<c>"schema": 1</c>).</summary>
    public const int SchemaVersion = 1;
}
