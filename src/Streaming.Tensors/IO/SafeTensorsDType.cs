namespace Streaming.Tensors.IO;

/// <summary>
/// Element types of the safetensors format, in the reference implementation's order (by alignment).
/// The header spells them <c>BOOL</c>, <c>U8</c>, <c>F8_E5M2</c>, ...; see <see cref="SafeTensorInfo.DTypeName"/>.
/// </summary>
public enum SafeTensorsDType
{
    Bool,
    U8,
    I8,
    F8E5M2,
    F8E4M3,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}
