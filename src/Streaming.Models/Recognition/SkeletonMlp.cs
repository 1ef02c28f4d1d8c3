using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Recognition;

/// <summary>Shapes and regularization of <see cref="SkeletonMlp"/>.</summary>
public sealed record SkeletonMlpConfig(int Inputs, int Hidden = 256, int Classes = 20, float Dropout = 0.3f);

/// <summary>A two-layer perceptron over skeleton features: Linear -> GELU -> dropout -> Linear, giving class logits.</summary>
public sealed class SkeletonMlp : Module
{
    readonly SkeletonMlpConfig config;
    readonly Random dropoutRng;

    public Linear Fc1 { get; }
    public Linear Fc2 { get; }

    public SkeletonMlp(SkeletonMlpConfig config, Random rng)
    {
        this.config = config;
        dropoutRng = new Random(rng.Next());
        Fc1 = Child("fc1", new Linear(config.Inputs, config.Hidden, bias: true, rng));
        Fc2 = Child("fc2", new Linear(config.Hidden, config.Classes, bias: true, rng));
    }

    public Tensor Forward(Tensor x) // (B, inputs) -> (B, classes)
    {
        var h = Fc1.Forward(x).Gelu();                          // (B, hidden)
        h = h.Dropout(config.Dropout, Training, dropoutRng);
        return Fc2.Forward(h);                                  // (B, classes)
    }
}
