using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Ops;

public class Conv1dTests
{
    [Fact]
    public void Conv1d_StridePaddingDilationGroups_MatchesTorch()
    {
        Against(
            new OpCase("F.conv1d(x0, x1, x2)", x => Tensor.Conv1d(x[0], x[1], x[2]), [Rand([2, 3, 10]), Rand([4, 3, 3]), Rand([4])]),
            new OpCase("F.conv1d(x0, x1)", x => Tensor.Conv1d(x[0], x[1]), [Rand([1, 1, 5]), Rand([1, 1, 5])]),
            new OpCase("F.conv1d(x0, x1, x2, stride=2, padding=1)", x => Tensor.Conv1d(x[0], x[1], x[2], stride: 2, padding: 1), [Rand([3, 2, 11]), Rand([5, 2, 4]), Rand([5])]),
            new OpCase("F.conv1d(x0, x1, x2, padding=3, dilation=2)", x => Tensor.Conv1d(x[0], x[1], x[2], padding: 3, dilation: 2), [Rand([2, 3, 9]), Rand([2, 3, 3]), Rand([2])]),
            new OpCase("F.conv1d(x0, x1, x2, stride=3, padding=2, dilation=3, groups=2)", x => Tensor.Conv1d(x[0], x[1], x[2], stride: 3, padding: 2, dilation: 3, groups: 2), [Rand([2, 4, 17]), Rand([6, 2, 3]), Rand([6])]),
            new OpCase("F.conv1d(x0, x1, groups=4, padding=1)", x => Tensor.Conv1d(x[0], x[1], groups: 4, padding: 1), [Rand([2, 4, 7]), Rand([8, 1, 3])]),
            new OpCase("F.conv1d(x0, x1, x2)", x => Tensor.Conv1d(x[0], x[1], x[2]), [Rand([2, 6, 8]), Rand([3, 6, 1]), Rand([3])]),
            new OpCase("F.conv1d(x0.transpose(1, 2), x1, padding=2)", x => Tensor.Conv1d(x[0].Transpose(1, 2), x[1], padding: 2), [Rand([2, 12, 3]), Rand([4, 3, 5])]));
    }

    [Fact]
    public void Conv1dChannelsLast_StridePaddingEdges_MatchesTorch()
    {
        Against(
            new OpCase("F.conv1d(x0.transpose(1, 2), x1, x2, padding=1).transpose(1, 2)", x => Tensor.Conv1dChannelsLast(x[0], x[1], x[2], padding: 1), [Rand([2, 10, 3]), Rand([4, 3, 3]), Rand([4])]),
            new OpCase("F.conv1d(x0.transpose(1, 2), x1).transpose(1, 2)", x => Tensor.Conv1dChannelsLast(x[0], x[1]), [Rand([1, 5, 1]), Rand([2, 1, 5])]),
            new OpCase("F.conv1d(x0.transpose(1, 2), x1, x2, stride=2, padding=1).transpose(1, 2)", x => Tensor.Conv1dChannelsLast(x[0], x[1], x[2], stride: 2, padding: 1), [Rand([3, 11, 2]), Rand([5, 2, 4]), Rand([5])]),
            new OpCase("F.conv1d(x0.transpose(1, 2), x1, x2, stride=3, padding=4).transpose(1, 2)", x => Tensor.Conv1dChannelsLast(x[0], x[1], x[2], stride: 3, padding: 4), [Rand([2, 4, 3]), Rand([2, 3, 3]), Rand([2])]),
            new OpCase("F.conv1d(x0, x1, padding=2).transpose(1, 2)", x => Tensor.Conv1dChannelsLast(x[0].Transpose(1, 2), x[1], padding: 2), [Rand([2, 3, 12]), Rand([4, 3, 5])]));
    }

    [Fact]
    public void Conv1dChannelsLast_EqualsConv1dBetweenTransposes_OnAVtemSizedBatch()
    {
        var rng = new Random(3);
        var x = Tensor.FromArray([.. Enumerable.Range(0, 5 * 64 * 120).Select(_ => (float)(rng.NextDouble() * 2 - 1))], 5, 64, 120);
        var w = Tensor.FromArray([.. Enumerable.Range(0, 128 * 120 * 3).Select(_ => (float)(rng.NextDouble() * 0.2 - 0.1))], 128, 120, 3);
        var b = Tensor.FromArray([.. Enumerable.Range(0, 128).Select(_ => (float)(rng.NextDouble() - 0.5))], 128);
        var expected = Tensor.Conv1d(x.Transpose(1, 2), w, b, padding: 1).Transpose(1, 2).ToArray();
        var actual = Tensor.Conv1dChannelsLast(x, w, b, padding: 1);
        Assert.Equal([5, 64, 128], actual.Shape);
        var got = actual.ToArray();
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(got[i] - expected[i]) < 1e-4f, $"element {i}: {got[i]} against {expected[i]}");
    }

    [Fact]
    public void ConvTranspose1d_StridePaddingOutputPaddingGroups_MatchesTorch()
    {
        Against(
            new OpCase("F.conv_transpose1d(x0, x1, x2)", x => Tensor.ConvTranspose1d(x[0], x[1], x[2]), [Rand([2, 3, 6]), Rand([3, 4, 3]), Rand([4])]),
            new OpCase("F.conv_transpose1d(x0, x1, x2, stride=2, padding=1, output_padding=1)", x => Tensor.ConvTranspose1d(x[0], x[1], x[2], stride: 2, padding: 1, outputPadding: 1), [Rand([2, 4, 7]), Rand([4, 3, 4]), Rand([3])]),
            new OpCase("F.conv_transpose1d(x0, x1, stride=4)", x => Tensor.ConvTranspose1d(x[0], x[1], stride: 4), [Rand([1, 2, 5]), Rand([2, 2, 4])]),
            new OpCase("F.conv_transpose1d(x0, x1, x2, stride=3, padding=2, groups=2, dilation=2)", x => Tensor.ConvTranspose1d(x[0], x[1], x[2], stride: 3, padding: 2, groups: 2, dilation: 2), [Rand([3, 4, 6]), Rand([4, 3, 3]), Rand([6])]));
    }

    [Fact]
    public void Upsample1d_Nearest_MatchesTorch()
    {
        Against(
            new OpCase("F.interpolate(x0, scale_factor=3, mode='nearest')", x => x[0].Upsample1d(3), [Rand([2, 3, 5])]),
            new OpCase("F.interpolate(x0, scale_factor=1, mode='nearest')", x => x[0].Upsample1d(1), [Rand([1, 2, 4])]),
            new OpCase("F.interpolate(x0.transpose(1, 2), scale_factor=2, mode='nearest')", x => x[0].Transpose(1, 2).Upsample1d(2), [Rand([2, 4, 3])]));
    }

    [Fact]
    public void Conv1d_ShapeMismatch_NamesOpAndBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Conv1d(Tensor.Zeros(2, 3, 8), Tensor.Zeros(4, 2, 3)));
        Assert.Contains("conv1d", ex.Message);
        Assert.Contains("(2, 3, 8)", ex.Message);
        Assert.Contains("(4, 2, 3)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.Conv1d(Tensor.Zeros(2, 4, 8), Tensor.Zeros(6, 2, 3), groups: 3));
        Assert.Contains("groups=3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.Conv1d(Tensor.Zeros(1, 1, 2), Tensor.Zeros(1, 1, 3)));
        Assert.Contains("(1, 1, 2)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.Conv1d(Tensor.Zeros(1, 2, 5), Tensor.Zeros(3, 2, 3), Tensor.Zeros(2)));
        Assert.Contains("bias (2)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ConvTranspose1d(Tensor.Zeros(2, 3, 8), Tensor.Zeros(4, 2, 3)));
        Assert.Contains("conv_transpose1d", ex.Message);
        Assert.Contains("(4, 2, 3)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.ConvTranspose1d(Tensor.Zeros(1, 2, 4), Tensor.Zeros(2, 2, 3), stride: 2, outputPadding: 2));
        Assert.Contains("output padding", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.Conv1dChannelsLast(Tensor.Zeros(2, 8, 3), Tensor.Zeros(4, 2, 3)));
        Assert.Contains("conv1d_channels_last", ex.Message);
        Assert.Contains("(2, 8, 3)", ex.Message);
        Assert.Contains("(4, 2, 3)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Tensor.Conv1dChannelsLast(Tensor.Zeros(1, 2, 1), Tensor.Zeros(1, 1, 3)));
        Assert.Contains("shorter than the kernel", ex.Message);
    }
}
