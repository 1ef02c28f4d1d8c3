using Microsoft.ML.OnnxRuntime;
using Streaming.Video.Imaging;
using Streaming.Video.Pose;
using Streaming.Video.Tests.Pose;
using Xunit.Abstractions;

namespace Streaming.Video.Tests.Tfjs;

/// <summary>
/// The importer's ONNX MoveNet, run by ONNX Runtime on a batch of real frames, against TensorFlow.js running the same
/// model.json one frame at a time on the same pixels.
/// </summary>
public sealed class TfjsImporterAgreementTests(ITestOutputHelper output)
{
    // Both sides dequantize the same float16 weights; what is left is float32 rounding in differently ordered sums.
    // A keypoint's position is an argmax cell plus a regressed offset, so a near-tie flipping would move it by a whole
    // cell (1/48 of the input): a tolerance far below that shows the decoder picked the same cells.
    const float CoordinateTolerance = 1e-4f;
    const float ScoreTolerance = 1e-4f;

    public static TheoryData<string> Variants => new() { MoveNet.Lightning.Name, MoveNet.Thunder.Name };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Import_MoveNet_AgreesWithTensorFlowJs(string variant)
    {
        var model = MoveNet.Parse(variant);
        var size = model.InputSize;
        List<RgbImage> frames = [.. SampleFrames.Letterboxed("demo.mp4", 5, 50, size), .. SampleFrames.Letterboxed("S001C001P001R001A001_rgb.avi", 3, 30, size)];
        var raw = frames.SelectMany(f => f.Pixels).ToArray();

        var expected = PosePeer.Run(ImportedMoveNet.Tfjs(model), raw, frames.Count, size);

        using var session = new InferenceSession(ImportedMoveNet.Onnx(model));
        using var input = OrtValue.CreateTensorValueFromMemory(raw.Select(b => (int)b).ToArray(), [frames.Count, size, size, 3]);
        using var results = session.Run(new RunOptions(), ["input"], [input], ["Identity", "features"]);
        var actual = results[0].GetTensorDataAsSpan<float>().ToArray(); // (N, 1, 17, 3)
        Assert.Equal([frames.Count, 1, 17, 3], results[0].GetTensorTypeAndShape().Shape);
        Assert.Equal([frames.Count, 1280], results[1].GetTensorTypeAndShape().Shape);

        float maxCoordinate = 0, maxScore = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(51, expected[i].Length);
            for (var j = 0; j < 51; j++)
            {
                var d = Math.Abs(actual[i * 51 + j] - expected[i][j]);
                if (j % 3 == 2) maxScore = Math.Max(maxScore, d);
                else maxCoordinate = Math.Max(maxCoordinate, d);
            }
        }
        var confident = expected.Sum(e => Enumerable.Range(0, 17).Count(j => e[j * 3 + 2] > 0.3f));
        output.WriteLine($"{variant}: {frames.Count} frames, max |dy|,|dx| = {maxCoordinate:E2} (normalized), max |dscore| = {maxScore:E2}; {confident} of {frames.Count * 17} keypoints scored > 0.3 by tfjs");
        Assert.True(confident > frames.Count * 17 / 4, "the sample frames should show people the model finds (else the comparison proves little)");
        Assert.True(maxCoordinate <= CoordinateTolerance, $"max keypoint coordinate difference {maxCoordinate} exceeds {CoordinateTolerance}");
        Assert.True(maxScore <= ScoreTolerance, $"max keypoint score difference {maxScore} exceeds {ScoreTolerance}");
    }
}
