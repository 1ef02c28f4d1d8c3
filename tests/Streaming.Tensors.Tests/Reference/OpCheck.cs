using Xunit;

namespace Streaming.Tensors.Tests.Reference;

/// <summary>One op compared with PyTorch: our function and the torch expression over the same inputs.</summary>
public sealed record OpCase(string Expr, Func<Tensor[], Tensor> Ours, OracleInput[] Inputs, float Atol = 1e-5f, float Rtol = 1e-4f);

/// <summary>
/// Runs our op and PyTorch's on the same inputs and the same random output gradient, then compares
/// the outputs and every input's gradient elementwise: |ours - torch| &lt;= atol + rtol * |torch|.
/// </summary>
public static class OpCheck
{
    public static void Against(params OpCase[] cases)
    {
        var rng = new Random(1234);
        var ours = new List<(Tensor Output, float[]?[] Grads)>();
        var oracleCases = new List<TorchOracle.Case>();
        foreach (var c in cases)
        {
            var inputs = c.Inputs.Select(i => new Tensor((float[])i.Data.Clone(), i.Shape) { RequiresGrad = i.Grad && i.DType == "float" }).ToArray();
            var output = c.Ours(inputs);
            var gradOut = RandomData(rng, output.Size);
            bool anyGrad = inputs.Any(t => t.RequiresGrad);
            if (anyGrad) output.Backward(new Tensor(gradOut, output.Shape));
            ours.Add((output, inputs.Select(t => t.RequiresGrad ? (t.Grad?.ToArray() ?? new float[t.Size]) : null).ToArray()));
            oracleCases.Add(new TorchOracle.Case(c.Expr, c.Inputs, anyGrad ? gradOut : null));
        }
        var expected = TorchOracle.Run(oracleCases);
        for (int i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            var (output, grads) = ours[i];
            Assert.True(Tensor.SameShape(output.Shape, expected[i].OutputShape),
                $"`{c.Expr}`: output shape {Tensor.Format(output.Shape)}, torch {Tensor.Format(expected[i].OutputShape)}");
            Close($"`{c.Expr}` output", output.ToArray(), expected[i].Output, c.Atol, c.Rtol);
            for (int j = 0; j < grads.Length; j++)
            {
                if (grads[j] is null) continue;
                var theirs = expected[i].Grads[j] ?? throw new Xunit.Sdk.XunitException($"`{c.Expr}`: torch gave no gradient for x{j}");
                Close($"`{c.Expr}` gradient of x{j}", grads[j]!, theirs, c.Atol * 10, c.Rtol * 10);
            }
        }
    }

    public static void Close(string what, float[] actual, float[] expected, float atol, float rtol)
    {
        Assert.True(actual.Length == expected.Length, $"{what}: {actual.Length} values, torch {expected.Length}");
        for (int k = 0; k < actual.Length; k++)
        {
            float a = actual[k], e = expected[k];
            if (float.IsNaN(e) && float.IsNaN(a)) continue;
            if (float.IsInfinity(e) && a == e) continue;
            if (!(MathF.Abs(a - e) <= atol + rtol * MathF.Abs(e)))
                throw new Xunit.Sdk.XunitException($"{what}: element {k} is {a}, torch {e} (|diff| {MathF.Abs(a - e)} > {atol} + {rtol}*|torch|)");
        }
    }

    public static float[] RandomData(Random rng, int n, float scale = 1f)
    {
        var data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return data;
    }

    static readonly Random InputRng = new(42);

    /// <summary>A random float input in [-scale, scale).</summary>
    public static OracleInput Rand(int[] shape, float scale = 1f, bool grad = true)
    {
        lock (InputRng) return new OracleInput(RandomData(InputRng, Tensor.Numel(shape), scale), shape, grad);
    }

    /// <summary>A random input in [low, high), e.g. positive values for log and sqrt.</summary>
    public static OracleInput Uniform(int[] shape, float low, float high, bool grad = true)
    {
        lock (InputRng)
        {
            var data = new float[Tensor.Numel(shape)];
            for (int i = 0; i < data.Length; i++) data[i] = low + (float)InputRng.NextDouble() * (high - low);
            return new OracleInput(data, shape, grad);
        }
    }
}
