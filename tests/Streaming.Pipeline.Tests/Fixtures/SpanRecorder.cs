using System.Collections.Concurrent;
using System.Diagnostics;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>
/// An in-box ActivityListener that samples every span of the named sources and keeps the stopped ones. Sources are
/// process-wide: tests running beside each other see each other's spans, so a test filters by its own stream or trace.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    readonly ActivityListener _listener;
    readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    /// <summary>Stopped spans called <paramref name="name"/> whose tag <paramref name="tag"/> is <paramref name="value"/>.</summary>
    public IReadOnlyList<Activity> Named(string name, string tag, object value) =>
        Stopped.Where(a => a.OperationName == name && Equals(a.GetTagItem(tag), value)).ToList();

    public void Dispose() => _listener.Dispose();
}
