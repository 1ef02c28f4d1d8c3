namespace Streaming.Video.Ingest;

/// <summary>
/// Where a video comes from: a file path, a network URL or a V4L2 device, checked before ffmpeg starts so that a typo
/// fails with a message naming it rather than with ffmpeg's.
/// </summary>
public sealed record VideoSourceAddress
{
    /// <summary>URL schemes read as live network streams (ffmpeg's protocols for cameras and restreamers).</summary>
    public static readonly IReadOnlyList<string> NetworkSchemes = ["rtsp", "rtsps", "rtmp", "srt", "udp", "tcp", "http", "https"];

    VideoSourceAddress(string location, VideoSourceKind kind) => (Location, Kind) = (location, kind);

    /// <summary>What ffmpeg opens: an absolute file path, the URL as given, or the device path.</summary>
    public string Location { get; }

    public VideoSourceKind Kind { get; }

    /// <summary>Network and device sources run on the wall clock and reconnect; files do neither.</summary>
    public bool IsLive => Kind != VideoSourceKind.File;

    /// <summary>The location fit for logs: a URL's user name and password replaced by <c>***</c>.</summary>
    public string Display =>
        Kind == VideoSourceKind.Network && Uri.TryCreate(Location, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? Location.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
            : Location;

    /// <summary>
    /// A stream id for the source when none is given: the file name without its extension, the device name (<c>video0</c>),
    /// or the URL's host and path, with characters other than letters, digits, '.', '_' and '-' as '-'.
    /// </summary>
    public string DefaultStreamId
    {
        get
        {
            var name = Kind switch
            {
                VideoSourceKind.File => Path.GetFileNameWithoutExtension(Location),
                VideoSourceKind.Device => Path.GetFileName(Location),
                _ => Uri.TryCreate(Location, UriKind.Absolute, out var uri) ? uri.Host + (uri.IsDefaultPort ? "" : "-" + uri.Port) + uri.AbsolutePath : Location,
            };
            var id = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray()).Trim('-');
            return id.Length > 0 ? id : "video";
        }
    }

    /// <summary>Reads <paramref name="location"/> as a device (<c>/dev/...</c>), a URL (<c>scheme://...</c>) or a file path.</summary>
    /// <exception cref="VideoSourceException">The file or device does not exist, or the URL's scheme is not a supported stream protocol.</exception>
    public static VideoSourceAddress Parse(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (location.StartsWith("/dev/", StringComparison.Ordinal))
        {
            if (!File.Exists(location))
                throw new VideoSourceException($"camera device '{location}' does not exist (is the camera connected? V4L2 cameras are /dev/video0, /dev/video1, ...).");
            return new VideoSourceAddress(location, VideoSourceKind.Device);
        }
        int separator = location.IndexOf("://", StringComparison.Ordinal);
        if (separator > 0)
        {
            var scheme = location[..separator].ToLowerInvariant();
            if (!NetworkSchemes.Contains(scheme))
                throw new VideoSourceException(
                    $"video source '{location}': the URL scheme '{scheme}://' is not supported; give a file path, a camera device (/dev/videoN) " +
                    $"or a stream URL starting {string.Join(", ", NetworkSchemes.Select(s => s + "://"))}.");
            if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
                throw new VideoSourceException($"video source '{location}' is not a valid {scheme}:// URL (expected {scheme}://host[:port]/path).");
            return new VideoSourceAddress(location, VideoSourceKind.Network);
        }
        var path = Path.GetFullPath(location);
        if (Directory.Exists(path))
            throw new VideoSourceException($"video source '{path}' is a folder; give a video file in it.");
        if (!File.Exists(path))
            throw new VideoSourceException($"video file '{path}' does not exist.");
        return new VideoSourceAddress(path, VideoSourceKind.File);
    }
}
