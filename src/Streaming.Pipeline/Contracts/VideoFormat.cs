namespace Streaming.Pipeline.Contracts;

/// <summary>How a video frame's payload is encoded: a JPEG image or packed 8-bit RGB rows.</summary>
public enum VideoFormat
{
    Jpeg,
    Rgb24,
}
