using Streaming.Service.Tests;
using Streaming.Tensors.Tests.IO;

namespace Streaming.Cli.Tests.Commands;

/// <summary>`streaming demo --video` and `streaming run --input-kind frames` as a user runs them: outputs, and bad input as one error line.</summary>
public sealed class DemoVideoCommandTests : IDisposable
{
    readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    static void AssertOneErrorLine(CliResult result, string expected)
    {
        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}; stderr:\n{result.Error}");
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("streaming: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void DemoVideo_OneClip_WritesItsAnnotatedVideoContactSheetAndTimeline_AndClaimsNoAccuracy()
    {
        var videos = Directory.CreateDirectory(root.File(Path.Combine("data", "videos"))).FullName;
        File.Copy(Path.Combine(RepositoryFiles.Data, "videos", "demo_skeleton.mp4"), Path.Combine(videos, "demo_skeleton.mp4"));
        var output = root.File("out");

        var result = CliProcess.Run(root.Path, "demo", "--video", "--data", root.File("data"), "--out", output,
            "--model", Path.Combine(RepositoryFiles.Root, "samples", "llm-ar-2d"));

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}; stderr:\n{result.Error}\nstdout:\n{result.Output}");
        Assert.Contains("no accuracy is claimed", result.Output, StringComparison.Ordinal);
        Assert.Contains("39 frames published", result.Output, StringComparison.Ordinal);
        foreach (var file in new[] { "demo_skeleton.mp4", "contact-sheet.png", "timeline.html", "results.json" })
            Assert.True(new FileInfo(Path.Combine(output, file)) is { Exists: true, Length: > 100 }, $"{file} missing or empty; stdout:\n{result.Output}");
        Assert.Contains("<h2>demo_skeleton</h2>", File.ReadAllText(Path.Combine(output, "timeline.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void DemoVideo_NoVideosFolder_SaysWhereItLooked()
    {
        AssertOneErrorLine(CliProcess.Run(root.Path, "demo", "--video", "--data", root.File("nothing")), "videos folder");
    }

    [Fact]
    public void Run_Frames_MissingPoseModelFile_OneErrorLineNamingTheSetting()
    {
        var result = CliProcess.Run(root.Path, "run", "--input-kind", "frames", "--pose-model", "absent.onnx",
            "--model", Path.Combine(RepositoryFiles.Root, "samples", "llm-ar-2d"));

        AssertOneErrorLine(result, "Video:PoseModel 'absent.onnx' does not exist");
        Assert.DoesNotContain("embedded broker", result.Output, StringComparison.Ordinal);
    }
}
