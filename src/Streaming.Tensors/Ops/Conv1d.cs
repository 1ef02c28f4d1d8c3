using System.Numerics.Tensors;

namespace Streaming.Tensors;

// 1-D convolutions as im2col + one GEMM per group. The batch is folded into the GEMM's column
// dimension: inputs are rearranged to (C, B*L) so each group is a single large product instead of B
// small ones. Backward recomputes the columns from the saved input rather than keeping them (K times
// the input's size).
public sealed partial class Tensor
{
    /// <summary>
    /// torch.nn.functional.conv1d: x (B, Cin, L), weight (Cout, Cin/groups, K), bias (Cout) -> (B, Cout, Lout)
    /// with Lout = (L + 2*padding - dilation*(K-1) - 1) / stride + 1. Zero padding on both sides.
    /// </summary>
    public static Tensor Conv1d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
    {
        if (x.Rank != 3 || weight.Rank != 3)
            throw new ArgumentException($"conv1d: expected input (B, Cin, L) and weight (Cout, Cin/groups, K), got {Format(x.Shape)} and {Format(weight.Shape)}.");
        CheckConvArguments("conv1d", stride, padding, dilation, groups);
        int B = x.Shape[0], Cin = x.Shape[1], L = x.Shape[2];
        int Cout = weight.Shape[0], K = weight.Shape[2];
        if (Cin % groups != 0 || Cout % groups != 0 || weight.Shape[1] != Cin / groups)
            throw new ArgumentException($"conv1d: input {Format(x.Shape)} and weight {Format(weight.Shape)} do not match for groups={groups} (weight must be (Cout, Cin/groups, K), Cin and Cout divisible by groups).");
        CheckConvBias("conv1d", bias, Cout, weight);
        int span = L + 2 * padding - dilation * (K - 1) - 1;
        if (span < 0)
            throw new ArgumentException($"conv1d: input {Format(x.Shape)} padded by {padding} is shorter than the dilated kernel of weight {Format(weight.Shape)} (dilation {dilation}).");
        int Lout = span / stride + 1;
        int cinG = Cin / groups, coutG = Cout / groups, rows = cinG * K, cols = B * Lout;

        var xs = x.Contiguous().Detach();
        var w = weight.Contiguous().Detach();
        var col = new float[Cin * K * cols]; // (Cin*K, B*Lout)
        for (int b = 0; b < B; b++)
            Im2Col.Expand(xs.Data.AsSpan(xs.Offset + b * Cin * L, Cin * L), Cin, L, K, stride, padding, dilation, Lout, col, b * Lout, cols);
        var y = new float[Cout * cols]; // (Cout, B*Lout)
        if (bias is not null)
        {
            var bs = bias.Contiguous().Detach();
            for (int o = 0; o < Cout; o++) y.AsSpan(o * cols, cols).Fill(bs.Data[bs.Offset + o]);
        }
        for (int g = 0; g < groups; g++)
            Gemm.Sgemm(false, false, coutG, cols, rows, 1f, w.Data, w.Offset + g * coutG * rows, rows,
                col, g * rows * cols, cols, bias is null ? 0f : 1f, y, g * coutG * cols, cols);
        var result = new Tensor(Im2Col.FromChannelMajor(y, B, Cout, Lout), [B, Cout, Lout]);

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Record("conv1d", result, inputs, gradOut =>
        {
            var gy = Im2Col.ToChannelMajor(gradOut, B, Cout, Lout); // (Cout, B*Lout)
            if (weight.RequiresGrad)
            {
                var cols2 = new float[Cin * K * cols];
                for (int b = 0; b < B; b++)
                    Im2Col.Expand(xs.Data.AsSpan(xs.Offset + b * Cin * L, Cin * L), Cin, L, K, stride, padding, dilation, Lout, cols2, b * Lout, cols);
                var dw = Zeros(weight.Shape);
                for (int g = 0; g < groups; g++) // dW_g = dY_g @ col_g^T
                    Gemm.Sgemm(false, true, coutG, rows, cols, 1f, gy, g * coutG * cols, cols,
                        cols2, g * rows * cols, cols, 0f, dw.Data, g * coutG * rows, rows);
                weight.AccumulateGrad(dw);
            }
            if (x.RequiresGrad)
            {
                var dcol = new float[Cin * K * cols];
                for (int g = 0; g < groups; g++) // dcol_g = W_g^T @ dY_g
                    Gemm.Sgemm(true, false, rows, cols, coutG, 1f, w.Data, w.Offset + g * coutG * rows, rows,
                        gy, g * coutG * cols, cols, 0f, dcol, g * rows * cols, cols);
                var dx = Zeros(x.Shape);
                for (int b = 0; b < B; b++)
                    Im2Col.Fold(dcol, b * Lout, cols, Cin, L, K, stride, padding, dilation, Lout, dx.Data.AsSpan(b * Cin * L, Cin * L));
                x.AccumulateGrad(dx);
            }
            if (bias is not null && bias.RequiresGrad) bias.AccumulateGrad(Im2Col.RowSums(gy, Cout, cols));
        });
    }

    /// <summary>
    /// torch.nn.functional.conv_transpose1d: x (B, Cin, L), weight (Cin, Cout/groups, K), bias (Cout) -> (B, Cout, Lout)
    /// with Lout = (L-1)*stride - 2*padding + dilation*(K-1) + outputPadding + 1; the adjoint of <see cref="Conv1d"/>, used to upsample.
    /// </summary>
    public static Tensor ConvTranspose1d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, int dilation = 1)
    {
        if (x.Rank != 3 || weight.Rank != 3)
            throw new ArgumentException($"conv_transpose1d: expected input (B, Cin, L) and weight (Cin, Cout/groups, K), got {Format(x.Shape)} and {Format(weight.Shape)}.");
        CheckConvArguments("conv_transpose1d", stride, padding, dilation, groups);
        if (outputPadding < 0 || (outputPadding >= stride && outputPadding >= dilation))
            throw new ArgumentException($"conv_transpose1d: output padding {outputPadding} must be non-negative and smaller than stride {stride} or dilation {dilation}.");
        int B = x.Shape[0], Cin = x.Shape[1], L = x.Shape[2];
        int K = weight.Shape[2];
        if (weight.Shape[0] != Cin || Cin % groups != 0)
            throw new ArgumentException($"conv_transpose1d: input {Format(x.Shape)} and weight {Format(weight.Shape)} do not match for groups={groups} (weight must be (Cin, Cout/groups, K), Cin divisible by groups).");
        int cinG = Cin / groups, coutG = weight.Shape[1], Cout = coutG * groups, rows = coutG * K, cols = B * L;
        CheckConvBias("conv_transpose1d", bias, Cout, weight);
        int Lout = (L - 1) * stride - 2 * padding + dilation * (K - 1) + outputPadding + 1;
        if (Lout <= 0)
            throw new ArgumentException($"conv_transpose1d: input {Format(x.Shape)} with weight {Format(weight.Shape)}, stride {stride}, padding {padding} gives output length {Lout}.");

        var xr = Im2Col.ToChannelMajor(x, B, Cin, L); // (Cin, B*L)
        var w = weight.Contiguous().Detach();
        var col = new float[Cout * K * cols]; // (Cout*K, B*L)
        for (int g = 0; g < groups; g++) // col_g = W_g^T @ x_g
            Gemm.Sgemm(true, false, rows, cols, cinG, 1f, w.Data, w.Offset + g * cinG * rows, rows,
                xr, g * cinG * cols, cols, 0f, col, g * rows * cols, cols);
        var result = Zeros(B, Cout, Lout);
        for (int b = 0; b < B; b++)
        {
            var image = result.Data.AsSpan(b * Cout * Lout, Cout * Lout);
            Im2Col.Fold(col, b * L, cols, Cout, Lout, K, stride, padding, dilation, L, image);
            if (bias is not null)
                for (int o = 0; o < Cout; o++) TensorPrimitives.Add(image.Slice(o * Lout, Lout), bias[o], image.Slice(o * Lout, Lout));
        }

        Tensor[] inputs = bias is null ? [x, weight] : [x, weight, bias];
        return Record("conv_transpose1d", result, inputs, gradOut =>
        {
            var gcol = new float[Cout * K * cols]; // im2col of dY: (Cout*K, B*L)
            for (int b = 0; b < B; b++)
                Im2Col.Expand(gradOut.Data.AsSpan(gradOut.Offset + b * Cout * Lout, Cout * Lout), Cout, Lout, K, stride, padding, dilation, L, gcol, b * L, cols);
            if (x.RequiresGrad)
            {
                var dx = new float[Cin * cols];
                for (int g = 0; g < groups; g++) // dx_g = W_g @ gcol_g
                    Gemm.Sgemm(false, false, cinG, cols, rows, 1f, w.Data, w.Offset + g * cinG * rows, rows,
                        gcol, g * rows * cols, cols, 0f, dx, g * cinG * cols, cols);
                x.AccumulateGrad(new Tensor(Im2Col.FromChannelMajor(dx, B, Cin, L), [B, Cin, L]));
            }
            if (weight.RequiresGrad)
            {
                var dw = Zeros(weight.Shape);
                for (int g = 0; g < groups; g++) // dW_g = x_g @ gcol_g^T
                    Gemm.Sgemm(false, true, cinG, rows, cols, 1f, xr, g * cinG * cols, cols,
                        gcol, g * rows * cols, cols, 0f, dw.Data, g * cinG * rows, rows);
                weight.AccumulateGrad(dw);
            }
            if (bias is not null && bias.RequiresGrad) bias.AccumulateGrad(Im2Col.RowSums(Im2Col.ToChannelMajor(gradOut, B, Cout, Lout), Cout, B * Lout));
        });
    }

    /// <summary>Nearest-neighbour upsampling along the last dimension: (..., L) -> (..., L*factor), as F.interpolate(mode="nearest").</summary>
    public Tensor Upsample1d(int factor)
    {
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), $"upsample1d: factor {factor} must be at least 1 (input {Format(Shape)}).");
        if (Rank == 0) throw new ArgumentException($"upsample1d: needs at least one dimension, got shape {Format(Shape)}.");
        int L = Shape[^1], rowsIn = Size / Math.Max(L, 1);
        var src = Contiguous().Detach();
        int[] outShape = [.. Shape[..^1], L * factor];
        var result = Zeros(outShape);
        for (int r = 0; r < rowsIn; r++)
            for (int t = 0; t < L; t++)
                result.Data.AsSpan((r * L + t) * factor, factor).Fill(src.Data[src.Offset + r * L + t]);
        var inShape = Shape;
        return Record("upsample1d", result, [this], g =>
        {
            var dx = Zeros(inShape);
            for (int i = 0; i < dx.Size; i++) dx.Data[i] = TensorPrimitives.Sum(g.Data.AsSpan(g.Offset + i * factor, factor));
            AccumulateGrad(dx);
        });
    }

    static void CheckConvArguments(string op, int stride, int padding, int dilation, int groups)
    {
        if (stride < 1 || dilation < 1 || padding < 0 || groups < 1)
            throw new ArgumentException($"{op}: stride {stride} and dilation {dilation} must be >= 1, padding {padding} >= 0, groups {groups} >= 1.");
    }

    static void CheckConvBias(string op, Tensor? bias, int outChannels, Tensor weight)
    {
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outChannels))
            throw new ArgumentException($"{op}: bias {Format(bias.Shape)} does not match weight {Format(weight.Shape)} ({outChannels} output channels).");
    }
}
