using Microsoft.Extensions.Logging;
using Streaming.Video.Imaging;
using Streaming.Video.Pose;
using Streaming.Video.Tests.Tfjs;
using Streaming.Video.Tfjs;

namespace Streaming.Video.Tests.Pose;

public sealed class OnnxPoseModelTests
{
    static OnnxPoseModel Lightning(ILogger? logger = null, ExecutionProvider provider = ExecutionProvider.Cpu) =>
        new(PoseModels.Settings(MoveNet.Lightning, ImportedMoveNet.Onnx(MoveNet.Lightning)) with { ExecutionProvider = provider }, logger);

    [Fact]
    public void Estimate_Batch_EqualsSingleRuns()
    {
        using var model = Lightning();
        var frames = SampleFrames.Decode("demo.mp4", 4, 60, "null", 340, 256);

        var batched = model.Estimate(frames);
        var singles = frames.Select(f => model.Estimate([f])[0]).ToList();

        Assert.Equal(4, batched.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            for (var j = 0; j < 51; j++) Assert.Equal(singles[i].Keypoints[j], batched[i].Keypoints[j], 1e-3f);
            for (var j = 0; j < model.FeatureSize; j++) Assert.Equal(singles[i].Features[j], batched[i].Features[j], 1e-4f);
        }
        // Different frames give different poses: the batch is not one frame repeated.
        Assert.NotEqual(batched[0].Keypoints, batched[3].Keypoints);
    }

    [Fact]
    public void Estimate_Features_PooledBackbonePerFrame()
    {
        using var model = Lightning();
        var frames = SampleFrames.Decode("demo.mp4", 2, 100, "null", 340, 256);

        var estimates = model.Estimate(frames);

        Assert.Equal(1280, model.FeatureSize);
        Assert.All(estimates, e => Assert.Equal(1280, e.Features.Length));
        // out_relu is a ReLU6: averages lie in [0, 6], and some channels are active.
        Assert.All(estimates, e => Assert.All(e.Features, f => Assert.InRange(f, 0f, 6f)));
        Assert.All(estimates, e => Assert.Contains(e.Features, f => f > 0.1f));
        Assert.NotEqual(estimates[0].Features, estimates[1].Features);
    }

    /// <summary>
    /// Three frames whose letterboxed inputs are the same pixels: a square one with black bars drawn in, the wide strip
    /// between the bars (padded back by the letterbox), and that strip doubled by pixel repetition (scaled back by 0.5).
    /// Their keypoints must map to the same place of the scene in each frame's own pixels.
    /// </summary>
    [Fact]
    public void Estimate_NonSquareFrames_KeypointsMappedToFramePixels()
    {
        using var model = Lightning();
        var strip = SampleFrames.Decode("demo.mp4", 1, 40, "scale=192:96", 192, 96)[0];
        var square = new byte[192 * 192 * 3];
        strip.Pixels.CopyTo(square, 48 * 192 * 3);
        var doubled = new byte[384 * 192 * 3];
        for (var y = 0; y < 192; y++)
            for (var x = 0; x < 384; x++)
                for (var c = 0; c < 3; c++)
                    doubled[(y * 384 + x) * 3 + c] = strip.Pixels[((y / 2) * 192 + x / 2) * 3 + c];

        var e = model.Estimate([RgbImage.Create(192, 192, square), strip, RgbImage.Create(384, 192, doubled)]);

        for (var j = 0; j < 17; j++)
        {
            float sx = e[0].Keypoints[j * 3], sy = e[0].Keypoints[j * 3 + 1];
            Assert.Equal(sx, e[1].Keypoints[j * 3], 1e-2f);
            Assert.Equal(sy - 48, e[1].Keypoints[j * 3 + 1], 1e-2f);
            Assert.Equal(2 * sx, e[2].Keypoints[j * 3], 2e-2f);
            Assert.Equal(2 * (sy - 48), e[2].Keypoints[j * 3 + 1], 2e-2f);
            Assert.Equal(e[0].Keypoints[j * 3 + 2], e[1].Keypoints[j * 3 + 2], 1e-4f);
            Assert.Equal(e[0].Keypoints[j * 3 + 2], e[2].Keypoints[j * 3 + 2], 1e-4f);
        }
    }

    [Fact]
    public void Estimate_RealFrame_KeypointsInsideFrame()
    {
        using var model = Lightning();
        var frame = SampleFrames.Decode("S001C001P001R001A001_rgb.avi", 1, 40, "null", 1920, 1080)[0];

        var keypoints = model.Estimate([frame])[0].Keypoints;

        var confident = Enumerable.Range(0, 17).Where(j => keypoints[j * 3 + 2] > 0.3f).ToList();
        Assert.True(confident.Count >= 8, $"only {confident.Count} keypoints scored > 0.3 on a frame with a person in full view");
        Assert.All(confident, j =>
        {
            Assert.InRange(keypoints[j * 3], 0f, 1920f);
            Assert.InRange(keypoints[j * 3 + 1], 0f, 1080f);
        });
    }

    [Fact]
    public void Create_Cuda_FallsBackToCpuWithWarning()
    {
        var logger = new RecordingLogger();

        using var model = Lightning(logger, ExecutionProvider.Cuda);

        Assert.Equal(ExecutionProvider.Cpu, model.ExecutionProvider);
        Assert.EndsWith("(onnxruntime, cpu)", model.Name, StringComparison.Ordinal);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("falling back to CPU", warning.Message, StringComparison.Ordinal);
        Assert.Single(model.Estimate([SampleFrames.Decode("demo.mp4", 1, 1, "null", 340, 256)[0]]));
    }

    [Fact]
    public void Create_MissingFile_Throws()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.onnx");

        var e = Assert.Throws<FileNotFoundException>(() => new OnnxPoseModel(new PoseModelSettings { ModelPath = path }));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_CorruptFile_Throws()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, [.. File.ReadAllBytes(ImportedMoveNet.Onnx(MoveNet.Lightning)).Take(5000)]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => new OnnxPoseModel(new PoseModelSettings { ModelPath = path }));

            Assert.Contains("not a valid ONNX model", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Create_WrongOutputShape_NamesTheOutput()
    {
        using var tiny = new TinyTfjsModel(16, 3);
        var onnx = Path.Combine(tiny.Folder, "tiny.onnx");
        TfjsImporter.Import(tiny.Json, onnx);
        var settings = new PoseModelSettings { ModelPath = onnx, InputWidth = 16, InputHeight = 16, ValueRange = PoseValueRange.Unit };

        var e = Assert.Throws<InvalidDataException>(() => new OnnxPoseModel(settings));

        Assert.Contains("output 'y'", e.Message, StringComparison.Ordinal);
        Assert.Contains("COCO-17", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_SettingsDisagreeWithInputSize_Throws()
    {
        var settings = PoseModels.Settings(MoveNet.Lightning, ImportedMoveNet.Onnx(MoveNet.Lightning)) with { InputWidth = 256, InputHeight = 256 };

        var e = Assert.Throws<InvalidDataException>(() => new OnnxPoseModel(settings));

        Assert.Contains("[N,256,256,3]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MissingFeaturesOutput_Throws()
    {
        var settings = PoseModels.Settings(MoveNet.Lightning, ImportedMoveNet.Onnx(MoveNet.Lightning)) with { FeaturesOutput = "embedding" };

        var e = Assert.Throws<InvalidDataException>(() => new OnnxPoseModel(settings));

        Assert.Contains("'embedding'", e.Message, StringComparison.Ordinal);
    }
}
