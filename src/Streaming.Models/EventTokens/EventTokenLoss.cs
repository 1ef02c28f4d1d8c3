using Streaming.Tensors;

namespace Streaming.Models.EventTokens;

/// <summary>
/// The terms of <see cref="EventTokenizer.Loss"/>, each a scalar tensor so training can print them, and
/// <see cref="Total"/> = alpha Reconstruction + beta Contrast + Codebook + CommitmentWeight Commitment with the config's
/// weights. <see cref="Codes"/> are the chosen code ids, (B * M) row-major.
/// </summary>
public sealed record EventTokenLoss(Tensor Total, Tensor Reconstruction, Tensor Contrast, Tensor Codebook, Tensor Commitment, int[] Codes)
{
    /// <summary>The terms in the order the PyTorch reference returns them: total, reconstruction, contrast, codebook, commitment.</summary>
    public Tensor[] Terms => [Total, Reconstruction, Contrast, Codebook, Commitment];
}
