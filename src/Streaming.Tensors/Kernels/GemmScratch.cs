using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Streaming.Tensors;

/// <summary>
/// Per-thread packing buffers. They live on the pinned object heap, so kernels hold raw pointers into them without
/// <c>fixed</c>; they only grow, so steady-state GEMM calls allocate nothing.
/// </summary>
internal static unsafe class GemmScratch
{
    [ThreadStatic] static float[]? packA;
    [ThreadStatic] static float[]? packB;
    [ThreadStatic] static float[]? tile;
    [ThreadStatic] static float[]? partials;

    /// <summary>Room for the packed block of A (or the packed rows of a dot product).</summary>
    public static float* PackA(int floats) => Get(ref packA, floats);

    /// <summary>Room for the packed panel of B.</summary>
    public static float* PackB(int floats) => Get(ref packB, floats);

    /// <summary>Room for one micro-tile of C at the right or bottom edge.</summary>
    public static float* Tile(int floats) => Get(ref tile, floats);

    /// <summary>Room for the partial products of a GEMM split along k.</summary>
    public static float* Partials(int floats) => Get(ref partials, floats);

    static float* Get(ref float[]? buffer, int floats)
    {
        // 16 floats of slack for the 64-byte alignment below.
        if (buffer is null || buffer.Length < floats + 16)
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(floats + 16, (buffer?.Length ?? 0) * 3 / 2), pinned: true);
        // Align to a cache line so that a 512-bit load never straddles two.
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((address + 63) & ~(nint)63);
    }
}
