namespace Streaming.Tensors.Nn;

/// <summary>torch.nn.Conv1d: weight (out, in, K), bias (out); (B, in, L) -> (B, out, Lout).</summary>
public sealed class Conv1d : Module
{
    readonly int stride, padding;

    public Tensor Weight { get; }
    public Tensor Bias { get; }
    public int Stride => stride;
    public int Padding => padding;

    /// <summary>Lout for an input of <paramref name="length"/> positions.</summary>
    public int OutputLength(int length) => (length + 2 * padding - Weight.Shape[2]) / stride + 1;

    public Conv1d(int inChannels, int outChannels, int kernelSize, Random rng, int stride = 1, int padding = 0)
    {
        (this.stride, this.padding) = (stride, padding);
        Weight = Parameter("weight", Init.KaimingUniform(rng, inChannels * kernelSize, outChannels, inChannels, kernelSize));
        Bias = Parameter("bias", Init.KaimingUniform(rng, inChannels * kernelSize, outChannels));
    }

    public Tensor Forward(Tensor x) => Tensor.Conv1d(x, Weight, Bias, stride, padding);

    /// <summary>The same convolution over a channels-last sequence: (B, L, in) -> (B, Lout, out).</summary>
    public Tensor ForwardChannelsLast(Tensor x) => Tensor.Conv1dChannelsLast(x, Weight, Bias, stride, padding);
}
