using Xunit;

namespace Streaming.Tensors.Tests.Reference;

/// <summary>
/// Checks our autograd against central differences (f(x + h) - f(x - h)) / 2h in float32, one input
/// element at a time. A non-scalar output is reduced to the scalar sum(output * r) for a fixed random
/// r, accumulated in double, so the quotient carries only the op's own float32 rounding.
/// </summary>
public static class FiniteDifference
{
    /// <summary>
    /// Compares the gradient of every input with <see cref="Tensor.RequiresGrad"/> set. The default step
    /// balances truncation error (h^2) against float32 rounding (ulp / h) for values of order 1.
    /// </summary>
    public static void Check(string what, Func<Tensor[], Tensor> f, Tensor[] inputs, float step = 1e-2f, float atol = 2e-3f, float rtol = 2e-2f, int seed = 7)
    {
        var leaves = inputs.Select(t => new Tensor(t.ToArray(), (int[])t.Shape.Clone()) { RequiresGrad = t.RequiresGrad }).ToArray();
        var output = f(leaves);
        float[] projection = output.Size == 1 ? [1f] : OpCheck.RandomData(new Random(seed), output.Size);
        output.Backward(new Tensor(projection, (int[])output.Shape.Clone()));
        for (int j = 0; j < leaves.Length; j++)
        {
            if (!leaves[j].RequiresGrad) continue;
            var analytic = leaves[j].Grad?.ToArray() ?? new float[leaves[j].Size];
            var data = leaves[j].Data;
            for (int k = 0; k < data.Length; k++)
            {
                float original = data[k];
                float plus = original + step, minus = original - step;
                data[k] = plus;
                double fPlus = Project(f, leaves, projection);
                data[k] = minus;
                double fMinus = Project(f, leaves, projection);
                data[k] = original;
                // Divide by the step actually taken after rounding x +- h to float32.
                double numeric = (fPlus - fMinus) / ((double)plus - minus);
                if (!(Math.Abs(analytic[k] - numeric) <= atol + rtol * Math.Abs(numeric)))
                    throw new Xunit.Sdk.XunitException(
                        $"{what}: d/dx{j}[{k}] is {analytic[k]} by autograd, {numeric} by central differences (step {step}, atol {atol}, rtol {rtol})");
            }
        }
    }

    static double Project(Func<Tensor[], Tensor> f, Tensor[] inputs, float[] r)
    {
        using var _ = GradMode.Disable();
        var values = f(inputs).ToArray();
        double sum = 0;
        for (int i = 0; i < values.Length; i++) sum += (double)values[i] * r[i];
        return sum;
    }
}
