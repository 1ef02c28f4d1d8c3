using Streaming.Models.ActionSentences;
using Streaming.Tensors;

namespace Streaming.Models.Tests.ActionSentences;

/// <summary>The encoder's nearest code must be the argmin of the geodesic distances <see cref="PoincareBall.PairwiseDistance"/> computes.</summary>
public sealed class PoincareNearestTests
{
    /// <summary>Rows of width <paramref name="d"/> in random directions, with norms from near the origin to near the boundary of the ball of curvature <paramref name="c"/>.</summary>
    static Tensor InBall(Random rng, int rows, int d, float c)
    {
        var data = new float[rows * d];
        for (int r = 0; r < rows; r++)
        {
            var direction = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double length = Math.Sqrt(direction.Sum(v => v * v)), norm = (r % 4 == 0 ? 0.999 : rng.NextDouble() * 0.95) / Math.Sqrt(c);
            for (int j = 0; j < d; j++) data[r * d + j] = (float)(direction[j] / length * norm);
        }
        return Tensor.FromArray(data, rows, d);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0.5f)]
    [InlineData(2f)]
    public void Indices_AreTheArgMinOfTheGeodesicDistances(float c)
    {
        var rng = new Random(7);
        var (x, points) = (InBall(rng, 64, 16, c), InBall(rng, 96, 16, c));
        var distances = PoincareBall.PairwiseDistance(x, points, c).ToArray();                 // (64, 96)
        var expected = Enumerable.Range(0, 64).Select(n => Array.IndexOf(distances, distances.Skip(n * 96).Take(96).Min(), n * 96) - n * 96);
        Assert.Equal(expected, PoincareNearest.Indices(x, points, c));
    }

    [Fact]
    public void Indices_AtTheServedShape_AndAmongNearTies_AreTheExactArgMin()
    {
        // 512 codes of width 128, as the shipped tokenizers have; then codes 1e-5 apart around x, closer than the GEMM
        // form's rounding, where only the exact comparison that follows it can rank them.
        var rng = new Random(11);
        var (x, points) = (InBall(rng, 40, 128, 1f), InBall(rng, 512, 128, 1f));
        var distances = PoincareBall.PairwiseDistance(x, points).ToArray();
        var expected = Enumerable.Range(0, 40).Select(n => Array.IndexOf(distances, distances.Skip(n * 512).Take(512).Min(), n * 512) - n * 512);
        Assert.Equal(expected, PoincareNearest.Indices(x, points));

        var center = x.ToArray()[..128];
        var near = new float[6 * 128];
        for (int k = 0; k < 6; k++)
            for (int j = 0; j < 128; j++) near[k * 128 + j] = center[j] * 0.5f + (j == k ? 1e-5f * (6 - k) : 0f);
        var query = Tensor.FromArray([.. center.Select(v => v * 0.5f)], 1, 128);
        var tied = Tensor.FromArray(near, 6, 128);
        var exact = PoincareBall.PairwiseDistance(query, tied).ToArray();
        Assert.Equal(Array.IndexOf(exact, exact.Min()), PoincareNearest.Indices(query, tied)[0]);
    }

    [Fact]
    public void Indices_TakeTheFirstOfEqualPoints_AndCheckShapes()
    {
        var points = Tensor.FromArray([0.5f, 0f, 0.1f, 0.2f, 0.1f, 0.2f], 3, 2);
        Assert.Equal([1, 0], PoincareNearest.Indices(Tensor.FromArray([0.1f, 0.21f, 0.45f, 0f], 2, 2), points));
        Assert.Throws<ArgumentException>(() => PoincareNearest.Indices(Tensor.Zeros(2, 3), points));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoincareNearest.Indices(Tensor.Zeros(2, 2), points, 0f));
    }
}
