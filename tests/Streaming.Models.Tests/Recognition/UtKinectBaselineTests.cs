using Streaming.Models.Datasets;
using Streaming.Models.Recognition;

namespace Streaming.Models.Tests.Recognition;

public class UtKinectBaselineTests
{
    static readonly string Root = SharedData.Path("utkinect-action3d");

    static readonly Lazy<BaselineResult> Trained = new(() => UtKinectBaseline.Train(Root, new BaselineOptions()));

    [Fact]
    public void Train_OnSplitOne_RecognizesTestSubjectsWindowsWellAboveChance()
    {
        var r = Trained.Value;
        Assert.True(r.TrainWindows > 500 && r.TestWindows > 500, $"{r.TrainWindows} train and {r.TestWindows} test windows");
        // 10 classes: chance is about 10%.
        Assert.True(r.TestAccuracy > 0.6, $"test accuracy {r.TestAccuracy:P1}");
        Assert.True(r.TrainAccuracy >= r.TestAccuracy - 0.05, $"train {r.TrainAccuracy:P1}, test {r.TestAccuracy:P1}");
    }

    [Fact]
    public void Classifier_SavedAndLoaded_GivesTheSameProbabilities()
    {
        var classifier = Trained.Value.Classifier;
        var path = Path.Combine(Path.GetTempPath(), $"pose-{Guid.NewGuid():N}.safetensors");
        try
        {
            classifier.Save(path);
            var loaded = PoseClassifier.Load(path);
            var window = UtKinectBaseline.Windows(UtKinect.Load(Root)[0], new BaselineOptions()).First();
            Assert.Equal(classifier.Probabilities(window.Frames, window.FrameCount), loaded.Probabilities(window.Frames, window.FrameCount));
            Assert.Equal(classifier.Labels, loaded.Labels);
            Assert.Equal("kinect20", loaded.Layout);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_CorruptOrForeignFile_NamesTheProblem()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pose-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllBytes(path, [1, 2, 3]);
            Assert.ThrowsAny<Exception>(() => PoseClassifier.Load(path));
            Streaming.Tensors.IO.SafeTensorsWriter.Write(path, new Dictionary<string, Streaming.Tensors.Tensor> { ["w"] = Streaming.Tensors.Tensor.Zeros(2) });
            var e = Assert.Throws<InvalidDataException>(() => PoseClassifier.Load(path));
            Assert.Contains("metadata 'kind'", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PoseStatistics_AreInvariantToTranslationAndScale()
    {
        var window = UtKinectBaseline.Windows(UtKinect.Load(Root)[3], new BaselineOptions()).First();
        var moved = window.Frames.Select((v, i) => v * 1.7f + (i % 3 == 2 ? 3f : -1f)).ToArray();
        var a = new float[PoseStatistics.Size(20)];
        var b = new float[PoseStatistics.Size(20)];
        PoseStatistics.Describe(window.Frames, window.FrameCount, 20, a);
        PoseStatistics.Describe(moved, window.FrameCount, 20, b);
        for (int i = 0; i < a.Length; i++) Assert.True(MathF.Abs(a[i] - b[i]) < 1e-3f, $"feature {i}: {a[i]} against {b[i]}");
        Assert.Throws<ArgumentException>(() => PoseStatistics.Describe(window.Frames.AsSpan(1), window.FrameCount, 20, a));
    }
}
