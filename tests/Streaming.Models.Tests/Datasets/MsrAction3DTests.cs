using Streaming.Models.Datasets;

namespace Streaming.Models.Tests.Datasets;

public class MsrAction3DTests
{
    [Fact]
    public void Load_Cvpr12List_Gives557SequencesSplit284To273()
    {
        var samples = MsrAction3D.Load(SharedData.Path("msr-action3d"));
        Assert.Equal(557, samples.Count);
        Assert.Equal(284, samples.Count(s => MsrAction3D.IsTrainSubject(s.Subject)));
        Assert.Equal(273, samples.Count(s => !MsrAction3D.IsTrainSubject(s.Subject)));
        Assert.All(samples, s => Assert.InRange(s.Action, 1, 20));
        var first = samples.First(s => s.Name == "a01_s01_e01");
        Assert.Equal(54, first.Skeletons.Frames);
        Assert.Equal(-0.371736f, first.Skeletons.Positions[0], 5);
    }

    [Fact]
    public void TrainSubjects_FollowTheRandomSplitsFile()
    {
        Assert.Equal([1, 2, 3, 5, 10], MsrAction3D.TrainSubjects(SharedData.Path("msr-action3d"), 1).Order());
        Assert.Equal([2, 3, 5, 9, 10], MsrAction3D.TrainSubjects(SharedData.Path("msr-action3d"), 10).Order());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MsrAction3D.TrainSubjects(SharedData.Path("msr-action3d"), 11));
        Assert.Contains("split 11", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSkeletons_WrongFieldCount_NamesFileAndLine()
    {
        var path = System.IO.Path.GetTempFileName();
        File.WriteAllLines(path, ["0 0 0 1", "1 2 3"]);
        var ex = Assert.Throws<FormatException>(() => MsrAction3D.ReadSkeletons(path));
        Assert.Contains(path + ":2", ex.Message);
        File.Delete(path);
    }

    [Fact]
    public void Load_MissingFolder_SaysWhatToPass()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => MsrAction3D.Load("/nonexistent/msr"));
        Assert.Contains("msr-action3d", ex.Message);
    }
}
