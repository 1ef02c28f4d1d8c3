namespace Streaming.Pipeline.Windowing;

/// <summary>What a window's length and hop count: frames, or capture time.</summary>
public enum WindowUnit
{
    Frames,
    Time,
}
