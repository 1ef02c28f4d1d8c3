namespace Streaming.Tensors;

// Rotary position embedding in the Hugging Face "rotate half" layout (LLaMA, Qwen2): dimension i pairs
// with i + D/2. The op is a rotation per (row, pair), so its backward is the rotation by minus the angle.
public sealed partial class Tensor
{
    /// <summary>Rotary embedding of x (B, H, T, D) at positions startPosition .. startPosition + T - 1.</summary>
    public static Tensor ApplyRotaryEmbedding(Tensor x, int startPosition, float theta = 10000f)
    {
        if (x.Rank != 4) throw new ArgumentException($"rotary_embedding: expected x (B, H, T, D), got {Format(x.Shape)}.");
        if (startPosition < 0) throw new ArgumentOutOfRangeException(nameof(startPosition), $"rotary_embedding: start position {startPosition} is negative (x {Format(x.Shape)}).");
        return ApplyRotaryEmbedding(x, Enumerable.Range(startPosition, x.Shape[2]).ToArray(), theta);
    }

    /// <summary>
    /// x * cos + rotate_half(x) * sin for x (B, H, T, D), with angle position * theta^(-2i/D) for pair i,
    /// as transformers' apply_rotary_pos_emb. <paramref name="positions"/> has T entries (shared by the
    /// batch) or B*T (row b's positions at b*T .. b*T + T - 1).
    /// </summary>
    public static Tensor ApplyRotaryEmbedding(Tensor x, int[] positions, float theta = 10000f)
    {
        if (x.Rank != 4 || x.Shape[3] % 2 != 0)
            throw new ArgumentException($"rotary_embedding: expected x (B, H, T, D) with even D, got {Format(x.Shape)}.");
        int B = x.Shape[0], H = x.Shape[1], T = x.Shape[2], D = x.Shape[3];
        if (positions.Length != T && positions.Length != B * T)
            throw new ArgumentException($"rotary_embedding: {positions.Length} positions for x {Format(x.Shape)}; expected T = {T} or B*T = {B * T}.");
        if (!(theta > 0f)) throw new ArgumentOutOfRangeException(nameof(theta), $"rotary_embedding: theta {theta} must be positive.");
        int maxPosition = 0;
        foreach (var p in positions)
        {
            if (p < 0) throw new ArgumentOutOfRangeException(nameof(positions), $"rotary_embedding: negative position {p} (x {Format(x.Shape)}).");
            maxPosition = Math.Max(maxPosition, p);
        }
        var table = RopeTables.For(D, theta, maxPosition);
        var positionsCopy = (int[])positions.Clone();
        var xs = AttentionOperand(x);
        var result = ZerosLaidOutAs(xs, D);
        new RotaryRotation().Run(xs.Data, AttentionLayout.Of(xs), result.Data, AttentionLayout.Of(result), B, H, T, D, table, 0, positionsCopy, 1f);
        return Record("rotary_embedding", result, [x], g =>
        {
            var gs = AttentionOperand(g);
            var dx = Zeros(x.Shape);
            new RotaryRotation().Run(gs.Data, AttentionLayout.Of(gs), dx.Data, AttentionLayout.Of(dx), B, H, T, D, table, 0, positionsCopy, -1f);
            x.AccumulateOwnedGrad(dx);
        });
    }
}
