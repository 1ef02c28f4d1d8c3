using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Streaming.Tensors.IO;

/// <summary>
/// The parsed and validated header of a safetensors file: 8 bytes of little-endian header length N,
/// N bytes of UTF-8 JSON mapping tensor names to dtype, shape and data_offsets (plus an optional
/// <c>__metadata__</c> map of strings), then the data buffer, which the tensors must tile exactly.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>The reference implementation's cap; a larger length means a corrupt or foreign file.</summary>
    public const long MaxHeaderLength = 100_000_000;

    public const string MetadataKey = "__metadata__";

    SafeTensorsHeader(long headerLength, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        HeaderLength = headerLength;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>N, the length of the JSON header in bytes (padding included).</summary>
    public long HeaderLength { get; }

    /// <summary>File offset of the data buffer.</summary>
    public long DataStart => 8 + HeaderLength;

    /// <summary>The tensors in data-buffer order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads and validates the header at the start of <paramref name="file"/>; <paramref name="path"/> is for messages.</summary>
    public static SafeTensorsHeader Read(string path, Stream file)
    {
        long fileLength = file.Length;
        if (fileLength < 8)
            throw new SafeTensorsFormatException(path, null, $"the file has {fileLength} bytes, too few for the 8-byte header length: truncated or not a safetensors file.");
        Span<byte> prefix = stackalloc byte[8];
        file.Position = 0;
        file.ReadExactly(prefix);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > MaxHeaderLength)
            throw new SafeTensorsFormatException(path, null, $"header length {n} exceeds the {MaxHeaderLength}-byte limit: corrupt or not a safetensors file.");
        if ((long)n > fileLength - 8)
            throw new SafeTensorsFormatException(path, null, $"header length {n} runs past the end of the file ({fileLength} bytes): truncated or not a safetensors file.");
        var json = new byte[n];
        file.ReadExactly(json);
        return Parse(path, json, fileLength - 8 - (long)n);
    }

    /// <summary>Parses the JSON header and checks it against a data buffer of <paramref name="dataLength"/> bytes.</summary>
    public static SafeTensorsHeader Parse(string path, byte[] json, long dataLength)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
            throw new SafeTensorsFormatException(path, null, "the header is not valid UTF-8: corrupt or not a safetensors file.");
        if (json.Length == 0 || json[0] != (byte)'{')
            throw new SafeTensorsFormatException(path, null, $"the header does not start with '{{' (it starts with {Preview(json)}): not a safetensors file.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, null, $"the header is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            // Valid JSON that starts with '{' is an object.
            var root = document.RootElement;
            var tensors = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafeTensorsFormatException(path, property.Name, "the header lists this key twice.");
                if (property.Name == MetadataKey) ReadMetadata(path, property.Value, metadata);
                else tensors.Add(ReadEntry(path, property.Name, property.Value));
            }
            tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            CheckCoverage(path, tensors, dataLength);
            return new SafeTensorsHeader(json.Length, tensors, metadata);
        }
    }

    static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(path, null, $"\"{MetadataKey}\" is a JSON {value.ValueKind}, not an object of strings.");
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsFormatException(path, null, $"\"{MetadataKey}\" entry '{entry.Name}' is a JSON {entry.Value.ValueKind}; metadata values must be strings.");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new SafeTensorsFormatException(path, null, $"\"{MetadataKey}\" lists key '{entry.Name}' twice.");
        }
    }

    static SafeTensorInfo ReadEntry(string path, string name, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsFormatException(path, name, $"the entry is a JSON {entry.ValueKind}, not an object with dtype, shape and data_offsets.");

        if (!entry.TryGetProperty("dtype", out var dtypeElement))
            throw new SafeTensorsFormatException(path, name, "the entry has no \"dtype\".");
        if (dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafeTensorsFormatException(path, name, $"\"dtype\" is a JSON {dtypeElement.ValueKind}, not a string.");
        var dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorsDTypes.TryParse(dtypeName, out var dtype))
            throw new SafeTensorsFormatException(path, name, $"unknown dtype '{dtypeName}'.");

        if (!entry.TryGetProperty("shape", out var shapeElement))
            throw new SafeTensorsFormatException(path, name, "the entry has no \"shape\".");
        if (shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafeTensorsFormatException(path, name, $"\"shape\" is a JSON {shapeElement.ValueKind}, not a list of dimensions.");
        var shape = new int[shapeElement.GetArrayLength()];
        long elementCount = 1;
        int d = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long size))
                throw new SafeTensorsFormatException(path, name, $"shape {shapeElement.GetRawText()} has a dimension that is not an integer: {dim.GetRawText()}.");
            if (size < 0)
                throw new SafeTensorsFormatException(path, name, $"shape {shapeElement.GetRawText()} has a negative dimension {size}.");
            if (size > int.MaxValue)
                throw new SafeTensorsFormatException(path, name, $"shape {shapeElement.GetRawText()} has dimension {size}, more than {int.MaxValue}.");
            shape[d++] = (int)size;
            elementCount = CheckedMultiply(path, name, elementCount, size, $"the element count of shape {shapeElement.GetRawText()}");
        }

        if (!entry.TryGetProperty("data_offsets", out var offsetsElement))
            throw new SafeTensorsFormatException(path, name, "the entry has no \"data_offsets\".");
        if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2
            || !TryGetOffset(offsetsElement[0], out long begin) || !TryGetOffset(offsetsElement[1], out long end))
            throw new SafeTensorsFormatException(path, name, $"\"data_offsets\" is {offsetsElement.GetRawText()}, not a pair [begin, end] of non-negative integers.");
        if (begin > end)
            throw new SafeTensorsFormatException(path, name, $"data_offsets [{begin}, {end}] are out of order: begin comes after end.");

        long byteLength = CheckedMultiply(path, name, elementCount, SafeTensorsDTypes.Size(dtype), "the byte size");
        if (end - begin != byteLength)
            throw new SafeTensorsFormatException(path, name,
                $"dtype {dtypeName} and shape {Tensor.Format(shape)} need {byteLength} bytes, but data_offsets [{begin}, {end}] span {end - begin}.");
        return new SafeTensorInfo(name, dtype, shape, elementCount, begin, end);
    }

    static bool TryGetOffset(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value) && value >= 0;
    }

    static long CheckedMultiply(string path, string name, long a, long b, string what)
    {
        if (b != 0 && a > long.MaxValue / b)
            throw new SafeTensorsFormatException(path, name, $"{what} overflows a 64-bit integer.");
        return a * b;
    }

    /// <summary>The spec requires the tensors, sorted by offset, to tile the data buffer: no overlaps, no holes, nothing past the end.</summary>
    static void CheckCoverage(string path, List<SafeTensorInfo> tensors, long dataLength)
    {
        long covered = 0;
        SafeTensorInfo? previous = null;
        foreach (var t in tensors)
        {
            if (t.Begin < covered)
                throw new SafeTensorsFormatException(path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] overlap tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}].");
            if (t.Begin > covered)
                throw new SafeTensorsFormatException(path, t.Name, previous is null
                    ? $"data_offsets [{t.Begin}, {t.End}] leave bytes [0, {t.Begin}) at the start of the data buffer to no tensor; the data must be covered without holes."
                    : $"data_offsets [{t.Begin}, {t.End}] leave bytes [{covered}, {t.Begin}) after tensor '{previous.Name}' to no tensor; the data must be covered without holes.");
            if (t.End > dataLength)
                throw new SafeTensorsFormatException(path, t.Name,
                    $"data_offsets [{t.Begin}, {t.End}] reach past the end of the data buffer ({dataLength} bytes): the file is truncated.");
            covered = t.End;
            previous = t;
        }
        if (covered < dataLength)
            throw new SafeTensorsFormatException(path, null,
                $"the data buffer has {dataLength} bytes but the tensors cover only [0, {covered}): {dataLength - covered} trailing bytes belong to no tensor.");
    }

    /// <summary>The first bytes of a header, printable, for messages about files that are not safetensors at all.</summary>
    static string Preview(byte[] json)
    {
        if (json.Length == 0) return "nothing (the header is empty)";
        var text = Encoding.UTF8.GetString(json, 0, Math.Min(json.Length, 16));
        return JsonSerializer.Serialize(text);
    }
}
