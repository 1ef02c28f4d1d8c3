namespace Streaming.Pipeline.Windowing;

/// <summary>How each action-label stream is cut into observation windows (see <see cref="ActionWindowBuilder"/>).</summary>
public sealed record ActionWindowOptions
{
    /// <summary>Events per window: 1 gives a prediction for every event; more give one for every so many.</summary>
    public int EventsPerWindow { get; init; } = 1;

    /// <summary>How far ahead of the pipeline's clock an event's time may be.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A stream with no event for this long is forgotten; its next event starts a new activity.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Segments of history kept per stream; older ones are dropped (the activity's start is kept).</summary>
    public int MaxSegments { get; init; } = 1024;

    public void Validate()
    {
        if (EventsPerWindow < 1) throw new ArgumentOutOfRangeException(nameof(EventsPerWindow), EventsPerWindow, "events per window must be at least 1.");
        if (MaxFutureSkew < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxFutureSkew), MaxFutureSkew, "future skew cannot be negative.");
        if (IdleTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "idle timeout must be positive.");
        if (MaxSegments < 1) throw new ArgumentOutOfRangeException(nameof(MaxSegments), MaxSegments, "at least one segment of history must be kept.");
    }
}
