using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Streaming.Tensors.IO;

/// <summary>
/// Writes tensors as a safetensors file laid out as the reference implementation does: compact JSON
/// header with <c>__metadata__</c> first and tensors sorted by name, padded with spaces to a multiple of
/// 8 bytes so that every tensor's data is aligned, then the data in the same order.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Tensors are written this many elements at a time: F16 and BF16 need no full-size buffer, and byte spans index with int.</summary>
    const int ChunkElements = 1 << 16;

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> as <paramref name="dtype"/> (F32, F16 or
    /// BF16; the narrow types round to nearest, ties to even). Non-contiguous tensors are copied first.
    /// </summary>
    /// <remarks>
    /// The file is written under a temporary name in the same directory (<c>.name.GUID.tmp</c>), flushed to
    /// disk and renamed over <paramref name="path"/>, so a crash leaves either the old file or the complete
    /// new one under that name; at worst a stray temporary file remains beside it.
    /// </remarks>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, SafeTensorsDType dtype = SafeTensorsDType.F32) =>
        Write(path, tensors, new Dictionary<string, IntegerTensor>(), metadata, dtype);

    /// <summary>
    /// Writes float <paramref name="tensors"/> as <paramref name="dtype"/> and <paramref name="integers"/> each as its
    /// own <see cref="IntegerTensor.DType"/> (I64 or I32) into one file, as <see cref="Write(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?, SafeTensorsDType)"/>.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, IntegerTensor> integers,
        IReadOnlyDictionary<string, string>? metadata = null, SafeTensorsDType dtype = SafeTensorsDType.F32)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(integers);
        if (!ElementConversion.CanEncode(dtype))
            throw new ArgumentException($"SafeTensorsWriter: cannot write dtype {SafeTensorsDTypes.Name(dtype)}; use F32, F16 or BF16.", nameof(dtype));
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("SafeTensorsWriter: safetensors data is little-endian; this writer runs on little-endian machines only.");
        var all = new List<Entry>(tensors.Count + integers.Count);
        foreach (var (name, tensor) in tensors)
        {
            if (tensor is null) throw new ArgumentException($"SafeTensorsWriter: tensor '{name}' is null.", nameof(tensors));
            all.Add(new Entry(name, dtype, tensor.Shape, tensor.Size, tensor, null));
        }
        foreach (var (name, integer) in integers)
        {
            if (integer is null) throw new ArgumentException($"SafeTensorsWriter: tensor '{name}' is null.", nameof(integers));
            if (tensors.ContainsKey(name)) throw new ArgumentException($"SafeTensorsWriter: '{name}' names both a float and an integer tensor.", nameof(integers));
            all.Add(new Entry(name, integer.DType, integer.Shape, integer.Values.Length, null, integer));
        }
        foreach (var e in all)
            if (e.Name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"SafeTensorsWriter: '{SafeTensorsHeader.MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));

        // Rust compares strings by UTF-8 bytes; sorting the same way gives the reference's exact layout.
        var entries = all.OrderBy(e => Encoding.UTF8.GetBytes(e.Name), Utf8Order.Instance).ToList();
        var header = Header(entries, metadata);

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                file.Write(length);
                file.Write(header);
                // F32 and I64 are written as they are; the converted types are at most 4 bytes wide (I32).
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkElements * 4);
                try
                {
                    foreach (var e in entries)
                    {
                        if (e.Floats is not null) WriteData(file, e.Floats, dtype, buffer);
                        else WriteIntegers(file, e.Integers!, buffer);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>One tensor of the file: float data written as the file's dtype, or integers as their own.</summary>
    readonly record struct Entry(string Name, SafeTensorsDType DType, IReadOnlyList<int> Shape, long Count, Tensor? Floats, IntegerTensor? Integers);

    /// <summary>
    /// The JSON header, written by hand to match serde_json byte for byte (System.Text.Json escapes
    /// characters outside the BMP), padded with spaces to a multiple of 8 bytes.
    /// </summary>
    static byte[] Header(List<Entry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder("{");
        string separator = "";
        if (metadata is not null)
        {
            AppendString(json, SafeTensorsHeader.MetadataKey).Append(":{");
            string metadataSeparator = "";
            foreach (var (key, value) in metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                if (value is null) throw new ArgumentException($"SafeTensorsWriter: metadata '{key}' is null.", nameof(metadata));
                AppendString(json.Append(metadataSeparator), key).Append(':');
                AppendString(json, value);
                metadataSeparator = ",";
            }
            json.Append('}');
            separator = ",";
        }
        long offset = 0;
        foreach (var e in entries)
        {
            long end = offset + e.Count * SafeTensorsDTypes.Size(e.DType);
            AppendString(json.Append(separator), e.Name);
            separator = ",";
            json.Append(CultureInfo.InvariantCulture, $":{{\"dtype\":\"{SafeTensorsDTypes.Name(e.DType)}\",\"shape\":[{string.Join(',', e.Shape)}],\"data_offsets\":[{offset},{end}]}}");
            offset = end;
        }
        json.Append('}');

        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(json.ToString());
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("SafeTensorsWriter: a tensor name or metadata string contains an unpaired surrogate, which UTF-8 cannot encode.", e);
        }
        var header = new byte[(utf8.Length + 7) / 8 * 8];
        utf8.CopyTo(header, 0);
        header.AsSpan(utf8.Length).Fill((byte)' ');
        return header;
    }

    /// <summary>A JSON string escaped as serde_json does: quote, backslash and control characters only.</summary>
    static StringBuilder AppendString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: json.Append(c); break;
            }
        }
        return json.Append('"');
    }

    static void WriteData(FileStream file, Tensor tensor, SafeTensorsDType dtype, byte[] buffer)
    {
        ReadOnlySpan<float> values = tensor.IsContiguous ? tensor.Span : tensor.ToArray();
        int size = SafeTensorsDTypes.Size(dtype);
        for (int i = 0; i < values.Length; i += ChunkElements)
        {
            var chunk = values.Slice(i, Math.Min(ChunkElements, values.Length - i));
            if (dtype == SafeTensorsDType.F32)
            {
                file.Write(MemoryMarshal.AsBytes(chunk));
                continue;
            }
            var bytes = buffer.AsSpan(0, chunk.Length * size);
            ElementConversion.Encode(dtype, chunk, bytes);
            file.Write(bytes);
        }
    }

    static void WriteIntegers(FileStream file, IntegerTensor integers, byte[] buffer)
    {
        var values = integers.Values.AsSpan();
        if (integers.DType == SafeTensorsDType.I64)
        {
            file.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        for (int i = 0; i < values.Length; i += ChunkElements)
        {
            var chunk = values.Slice(i, Math.Min(ChunkElements, values.Length - i));
            var narrow = MemoryMarshal.Cast<byte, int>(buffer.AsSpan(0, chunk.Length * 4));
            for (int j = 0; j < chunk.Length; j++) narrow[j] = (int)chunk[j];
            file.Write(MemoryMarshal.AsBytes(narrow));
        }
    }

    sealed class Utf8Order : IComparer<byte[]>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
