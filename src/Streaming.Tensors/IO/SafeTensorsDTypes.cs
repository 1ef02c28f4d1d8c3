namespace Streaming.Tensors.IO;

/// <summary>Header spelling and element size of each <see cref="SafeTensorsDType"/>.</summary>
internal static class SafeTensorsDTypes
{
    static readonly string[] Names =
        ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"];

    static readonly int[] Sizes = [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8];

    public static string Name(SafeTensorsDType dtype) => Names[(int)dtype];

    public static int Size(SafeTensorsDType dtype) => Sizes[(int)dtype];

    /// <summary>Parses a header dtype; case-sensitive, as in the reference implementation.</summary>
    public static bool TryParse(string name, out SafeTensorsDType dtype)
    {
        int i = Array.IndexOf(Names, name);
        dtype = (SafeTensorsDType)Math.Max(i, 0);
        return i >= 0;
    }
}
