namespace Streaming.Video.Ingest;

/// <summary>How a <see cref="VideoFrameSource"/> decodes, scales, times and recovers a source.</summary>
public sealed record VideoSourceOptions
{
    /// <summary>Output width in pixels; with only one of width and height the other follows the aspect ratio; neither keeps the source size.</summary>
    public int? Width { get; init; }

    public int? Height { get; init; }

    /// <summary>With both width and height: true fits the frame inside them keeping its aspect ratio, false stretches to exactly that size.</summary>
    public bool KeepAspect { get; init; } = true;

    /// <summary>Resample to this rate (ffmpeg's fps filter drops or repeats frames); null keeps every frame of the source.</summary>
    public double? FramesPerSecond { get; init; }

    /// <summary>Files only: 1 plays at the recording's pace, 2 twice as fast, 0 as fast as frames decode. Live sources set their own pace.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Files only: start over at the end, forever; sequence numbers and capture times keep counting.</summary>
    public bool Loop { get; init; }

    /// <summary>Live sources only: backoff between reconnects.</summary>
    public ReconnectPolicy Reconnect { get; init; } = ReconnectPolicy.Default;

    /// <summary>Live sources only: no frame for this long means the connection is dead; ffmpeg is stopped and the source reconnects.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public void Validate()
    {
        if (Width is < 1 or > Pipeline.Contracts.VideoFrame.MaxSide) throw new ArgumentOutOfRangeException(nameof(Width), Width, $"width must be in 1..{Pipeline.Contracts.VideoFrame.MaxSide}.");
        if (Height is < 1 or > Pipeline.Contracts.VideoFrame.MaxSide) throw new ArgumentOutOfRangeException(nameof(Height), Height, $"height must be in 1..{Pipeline.Contracts.VideoFrame.MaxSide}.");
        if (FramesPerSecond is { } fps && !(fps > 0 && fps <= 1000)) throw new ArgumentOutOfRangeException(nameof(FramesPerSecond), fps, "frames per second must be in (0, 1000].");
        if (!(Speed >= 0) || double.IsInfinity(Speed)) throw new ArgumentOutOfRangeException(nameof(Speed), Speed, "speed must be 0 (as fast as possible) or positive.");
        if (StallTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(StallTimeout), StallTimeout, "the stall timeout must be positive.");
        ArgumentNullException.ThrowIfNull(Reconnect);
        Reconnect.Validate();
    }
}
