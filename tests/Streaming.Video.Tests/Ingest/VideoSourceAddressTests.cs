using Streaming.Video.Ingest;

namespace Streaming.Video.Tests.Ingest;

public class VideoSourceAddressTests
{
    [Fact]
    public void Parse_MissingFile_NamesThePath()
    {
        var e = Assert.Throws<VideoSourceException>(() => VideoSourceAddress.Parse("no/such/clip.mp4"));
        Assert.Equal($"video file '{Path.GetFullPath("no/such/clip.mp4")}' does not exist.", e.Message);
    }

    [Fact]
    public void Parse_UnsupportedScheme_SaysWhichAreSupported()
    {
        var e = Assert.Throws<VideoSourceException>(() => VideoSourceAddress.Parse("ftp://cameras.example/front.mp4"));
        Assert.Contains("the URL scheme 'ftp://' is not supported", e.Message, StringComparison.Ordinal);
        Assert.Contains("rtsp://", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingDevice_NamesIt()
    {
        var e = Assert.Throws<VideoSourceException>(() => VideoSourceAddress.Parse("/dev/video97"));
        Assert.StartsWith("camera device '/dev/video97' does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Folder_AsksForAFile()
    {
        var e = Assert.Throws<VideoSourceException>(() => VideoSourceAddress.Parse(Path.GetTempPath()));
        Assert.Contains("is a folder", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rtsp://admin:secret@10.0.0.7:554/stream1", VideoSourceKind.Network, "10.0.0.7-554-stream1", "rtsp://***@10.0.0.7:554/stream1")]
    [InlineData("tcp://127.0.0.1:9000", VideoSourceKind.Network, "127.0.0.1-9000", "tcp://127.0.0.1:9000")]
    public void Parse_Url_IsALiveNetworkSource(string url, VideoSourceKind kind, string streamId, string display)
    {
        var address = VideoSourceAddress.Parse(url);
        Assert.Equal((kind, true, streamId, display), (address.Kind, address.IsLive, address.DefaultStreamId, address.Display));
    }

    [Fact]
    public void Parse_File_IsNamedAfterItsFile()
    {
        var address = VideoSourceAddress.Parse(Path.Combine(RepositoryFiles.Data, "videos", "demo.mp4"));
        Assert.Equal((VideoSourceKind.File, false, "demo"), (address.Kind, address.IsLive, address.DefaultStreamId));
    }
}
