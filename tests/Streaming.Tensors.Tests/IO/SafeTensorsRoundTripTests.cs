using System.Text;
using Streaming.Tensors.IO;
using Xunit;

namespace Streaming.Tensors.Tests.IO;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    static readonly float[] Specials = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.Epsilon, -1e-40f, float.MaxValue, 1f / 3f];

    static Dictionary<string, Tensor> Sample() => new()
    {
        ["w"] = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3),
        ["b.specials"] = Tensor.FromArray(Specials, Specials.Length),
        ["scalar"] = Tensor.Scalar(-2.5f),
        ["empty"] = Tensor.Zeros(0, 3),
        ["ünïcode/名前"] = Tensor.FromArray([7, 8], 1, 2, 1),
    };

    [Fact]
    public void WriteRead_F32_BitExactWithShapesAndMetadata()
    {
        var path = dir.File("a.safetensors");
        var tensors = Sample();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "\"quoted\" ünïcode" };

        SafeTensorsWriter.Write(path, tensors, metadata);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(metadata, file.Metadata);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var (name, expected) in tensors)
        {
            var info = file.GetInfo(name);
            Assert.Equal(SafeTensorsDType.F32, info.DType);
            Assert.Equal(expected.Shape, info.Shape);
            var actual = file.Read(name);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(Bits(expected.ToArray()), Bits(actual.ToArray()));
        }
    }

    [Theory]
    [InlineData(SafeTensorsDType.F16)]
    [InlineData(SafeTensorsDType.BF16)]
    public void WriteRead_Narrow_RoundsEachValueOnce(SafeTensorsDType dtype)
    {
        var path = dir.File("narrow.safetensors");
        var values = Specials.Concat([1.00048828125f, 65519f, 65520f, 3.0e-8f, 1.00390625f, 1.01171875f]).ToArray();

        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray(values, values.Length) }, dtype: dtype);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(dtype, file.GetInfo("x").DType);
        var expected = values.Select(v => dtype == SafeTensorsDType.F16
            ? (float)(Half)v
            : ElementConversion.BFloat16BitsToSingle(ElementConversion.SingleToBFloat16Bits(v))).ToArray();
        var actual = file.Read("x").ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(expected[i])) Assert.True(float.IsNaN(actual[i]), $"element {i}: {actual[i]}");
            else Assert.Equal(BitConverter.SingleToUInt32Bits(expected[i]), BitConverter.SingleToUInt32Bits(actual[i]));
        }
    }

    [Theory]
    [InlineData(SafeTensorsDType.F32)]
    [InlineData(SafeTensorsDType.BF16)]
    public void WriteRead_TensorLargerThanOneChunk_ReadsEveryElement(SafeTensorsDType dtype)
    {
        var path = dir.File("large.safetensors");
        int n = (1 << 20) + 12345;
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = i % 251 - 125;

        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["big"] = Tensor.FromArray(values, n) }, dtype: dtype);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(values, file.Read("big").ToArray());
    }

    [Fact]
    public void Write_NonContiguousTensor_WritesRowMajorCopy()
    {
        var path = dir.File("transposed.safetensors");
        // (3, 2) transposed view of the (2, 3) storage [[1, 2, 3], [4, 5, 6]]
        var transposed = new Tensor([1, 2, 3, 4, 5, 6], 0, [3, 2], [1, 3]);
        Assert.False(transposed.IsContiguous);

        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["t"] = transposed });

        var read = SafeTensorsFile.Load(path)["t"];
        Assert.Equal([3, 2], read.Shape);
        Assert.Equal([1, 4, 2, 5, 3, 6], read.ToArray());
    }

    [Fact]
    public void Write_SameInputAsReferenceTest_ProducesReferenceBytes()
    {
        var path = dir.File("attn.safetensors");

        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["attn.0"] = Tensor.FromArray([0, 1, 2, 3, 4, 5], 1, 2, 3) });

        // The expected bytes of the reference implementation's test_serialization.
        byte[] expected =
        [
            64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
            116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
            58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
            101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
            0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_NoTensors_PadsHeaderWithSpaces()
    {
        var empty = dir.File("empty.safetensors");
        var withMetadata = dir.File("metadata.safetensors");

        SafeTensorsWriter.Write(empty, new Dictionary<string, Tensor>());
        SafeTensorsWriter.Write(withMetadata, new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["framework"] = "pt" });

        // The reference implementation's test_empty.
        Assert.Equal([8, 0, 0, 0, 0, 0, 0, 0, .. "{}      "u8], File.ReadAllBytes(empty));
        Assert.Equal([40, 0, 0, 0, 0, 0, 0, 0, .. "{\"__metadata__\":{\"framework\":\"pt\"}}     "u8], File.ReadAllBytes(withMetadata));
        using var file = SafeTensorsFile.Open(withMetadata);
        Assert.Empty(file.Tensors);
        Assert.Equal("pt", file.Metadata["framework"]);
    }

    [Fact]
    public void Write_HeaderOrder_MetadataFirstThenNamesSortedByUtf8()
    {
        var path = dir.File("order.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.Scalar(2), ["\uFF21"] = Tensor.Scalar(4), ["a"] = Tensor.Scalar(1), ["\U0001F600"] = Tensor.Scalar(5), ["B"] = Tensor.Scalar(3),
        };

        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["z"] = "1", ["y"] = "2" });

        var bytes = File.ReadAllBytes(path);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)BitConverter.ToUInt64(bytes, 0));
        Assert.StartsWith("{\"__metadata__\":{\"y\":\"2\",\"z\":\"1\"},\"B\":", header);
        // UTF-16 order would put U+1F600 (a surrogate pair) before U+FF21; UTF-8 byte order puts it after.
        Assert.True(header.IndexOf("\uFF21", StringComparison.Ordinal) < header.IndexOf("\U0001F600", StringComparison.Ordinal));
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(["B", "a", "b", "\uFF21", "\U0001F600"], file.Tensors.Select(t => t.Name));
        Assert.Equal(0, file.Tensors[0].Begin);
    }

    [Fact]
    public void Write_ExistingFile_ReplacedAndNoTempFileLeft()
    {
        var path = dir.File("model.safetensors");
        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["old"] = Tensor.Scalar(1) });

        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["new"] = Tensor.Scalar(2) });

        Assert.Equal(["new"], SafeTensorsFile.Load(path).Keys);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Write_RenameFails_TempFileRemoved()
    {
        // A directory where the file should go makes the final rename fail after the data is written.
        var path = dir.File("taken");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["x"] = Tensor.Scalar(1) }));

        Assert.Empty(Directory.GetFiles(dir.Path));
        Assert.True(Directory.Exists(path));
    }

    [Fact]
    public void Write_ArgumentChecking()
    {
        var path = dir.File("bad.safetensors");
        var one = new Dictionary<string, Tensor> { ["x"] = Tensor.Scalar(1) };

        var dtype = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, one, dtype: SafeTensorsDType.F64));
        Assert.Contains("F64", dtype.Message, StringComparison.Ordinal);
        var reserved = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Scalar(1) }));
        Assert.Contains("reserved", reserved.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => SafeTensorsWriter.Write(path, null!));
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write("", one));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Write_Integers_ArgumentChecking()
    {
        var path = dir.File("bad-ints.safetensors");
        var floats = new Dictionary<string, Tensor> { ["x"] = Tensor.Scalar(1) };

        var clash = Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Write(path, floats, new Dictionary<string, IntegerTensor> { ["x"] = IntegerTensor.Ids([1]) }));
        Assert.Contains("both", clash.Message, StringComparison.Ordinal);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() =>
            SafeTensorsWriter.Write(path, floats, new Dictionary<string, IntegerTensor> { ["__metadata__"] = IntegerTensor.Ids([1]) })).Message, StringComparison.Ordinal);
        Assert.Contains("F32", Assert.Throws<ArgumentException>(() => new IntegerTensor([1], [1], SafeTensorsDType.F32)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntegerTensor([1L << 31], [1], SafeTensorsDType.I32));
        Assert.Throws<ArgumentException>(() => new IntegerTensor([1, 2, 3], [2, 2]));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void WriteRead_IntegerTensors_ExactAndEmpty()
    {
        var path = dir.File("ints.safetensors");
        var big = Enumerable.Range(0, (1 << 16) + 5).Select(i => (long)i * 30_000 - 7).ToArray();

        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor>(), new Dictionary<string, IntegerTensor>
        {
            ["big32"] = new(big, [big.Length], SafeTensorsDType.I32),
            ["none"] = new([], [0, 2]),
            ["ids"] = IntegerTensor.Ids([3, 1, 4]),
        });

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(SafeTensorsDType.I32, file.GetInfo("big32").DType);
        Assert.Equal(SafeTensorsDType.I64, file.GetInfo("ids").DType);
        Assert.Equal(big, file.ReadIntegers("big32"));
        Assert.Equal([3L, 1, 4], file.ReadIntegers("ids"));
        Assert.Equal([0, 2], file.GetInfo("none").Shape);
        Assert.Empty(file.ReadIntegers("none"));
    }

    [Fact]
    public void Open_ListsTensorsWithoutReading_ReadOneByName()
    {
        var path = dir.File("lazy.safetensors");
        SafeTensorsWriter.Write(path, Sample(), dtype: SafeTensorsDType.BF16);

        using var file = SafeTensorsFile.Open(path);

        Assert.Equal(5, file.Tensors.Count);
        Assert.True(file.Contains("w"));
        Assert.False(file.Contains("W"));
        var w = file.GetInfo("w");
        Assert.Equal("BF16", w.DTypeName);
        Assert.Equal(6, w.ElementCount);
        Assert.Equal(12, w.ByteLength);
        Assert.Equal(1, file.GetInfo("scalar").ElementCount);
        Assert.Equal([1, 2, 3, 4, 5, 6], file.Read("w").ToArray());
    }

    [Fact]
    public void ReadInto_PreallocatedWeights_ChecksShape()
    {
        var path = dir.File("weights.safetensors");
        SafeTensorsWriter.Write(path, Sample());
        using var file = SafeTensorsFile.Open(path);

        var w = Tensor.Zeros(2, 3);
        file.ReadInto("w", w);
        Assert.Equal([1, 2, 3, 4, 5, 6], w.ToArray());

        var wrong = Assert.Throws<ArgumentException>(() => file.ReadInto("w", Tensor.Zeros(3, 2)));
        Assert.Contains("'w' has shape (2, 3) but the destination has shape (3, 2)", wrong.Message, StringComparison.Ordinal);
        Assert.Contains(path, wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInfo_UnknownName_NamesFileAndListsTensors()
    {
        var path = dir.File("names.safetensors");
        SafeTensorsWriter.Write(path, Sample());
        using var file = SafeTensorsFile.Open(path);

        var e = Assert.Throws<KeyNotFoundException>(() => file.Read("missing"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("no tensor 'missing'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'scalar'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Fp8Tensor_ListedButNotConverted()
    {
        var path = dir.File("fp8.safetensors");
        var header = "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}"u8;
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header, 0x38, 0x40]);
        using var file = SafeTensorsFile.Open(path);

        Assert.Equal(SafeTensorsDType.F8E4M3, file.GetInfo("q").DType);
        var e = Assert.Throws<NotSupportedException>(() => file.Read("q"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("tensor 'q' has dtype F8_E4M3", e.Message, StringComparison.Ordinal);
    }

    static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();
}
