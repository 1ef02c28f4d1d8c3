using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Streaming.Video.Tests.Ingest;

/// <summary>What the server does with one connection.</summary>
public enum Connection
{
    /// <summary>Sends the whole clip and closes: to ffmpeg the stream ended.</summary>
    ClipThenClose,

    /// <summary>Sends the whole clip and keeps the socket open without another byte: the stream stalled.</summary>
    ClipThenHang,

    /// <summary>Closes at once: the camera refused.</summary>
    Refuse,
}

/// <summary>
/// A tcp:// video server for reconnect tests: each accepted connection gets the next scripted behaviour, serving a real
/// MPEG-TS clip that ffmpeg decodes, so the source's reconnect path runs for real without an RTSP server.
/// </summary>
public sealed class ClipServer : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    readonly List<Socket> hanging = [];
    readonly Task serving;

    public ClipServer(byte[] clip, params Connection[] script)
    {
        listener.Start();
        Url = $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        serving = Serve(clip, script);
    }

    public string Url { get; }

    /// <summary>When each connection was accepted, and when the server was done with it (closed or left hanging).</summary>
    public List<(DateTimeOffset Accepted, DateTimeOffset Done)> Connections { get; } = [];

    /// <summary>A 25 fps MPEG-TS clip of <paramref name="frames"/> frames of ffmpeg's test pattern, 64x48.</summary>
    public static byte[] TestPattern(int frames)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pattern-{Guid.NewGuid():N}.ts");
        var start = new ProcessStartInfo("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c:v", "mpeg2video", "-bf", "0", "-f", "mpegts", "-y", path]) { RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ffmpeg could not make the test clip: {error}");
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    async Task Serve(byte[] clip, Connection[] script)
    {
        foreach (var behaviour in script)
        {
            Socket socket;
            try { socket = await listener.AcceptSocketAsync(stop.Token); }
            catch (OperationCanceledException) { return; }
            var accepted = DateTimeOffset.UtcNow;
            if (behaviour != Connection.Refuse) await socket.SendAsync(clip, SocketFlags.None, stop.Token);
            if (behaviour == Connection.ClipThenHang) hanging.Add(socket);
            else socket.Dispose();
            lock (Connections) Connections.Add((accepted, DateTimeOffset.UtcNow));
        }
        // Connections past the script are refused.
        listener.Stop();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try { await serving; } catch (OperationCanceledException) { }
        foreach (var socket in hanging) socket.Dispose();
        stop.Dispose();
    }
}
