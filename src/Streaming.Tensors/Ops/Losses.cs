using System.Numerics.Tensors;

namespace Streaming.Tensors;

// Losses reduced to a scalar mean (batchmean for KL, as its definition wants). Each is one fused op:
// the forward sums in double, the backward is closed-form and records no intermediate graph.
public sealed partial class Tensor
{
    /// <summary>
    /// torch.nn.functional.cross_entropy with reduction 'mean', fused with log-softmax. Logits are
    /// (N, C) or (N, C, d1, ...) and targets hold class indices in row-major order of (N, d1, ...).
    /// </summary>
    /// <remarks>
    /// As in PyTorch: targets equal to <paramref name="ignoreIndex"/> contribute nothing; the mean divides by
    /// the sum of the remaining targets' class weights (their count without weights). Label smoothing ε
    /// mixes the one-hot target with the uniform one, each class's term weighted by its class weight:
    /// loss_i = (1 - ε) w[t_i] (-log p_i[t_i]) + ε / C Σ_c w[c] (-log p_i[c]). When every target is
    /// ignored the mean is 0/0 = NaN, as in PyTorch. Class weights get no gradient.
    /// </remarks>
    public static Tensor CrossEntropy(Tensor logits, int[] targets, int ignoreIndex = -100, float labelSmoothing = 0f, Tensor? classWeights = null)
    {
        if (logits.Rank < 2) throw new ArgumentException($"cross_entropy: logits must be (N, C) or (N, C, d1, ...), got shape {Format(logits.Shape)}.", nameof(logits));
        int c = logits.Shape[1];
        int[] targetShape = [logits.Shape[0], .. logits.Shape[2..]];
        int rows = Numel(targetShape);
        if (targets.Length != rows)
            throw new ArgumentException($"cross_entropy: {targets.Length} targets for logits {Format(logits.Shape)}; expected {rows} (shape {Format(targetShape)}).", nameof(targets));
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"cross_entropy: label smoothing {labelSmoothing} must be in [0, 1].");
        if (classWeights is not null && (classWeights.Rank != 1 || classWeights.Shape[0] != c))
            throw new ArgumentException($"cross_entropy: class weights {Format(classWeights.Shape)} do not match logits {Format(logits.Shape)}; expected ({c}).", nameof(classWeights));
        for (int i = 0; i < rows; i++)
            if (targets[i] != ignoreIndex && (uint)targets[i] >= (uint)c)
                throw new ArgumentOutOfRangeException(nameof(targets), $"cross_entropy: target {targets[i]} at position {i} out of range for {c} classes (logits {Format(logits.Shape)}).");

        // Classes last: z is (rows, C), contiguous.
        int rank = logits.Rank;
        int[] classLast = [0, .. Enumerable.Range(2, rank - 2), 1];
        var z = (rank == 2 ? logits.Detach() : logits.Detach().Permute(classLast)).Contiguous();
        var w = classWeights?.Contiguous().Detach().Span.ToArray();
        var t = (int[])targets.Clone();
        float eps = labelSmoothing;
        float wSum = w is null ? c : TensorPrimitives.Sum(w);
        var rowMax = new float[rows];
        var rowLogSum = new float[rows];
        var rowLoss = new float[rows];
        RowBlocks.For(rows, c, (start, end) =>
        {
            var logP = new float[c];
            for (int i = start; i < end; i++)
            {
                if (t[i] == ignoreIndex) continue;
                var zr = z.Data.AsSpan(z.Offset + i * c, c);
                (rowMax[i], rowLogSum[i]) = LogSumExp(zr, logP);
                LogProbabilities(zr, rowMax[i], rowLogSum[i], logP);
                float wt = w is null ? 1f : w[t[i]];
                float loss = -(1f - eps) * wt * logP[t[i]];
                // The smoothing term: -Σ_c w[c] log p[c].
                if (eps > 0f) loss -= eps / c * (w is null ? TensorPrimitives.Sum(logP) : TensorPrimitives.Dot(w, logP));
                rowLoss[i] = loss;
            }
        });
        double total = 0, denominator = 0;
        for (int i = 0; i < rows; i++)
        {
            if (t[i] == ignoreIndex) continue;
            total += rowLoss[i];
            denominator += w is null ? 1f : w[t[i]];
        }
        var result = Scalar((float)(total / denominator));
        return Record("cross_entropy", result, [logits], g =>
        {
            // Per row with target weights q[j] = (1 - ε) w[t] [j == t] + ε / C w[j] and Q = Σ_j q[j]:
            // dz[j] = (p[j] Q - q[j]) * g / denominator.
            float scale = (float)(g.Item() / denominator);
            var dz = Zeros(z.Shape);
            RowBlocks.For(rows, c, (start, end) =>
            {
                for (int i = start; i < end; i++)
                {
                    if (t[i] == ignoreIndex) continue;
                    var dzr = dz.Data.AsSpan(i * c, c);
                    float wt = w is null ? 1f : w[t[i]];
                    LogProbabilities(z.Data.AsSpan(z.Offset + i * c, c), rowMax[i], rowLogSum[i], dzr);
                    Exponential.Apply(dzr, dzr);
                    TensorPrimitives.Multiply(dzr, ((1f - eps) * wt + eps / c * wSum) * scale, dzr);
                    if (eps > 0f)
                    {
                        if (w is null) TensorPrimitives.Subtract(dzr, eps / c * scale, dzr);
                        else TensorPrimitives.MultiplyAdd(w, -eps / c * scale, dzr, dzr);
                    }
                    dzr[t[i]] -= (1f - eps) * wt * scale;
                }
            });
            int[] inverse = [0, rank - 1, .. Enumerable.Range(1, rank - 2)];
            logits.AccumulateGrad(rank == 2 ? dz : dz.Permute(inverse).Contiguous());
        });
    }

    /// <summary>mean((pred - target)^2), torch.nn.functional.mse_loss; gradients for both inputs.</summary>
    public static Tensor MseLoss(Tensor pred, Tensor target)
    {
        var diff = Difference("mse_loss", pred, target);
        int n = diff.Length;
        var result = Scalar((float)(SumOfSquares(diff) / n));
        return Record("mse_loss", result, [pred, target], g =>
        {
            var dp = Zeros(pred.Shape);
            TensorPrimitives.Multiply(diff, 2f * g.Item() / n, dp.Span);
            pred.AccumulateGrad(dp);
            if (target.RequiresGrad) target.AccumulateGrad(dp.Neg());
        });
    }

    /// <summary>
    /// torch.nn.functional.smooth_l1_loss: mean of 0.5 d^2 / beta where |d| &lt; beta and |d| - 0.5 beta
    /// elsewhere, d = pred - target; beta 0 is the L1 loss. Gradients for both inputs.
    /// </summary>
    public static Tensor SmoothL1Loss(Tensor pred, Tensor target, float beta = 1f)
    {
        if (!(beta >= 0f)) throw new ArgumentOutOfRangeException(nameof(beta), $"smooth_l1_loss: beta must be non-negative, got {beta}.");
        var diff = Difference("smooth_l1_loss", pred, target);
        int n = diff.Length;
        double total = 0;
        foreach (var d in diff)
        {
            float a = MathF.Abs(d);
            total += a < beta ? 0.5f * d * d / beta : a - 0.5f * beta;
        }
        var result = Scalar((float)(total / n));
        return Record("smooth_l1_loss", result, [pred, target], g =>
        {
            float scale = g.Item() / n;
            var dp = Zeros(pred.Shape);
            for (int i = 0; i < n; i++)
            {
                float d = diff[i];
                dp.Data[i] = scale * (MathF.Abs(d) < beta ? d / beta : MathF.Sign(d));
            }
            pred.AccumulateGrad(dp);
            if (target.RequiresGrad) target.AccumulateGrad(dp.Neg());
        });
    }

    /// <summary>
    /// KL(P ‖ Q) as torch.nn.functional.kl_div(input, target, reduction='batchmean', log_target): the
    /// arguments follow PyTorch, <paramref name="input"/> is log Q (the model's log-probabilities) and
    /// <paramref name="target"/> is P, or log P when <paramref name="logTarget"/>. Summed over all
    /// elements and divided by the size of dimension 0. Gradients for both inputs.
    /// </summary>
    /// <remarks>
    /// A probability target of 0 contributes 0 (0 log 0 = 0) and gets gradient 0 there, the limit of
    /// p ∂/∂p that reaches logits through a softmax (PyTorch gives NaN); a negative target gives NaN.
    /// </remarks>
    public static Tensor KlDivergence(Tensor input, Tensor target, bool logTarget = false)
    {
        SameShapes("kl_div", input, target);
        if (input.Rank == 0) throw new ArgumentException("kl_div: batchmean needs a batch dimension, got scalar inputs.", nameof(input));
        var logQ = input.ToArray();
        var tv = target.ToArray();
        int batch = input.Shape[0];
        double total = 0;
        for (int i = 0; i < tv.Length; i++)
            total += logTarget ? MathF.Exp(tv[i]) * (tv[i] - logQ[i]) : KlTerm(tv[i], logQ[i]);
        var result = Scalar((float)(total / batch));
        return Record("kl_div", result, [input, target], g =>
        {
            float scale = g.Item() / batch;
            if (input.RequiresGrad)
            {
                var di = Zeros(input.Shape);
                for (int i = 0; i < tv.Length; i++) di.Data[i] = -scale * (logTarget ? MathF.Exp(tv[i]) : tv[i]);
                input.AccumulateGrad(di);
            }
            if (target.RequiresGrad)
            {
                var dt = Zeros(target.Shape);
                for (int i = 0; i < tv.Length; i++)
                {
                    float v = tv[i];
                    dt.Data[i] = scale * (logTarget ? MathF.Exp(v) * (v - logQ[i] + 1f) : v == 0f ? 0f : MathF.Log(v) + 1f - logQ[i]);
                }
                target.AccumulateGrad(dt);
            }
        });
    }

    /// <summary>p (log p - log q), with 0 log 0 = 0.</summary>
    static float KlTerm(float p, float logQ) => p == 0f ? 0f : p * (MathF.Log(p) - logQ);

    /// <summary>
    /// Jensen-Shannon divergence between probability distributions along the last dimension:
    /// 0.5 KL(p ‖ m) + 0.5 KL(q ‖ m) with m = (p + q) / 2, averaged over all other positions.
    /// Gradients for both inputs.
    /// </summary>
    /// <remarks>∂/∂p = 0.5 log(p / m); where p is 0 the gradient is taken as 0, as in <see cref="KlDivergence"/>.</remarks>
    public static Tensor JsDivergence(Tensor p, Tensor q)
    {
        SameShapes("js_div", p, q);
        if (p.Rank == 0) throw new ArgumentException("js_div: distributions need a last dimension, got scalar inputs.", nameof(p));
        var pv = p.ToArray();
        var qv = q.ToArray();
        int n = p.Shape[^1];
        int rows = n == 0 ? 0 : pv.Length / n;
        double total = 0;
        for (int i = 0; i < pv.Length; i++)
        {
            float logM = MathF.Log(0.5f * (pv[i] + qv[i]));
            total += 0.5 * KlTerm(pv[i], logM) + 0.5 * KlTerm(qv[i], logM);
        }
        var result = Scalar((float)(total / rows));
        return Record("js_div", result, [p, q], g =>
        {
            float scale = 0.5f * g.Item() / rows;
            if (p.RequiresGrad) p.AccumulateGrad(JsGradient(p.Shape, pv, qv, scale));
            if (q.RequiresGrad) q.AccumulateGrad(JsGradient(q.Shape, qv, pv, scale));
        });
    }

    /// <summary>scale * log(x / m) with m = (x + other) / 2, and 0 where x is 0.</summary>
    static Tensor JsGradient(int[] shape, float[] x, float[] other, float scale)
    {
        var dx = Zeros(shape);
        for (int i = 0; i < x.Length; i++)
            dx.Data[i] = x[i] == 0f ? 0f : scale * MathF.Log(2f * x[i] / (x[i] + other[i]));
        return dx;
    }

    /// <summary>pred - target as a row-major array, for two tensors of the same shape.</summary>
    static float[] Difference(string op, Tensor pred, Tensor target)
    {
        SameShapes(op, pred, target);
        var diff = pred.ToArray();
        TensorPrimitives.Subtract(diff, target.ToArray(), diff);
        return diff;
    }

    static void SameShapes(string op, Tensor a, Tensor b)
    {
        if (!SameShape(a.Shape, b.Shape))
            throw new ArgumentException($"{op}: inputs of shapes {Format(a.Shape)} and {Format(b.Shape)} differ; both must have the same shape.");
    }

    static double SumOfSquares(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (var v in x) sum += (double)v * v;
        return sum;
    }
}
