namespace Streaming.Tensors.Nn;

/// <summary>Seeded initializers with PyTorch's conventions (fan_in = in features x kernel size).</summary>
public static class Init
{
    public static Tensor Uniform(Random rng, float low, float high, params int[] shape)
    {
        var data = new float[Tensor.Numel(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = low + (float)rng.NextDouble() * (high - low);
        return new Tensor(data, shape);
    }

    /// <summary>Normal(mean, std) by the Box-Muller transform.</summary>
    public static Tensor Normal(Random rng, float mean, float std, params int[] shape)
    {
        var data = new float[Tensor.Numel(shape)];
        for (int i = 0; i < data.Length; i += 2)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            data[i] = mean + std * (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < data.Length) data[i + 1] = mean + std * (float)(r * Math.Sin(2 * Math.PI * u2));
        }
        return new Tensor(data, shape);
    }

    /// <summary>torch.nn.Linear / Conv1d default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with a = sqrt(5)).</summary>
    public static Tensor KaimingUniform(Random rng, int fanIn, params int[] shape)
    {
        float bound = 1f / MathF.Sqrt(Math.Max(fanIn, 1));
        return Uniform(rng, -bound, bound, shape);
    }

    /// <summary>Glorot: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Random rng, int fanIn, int fanOut, params int[] shape)
    {
        float bound = MathF.Sqrt(6f / Math.Max(fanIn + fanOut, 1));
        return Uniform(rng, -bound, bound, shape);
    }
}
