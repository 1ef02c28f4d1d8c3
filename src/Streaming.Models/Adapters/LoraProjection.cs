using Streaming.Tensors;
using Streaming.Tensors.Nn;

namespace Streaming.Models.Adapters;

/// <summary>The low-rank pair of one adapted projection: A (r, in), B (out, r); the update to W (out, in) is B A * scaling.</summary>
internal sealed class LoraProjection
{
    public LoraProjection(Tensor a, Tensor b)
    {
        A = a;
        B = b;
    }

    public Tensor A { get; }   // (r, in)  lora_A.weight

    public Tensor B { get; }   // (out, r) lora_B.weight

    /// <summary>x (..., in) -> B A dropout(x) * scaling (..., out).</summary>
    public Tensor Delta(Tensor x, float scaling, float dropout, bool training, Random rng) =>
        Tensor.Linear(Tensor.Linear(x.Dropout(dropout, training, rng), A), B) * scaling;

    /// <summary>Adds B A * scaling (negative to take it out) into <paramref name="weight"/> in place, without recording a graph.</summary>
    public void AddTo(Tensor weight, float scaling)
    {
        using var noGrad = GradMode.Disable();
        var update = B.Detach().MatMul(A.Detach()).Mul(scaling);   // (out, in)
        System.Numerics.Tensors.TensorPrimitives.Add(weight.Span, update.Span, weight.Span);
    }
}
