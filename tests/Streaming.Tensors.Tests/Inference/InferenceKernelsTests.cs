using Streaming.Tensors.Inference;
using Streaming.Tensors.Nn;
using Streaming.Tensors.Tests.Reference;
using Streaming.Tensors.Tests.Fixtures;
using static Streaming.Tensors.Tests.Reference.OpCheck;

namespace Streaming.Tensors.Tests.Inference;

/// <summary>
/// The allocation-free inference kernels against PyTorch on the same inputs (forward only: they record no graph), in
/// the (B, T, heads * headDim) layout the projections produce, and their steady-state allocations.
/// </summary>
public class InferenceKernelsTests
{
    readonly InferenceKernels kernels = new();

    static OracleInput In(params int[] shape) => Rand(shape, grad: false);

    static OracleInput Positions(int start, int count) => OracleInput.Long(Enumerable.Range(start, count).ToArray(), count);

    [Fact]
    public void RmsNormLinearAndSwiGlu_MatchTorch()
    {
        Against(
            new OpCase("ref_nn.rms_norm(x0, x1, 1e-6)", x => Into(Tensor.Zeros(x[0].Shape), y => kernels.RmsNorm(x[0], x[1], 1e-6f, y)), [In(2, 7, 96), In(96)]),
            new OpCase("F.linear(x0, x1)", x => Into(Tensor.Zeros(2, 7, 5), y => InferenceKernels.Linear(x[0], x[1], null, y)), [In(2, 7, 96), In(5, 96)]),
            new OpCase("x3 + F.linear(x0, x1, x2)", x => Into(x[3].Detach(), y => InferenceKernels.Linear(x[0], x[1], x[2], y, accumulate: true)),
                [In(3, 33), In(40, 33), In(40), In(3, 40)]),
            new OpCase("F.silu(x0) * x1", x => Into(x[0].Detach(), g => kernels.SwiGlu(g, x[1])), [In(3, 5000), In(3, 5000)]));
    }

    [Fact]
    public void RotaryInPlace_MatchesTorchOnTheHeadView()
    {
        Against(
            new OpCase("ref_seq.rope(x0.view(2, 5, 3, 8).transpose(1, 2), x1).transpose(1, 2).reshape(2, 5, 24)",
                x => Into(x[0].Detach(), y => kernels.Rotary(y, 3, 0, 10000f)), [In(2, 5, 24), Positions(0, 5)]),
            new OpCase("ref_seq.rope(x0.view(1, 300, 2, 64).transpose(1, 2), x1, 500000.0).transpose(1, 2).reshape(1, 300, 128)",
                x => Into(x[0].Detach(), y => kernels.Rotary(y, 2, 17, 500000f)), [In(1, 300, 128), Positions(17, 300)]));
    }

    [Fact]
    public void Attention_CausalGroupedAndCachedPrefix_MatchesTorch()
    {
        // q (B, Tq, H*hd), k and v (B, Tk, Hkv*hd); Tq < Tk continues a cached prefix (bottom-right causal).
        const string Heads = "ref_seq.sdpa(x0.view({0}).transpose(1, 2), x1.view({1}).transpose(1, 2), x2.view({1}).transpose(1, 2), causal={2}).transpose(1, 2).reshape({3})";
        Against(
            new OpCase(string.Format(null, Heads, "2, 70, 4, 8", "2, 70, 2, 8", "True", "2, 70, 32"),
                x => Into(Tensor.Zeros(2, 70, 32), y => kernels.Attention(x[0], x[1], x[2], 4, 2, causal: true, y)), [In(2, 70, 32), In(2, 70, 16), In(2, 70, 16)]),
            new OpCase(string.Format(null, Heads, "1, 3, 2, 16", "1, 9, 2, 16", "True", "1, 3, 32"),
                x => Into(Tensor.Zeros(1, 3, 32), y => kernels.Attention(x[0], x[1], x[2], 2, 2, causal: true, y)), [In(1, 3, 32), In(1, 9, 32), In(1, 9, 32)]),
            new OpCase(string.Format(null, Heads, "2, 5, 3, 4", "2, 6, 1, 4", "False", "2, 5, 12"),
                x => Into(Tensor.Zeros(2, 5, 12), y => kernels.Attention(x[0], x[1], x[2], 3, 1, causal: false, y)), [In(2, 5, 12), In(2, 6, 4), In(2, 6, 4)]));
    }

    [Fact]
    public void PrefixAttention_EqualsCausalAttentionOverPrefixAndRow_MatchesTorch()
    {
        // q (B, T, H*hd) over a prefix (1, Hkv, P, hd) every row shares, then its own k, v (B, T, Hkv*hd) causally: in
        // PyTorch, the prefix expanded over the batch before each row's keys, bottom-right causal.
        const string Prefixed = "ref_seq.sdpa(x0.view({0}).transpose(1, 2), torch.cat([x1.expand({1}), x3.view({2}).transpose(1, 2)], 2), " +
            "torch.cat([x2.expand({1}), x4.view({2}).transpose(1, 2)], 2), causal=True).transpose(1, 2).reshape({3})";
        Against(
            new OpCase(string.Format(null, Prefixed, "3, 5, 4, 8", "3, -1, -1, -1", "3, 5, 2, 8", "3, 5, 32"),
                x => Into(Tensor.Zeros(3, 5, 32), y => kernels.PrefixAttention(x[0], x[1], x[2], x[3], x[4], 4, y)),
                [In(3, 5, 32), In(1, 2, 7, 8), In(1, 2, 7, 8), In(3, 5, 16), In(3, 5, 16)]),
            new OpCase(string.Format(null, Prefixed, "2, 1, 2, 16", "2, -1, -1, -1", "2, 1, 2, 16", "2, 1, 32"),
                x => Into(Tensor.Zeros(2, 1, 32), y => kernels.PrefixAttention(x[0], x[1], x[2], x[3], x[4], 2, y)),
                [In(2, 1, 32), In(1, 2, 130, 16), In(1, 2, 130, 16), In(2, 1, 32), In(2, 1, 32)]));
    }

    [Fact]
    public void Conv1dChannelsLast_EqualsTheAutogradOp()
    {
        var rng = new Random(9);
        var x = Init.Normal(rng, 0f, 1f, 3, 17, 6);
        foreach (var conv in new[] { new Conv1d(6, 5, 3, rng, padding: 1), new Conv1d(6, 4, 4, rng, stride: 2, padding: 1) })
        {
            var expected = conv.ForwardChannelsLast(x).Relu().ToArray();
            var served = kernels.Conv1dChannelsLast(x, conv, new InferenceBuffer(), relu: true);
            Assert.Equal([3, conv.OutputLength(17), conv.Weight.Shape[0]], served.Shape);
            Assert.Equal(expected, served.ToArray());
        }
    }

    [Fact]
    public void Kernels_InSteadyState_AllocateNothing()
    {
        var rng = new Random(5);
        Tensor R(params int[] shape) => Init.Normal(rng, 0f, 1f, shape);
        var (x, w, norm) = (R(4, 64, 128), R(128, 128), R(128));
        var (q, k, v, y) = (R(4, 64, 128), R(4, 64, 64), R(4, 64, 64), Tensor.Zeros(4, 64, 128));
        var (prefixKeys, prefixValues) = (R(1, 2, 41, 32), R(1, 2, 41, 32));
        var (columns, convolved) = (R(16, 128, 3), Tensor.Zeros(4, 64, 16));
        void Step()
        {
            kernels.RmsNorm(x, norm, 1e-6f, y);
            InferenceKernels.Linear(y, w, norm, q, accumulate: true);
            kernels.Rotary(q, 4, 3, 10000f);
            kernels.Rotary(k, 2, 3, 10000f);
            kernels.Attention(q, k, v, 4, 2, causal: true, y);
            kernels.PrefixAttention(q, prefixKeys, prefixValues, k, v, 4, y);
            kernels.Conv1dChannelsLast(x, columns, null, 1, 1, convolved);
            kernels.SwiGlu(q, y);
        }
        SteadyState.AssertAllocatesNothing(Step);
    }

    [Fact]
    public void Kernels_OperandsThatDoNotFit_NameTheOpAndShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => kernels.Attention(Tensor.Zeros(1, 4, 12), Tensor.Zeros(1, 4, 8), Tensor.Zeros(1, 4, 8), 3, 2, true, Tensor.Zeros(1, 4, 12)));
        Assert.Contains("scaled_dot_product_attention", e.Message, StringComparison.Ordinal);
        Assert.Contains("(1, 4, 12)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => InferenceKernels.Linear(Tensor.Zeros(2, 5), Tensor.Zeros(3, 4), null, Tensor.Zeros(2, 3)));
        Assert.Contains("linear", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => kernels.RmsNorm(Tensor.Zeros(2, 5).T, Tensor.Zeros(2), 1e-6f, Tensor.Zeros(5, 2)));
        Assert.Contains("rms_norm", e.Message, StringComparison.Ordinal);
        // a prefix of another head width (D = 4, the rows' is 8), and a prefix computed per row instead of shared
        e = Assert.Throws<ArgumentException>(() => kernels.PrefixAttention(Tensor.Zeros(3, 5, 32), Tensor.Zeros(1, 2, 7, 4), Tensor.Zeros(1, 2, 7, 4),
            Tensor.Zeros(3, 5, 16), Tensor.Zeros(3, 5, 16), 4, Tensor.Zeros(3, 5, 32)));
        Assert.Contains("prefix_attention", e.Message, StringComparison.Ordinal);
        Assert.Contains("(1, 2, 7, 4)", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => kernels.PrefixAttention(Tensor.Zeros(3, 5, 32), Tensor.Zeros(3, 2, 7, 8), Tensor.Zeros(3, 2, 7, 8),
            Tensor.Zeros(3, 5, 16), Tensor.Zeros(3, 5, 16), 4, Tensor.Zeros(3, 5, 32)));
        Assert.Contains("(3, 2, 7, 8)", e.Message, StringComparison.Ordinal);
    }

    static Tensor Into(Tensor output, Action<Tensor> kernel)
    {
        kernel(output);
        return output;
    }
}
