using System.Diagnostics;
using System.Globalization;

namespace Streaming.Video.Tests.Ingest;

/// <summary>Debian's ffprobe, the reference for how many frames a clip has (it decodes every one: <c>-count_frames</c>).</summary>
public static class Ffprobe
{
    public static int CountFrames(string path)
    {
        var output = Run("-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path);
        return int.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffprobe", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffprobe did not start: run scripts/setup.sh.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ffprobe {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Result}");
        return output.Result;
    }
}
