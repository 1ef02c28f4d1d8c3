using Streaming.Pipeline;
using Streaming.Video.Pose;

namespace Streaming.Service.Configuration;

/// <summary>
/// The camera-frame path's settings (section <c>Video</c>, <c>STREAMING_Video__…</c>, flags): which pose model runs and
/// how, and the micro-batches of frames in front of it. Used when <see cref="PipelineSettings.Input"/> is
/// <see cref="PipelineInput.Frames"/>; the backpressure policy is <see cref="PipelineSettings.Backpressure"/>.
/// </summary>
/// <remarks>
/// <see cref="PoseModel"/> names MoveNet (<c>lightning</c>, <c>thunder</c>), whose input and output are known, or an ONNX
/// file of the user's, which the <c>Input…</c>/<c>…Output</c> settings describe (<see cref="PoseModelSettings"/>; unset:
/// MoveNet Lightning's layout).
/// </remarks>
public sealed record VideoSettings
{
    public const string SectionName = "Video";

    /// <summary><c>lightning</c> or <c>thunder</c> (MoveNet SinglePose, imported on first use into build/models), or a .onnx file; <c>--pose-model</c>.</summary>
    public string PoseModel { get; init; } = "lightning";

    /// <summary>An ONNX file's input size in pixels.</summary>
    public int? InputWidth { get; init; }

    public int? InputHeight { get; init; }

    /// <summary>An ONNX file's input order: <c>Nhwc</c> (TensorFlow exports) or <c>Nchw</c> (PyTorch exports).</summary>
    public PoseInputLayout? InputLayout { get; init; }

    /// <summary>An ONNX file's pixel values: <c>Bytes</c> (0..255) or <c>Unit</c> (0..1, float inputs).</summary>
    public PoseValueRange? ValueRange { get; init; }

    /// <summary>An ONNX file's keypoint triples: <c>YxScoreNormalized</c> (MoveNet) or <c>XyScorePixels</c>.</summary>
    public KeypointLayout? OutputLayout { get; init; }

    /// <summary>An ONNX file's keypoint output name (unset: its first output).</summary>
    public string? KeypointsOutput { get; init; }

    /// <summary>An ONNX file's per-frame features output [N, C] (unset: none).</summary>
    public string? FeaturesOutput { get; init; }

    /// <summary>ONNX Runtime's intra-op threads; 0 lets it choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary><c>Cpu</c>, or <c>Cuda</c> where the GPU build of ONNX Runtime and a GPU are present (otherwise the CPU, with a warning).</summary>
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>Most frames, of all streams together, per pose-model call.</summary>
    public int PoseBatchSize { get; init; } = 16;

    /// <summary>Frames one stream may have waiting while the pose model is busy; beyond it the backpressure policy drops frames.</summary>
    public int FramesQueuedPerStream { get; init; } = 8;

    /// <summary>Largest frame payload; bigger ones are dead-lettered as <c>oversized</c>.</summary>
    public int MaxFrameBytes { get; init; } = FramePipelineOptions.DefaultMaxFrameBytes;

    /// <summary>The MoveNet that <see cref="PoseModel"/> names, or null when it names an ONNX file.</summary>
    public MoveNet? MoveNet => PoseModel.Trim().ToLowerInvariant() switch
    {
        "lightning" or "movenet-lightning" => Video.Pose.MoveNet.Lightning,
        "thunder" or "movenet-thunder" => Video.Pose.MoveNet.Thunder,
        _ => null,
    };

    /// <summary>Throws, naming the key, on a setting that cannot work.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(PoseModel))
            throw new ArgumentException($"{SectionName}:PoseModel is empty: give lightning, thunder (MoveNet) or an .onnx file of a COCO-17 pose model.");
        var describesAFile = InputWidth is not null || InputHeight is not null || InputLayout is not null || ValueRange is not null || OutputLayout is not null
            || KeypointsOutput is not null || FeaturesOutput is not null;
        if (MoveNet is not null && describesAFile)
            throw new ArgumentException($"{SectionName}: InputWidth, InputHeight, InputLayout, ValueRange, OutputLayout, KeypointsOutput and FeaturesOutput describe an .onnx file of your own; " +
                $"{SectionName}:PoseModel '{PoseModel}' is MoveNet, whose are known. Remove them, or set {SectionName}:PoseModel to your .onnx file.");
        try
        {
            ToPoseModelSettings(MoveNet is { } m ? m.Name + ".onnx" : PoseModel).Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"configuration section '{SectionName}': {e.Message}", e);
        }
    }

    /// <summary>
    /// The model for <see cref="OnnxPoseModel"/>: MoveNet's own description at <paramref name="onnxPath"/> (its import), or
    /// the ONNX file of <see cref="PoseModel"/> as the <c>Input…</c>/<c>…Output</c> settings describe it.
    /// </summary>
    public PoseModelSettings ToPoseModelSettings(string onnxPath)
    {
        if (MoveNet is { } moveNet)
            return PoseModels.Settings(moveNet, onnxPath) with { IntraOpThreads = IntraOpThreads, ExecutionProvider = ExecutionProvider };
        var defaults = new PoseModelSettings { ModelPath = onnxPath };
        return defaults with
        {
            InputWidth = InputWidth ?? defaults.InputWidth,
            InputHeight = InputHeight ?? defaults.InputHeight,
            InputLayout = InputLayout ?? defaults.InputLayout,
            ValueRange = ValueRange ?? defaults.ValueRange,
            OutputLayout = OutputLayout ?? defaults.OutputLayout,
            KeypointsOutput = KeypointsOutput,
            FeaturesOutput = FeaturesOutput,
            IntraOpThreads = IntraOpThreads,
            ExecutionProvider = ExecutionProvider,
        };
    }
}
