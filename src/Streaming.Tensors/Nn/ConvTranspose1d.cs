namespace Streaming.Tensors.Nn;

/// <summary>
/// torch.nn.ConvTranspose1d: weight (in, out, K), bias (out); (B, in, L) -> (B, out, (L-1)*stride - 2*padding + K).
/// PyTorch takes the fan-in from weight dimension 1 (out x K), and so does this initializer.
/// </summary>
public sealed class ConvTranspose1d : Module
{
    readonly int stride, padding;

    public Tensor Weight { get; }
    public Tensor Bias { get; }

    public ConvTranspose1d(int inChannels, int outChannels, int kernelSize, Random rng, int stride = 1, int padding = 0)
    {
        (this.stride, this.padding) = (stride, padding);
        Weight = Parameter("weight", Init.KaimingUniform(rng, outChannels * kernelSize, inChannels, outChannels, kernelSize));
        Bias = Parameter("bias", Init.KaimingUniform(rng, outChannels * kernelSize, outChannels));
    }

    public Tensor Forward(Tensor x) => Tensor.ConvTranspose1d(x, Weight, Bias, stride, padding);
}
