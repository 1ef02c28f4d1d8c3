using System.Text;

namespace Streaming.Models.Tests.Datasets;

/// <summary>Writes feature matrices in the layout np.save uses: version 1.0, little-endian float32, C order.</summary>
public static class NpyTestFile
{
    public static void Write(string path, int[] shape, float[] values)
    {
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        int padded = (10 + dict.Length + 1 + 63) / 64 * 64 - 10;          // magic, version and u16 length, then the header, to a multiple of 64
        var header = Encoding.Latin1.GetBytes(dict.PadRight(padded - 1) + "\n");
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(data.AsSpan(i * 4), values[i]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, (byte)(header.Length >> 8), .. header, .. data]);
    }
}
