namespace Streaming.Tensors;

// Matrix products on the engine's GEMM. Transposed views are passed to GEMM as transposes, not copied.
public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product over the last two dimensions, with broadcast batch dimensions:
    /// (..., M, K) @ (..., K, N) -> (..., M, N). A 1-D operand is a row (left) or column (right) vector.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        if (Rank == 0 || other.Rank == 0) throw new ArgumentException($"matmul: scalar operand, shapes {Format(Shape)} and {Format(other.Shape)}.");
        int k = Shape[^1];
        if ((other.Rank == 1 ? other.Shape[0] : other.Shape[^2]) != k)
            throw new ArgumentException($"matmul: inner dimensions differ, shapes {Format(Shape)} and {Format(other.Shape)}.");
        if (Rank == 1 && other.Rank == 1) return Unsqueeze(0).MatMul(other.Unsqueeze(1)).Reshape();
        if (Rank == 1) return Unsqueeze(0).MatMul(other).Squeeze(-2);
        if (other.Rank == 1) return MatMul(other.Unsqueeze(1)).Squeeze(-1);
        int m = Shape[^2], n = other.Shape[^1];
        var batch = Broadcasting.Shape("matmul", Shape[..^2], other.Shape[..^2]);
        var a = BroadcastView([.. batch, m, k]);
        var b = other.BroadcastView([.. batch, k, n]);
        var result = Zeros([.. batch, m, n]);
        BatchedGemm(a, b, result, m, n, k);
        var self = this;
        return Record("matmul", result, [this, other], g =>
        {
            // dA = g @ B^T, dB = A^T @ g, each summed over the batch dimensions it was broadcast along.
            if (self.RequiresGrad) self.AccumulateGrad(Broadcasting.SumTo(g.MatMul(other.Transpose(-1, -2)), self.Shape));
            if (other.RequiresGrad) other.AccumulateGrad(Broadcasting.SumTo(self.Transpose(-1, -2).MatMul(g), other.Shape));
        });
    }

    /// <summary>y = x @ W^T + b for x (..., in), W (out, in), b (out): the layout of torch.nn.Linear and HF checkpoints.</summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        if (weight.Rank != 2 || x.Rank == 0 || x.Shape[^1] != weight.Shape[1])
            throw new ArgumentException($"linear: input {Format(x.Shape)} does not match weight {Format(weight.Shape)} (expected a (out, in) weight and a (..., in) input).");
        int outFeatures = weight.Shape[0], inFeatures = weight.Shape[1];
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outFeatures))
            throw new ArgumentException($"linear: bias {Format(bias.Shape)} does not match weight {Format(weight.Shape)}.");
        var xc = x.Contiguous().Detach();
        var w = weight.Contiguous().Detach();
        int rows = Numel(x.Shape.AsSpan(0, x.Rank - 1));
        int[] outShape = [.. x.Shape[..^1], outFeatures];
        var result = Zeros(outShape);
        if (bias is not null)
        {
            var bc = bias.Contiguous().Detach().Span;
            for (int r = 0; r < rows; r++) bc.CopyTo(result.Data.AsSpan(r * outFeatures, outFeatures));
        }
        Gemm.Sgemm(false, true, rows, outFeatures, inFeatures, 1f, xc.Data, xc.Offset, inFeatures, w.Data, w.Offset, inFeatures,
            bias is null ? 0f : 1f, result.Data, 0, outFeatures);
        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Record("linear", result, inputs, g =>
        {
            var gs = g.Contiguous();
            if (x.RequiresGrad)
            {
                var dx = Zeros(x.Shape); // (rows, out) @ (out, in)
                Gemm.Sgemm(false, false, rows, inFeatures, outFeatures, 1f, gs.Data, gs.Offset, outFeatures, w.Data, w.Offset, inFeatures, 0f, dx.Data, 0, inFeatures);
                x.AccumulateOwnedGrad(dx);
            }
            if (weight.RequiresGrad)
            {
                var dw = Zeros(weight.Shape); // (out, rows) @ (rows, in)
                Gemm.Sgemm(true, false, outFeatures, inFeatures, rows, 1f, gs.Data, gs.Offset, outFeatures, xc.Data, xc.Offset, inFeatures, 0f, dw.Data, 0, inFeatures);
                weight.AccumulateOwnedGrad(dw);
            }
            if (bias is not null && bias.RequiresGrad) bias.AccumulateGrad(gs.Reshape(rows, outFeatures).Sum(0));
        });
    }

    /// <summary>Runs one GEMM per batch element; a and b are broadcast views of shape (..., m, k) and (..., k, n).</summary>
    static void BatchedGemm(Tensor a, Tensor b, Tensor result, int m, int n, int k)
    {
        var (am, transA, lda) = MatrixOperand(a);
        var (bm, transB, ldb) = MatrixOperand(b);
        int batchRank = result.Rank - 2;
        int batches = Numel(result.Shape.AsSpan(0, batchRank));
        var index = new int[batchRank];
        int pa = am.Offset, pb = bm.Offset;
        for (int i = 0; i < batches; i++)
        {
            Gemm.Sgemm(transA, transB, m, n, k, 1f, am.Data, pa, lda, bm.Data, pb, ldb, 0f, result.Data, i * m * n, n);
            for (int d = batchRank - 1; d >= 0; d--)
            {
                pa += am.Strides[d];
                pb += bm.Strides[d];
                if (++index[d] < result.Shape[d]) break;
                pa -= am.Strides[d] * result.Shape[d];
                pb -= bm.Strides[d] * result.Shape[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>
    /// How GEMM can read the last two dimensions of t: row-major (stride 1 along columns) or as the
    /// transpose of a row-major matrix (stride 1 along rows). Anything else is copied first.
    /// </summary>
    static (Tensor Matrix, bool Transposed, int Ld) MatrixOperand(Tensor t)
    {
        int rows = t.Shape[^2], cols = t.Shape[^1];
        int rs = t.Strides[^2], cs = t.Strides[^1];
        if ((cs == 1 || cols == 1) && (rs >= cols || rows == 1)) return (t, false, Math.Max(rs, cols));
        if ((rs == 1 || rows == 1) && (cs >= rows || cols == 1)) return (t, true, Math.Max(cs, rows));
        var copy = new Tensor(t.ToArray(), (int[])t.Shape.Clone());
        return (copy, false, cols);
    }
}
