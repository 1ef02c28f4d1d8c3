using System.Globalization;
using System.Text;
using Streaming.Models.Datasets;

namespace Streaming.Models.Tests.Datasets;

/// <summary>No NTU RGB+D skeleton file is among the shared datasets: files are written here in the published format.</summary>
public sealed class NtuSkeletonTests : IDisposable
{
    readonly string path = Path.Combine(Path.GetTempPath(), $"ntu-{Guid.NewGuid():N}.skeleton");

    public void Dispose() => File.Delete(path);

    static string Body(ulong id, float shift, int joints = 25, string state = "2")
    {
        var text = new StringBuilder($"{id} 0 1 1 1 1 0 0.1 0.2 2\n{joints}\n");
        for (int j = 0; j < joints; j++)
            text.Append(CultureInfo.InvariantCulture, $"{j * 0.01f + shift} {-j * 0.02f} {3.1f + j * 0.001f} 250.1 200.2 1000.5 500.6 0.9 0.1 0.2 0.3 {(j == 3 ? "1" : state)}\n");
        return text.ToString();
    }

    [Fact]
    public void Read_FramesWithZeroOneAndTwoBodies()
    {
        File.WriteAllText(path, "3\n0\n1\n" + Body(72057594037931101, 0) + "2\n" + Body(72057594037931101, 0.5f) + Body(72057594037931102, -1));
        var frames = NtuSkeleton.Read(path);
        Assert.Equal([0, 1, 2], frames.Select(f => f.Count));
        var body = frames[1][0];
        Assert.Equal(72057594037931101UL, body.BodyId);
        Assert.Equal(100, body.Joints.Length);
        Assert.Equal([0.01f, -0.02f, 1f], [body.Joints[4], body.Joints[5], body.Joints[7]]);
        Assert.Equal(3.101f, body.Joints[6], 1e-5f);
        Assert.Equal(0.5f, body.Joints[3 * 4 + 3]);   // joint 3 inferred
        Assert.Equal(0.5f, frames[2][0].Joints[0]);
    }

    [Fact]
    public void Read_BrokenFiles_SayWhereAndWhat()
    {
        File.WriteAllText(path, "2\n1\n" + Body(1, 0));
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => NtuSkeleton.Read(path)).Message, StringComparison.Ordinal);
        File.WriteAllText(path, "1\n1\n" + Body(1, 0, joints: 20));
        Assert.Contains("has 20 joints", Assert.Throws<FormatException>(() => NtuSkeleton.Read(path)).Message, StringComparison.Ordinal);
        File.WriteAllText(path, "1\n1\n" + Body(1, 0, state: "7"));
        Assert.Contains("tracking state '7'", Assert.Throws<FormatException>(() => NtuSkeleton.Read(path)).Message, StringComparison.Ordinal);
        File.WriteAllText(path, "1\n1\n" + Body(1, 0).Replace("3.1", "NaN", StringComparison.Ordinal));
        Assert.Contains("not a finite number", Assert.Throws<FormatException>(() => NtuSkeleton.Read(path)).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => NtuSkeleton.Read(path + ".missing"));
    }
}
