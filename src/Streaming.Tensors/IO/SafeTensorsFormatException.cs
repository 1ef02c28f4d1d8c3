namespace Streaming.Tensors.IO;

/// <summary>
/// A safetensors file that breaks the format: a bad header length, a header that is not the expected
/// JSON, a tensor entry with missing or invalid fields, or offsets that do not tile the data buffer.
/// The message names the file and, where one is to blame, the tensor.
/// </summary>
public sealed class SafeTensorsFormatException : Exception
{
    public SafeTensorsFormatException(string path, string? tensorName, string problem, Exception? innerException = null)
        : base(Describe(path, tensorName, problem), innerException)
    {
        FilePath = path;
        TensorName = tensorName;
    }

    /// <summary>The file that failed to parse.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor whose entry is at fault; null for problems with the file as a whole.</summary>
    public string? TensorName { get; }

    static string Describe(string path, string? tensorName, string problem) =>
        tensorName is null ? $"{path}: {problem}" : $"{path}: tensor '{tensorName}': {problem}";
}
