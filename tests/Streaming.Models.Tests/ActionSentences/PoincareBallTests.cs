using Streaming.Models.ActionSentences;
using Streaming.Tensors;
using Streaming.Tensors.Tests.Reference;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Models.Tests.ActionSentences;

public class PoincareBallTests
{
    /// <summary>Rows of width d in random directions with the given norms (cycled over the rows).</summary>
    static OracleInput AtNorms(int rows, int d, params double[] norms)
    {
        var rng = new Random(rows * 31 + d);
        var data = new float[rows * d];
        for (int r = 0; r < rows; r++)
        {
            var direction = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double length = Math.Sqrt(direction.Sum(v => v * v));
            for (int j = 0; j < d; j++) data[r * d + j] = (float)(direction[j] / length * norms[r % norms.Length]);
        }
        return new OracleInput(data, [rows, d]);
    }

    [Fact]
    public void PoincareExpMap0_MatchesTorch_NearOriginAndSaturating()
    {
        Against(
            new OpCase("ref_action_sentences.expmap0(x0)", x => PoincareBall.ExpMap0(x[0]), [Rand([5, 4])]),
            new OpCase("ref_action_sentences.expmap0(x0, 0.5)", x => PoincareBall.ExpMap0(x[0], 0.5f), [Rand([2, 3, 6], 2f)]),
            new OpCase("ref_action_sentences.expmap0(x0, 2.0)", x => PoincareBall.ExpMap0(x[0], 2f), [AtNorms(4, 3, 0.1, 1.0, 2.0, 3.0)]),
            new OpCase("ref_action_sentences.expmap0(x0)", x => PoincareBall.ExpMap0(x[0]), [AtNorms(4, 5, 1e-7, 1e-5, 5e-4, 2e-3)]),
            new OpCase("ref_action_sentences.expmap0(x0)", x => PoincareBall.ExpMap0(x[0]), [AtNorms(3, 4, 7.0, 12.0, 40.0)]),
            new OpCase("ref_action_sentences.expmap0(x0)", x => PoincareBall.ExpMap0(x[0]), [AtNorms(1, 1, 0.3)]));
    }

    [Fact]
    public void PoincareLogMap0_MatchesTorch_NearOriginAndBoundary()
    {
        Against(
            new OpCase("ref_action_sentences.logmap0(x0)", x => PoincareBall.LogMap0(x[0]), [AtNorms(5, 4, 0.1, 0.3, 0.5, 0.7, 0.9)]),
            new OpCase("ref_action_sentences.logmap0(x0, 0.5)", x => PoincareBall.LogMap0(x[0], 0.5f), [AtNorms(4, 6, 0.2, 0.8, 1.2, 1.4)]),
            new OpCase("ref_action_sentences.logmap0(x0)", x => PoincareBall.LogMap0(x[0]), [AtNorms(4, 5, 1e-7, 1e-5, 5e-4, 2e-3)]),
            new OpCase("ref_action_sentences.logmap0(x0)", x => PoincareBall.LogMap0(x[0]), [AtNorms(4, 3, 0.999, 0.9999, 0.99999, 1.5)], 1e-4f, 1e-4f),
            new OpCase("ref_action_sentences.logmap0(x0, 3.0)", x => PoincareBall.LogMap0(x[0], 3f), [AtNorms(3, 8, 0.1, 0.5, 0.577)], 1e-4f, 1e-4f));
    }

    [Fact]
    public void PoincareDistance_PairwiseAndRowwise_MatchesTorch()
    {
        Against(
            new OpCase("ref_action_sentences.poincare_dist(x0, x1, pairwise=True)", x => PoincareBall.PairwiseDistance(x[0], x[1]), [AtNorms(5, 4, 0.1, 0.4, 0.6, 0.2, 0.5), AtNorms(7, 4, 0.3, 0.7, 0.05)]),
            new OpCase("ref_action_sentences.poincare_dist(x0, x1, 0.7, pairwise=True)", x => PoincareBall.PairwiseDistance(x[0], x[1], 0.7f), [AtNorms(3, 6, 0.5, 0.9, 1.1), AtNorms(4, 6, 0.2, 1.0)]),
            new OpCase("ref_action_sentences.poincare_dist(x0, x1, pairwise=True)", x => PoincareBall.PairwiseDistance(x[0], x[1]), [AtNorms(4, 3, 1e-6, 1e-4, 1e-2, 0.0), AtNorms(3, 3, 1e-5, 2e-6, 0.3)]),
            new OpCase("ref_action_sentences.poincare_dist(x0, x1)", x => PoincareBall.Distance(x[0], x[1]), [AtNorms(6, 5, 0.3, 0.6, 0.9), AtNorms(6, 5, 0.8, 0.1, 0.5)]),
            new OpCase("ref_action_sentences.poincare_dist(x0.reshape(2, 3, 4), x1.reshape(2, 3, 4), 2.0)", x => PoincareBall.Distance(x[0].Reshape(2, 3, 4), x[1].Reshape(2, 3, 4), 2f), [AtNorms(6, 4, 0.1, 0.5, 0.7), AtNorms(6, 4, 0.6, 0.2)]));
    }

    [Fact]
    public void PoincareDistance_NearTheBoundary_MatchesTorch()
    {
        Against(
            new OpCase("ref_action_sentences.poincare_dist(x0, x1, pairwise=True)", x => PoincareBall.PairwiseDistance(x[0], x[1]), [AtNorms(4, 4, 0.999, 0.9999, 0.99999, 0.5), AtNorms(3, 4, 0.9995, 0.99995, 0.1)], 1e-4f, 1e-4f),
            new OpCase("ref_action_sentences.poincare_dist(x0, x1)", x => PoincareBall.Distance(x[0], x[1]), [AtNorms(3, 3, 0.9999, 0.99, 1.3), AtNorms(3, 3, 0.99999, 0.9999, 0.2)], 1e-4f, 1e-4f));
    }

    [Fact]
    public void PoincareDistance_EqualPoints_IsTinyWithZeroGradient()
    {
        var x = Tensor.Parameter([0.3f, -0.2f, 0f, 0f], 2, 2);
        var y = Tensor.Parameter([0.3f, -0.2f, 0f, 0f], 2, 2);
        var d = PoincareBall.Distance(x, y);
        Assert.All(d.ToArray(), v => Assert.InRange(v, 0f, 2e-6f));
        d.Sum().Backward();
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(y.Grad!.ToArray(), v => Assert.Equal(0f, v));

        var zero = Tensor.Parameter([0f, 0f, 0f], 1, 3);
        var mapped = PoincareBall.ExpMap0(zero);
        Assert.Equal([0f, 0f, 0f], mapped.ToArray());
        mapped.Backward(Tensor.FromArray([1f, 2f, 3f], 1, 3));
        Assert.Equal([1f, 2f, 3f], zero.Grad!.ToArray());
    }

    [Fact]
    public void PoincareMaps_RoundTrip()
    {
        var v = Tensor.FromArray(RandomData(new Random(9), 40, 1.5f), 10, 4);
        var back = PoincareBall.LogMap0(PoincareBall.ExpMap0(v, 0.8f), 0.8f).ToArray();
        Close("log0(exp0(v))", back, v.ToArray(), 1e-4f, 1e-4f);
        // Through the origin the geodesic distance is 2 artanh(sqrt(c)|y|)/sqrt(c) = 2 |log0(y)|.
        var origin = Tensor.Zeros(1, 4);
        var fromOrigin = PoincareBall.PairwiseDistance(origin, PoincareBall.ExpMap0(v)).ToArray();
        var logNorms = PoincareBall.LogMap0(PoincareBall.ExpMap0(v)).Square().Sum(1).Sqrt().Mul(2f).ToArray();
        Close("d(0, exp0(v))", fromOrigin, logNorms, 1e-4f, 1e-4f);
    }

    [Fact]
    public void Poincare_BadArguments_NameOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => PoincareBall.PairwiseDistance(Tensor.Zeros(4, 3), Tensor.Zeros(5, 2)));
        Assert.Contains("pairwise_poincare_distance", ex.Message);
        Assert.Contains("(4, 3)", ex.Message);
        Assert.Contains("(5, 2)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => PoincareBall.Distance(Tensor.Zeros(4, 3), Tensor.Zeros(5, 3)));
        Assert.Contains("poincare_distance", ex.Message);
        Assert.Contains("(5, 3)", ex.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => PoincareBall.ExpMap0(Tensor.Zeros(2, 3), 0f));
        Assert.Contains("poincare_expmap0", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PoincareBall.LogMap0(Tensor.Zeros(2, 3), float.NaN));
    }
}
