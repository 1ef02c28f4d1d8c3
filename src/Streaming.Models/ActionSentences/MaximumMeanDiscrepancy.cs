using Streaming.Tensors;

namespace Streaming.Models.ActionSentences;

/// <summary>Maximum mean discrepancy between two samples, composed from differentiable primitives.</summary>
public static class MaximumMeanDiscrepancy
{
    /// <summary>
    /// The biased estimator of MMD^2 between samples x (N, D) and y (M, D) with the Gaussian kernel
    /// k(a, b) = exp(-|a - b|^2 / (2 sigma^2)), sigma = <paramref name="bandwidth"/>:
    /// mean_ij k(x_i, x_j) + mean_ij k(y_i, y_j) - 2 mean_ij k(x_i, y_j), diagonal terms included (hence biased,
    /// and never negative). A scalar; gradients for both samples.
    /// </summary>
    public static Tensor GaussianBiased(Tensor x, Tensor y, float bandwidth)
    {
        Check(x, y, bandwidth);
        float scale = -1f / (2f * bandwidth * bandwidth);
        var kxx = Codebook.PairwiseSquaredDistance(x, x).Mul(scale).Exp(); // (N, N)
        var kyy = Codebook.PairwiseSquaredDistance(y, y).Mul(scale).Exp(); // (M, M)
        var kxy = Codebook.PairwiseSquaredDistance(x, y).Mul(scale).Exp(); // (N, M)
        return kxx.Mean().Add(kyy.Mean()).Sub(kxy.Mean().Mul(2f));
    }

    /// <summary>mean_ij k(y_i, y_j) of a fixed sample, which <see cref="GaussianBiased(Tensor, Tensor, float, float)"/> can take once computed.</summary>
    public static float KernelMean(Tensor y, float bandwidth)
    {
        ArgumentNullException.ThrowIfNull(y);
        using var _ = GradMode.Disable();
        return Codebook.PairwiseSquaredDistance(y, y).Mul(-1f / (2f * bandwidth * bandwidth)).Exp().Mean().Item();
    }

    /// <summary>As above, with mean_ij k(y_i, y_j) given: y is fixed (a frozen model's embeddings) and gets no gradient.</summary>
    public static Tensor GaussianBiased(Tensor x, Tensor y, float bandwidth, float yKernelMean)
    {
        Check(x, y, bandwidth);
        float scale = -1f / (2f * bandwidth * bandwidth);
        var kxx = Codebook.PairwiseSquaredDistance(x, x).Mul(scale).Exp(); // (N, N)
        var kxy = Codebook.PairwiseSquaredDistance(x, y.Detach()).Mul(scale).Exp(); // (N, M)
        return kxx.Mean().Add(yKernelMean).Sub(kxy.Mean().Mul(2f));
    }

    static void Check(Tensor x, Tensor y, float bandwidth)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (!(bandwidth > 0f) || !float.IsFinite(bandwidth))
            throw new ArgumentOutOfRangeException(nameof(bandwidth), $"mmd: bandwidth {bandwidth} must be positive and finite.");
        if (x.Rank != 2 || y.Rank != 2 || x.Shape[1] != y.Shape[1] || x.Shape[0] == 0 || y.Shape[0] == 0)
            throw new ArgumentException($"mmd: expected non-empty samples x (N, D) and y (M, D), got {Tensor.Format(x.Shape)} and {Tensor.Format(y.Shape)}.");
    }
}
