using System.Text;
using Streaming.Tensors.IO;
using Xunit;

namespace Streaming.Tensors.Tests.IO;

/// <summary>One broken file per kind of corruption; each error must name the file, the tensor at fault and the problem.</summary>
public sealed class SafeTensorsFormatTests : IDisposable
{
    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Open_FileShorterThanLengthPrefix_SaysTooShort()
    {
        var e = OpenBroken([1, 0, 0]);

        Assert.Null(e.TensorName);
        Assert.Contains("3 bytes, too few for the 8-byte header length", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HeaderLengthPastEndOfFile_SaysTruncated()
    {
        var e = OpenBroken([.. BitConverter.GetBytes(100UL), .. "{}"u8]);

        Assert.Contains("header length 100 runs past the end of the file (10 bytes)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_AbsurdHeaderLength_SaysOverLimit()
    {
        var e = OpenBroken([.. BitConverter.GetBytes(ulong.MaxValue), .. "{}"u8]);

        Assert.Contains($"header length {ulong.MaxValue} exceeds the 100000000-byte limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HeaderNotUtf8_SaysSo()
    {
        var e = OpenBroken(File([(byte)'{', 0xFF, 0xFE, (byte)'}'], 0));

        Assert.Contains("not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HeaderNotAnObject_SaysWhatItStartsWith()
    {
        var e = OpenBroken(File("[1, 2]", 0));

        Assert.Contains("does not start with '{' (it starts with \"[1, 2]\")", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HeaderNotJson_GivesParserMessage()
    {
        var e = OpenBroken(File("{\"a\": {\"dtype\": ", 0));

        Assert.Contains("the header is not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.IsType<System.Text.Json.JsonException>(e.InnerException, exactMatch: false);
    }

    [Fact]
    public void Open_EntryNotAnObject_NamesTensor()
    {
        var e = OpenBroken(File("{\"w\": [0, 4]}", 0));

        Assert.Equal("w", e.TensorName);
        Assert.Contains("tensor 'w': the entry is a JSON Array, not an object", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingDtype_NamesTensorAndField()
    {
        var e = OpenBroken(File("{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4));

        Assert.Contains("tensor 'w': the entry has no \"dtype\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingShape_NamesTensorAndField()
    {
        var e = OpenBroken(File("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4));

        Assert.Contains("tensor 'w': the entry has no \"shape\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingDataOffsets_NamesTensorAndField()
    {
        var e = OpenBroken(File("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4));

        Assert.Contains("tensor 'w': the entry has no \"data_offsets\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DtypeNotString_NamesTensor()
    {
        var e = OpenBroken(File(Entry("w", "4", "[1]", "[0, 4]", quoteDtype: false), 4));

        Assert.Contains("tensor 'w': \"dtype\" is a JSON Number, not a string", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnknownDtype_NamesTensorAndDtype()
    {
        var e = OpenBroken(File(Entry("w", "F128", "[1]", "[0, 16]"), 16));

        Assert.Contains("tensor 'w': unknown dtype 'F128'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NegativeDimension_NamesTensorAndShape()
    {
        var e = OpenBroken(File(Entry("w", "F32", "[2, -3]", "[0, 0]"), 0));

        Assert.Contains("tensor 'w': shape [2, -3] has a negative dimension -3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FractionalDimension_NamesTensorAndShape()
    {
        var e = OpenBroken(File(Entry("w", "F32", "[1.5]", "[0, 4]"), 4));

        Assert.Contains("tensor 'w': shape [1.5] has a dimension that is not an integer: 1.5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DimensionBeyondInt32_NamesTensor()
    {
        var e = OpenBroken(File(Entry("w", "U8", "[3000000000]", "[0, 3000000000]"), 0));

        Assert.Contains("tensor 'w': shape [3000000000] has dimension 3000000000, more than 2147483647", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ElementCountOverflows_NamesTensor()
    {
        var e = OpenBroken(File(Entry("w", "F32", "[2147483647, 2147483647, 2147483647]", "[0, 4]"), 4));

        Assert.Contains("tensor 'w': the element count of shape [2147483647, 2147483647, 2147483647] overflows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OffsetsNotAPair_NamesTensor()
    {
        var e = OpenBroken(File(Entry("w", "F32", "[1]", "[4]"), 4));

        Assert.Contains("tensor 'w': \"data_offsets\" is [4], not a pair [begin, end] of non-negative integers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OffsetsBackwards_NamesTensor()
    {
        var e = OpenBroken(File(Entry("w", "F32", "[1]", "[8, 4]"), 8));

        Assert.Contains("tensor 'w': data_offsets [8, 4] are out of order: begin comes after end", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ByteSizeNotShapeTimesDtype_NamesTensorAndBothSizes()
    {
        var e = OpenBroken(File(Entry("w", "F32", "[2, 3]", "[0, 20]"), 20));

        Assert.Contains("tensor 'w': dtype F32 and shape (2, 3) need 24 bytes, but data_offsets [0, 20] span 20", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OverlappingTensors_NamesBoth()
    {
        var header = "{" + Entry("a", "F32", "[4]", "[0, 16]", braces: false) + "," + Entry("b", "F32", "[4]", "[8, 24]", braces: false) + "}";

        var e = OpenBroken(File(header, 24));

        Assert.Equal("b", e.TensorName);
        Assert.Contains("tensor 'b': data_offsets [8, 24] overlap tensor 'a' at [0, 16]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HoleAtStartOfData_NamesTensorAndRange()
    {
        var e = OpenBroken(File(Entry("w", "F32", "[4]", "[4, 20]"), 20));

        Assert.Contains("tensor 'w': data_offsets [4, 20] leave bytes [0, 4) at the start of the data buffer to no tensor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_HoleBetweenTensors_NamesBothAndRange()
    {
        // Listed out of offset order: the reader sorts by offset, as the reference does.
        var header = "{" + Entry("b", "F32", "[2]", "[16, 24]", braces: false) + "," + Entry("a", "F32", "[2]", "[0, 8]", braces: false) + "}";

        var e = OpenBroken(File(header, 24));

        Assert.Contains("tensor 'b': data_offsets [16, 24] leave bytes [8, 16) after tensor 'a' to no tensor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TruncatedData_NamesLastTensor()
    {
        var path = dir.File("truncated.safetensors");
        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["a"] = Tensor.Zeros(4), ["b"] = Tensor.Zeros(4) });
        var bytes = System.IO.File.ReadAllBytes(path);

        var e = OpenBroken(bytes[..^6]);

        Assert.Contains("tensor 'b': data_offsets [16, 32] reach past the end of the data buffer (26 bytes): the file is truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_TrailingBytesAfterLastTensor_SaysHowMany()
    {
        var e = OpenBroken(File(Entry("w", "F32", "[1]", "[0, 4]"), 7));

        Assert.Null(e.TensorName);
        Assert.Contains("the data buffer has 7 bytes but the tensors cover only [0, 4): 3 trailing bytes belong to no tensor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_DuplicateTensorName_NamesTensor()
    {
        var header = "{" + Entry("w", "F32", "[1]", "[0, 4]", braces: false) + "," + Entry("w", "F32", "[1]", "[4, 8]", braces: false) + "}";

        var e = OpenBroken(File(header, 8));

        Assert.Contains("tensor 'w': the header lists this key twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MetadataValueNotString_NamesKey()
    {
        var e = OpenBroken(File("{\"__metadata__\": {\"step\": 100}}", 0));

        Assert.Contains("\"__metadata__\" entry 'step' is a JSON Number; metadata values must be strings", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_UnpaddedHeaderAndZeroSizeTensors_Accepted()
    {
        var header = "{" + Entry("e", "F16", "[0, 5]", "[0, 0]", braces: false) + "," + Entry("x", "F32", "[1]", "[0, 4]", braces: false)
            + ",\"__metadata__\": {}, \"e2\": {\"dtype\": \"BF16\", \"shape\": [3, 0], \"data_offsets\": [4, 4], \"extra\": true}}";
        var path = dir.File("odd.safetensors");
        System.IO.File.WriteAllBytes(path, File(header, 4));

        using var file = SafeTensorsFile.Open(path);

        Assert.Equal(["e", "x", "e2"], file.Tensors.Select(t => t.Name));
        Assert.Equal([0, 5], file.Read("e").Shape);
        Assert.Equal([3, 0], file.Read("e2").Shape);
    }

    SafeTensorsFormatException OpenBroken(byte[] bytes)
    {
        var path = dir.File("broken.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensorsFile.Open(path));
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
        return e;
    }

    static string Entry(string name, string dtype, string shape, string offsets, bool quoteDtype = true, bool braces = true)
    {
        var d = quoteDtype ? $"\"{dtype}\"" : dtype;
        var entry = $"\"{name}\": {{\"dtype\": {d}, \"shape\": {shape}, \"data_offsets\": {offsets}}}";
        return braces ? "{" + entry + "}" : entry;
    }

    static byte[] File(string header, int dataBytes) => File(Encoding.UTF8.GetBytes(header), dataBytes);

    static byte[] File(byte[] header, int dataBytes) => [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[dataBytes]];
}
