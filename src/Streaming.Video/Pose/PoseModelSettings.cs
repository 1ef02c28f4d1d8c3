namespace Streaming.Video.Pose;

/// <summary>
/// Describes a single-person COCO-17 pose model in an ONNX file to <see cref="OnnxPoseModel"/>: MoveNet imported by
/// <c>streaming models import</c> (see <see cref="PoseModels.Settings"/>) or a user's RTMPose or YOLO-pose export.
/// </summary>
public sealed record PoseModelSettings
{
    /// <summary>The .onnx file.</summary>
    public required string ModelPath { get; init; }

    /// <summary>For logs and bench tables; the file name when null.</summary>
    public string? Name { get; init; }

    /// <summary>Input size in pixels; frames are letterboxed into it (aspect kept, black padding).</summary>
    public int InputWidth { get; init; } = 192;

    public int InputHeight { get; init; } = 192;

    public PoseInputLayout InputLayout { get; init; } = PoseInputLayout.Nhwc;

    public PoseValueRange ValueRange { get; init; } = PoseValueRange.Bytes;

    public KeypointLayout OutputLayout { get; init; } = KeypointLayout.YxScoreNormalized;

    /// <summary>The keypoint output's name; the model's first output when null.</summary>
    public string? KeypointsOutput { get; init; }

    /// <summary>An output [N, C] of per-frame features, or null for none.</summary>
    public string? FeaturesOutput { get; init; }

    /// <summary>ONNX Runtime's intra-op threads; 0 lets it choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Cpu;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath)) throw new ArgumentException("pose model: ModelPath is empty.");
        if (InputWidth is < 16 or > 4096 || InputHeight is < 16 or > 4096)
            throw new ArgumentException($"pose model: input size {InputWidth}x{InputHeight} is outside 16..4096.");
        if (IntraOpThreads < 0) throw new ArgumentException($"pose model: IntraOpThreads must be 0 (automatic) or more, got {IntraOpThreads}.");
        if (!Enum.IsDefined(InputLayout) || !Enum.IsDefined(ValueRange) || !Enum.IsDefined(OutputLayout) || !Enum.IsDefined(ExecutionProvider))
            throw new ArgumentException("pose model: an enum setting has an undefined value.");
    }
}
