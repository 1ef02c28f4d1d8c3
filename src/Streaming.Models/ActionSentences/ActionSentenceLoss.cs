using Streaming.Tensors;

namespace Streaming.Models.ActionSentences;

/// <summary>
/// The terms of <see cref="ActionSentenceTokenizer.Loss(Tensor, Tensor, Tensor)"/>, each a scalar tensor so training can
/// print them, and <see cref="Total"/> = Reconstruction + Codebook + 0.02 Commitment + 0.2 (Zipf + Context + Mmd) with
/// the config's weights. <see cref="Codes"/> are the chosen code ids, (B * W) row-major.
/// </summary>
public sealed record ActionSentenceLoss(
    Tensor Total, Tensor Reconstruction, Tensor Codebook, Tensor Commitment, Tensor Zipf, Tensor Context, Tensor Mmd, int[] Codes)
{
    /// <summary>The terms in the order the PyTorch reference returns them: total, reconstruction, codebook, commitment, zipf, context, mmd.</summary>
    public Tensor[] Terms => [Total, Reconstruction, Codebook, Commitment, Zipf, Context, Mmd];
}
