using System.Text.Json;
using System.Text.Json.Nodes;
using Streaming.Tensors.IO;
using Streaming.Tensors.Tests.Reference;
using Xunit;

namespace Streaming.Tensors.Tests.IO;

/// <summary>
/// The format contract checked both ways against an independent peer (Reference/safetensors_ref.py,
/// written from the format description with numpy, struct, json and torch for bfloat16).
/// </summary>
public sealed class SafeTensorsReferenceTests : IDisposable
{
    const string Script = "safetensors_ref.py";

    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Read_FileWrittenByPeer_MatchesPeerValues()
    {
        var path = dir.File("peer.safetensors");
        var expected = PythonReference.RunJson(Script, ["write", path]);

        using var file = SafeTensorsFile.Open(path);

        Assert.Equal(expected["metadata"]!.Deserialize<Dictionary<string, string>>(), file.Metadata);
        var tensors = expected["tensors"]!.AsObject();
        Assert.Equal(tensors.Select(t => t.Key).Order(StringComparer.Ordinal), file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var (name, node) in tensors)
        {
            var info = file.GetInfo(name);
            Assert.Equal(node!["dtype"]!.GetValue<string>(), info.DTypeName);
            Assert.Equal(node["shape"]!.Deserialize<int[]>(), info.Shape);
            var actual = file.Read(name).ToArray().Select(BitConverter.SingleToUInt32Bits);
            Assert.True(node["f32_bits"]!.Deserialize<uint[]>()!.SequenceEqual(actual), $"tensor '{name}' differs from the peer's values");
        }
    }

    [Fact]
    public void ReadIntegers_FileWrittenByPeer_ExactBeyondFloatPrecision()
    {
        var path = dir.File("peer-ints.safetensors");
        PythonReference.RunJson(Script, ["write", path]);

        using var file = SafeTensorsFile.Open(path);

        Assert.Equal([-7L, 0, 1L << 40, 123456789], file.ReadIntegers("ids"));
        Assert.Equal([5L, int.MinValue, int.MaxValue], file.ReadIntegers("counts"));
        Assert.Equal([0L, 255], file.ReadIntegers("bytes"));
        Assert.Contains("F32", Assert.Throws<NotSupportedException>(() => file.ReadIntegers("scalar")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_IntegersBesideFloats_PeerChecksLayoutAndValues()
    {
        var path = dir.File("ids.safetensors");
        long[] ids = [1, 0, -3, (1L << 40) + 1, long.MaxValue];
        long[] counts = [int.MinValue, 7, int.MaxValue];
        var logits = Tensor.FromArray([0.5f, -1f, 2f, 3f, 1e-3f, -0f], 2, 3);

        SafeTensorsWriter.Write(path, new Dictionary<string, Tensor> { ["logits"] = logits },
            new Dictionary<string, IntegerTensor> { ["input_ids"] = new(ids, [5]), ["counts"] = new(counts, [3, 1], SafeTensorsDType.I32) },
            new Dictionary<string, string> { ["format"] = "pt" });

        var spec = new JsonObject
        {
            ["dtype"] = "F32",
            ["metadata"] = new JsonObject { ["format"] = "pt" },
            ["tensors"] = new JsonObject
            {
                ["logits"] = new JsonObject
                {
                    ["shape"] = new JsonArray(2, 3),
                    ["f32_bits"] = new JsonArray([.. logits.ToArray().Select(v => (JsonNode?)BitConverter.SingleToUInt32Bits(v))]),
                },
                ["input_ids"] = new JsonObject { ["shape"] = new JsonArray(5), ["dtype"] = "I64", ["ints"] = new JsonArray([.. ids.Select(v => (JsonNode?)v)]) },
                ["counts"] = new JsonObject { ["shape"] = new JsonArray(3, 1), ["dtype"] = "I32", ["ints"] = new JsonArray([.. counts.Select(v => (JsonNode?)v)]) },
            },
        };
        var result = PythonReference.RunJson(Script, ["check", path], spec.ToJsonString());

        Assert.True(result["ok"]!.GetValue<bool>());
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(ids, file.ReadIntegers("input_ids"));
        Assert.Equal(counts, file.ReadIntegers("counts"));
    }

    [Theory]
    [InlineData(SafeTensorsDType.F32)]
    [InlineData(SafeTensorsDType.F16)]
    [InlineData(SafeTensorsDType.BF16)]
    public void Write_PeerChecksLayoutAndValues(SafeTensorsDType dtype)
    {
        var path = dir.File("ours.safetensors");
        var random = new Random(7);
        var normal = Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() * 2 - 1) * 300).ToArray();
        float[] specials = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-45f, -1e-40f, 6e-8f, 65520f, 1.00048828125f, 1.00390625f, float.MaxValue];
        var tensors = new Dictionary<string, Tensor>
        {
            ["model.embed"] = Tensor.FromArray(normal, 4, 16),
            ["specials"] = Tensor.FromArray(specials, 3, 4),
            ["transposed"] = new Tensor([1, 2, 3, 4, 5, 6], 0, [3, 2], [1, 3]),
            ["scalar"] = Tensor.Scalar(0.1f),
            ["empty"] = Tensor.Zeros(2, 0),
            ["ünïcode"] = Tensor.FromArray([1e4f], 1),
            ["B.upper"] = Tensor.FromArray([-1e-3f, 2f], 2),
            ["esc\"ape\\ \t\u0001 \U0001F600"] = Tensor.FromArray([5f], 1),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["quote"] = "a \"b\" \\ ü" };

        SafeTensorsWriter.Write(path, tensors, metadata, dtype);

        var spec = new JsonObject
        {
            ["dtype"] = dtype.ToString(),
            ["metadata"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
            ["tensors"] = new JsonObject(tensors.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)new JsonObject
            {
                ["shape"] = new JsonArray([.. t.Value.Shape.Select(d => (JsonNode?)d)]),
                ["f32_bits"] = new JsonArray([.. t.Value.ToArray().Select(v => (JsonNode?)BitConverter.SingleToUInt32Bits(v))]),
            }))),
        };
        var result = PythonReference.RunJson(Script, ["check", path], spec.ToJsonString());

        Assert.True(result["ok"]!.GetValue<bool>());
        Assert.Equal(tensors.Count, result["tensors"]!.GetValue<int>());
    }
}
