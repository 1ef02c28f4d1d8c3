using Streaming.Video.Pose;

namespace Streaming.Video.Tests.Pose;

/// <summary>The MoveNet models imported to ONNX into build/models (once per test run, on demand).</summary>
public static class ImportedMoveNet
{
    static readonly Lock Gate = new();

    public static string Onnx(MoveNet model)
    {
        lock (Gate) return PoseModels.EnsureImported(PosePeer.BuildFolder, model);
    }

    public static string Tfjs(MoveNet model) => PoseModels.TfjsModel(PosePeer.BuildFolder, model);
}
