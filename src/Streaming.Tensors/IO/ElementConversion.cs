using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Streaming.Tensors.IO;

/// <summary>
/// Converts little-endian safetensors elements to float32 and back. Byte spans need no alignment:
/// other writers may leave tensor data at any offset, and x64 and ARM64 load unaligned values.
/// </summary>
internal static class ElementConversion
{
    /// <summary>Whether <see cref="Decode"/> handles <paramref name="dtype"/> (everything but the FP8 formats).</summary>
    public static bool CanDecode(SafeTensorsDType dtype) => dtype is not (SafeTensorsDType.F8E5M2 or SafeTensorsDType.F8E4M3);

    /// <summary>Whether <see cref="Encode"/> writes <paramref name="dtype"/>.</summary>
    public static bool CanEncode(SafeTensorsDType dtype) => dtype is SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;

    /// <summary>
    /// Converts <paramref name="source"/> (destination.Length elements of <paramref name="dtype"/>) to float32.
    /// Integers above 2^24 and F64 values round to the nearest float32.
    /// </summary>
    public static void Decode(SafeTensorsDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (source.Length != destination.Length * SafeTensorsDTypes.Size(dtype))
            throw new ArgumentException($"ElementConversion.Decode: {source.Length} bytes for {destination.Length} elements of {SafeTensorsDTypes.Name(dtype)}.");
        switch (dtype)
        {
            case SafeTensorsDType.F32: MemoryMarshal.Cast<byte, float>(source).CopyTo(destination); break;
            case SafeTensorsDType.F16: TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination); break;
            case SafeTensorsDType.BF16: BFloat16ToSingle(MemoryMarshal.Cast<byte, ushort>(source), destination); break;
            case SafeTensorsDType.F64: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, double>(source), destination); break;
            case SafeTensorsDType.I64: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, long>(source), destination); break;
            case SafeTensorsDType.U64: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, ulong>(source), destination); break;
            case SafeTensorsDType.I32: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, int>(source), destination); break;
            case SafeTensorsDType.U32: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, uint>(source), destination); break;
            case SafeTensorsDType.I16: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, short>(source), destination); break;
            case SafeTensorsDType.U16: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, ushort>(source), destination); break;
            case SafeTensorsDType.I8: TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<byte, sbyte>(source), destination); break;
            case SafeTensorsDType.U8: TensorPrimitives.ConvertTruncating(source, destination); break;
            case SafeTensorsDType.Bool:
                for (int i = 0; i < source.Length; i++) destination[i] = source[i] != 0 ? 1f : 0f;
                break;
            default:
                throw new NotSupportedException($"ElementConversion.Decode: no float32 conversion for {SafeTensorsDTypes.Name(dtype)}.");
        }
    }

    /// <summary>Converts float32 to F32, F16 or BF16 bytes, rounding to nearest, ties to even.</summary>
    public static void Encode(SafeTensorsDType dtype, ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (destination.Length != source.Length * SafeTensorsDTypes.Size(dtype))
            throw new ArgumentException($"ElementConversion.Encode: {destination.Length} bytes for {source.Length} elements of {SafeTensorsDTypes.Name(dtype)}.");
        switch (dtype)
        {
            case SafeTensorsDType.F32: MemoryMarshal.AsBytes(source).CopyTo(destination); break;
            case SafeTensorsDType.F16: TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination)); break;
            case SafeTensorsDType.BF16:
                var bits = MemoryMarshal.Cast<byte, ushort>(destination);
                for (int i = 0; i < source.Length; i++) bits[i] = SingleToBFloat16Bits(source[i]);
                break;
            default:
                throw new NotSupportedException($"ElementConversion.Encode: writing {SafeTensorsDTypes.Name(dtype)} is not supported; use F32, F16 or BF16.");
        }
    }

    /// <summary>bfloat16 is the top half of a float32, so widening is a shift.</summary>
    public static float BFloat16BitsToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Rounds to the nearest bfloat16, ties to even, as PyTorch does; overflow rounds to infinity.</summary>
    public static ushort SingleToBFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        // A NaN whose payload lies in the dropped bits would truncate to infinity: keep it a quiet NaN.
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) return (ushort)((bits >> 16) | 0x0040);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    static void BFloat16ToSingle(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref ushort src = ref MemoryMarshal.GetReference(source);
            ref float dst = ref MemoryMarshal.GetReference(destination);
            for (; i <= source.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref src, (nuint)i));
                Vector256.ShiftLeft(lower, 16).AsSingle().StoreUnsafe(ref dst, (nuint)i);
                Vector256.ShiftLeft(upper, 16).AsSingle().StoreUnsafe(ref dst, (nuint)(i + Vector256<uint>.Count));
            }
        }
        for (; i < source.Length; i++) destination[i] = BFloat16BitsToSingle(source[i]);
    }
}
