namespace Streaming.Video.Ingest;

/// <summary>
/// How a live source waits before reconnecting after ffmpeg exits or stalls: <see cref="InitialDelay"/> after the first
/// failure, then <see cref="Multiplier"/> times longer after each further failure in a row, never more than
/// <see cref="MaxDelay"/>. A connection that delivered frames resets the count.
/// </summary>
public sealed record ReconnectPolicy
{
    public static readonly ReconnectPolicy Default = new();

    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    public double Multiplier { get; init; } = 2;

    /// <summary>Failures in a row after which the source gives up with an error; null retries forever (a camera may come back).</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>The wait before reconnect attempt <paramref name="attempt"/> (1 for the first after a failure).</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var ticks = InitialDelay.Ticks * Math.Pow(Multiplier, attempt - 1);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    public void Validate()
    {
        if (InitialDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(InitialDelay), InitialDelay, "the first reconnect delay must not be negative.");
        if (MaxDelay < InitialDelay) throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, $"the longest reconnect delay must be at least the first ({InitialDelay}).");
        if (!(Multiplier >= 1)) throw new ArgumentOutOfRangeException(nameof(Multiplier), Multiplier, "the backoff multiplier must be at least 1.");
        if (MaxAttempts is < 1) throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "reconnect attempts must be at least 1 (or unbounded).");
    }
}
