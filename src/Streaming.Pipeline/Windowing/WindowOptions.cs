namespace Streaming.Pipeline.Windowing;

/// <summary>
/// How each stream is cut into observation windows. Build with <see cref="ByFrames"/> or <see cref="ByTime"/>.
/// </summary>
public sealed record WindowOptions
{
    public WindowUnit Unit { get; init; }

    /// <summary>Window length and hop in frames (<see cref="WindowUnit.Frames"/>).</summary>
    public int LengthFrames { get; init; }
    public int HopFrames { get; init; }

    /// <summary>Window length and hop in capture time (<see cref="WindowUnit.Time"/>).</summary>
    public TimeSpan Length { get; init; }
    public TimeSpan Hop { get; init; }

    /// <summary>How many frames may wait for a missing earlier sequence number; 0 takes frames as they come.</summary>
    public int ReorderBound { get; init; } = 8;

    /// <summary>How far ahead of the pipeline's clock a capture time may be; camera clocks drift, but not by minutes.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A stream with no frame for this long is forgotten; its next frame starts it afresh.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static WindowOptions ByFrames(int length, int hop) => new() { Unit = WindowUnit.Frames, LengthFrames = length, HopFrames = hop };

    public static WindowOptions ByTime(TimeSpan length, TimeSpan hop) => new() { Unit = WindowUnit.Time, Length = length, Hop = hop };

    /// <summary>Throws on options that cannot work. Hop is at most the length so that every frame falls in some window.</summary>
    public void Validate()
    {
        if (Unit == WindowUnit.Frames)
        {
            if (LengthFrames < 1) throw new ArgumentOutOfRangeException(nameof(LengthFrames), LengthFrames, "window length must be at least 1 frame.");
            if (HopFrames < 1 || HopFrames > LengthFrames) throw new ArgumentOutOfRangeException(nameof(HopFrames), HopFrames, $"window hop must be in 1..{LengthFrames} frames (the length).");
        }
        else
        {
            if (Length <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Length), Length, "window length must be positive.");
            if (Hop <= TimeSpan.Zero || Hop > Length) throw new ArgumentOutOfRangeException(nameof(Hop), Hop, $"window hop must be positive and at most the length {Length}.");
        }
        if (ReorderBound < 0) throw new ArgumentOutOfRangeException(nameof(ReorderBound), ReorderBound, "reorder bound cannot be negative.");
        if (MaxFutureSkew < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaxFutureSkew), MaxFutureSkew, "future skew cannot be negative.");
        if (IdleTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "idle timeout must be positive.");
    }
}
