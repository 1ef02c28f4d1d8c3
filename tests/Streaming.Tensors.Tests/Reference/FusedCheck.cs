using Xunit;

namespace Streaming.Tensors.Tests.Reference;

/// <summary>
/// Compares a fused op with the same math composed from primitive ops: both run on copies of the same
/// inputs with the same random output gradient, and outputs and input gradients must agree.
/// </summary>
public static class FusedCheck
{
    public static void AgainstComposed(string what, Func<Tensor[], Tensor> fused, Func<Tensor[], Tensor> composed, OracleInput[] inputs, float atol = 1e-5f, float rtol = 1e-4f)
    {
        var (fusedOut, fusedGrads) = Run(fused, inputs);
        var (composedOut, composedGrads) = Run(composed, inputs);
        Assert.True(Tensor.SameShape(fusedOut.Shape, composedOut.Shape),
            $"{what}: fused shape {Tensor.Format(fusedOut.Shape)}, composed {Tensor.Format(composedOut.Shape)}");
        OpCheck.Close($"{what} fused vs composed output", fusedOut.ToArray(), composedOut.ToArray(), atol, rtol);
        for (int j = 0; j < inputs.Length; j++)
            if (fusedGrads[j] is { } g)
                OpCheck.Close($"{what} fused vs composed gradient of x{j}", g, composedGrads[j]!, atol, rtol);
    }

    static (Tensor Output, float[]?[] Grads) Run(Func<Tensor[], Tensor> f, OracleInput[] inputs)
    {
        var leaves = inputs.Select(i => new Tensor((float[])i.Data.Clone(), i.Shape) { RequiresGrad = i.Grad }).ToArray();
        var output = f(leaves);
        output.Backward(new Tensor(OpCheck.RandomData(new Random(99), output.Size), (int[])output.Shape.Clone()));
        return (output, leaves.Select(t => t.RequiresGrad ? t.Grad?.ToArray() ?? new float[t.Size] : null).ToArray());
    }
}
