using System.Text;
using System.Text.Json;
using Streaming.Tensors.IO;
using Streaming.Tensors.Tests.Reference;

namespace Streaming.Tensors.Tests.IO;

/// <summary>NpyFile against files written by numpy (Reference/npy_ref.py): values bit for bit, and the refusals.</summary>
public sealed class NpyFileTests : IDisposable
{
    const string Script = "npy_ref.py";
    static readonly byte[] Magic = [0x93, .. "NUMPY"u8];

    readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Load_FilesWrittenByNumpy_SameShapeAndFloat32Values()
    {
        var expected = PythonReference.RunJson(Script, ["write", dir.Path]);
        var cases = expected["cases"]!.AsObject();
        Assert.Equal(10, cases.Count);
        foreach (var (name, node) in cases)
        {
            var path = dir.File(name + ".npy");
            var shape = node!["shape"]!.Deserialize<int[]>()!;
            var header = NpyFile.ReadHeader(path);
            Assert.Equal(shape, header.Shape);
            Assert.Equal(node["fortran"]!.GetValue<bool>(), header.FortranOrder);
            Assert.Equal(node["version"]!.Deserialize<int[]>()!, new[] { header.MajorVersion, header.MinorVersion });

            var tensor = NpyFile.Load(path);
            Assert.Equal(shape, tensor.Shape);
            var bits = tensor.ToArray().Select(BitConverter.SingleToUInt32Bits);
            Assert.True(node["f32_bits"]!.Deserialize<uint[]>()!.SequenceEqual(bits), $"{name}: values differ from numpy's");
        }
    }

    [Fact]
    public void Load_FortranOrder_ReturnsCOrder()
    {
        PythonReference.RunJson(Script, ["write", dir.Path]);
        // np.asfortranarray keeps the logical array: element (i, j) of the (5, 3) matrix is at i * 3 + j in C order.
        var c = NpyFile.Load(dir.File("f4_fortran_2d.npy")).ToArray();
        var raw = File.ReadAllBytes(dir.File("f4_fortran_2d.npy"));
        var stored = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw.AsSpan(raw.Length - 15 * 4)).ToArray();
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(stored[j * 5 + i], c[i * 3 + j]);
    }

    [Fact]
    public void Load_UnsupportedDTypes_SayWhy()
    {
        var expected = PythonReference.RunJson(Script, ["write", dir.Path]);
        Assert.Equal(["big_endian", "object", "int64", "structured"], expected["bad"]!.Deserialize<string[]>()!);
        string Problem(string name) => Assert.Throws<NpyFormatException>(() => NpyFile.Load(dir.File($"bad_{name}.npy"))).Message;
        Assert.Contains("big-endian dtype '>f4' is not supported", Problem("big_endian"), StringComparison.Ordinal);
        Assert.Contains("object arrays (dtype '|O') are not supported", Problem("object"), StringComparison.Ordinal);
        Assert.Contains("dtype '<i8' is not supported (<f2, <f4, <f8)", Problem("int64"), StringComparison.Ordinal);
        Assert.Contains("structured dtypes are not supported", Problem("structured"), StringComparison.Ordinal);
        Assert.Throws<NpyFormatException>(() => NpyFile.ReadHeader(dir.File("bad_object.npy")));
    }

    [Fact]
    public void Load_BrokenFiles_NameTheFileAndTheProblem()
    {
        PythonReference.RunJson(Script, ["write", dir.Path]);
        var good = File.ReadAllBytes(dir.File("f4_2d.npy"));
        NpyFormatException Broken(string name, byte[] bytes)
        {
            File.WriteAllBytes(dir.File(name), bytes);
            var e = Assert.Throws<NpyFormatException>(() => NpyFile.Load(dir.File(name)));
            Assert.Equal(dir.File(name), e.FilePath);
            Assert.StartsWith(dir.File(name) + ": ", e.Message, StringComparison.Ordinal);
            return e;
        }

        Assert.Contains("not a .npy file", Broken("magic.npy", [.. "PK"u8, 3, 4, .. good[4..]]).Message, StringComparison.Ordinal);
        Assert.Contains("not a .npy file", Broken("empty.npy", []).Message, StringComparison.Ordinal);
        var version = (byte[])good.Clone();
        version[6] = 4;
        Assert.Contains("version 4.0 is not supported", Broken("version.npy", version).Message, StringComparison.Ordinal);
        Assert.Contains("truncated: 56 bytes of data where shape (3, 5) of <f4 needs 60", Broken("short.npy", good[..^4]).Message, StringComparison.Ordinal);
        Assert.Contains("truncated: the file ends inside the header", Broken("header.npy", good[..40]).Message, StringComparison.Ordinal);
        Assert.Contains("4 bytes follow the array's data", Broken("long.npy", [.. good, 0, 0, 0, 0]).Message, StringComparison.Ordinal);

        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, -5), }".PadRight(117) + "\n";
        byte[] badShape = [.. Magic, 1, 0, 118, 0, .. Encoding.Latin1.GetBytes(header)];
        Assert.Contains("expected a non-negative dimension", Broken("shape.npy", badShape).Message, StringComparison.Ordinal);
        var missing = "{'descr': '<f4', 'shape': (3,), }".PadRight(117) + "\n";
        byte[] missingKey = [.. Magic, 1, 0, 118, 0, .. Encoding.Latin1.GetBytes(missing)];
        Assert.Contains("not descr, fortran_order, shape", Broken("keys.npy", missingKey).Message, StringComparison.Ordinal);
    }
}
