namespace Streaming.Tensors.IO;

/// <summary>
/// A .npy file that <see cref="NpyFile"/> cannot read: a bad magic string or version, a header that is not the
/// expected Python dict, a dtype other than little-endian float16/32/64 (object arrays included), or data shorter or
/// longer than the shape needs. The message names the file.
/// </summary>
public sealed class NpyFormatException : Exception
{
    public NpyFormatException(string path, string problem, Exception? innerException = null)
        : base($"{path}: {problem}", innerException) => FilePath = path;

    /// <summary>The file that failed to read.</summary>
    public string FilePath { get; }
}
