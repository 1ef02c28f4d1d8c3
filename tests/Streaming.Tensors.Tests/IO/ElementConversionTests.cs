using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Streaming.Tensors.IO;
using Streaming.Tensors.Tests.Reference;
using Xunit;

namespace Streaming.Tensors.Tests.IO;

/// <summary>F16 and BF16 conversions against numpy (float16) and torch (bfloat16); any NaN matches any NaN.</summary>
public sealed class ElementConversionTests
{
    const string Script = "safetensors_ref.py";

    [Fact]
    public void Decode_EveryF16AndBF16BitPattern_MatchesNumpyAndTorch()
    {
        var patterns = Enumerable.Range(0, 1 << 16).Select(i => (ushort)i).ToArray();
        var wide = patterns.Select(p => (uint)p).ToArray();
        var request = new JsonObject { ["f16_bits"] = ToJson(wide), ["bf16_bits"] = ToJson(wide) };

        var peer = PythonReference.RunJson(Script, ["convert"], request.ToJsonString());

        var bytes = MemoryMarshal.AsBytes(patterns.AsSpan());
        var f16 = new float[patterns.Length];
        var bf16 = new float[patterns.Length];
        ElementConversion.Decode(SafeTensorsDType.F16, bytes, f16);
        ElementConversion.Decode(SafeTensorsDType.BF16, bytes, bf16);
        AssertSameFloats("F16 -> F32", patterns, peer["f16_to_f32"]!.Deserialize<uint[]>()!, f16);
        AssertSameFloats("BF16 -> F32", patterns, peer["bf16_to_f32"]!.Deserialize<uint[]>()!, bf16);
    }

    [Fact]
    public void Encode_RandomFloatsWithSubnormalsInfNaNAndTies_MatchesNumpyAndTorch()
    {
        var halves = Gen.Choose(0, 0xFFFF);
        var anyBits = Gen.Zip(halves, halves, (hi, lo) => (uint)hi << 16 | (uint)lo);
        var sign = Gen.Elements(0u, 0x8000_0000u);
        // Exponents 103..142 span float16's subnormals (from 2^-24) up to past its overflow at 65520.
        var f16Range = from s in sign from e in Gen.Choose(103, 142) from m in anyBits select s | (uint)e << 23 | (m & 0x7F_FFFF);
        // Exact ties and their neighbours: 13 dropped bits for float16, 16 for bfloat16.
        var f16Ties = Gen.Zip(f16Range, Gen.Elements(0x0FFFu, 0x1000u, 0x1001u), (x, low) => (x & ~0x1FFFu) | low);
        var bf16Ties = Gen.Zip(anyBits, Gen.Elements(0x7FFFu, 0x8000u, 0x8001u), (x, low) => (x & ~0xFFFFu) | low);
        var specials = Gen.Elements(
            0u, 0x8000_0000u, 0x7F80_0000u, 0xFF80_0000u, 0x7FC0_0000u, 0x7F80_0001u, 0xFFBF_FFFFu, 0x0000_0001u,
            0x807F_FFFFu, 0x477F_E000u, 0x477F_F000u, 0x477F_EFFFu, 0x7F7F_FFFFu, 0x3380_0000u, 0x3300_0000u, 0x3300_0001u);
        var element = Gen.Frequency((3, anyBits), (4, f16Range), (2, f16Ties), (2, bf16Ties), (1, specials));

        // Each case sends one batch to the peer: the interpreter and torch start once per case, not per value.
        var property = Prop.ForAll(Arb.From(Gen.ArrayOf(element, 4096)), bits =>
        {
            var request = new JsonObject { ["f32_bits"] = ToJson(bits) };
            var peer = PythonReference.RunJson(Script, ["convert"], request.ToJsonString());
            var values = MemoryMarshal.Cast<uint, float>(bits.AsSpan()).ToArray();
            AssertSameHalves("F32 -> F16", SafeTensorsDType.F16, values, peer["f32_to_f16"]!.Deserialize<ushort[]>()!);
            AssertSameHalves("F32 -> BF16", SafeTensorsDType.BF16, values, peer["f32_to_bf16"]!.Deserialize<ushort[]>()!);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(4), property);
    }

    static void AssertSameHalves(string what, SafeTensorsDType dtype, float[] values, ushort[] expected)
    {
        var actual = new ushort[values.Length];
        ElementConversion.Encode(dtype, values, MemoryMarshal.AsBytes(actual.AsSpan()));
        for (int i = 0; i < values.Length; i++)
        {
            bool bothNaN = float.IsNaN(values[i]) && IsNaN(dtype, actual[i]) && IsNaN(dtype, expected[i]);
            if (actual[i] != expected[i] && !bothNaN)
                Assert.Fail($"{what}: {values[i]:R} (bits 0x{BitConverter.SingleToUInt32Bits(values[i]):X8}) gave 0x{actual[i]:X4}, peer 0x{expected[i]:X4}");
        }
    }

    static bool IsNaN(SafeTensorsDType dtype, ushort bits) =>
        dtype == SafeTensorsDType.F16 ? Half.IsNaN(BitConverter.UInt16BitsToHalf(bits)) : float.IsNaN(ElementConversion.BFloat16BitsToSingle(bits));

    static void AssertSameFloats(string what, ushort[] inputs, uint[] expected, float[] actual)
    {
        for (int i = 0; i < inputs.Length; i++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(actual[i]);
            bool bothNaN = float.IsNaN(actual[i]) && float.IsNaN(BitConverter.UInt32BitsToSingle(expected[i]));
            if (bits != expected[i] && !bothNaN)
                Assert.Fail($"{what}: 0x{inputs[i]:X4} gave 0x{bits:X8}, peer 0x{expected[i]:X8}");
        }
    }

    static JsonArray ToJson(uint[] values) => new([.. values.Select(v => (JsonNode?)v)]);
}
