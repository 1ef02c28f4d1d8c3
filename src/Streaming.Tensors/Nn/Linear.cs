namespace Streaming.Tensors.Nn;

/// <summary>y = x W^T + b, with W (out, in) as in torch.nn.Linear and Hugging Face checkpoints.</summary>
public sealed class Linear : Module
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Linear(int inFeatures, int outFeatures, bool bias, Random rng)
    {
        Weight = Parameter("weight", Init.KaimingUniform(rng, inFeatures, outFeatures, inFeatures));
        if (bias) Bias = Parameter("bias", Init.KaimingUniform(rng, inFeatures, outFeatures));
    }

    public Tensor Forward(Tensor x) => Tensor.Linear(x, Weight, Bias); // (..., in) -> (..., out)
}
