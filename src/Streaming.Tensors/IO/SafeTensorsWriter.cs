using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

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

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> as <paramref name="dtype"/> (F32, F16 or
    /// BF16; the narrow types round to nearest, ties to even). Non-contiguous tensors are copied first.
    /// </summary>
    /// <remarks>
    /// The file is written under a temporary name in the same directory, flushed to disk and renamed over
    /// <paramref name="path"/>, so a crash leaves either the old file or the complete new one.
    /// </remarks>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, SafeTensorsDType dtype = SafeTensorsDType.F32)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!ElementConversion.CanEncode(dtype))
            throw new ArgumentException($"SafeTensorsWriter: cannot write dtype {SafeTensorsDTypes.Name(dtype)}; use F32, F16 or BF16.", nameof(dtype));
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("SafeTensorsWriter: safetensors data is little-endian; this writer runs on little-endian machines only.");
        foreach (var (name, tensor) in tensors)
        {
            if (tensor is null) throw new ArgumentException($"SafeTensorsWriter: tensor '{name}' is null.", nameof(tensors));
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"SafeTensorsWriter: '{SafeTensorsHeader.MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
        }

        // Rust compares strings by UTF-8 bytes; sorting the same way gives the reference's exact layout.
        var entries = tensors.OrderBy(e => Encoding.UTF8.GetBytes(e.Key), Utf8Order.Instance).ToList();
        var header = Header(entries, metadata, SafeTensorsDTypes.Size(dtype), SafeTensorsDTypes.Name(dtype));

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
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkElements * SafeTensorsDTypes.Size(dtype));
                try
                {
                    foreach (var (_, tensor) in entries) WriteData(file, tensor, dtype, buffer);
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

    static byte[] Header(List<KeyValuePair<string, Tensor>> entries, IReadOnlyDictionary<string, string>? metadata, int elementSize, string dtypeName)
    {
        var output = new ArrayBufferWriter<byte>();
        // Names stay readable (no \u escapes for non-ASCII); the header is never embedded in HTML.
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(e => e.Key, StringComparer.Ordinal))
                    json.WriteString(key, value ?? throw new ArgumentException($"SafeTensorsWriter: metadata '{key}' is null.", nameof(metadata)));
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in entries)
            {
                long end = offset + (long)tensor.Size * elementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", dtypeName);
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        int padded = (output.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        output.WrittenSpan.CopyTo(header);
        header.AsSpan(output.WrittenCount).Fill((byte)' ');
        return header;
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

    sealed class Utf8Order : IComparer<byte[]>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
