namespace Streaming.Tensors.IO;

/// <summary>
/// Integer data to store in a safetensors file beside float tensors, such as token ids: <see cref="Tensor"/> holds
/// float32 only, which is exact for integers up to 2^24, while Hugging Face stores ids as I64.
/// </summary>
public sealed class IntegerTensor
{
    /// <summary><paramref name="values"/> row-major in <paramref name="shape"/>, stored as <paramref name="dtype"/> (I64 or I32).</summary>
    public IntegerTensor(long[] values, int[] shape, SafeTensorsDType dtype = SafeTensorsDType.I64)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        if (dtype is not (SafeTensorsDType.I64 or SafeTensorsDType.I32))
            throw new ArgumentException($"IntegerTensor: dtype {SafeTensorsDTypes.Name(dtype)} is not supported; use I64 or I32.", nameof(dtype));
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"IntegerTensor: shape ({string.Join(", ", shape)}) has a negative dimension.", nameof(shape));
            count *= d;
        }
        if (count != values.Length)
            throw new ArgumentException($"IntegerTensor: {values.Length} values do not fill shape ({string.Join(", ", shape)}).", nameof(values));
        if (dtype == SafeTensorsDType.I32)
            foreach (var v in values)
                if (v is < int.MinValue or > int.MaxValue)
                    throw new ArgumentOutOfRangeException(nameof(values), v, "IntegerTensor: value outside the I32 range.");
        Values = values;
        Shape = shape;
        DType = dtype;
    }

    public long[] Values { get; }

    public int[] Shape { get; }

    public SafeTensorsDType DType { get; }

    /// <summary>A vector of token ids (T), stored as I64 as transformers' input_ids are.</summary>
    public static IntegerTensor Ids(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return new IntegerTensor([.. ids.Select(i => (long)i)], [ids.Count]);
    }
}
