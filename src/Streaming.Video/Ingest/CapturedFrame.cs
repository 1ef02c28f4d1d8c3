using Streaming.Video.Imaging;

namespace Streaming.Video.Ingest;

/// <summary>
/// One decoded frame with the <see cref="Pipeline.Contracts.VideoFrame"/> headers it travels with: its sequence number
/// (gaps mean frames the source missed) and capture time.
/// </summary>
public sealed record CapturedFrame(long Sequence, DateTimeOffset CaptureTime, RgbImage Image);
