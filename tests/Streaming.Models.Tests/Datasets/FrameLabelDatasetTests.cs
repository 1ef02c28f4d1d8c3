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
        Write("features/P04_cereals.npy", "");
        var data = FrameLabelDataset.Open(root);
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
}
