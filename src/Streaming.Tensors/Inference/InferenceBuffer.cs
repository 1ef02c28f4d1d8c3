namespace Streaming.Tensors.Inference;

/// <summary>
/// Storage for one activation of an allocation-free forward: it grows to the largest view asked of it and is reused
/// by every smaller one; a larger one keeps nothing of the old (<see cref="Grew"/> says so).
/// </summary>
public sealed class InferenceBuffer
{
    float[] data = [];

    /// <summary>Whether the last <see cref="View"/> needed new storage.</summary>
    public bool Grew { get; private set; }

    /// <summary>A contiguous tensor of <paramref name="shape"/> over the buffer's first values; their contents are whatever was last written.</summary>
    public Tensor View(params int[] shape)
    {
        int size = shape.Aggregate(1, (a, d) => a * d);
        return new Tensor(Floats(size), [data.Length]).Narrow(0, 0, size).Reshape(shape);
    }

    /// <summary>The storage itself, at least <paramref name="size"/> values, for a kernel's scratch: no tensor made, nothing allocated once grown.</summary>
    public float[] Floats(int size)
    {
        Grew = size > data.Length;
        if (Grew) data = new float[size];
        return data;
    }
}
