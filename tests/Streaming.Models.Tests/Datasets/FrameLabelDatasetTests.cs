using Streaming.Models.Datasets;

namespace Streaming.Models.Tests.Datasets;

public sealed class FrameLabelDatasetTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), $"framelabels-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    void Write(string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    void WriteNpy(string relative, int[] shape, Func<int, float> value) =>
        NpyTestFile.Write(Path.Combine(root, relative), shape, [.. Enumerable.Range(0, shape.Aggregate(1, (n, d) => n * d)).Select(value)]);

    /// <summary>Two videos (5 and 3 frames) of actions a, b, one split.</summary>
    void WriteTwoVideos()
    {
        Write("mapping.txt", "0 a\n1 b\n");
        Write("groundTruth/v1.txt", "a\na\nb\nb\nb\n");
        Write("groundTruth/v2.txt", "b\na\na\n");
        Write("splits/split1.train", "v1.txt\n");
        Write("splits/split1.test", "v2.txt\n");
    }

    [Fact]
    public void FiftySalads_OpensWithItsFiveSubjectSplits()
    {
        var salads = FrameLabelDataset.Open(SharedData.Path("50salads"));
        Assert.Equal(19, salads.Actions.Count);
        Assert.Equal(5, salads.SplitCount);
        var (train, test) = salads.Split(1);
        Assert.Equal(40, train.Count);
        Assert.Equal(10, test.Count);
        var first = test.Single(v => v.Name == "rgb-01-1");
        Assert.Equal(11679, first.Labels.Length);
        Assert.Equal("action_start", salads.Actions[first.Labels[0]]);
        Assert.Null(first.FeaturesPath);
    }

    [Fact]
    public void BreakfastStyleBundles_AndMappingBf_AreRead()
    {
        Write("mapping_bf.txt", "0 SIL\n1 pour_milk\n");
        Write("groundTruth/P03_cereals.txt", "SIL\nSIL\npour_milk\n");
        Write("groundTruth/P04_cereals.txt", "pour_milk\nSIL\n");
        Write("splits/train.split1.bundle", "P03_cereals.txt\n");
        Write("splits/test.split1.bundle", "P04_cereals.txt\n");
        WriteNpy("features/P04_cereals.npy", [3, 2], i => i);
        var data = FrameLabelDataset.Open(root);
        Assert.Equal(3, data.FeatureWidth);
        Assert.False(data.EveryVideoHasFeatures);
        var (train, test) = data.Split(1);
        Assert.Equal([0, 0, 1], train[0].Labels);
        Assert.Equal([1, 0], test[0].Labels);
        Assert.EndsWith("P04_cereals.npy", test[0].FeaturesPath, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(2));
    }

    [Fact]
    public void BadInputs_GetSpecificErrors()
    {
        Write("mapping.txt", "0 a\n1 b\n");
        Write("groundTruth/v1.txt", "a\nc\n");
        Write("groundTruth/v2.txt", "\n");
        Write("splits/split1.train", "#bundle\n./data/groundTruth/v1.txt\n");
        Write("splits/split1.test", "#bundle\n./data/groundTruth/v3.txt\n");
        var data = FrameLabelDataset.Open(root);
        Assert.Contains("label 'c' is not in the mapping", Assert.Throws<FormatException>(() => data.Video("v1")).Message, StringComparison.Ordinal);
        Assert.Contains("no labelled frames", Assert.Throws<FormatException>(() => data.Video("v2")).Message, StringComparison.Ordinal);
        Assert.Contains("'v3' is listed in a split", Assert.Throws<FileNotFoundException>(() => data.Video("v3")).Message, StringComparison.Ordinal);
        Write("mapping.txt", "0 a\n2 b\n");
        Assert.Contains("with index 1", Assert.Throws<FormatException>(() => FrameLabelDataset.Open(root)).Message, StringComparison.Ordinal);
        Assert.Throws<DirectoryNotFoundException>(() => FrameLabelDataset.Open(Path.Combine(root, "nothing")));
    }

    [Fact]
    public void Features_DByT_LoadWholeOrAtFrames()
    {
        WriteTwoVideos();
        WriteNpy("features/v1.npy", [3, 5], i => i);                      // feature d of frame t = 5 d + t
        WriteNpy("features/v2.npy", [3, 3], i => -i);
        var data = FrameLabelDataset.Open(root);
        Assert.Equal(3, data.FeatureWidth);
        Assert.True(data.EveryVideoHasFeatures);
        var (train, test) = data.Split(1);
        var v1 = train.Single();
        Assert.Equal([3, 5], v1.Features().Shape);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (float)i), v1.Features().ToArray());
        var rows = v1.FeaturesAt([4, 0, 2]);
        Assert.Equal([3, 3], rows.Shape);
        Assert.Equal([4f, 9, 14, 0, 5, 10, 2, 7, 12], rows.ToArray());
        Assert.Equal([0f, -3, -6], test.Single().FeaturesAt([0]).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => v1.FeaturesAt([5]));
        Assert.Contains("has no feature file", Assert.Throws<InvalidOperationException>(() => (v1 with { FeaturesPath = null }).Features()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_WithoutAny_DatasetIsLabelOnly()
    {
        WriteTwoVideos();
        var data = FrameLabelDataset.Open(root);
        Assert.Null(data.FeatureWidth);
        Assert.False(data.EveryVideoHasFeatures);
        Assert.Null(data.Split(1).Train[0].FeaturesPath);
    }

    [Fact]
    public void Features_LengthMismatch_NamesBothFilesAndBothLengths()
    {
        WriteTwoVideos();
        WriteNpy("features/v1.npy", [3, 6], i => i);
        var data = FrameLabelDataset.Open(root);
        var message = Assert.Throws<FormatException>(() => data.Split(1)).Message;
        Assert.Contains("feature/label length mismatch", message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(root, "features", "v1.npy") + " has T = 6 frames", message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(root, "groundTruth", "v1.txt") + " has 5 labelled frames", message, StringComparison.Ordinal);
        Assert.Contains("feature/label length mismatch", Assert.Throws<FormatException>(
            () => new LabelledVideo("v1", [0, 0, 1, 1], Path.Combine(root, "features", "v1.npy")).Features()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_TransposedOrWrongRank_AreRefused()
    {
        WriteTwoVideos();
        WriteNpy("features/v1.npy", [15], i => i);
        Assert.Contains("must be a 2-D [D, T] matrix (D features per frame, T frames); this one has shape (15)",
            Assert.Throws<FormatException>(() => FrameLabelDataset.Open(root)).Message, StringComparison.Ordinal);
        WriteNpy("features/v1.npy", [5, 3], i => i);                      // [T, D]: its T is read as D = 5 and its D as 3 frames
        Assert.Contains("has T = 3 frames but", Assert.Throws<FormatException>(() => FrameLabelDataset.Open(root).Split(1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Features_MixedWidths_NameBothFiles()
    {
        WriteTwoVideos();
        WriteNpy("features/v1.npy", [3, 5], i => i);
        WriteNpy("features/v2.npy", [4, 3], i => i);
        var message = Assert.Throws<FormatException>(() => FrameLabelDataset.Open(root)).Message;
        Assert.Contains("feature width mismatch", message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(root, "features", "v1.npy") + " has D = 3", message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(root, "features", "v2.npy") + " has D = 4", message, StringComparison.Ordinal);
    }
}
