namespace Streaming.Tensors.IO;

/// <summary>
/// What a .npy header says: the format version, the dtype (NumPy's <c>descr</c>, e.g. <c>&lt;f4</c>), whether the
/// data is in Fortran (column-major) order, the shape, and where the data starts.
/// </summary>
public sealed record NpyHeader(int MajorVersion, int MinorVersion, string DType, bool FortranOrder, int[] Shape, long DataOffset)
{
    /// <summary>Number of elements: the product of the shape (1 for a 0-d array).</summary>
    public long Count => Shape.Aggregate(1L, (n, d) => n * d);
}
