using System.Globalization;

namespace Streaming.Pipeline.Contracts;

/// <summary>
/// One camera frame: its headers (format, size, capture time, sequence number; on Kafka these are
/// message headers and the payload is the value) and the encoded bytes.
/// </summary>
public sealed record VideoFrame(string Stream, VideoFormat Format, int Width, int Height, DateTimeOffset CaptureTime, long Sequence, ReadOnlyMemory<byte> Payload)
{
    /// <summary>Header names on the Kafka message; the stream id is the message key.</summary>
    public const string FormatHeader = "format", WidthHeader = "width", HeightHeader = "height", TimeHeader = "time", SequenceHeader = "seq";

    /// <summary>Largest accepted side: 8K video; anything bigger is a corrupt header, not a camera.</summary>
    public const int MaxSide = 8192;

    /// <summary>
    /// Builds a frame from its headers and payload, checking that the bytes can be what the headers say. Rejections:
    /// <c>oversized</c>, <c>missing-field</c> (a header absent), <c>unknown-format</c>, <c>invalid-field</c> (a size, time or
    /// sequence that does not parse), <c>frame-size</c> (rgb24 bytes that are not width x height x 3), <c>corrupt-jpeg</c>
    /// (no SOI marker) and <c>truncated-jpeg</c> (no EOI marker). Whether a JPEG decodes, and to the size its headers say, is
    /// the decoder's check (<c>corrupt-jpeg</c>, <c>frame-size</c>).
    /// </summary>
    public static Parsed<VideoFrame> Create(string stream, IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> payload, int maxBytes = MaxSide * MaxSide * 3)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (payload.Length > maxBytes)
            return Parsed<VideoFrame>.Fail(RejectionReason.Oversized, $"video frame is {payload.Length} bytes, over the limit of {maxBytes}.");
        foreach (var name in new[] { FormatHeader, WidthHeader, HeightHeader, TimeHeader, SequenceHeader })
            if (!headers.ContainsKey(name))
                return Parsed<VideoFrame>.Fail(RejectionReason.MissingField, $"video frame has no '{name}' header.");

        VideoFormat format;
        switch (headers[FormatHeader])
        {
            case "jpeg": format = VideoFormat.Jpeg; break;
            case "rgb24": format = VideoFormat.Rgb24; break;
            default: return Parsed<VideoFrame>.Fail(RejectionReason.UnknownFormat, $"video format '{headers[FormatHeader]}' is unknown; expected jpeg or rgb24.");
        }
        if (!int.TryParse(headers[WidthHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var width) || width is < 1 or > MaxSide)
            return Parsed<VideoFrame>.Fail(RejectionReason.InvalidField, $"width '{headers[WidthHeader]}' must be an integer in 1..{MaxSide}.");
        if (!int.TryParse(headers[HeightHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var height) || height is < 1 or > MaxSide)
            return Parsed<VideoFrame>.Fail(RejectionReason.InvalidField, $"height '{headers[HeightHeader]}' must be an integer in 1..{MaxSide}.");
        if (!DateTimeOffset.TryParse(headers[TimeHeader], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time))
            return Parsed<VideoFrame>.Fail(RejectionReason.InvalidField, $"time '{headers[TimeHeader]}' must be an ISO 8601 timestamp.");
        if (!long.TryParse(headers[SequenceHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            return Parsed<VideoFrame>.Fail(RejectionReason.InvalidField, $"seq '{headers[SequenceHeader]}' must be a non-negative integer.");

        var bytes = payload.Span;
        if (format == VideoFormat.Rgb24 && bytes.Length != (long)width * height * 3)
            return Parsed<VideoFrame>.Fail(RejectionReason.FrameSize, $"rgb24 {width}x{height} needs {(long)width * height * 3} bytes, the payload has {bytes.Length}.");
        if (format == VideoFormat.Jpeg)
        {
            // A JPEG starts with the SOI marker FF D8 and ends with EOI FF D9; a cut-off upload loses the EOI, other bytes have no SOI.
            if (bytes.Length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8)
                return Parsed<VideoFrame>.Fail(RejectionReason.CorruptJpeg, "jpeg payload does not start with the SOI marker FF D8: it is not a JPEG.");
            if (bytes[^2] != 0xFF || bytes[^1] != 0xD9)
                return Parsed<VideoFrame>.Fail(RejectionReason.TruncatedJpeg, $"jpeg payload of {bytes.Length} bytes does not end with the EOI marker FF D9: it was cut off.");
        }
        return Parsed<VideoFrame>.Ok(new VideoFrame(stream, format, width, height, time, seq, payload));
    }
}
