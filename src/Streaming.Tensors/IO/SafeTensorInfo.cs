namespace Streaming.Tensors.IO;

/// <summary>
/// One tensor entry of a safetensors header: name, element type, shape and where its bytes lie in the
/// data buffer (the bytes after the header). Validated: the byte range matches the shape and dtype.
/// </summary>
public sealed class SafeTensorInfo
{
    internal SafeTensorInfo(string name, SafeTensorsDType dtype, int[] shape, long elementCount, long begin, long end)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        ElementCount = elementCount;
        Begin = begin;
        End = end;
    }

    public string Name { get; }

    public SafeTensorsDType DType { get; }

    /// <summary>The dtype as the header spells it (<c>F32</c>, <c>BF16</c>, <c>F8_E4M3</c>, ...).</summary>
    public string DTypeName => SafeTensorsDTypes.Name(DType);

    public IReadOnlyList<int> Shape { get; }

    /// <summary>Product of the shape; 1 for a scalar (empty shape).</summary>
    public long ElementCount { get; }

    /// <summary>Start of the tensor's bytes, relative to the start of the data buffer.</summary>
    public long Begin { get; }

    /// <summary>End (exclusive) of the tensor's bytes, relative to the start of the data buffer.</summary>
    public long End { get; }

    public long ByteLength => End - Begin;

    public override string ToString() => $"{Name}: {DTypeName} ({string.Join(", ", Shape)}) bytes [{Begin}, {End})";
}
