using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Streaming.Tensors.IO;

/// <summary>
/// A safetensors file opened for lazy reading: <see cref="Open"/> validates the header and memory-maps
/// the file; <see cref="Read"/> converts one tensor to float32, touching only that tensor's pages, so a
/// checkpoint is never held in memory twice and a loader can take just the tensors it needs.
/// </summary>
/// <remarks>
/// F32, F16 and BF16 convert exactly; F64 and the integer dtypes round to the nearest float32; the FP8
/// dtypes are listed but not converted. Reads may run concurrently; dispose only when they are done.
/// While open, the file is mapped: on Windows it cannot be replaced until disposal.
/// </remarks>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Tensors are converted this many elements at a time: spans index with int, tensors may span more bytes.</summary>
    const int ChunkElements = 1 << 20;

    readonly MemoryMappedFile map;
    readonly MemoryMappedViewAccessor view;
    readonly long dataStart;
    readonly Dictionary<string, SafeTensorInfo> byName;

    SafeTensorsFile(string path, SafeTensorsHeader header, MemoryMappedFile map, MemoryMappedViewAccessor view)
    {
        Path = path;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
        dataStart = header.DataStart;
        this.map = map;
        this.view = view;
        byName = new Dictionary<string, SafeTensorInfo>(Tensors.Count, StringComparer.Ordinal);
        foreach (var t in Tensors) byName.Add(t.Name, t);
    }

    public string Path { get; }

    /// <summary>Every tensor in the file, in data-buffer order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> strings; empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Validates the header (throwing <see cref="SafeTensorsFormatException"/>) and maps the file; reads no tensor data.</summary>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("SafeTensorsFile: safetensors data is little-endian; this reader runs on little-endian machines only.");
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1);
        try
        {
            var header = SafeTensorsHeader.Read(path, stream);
            var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            try
            {
                return new SafeTensorsFile(path, header, map, map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read));
            }
            catch
            {
                map.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens <paramref name="path"/> and reads every tensor (skipping none); for small files and tests.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var file = Open(path);
        return file.ReadAll();
    }

    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>The header entry for <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> naming the file if absent.</summary>
    public SafeTensorInfo GetInfo(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (byName.TryGetValue(name, out var info)) return info;
        var known = string.Join(", ", Tensors.Take(8).Select(t => $"'{t.Name}'"));
        var more = Tensors.Count > 8 ? $" and {Tensors.Count - 8} more" : "";
        throw new KeyNotFoundException($"{Path}: no tensor '{name}'; the file has {Tensors.Count}: {known}{more}.");
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new contiguous float32 tensor of its shape.</summary>
    public Tensor Read(string name)
    {
        var info = GetInfo(name);
        CheckReadable(info);
        var tensor = Tensor.Zeros([.. info.Shape]);
        // Tensor reports some empty shapes, such as (3, 0), as non-contiguous: there is nothing to copy anyway.
        if (tensor.Size > 0) Copy(info, tensor.Span);
        return tensor;
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> into <paramref name="destination"/>, which must be contiguous and
    /// have the stored shape: for weights allocated up front, so loading checks every shape.
    /// </summary>
    public void ReadInto(string name, Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var info = GetInfo(name);
        CheckReadable(info);
        if (!info.Shape.SequenceEqual(destination.Shape))
            throw new ArgumentException($"{Path}: tensor '{name}' has shape ({string.Join(", ", info.Shape)}) but the destination has shape {Tensor.Format(destination.Shape)}.", nameof(destination));
        if (destination.Size == 0) return;
        if (!destination.IsContiguous)
            throw new ArgumentException($"{Path}: the destination for tensor '{name}' is not contiguous.", nameof(destination));
        Copy(info, destination.Span);
    }

    /// <summary>
    /// Reads integer tensor <paramref name="name"/> (I64, I32, I16, I8, U32, U16 or U8) exactly, row-major; token ids
    /// and labels would round through <see cref="Read"/> above 2^24.
    /// </summary>
    public unsafe long[] ReadIntegers(string name)
    {
        var info = GetInfo(name);
        if (info.DType is not (SafeTensorsDType.I64 or SafeTensorsDType.I32 or SafeTensorsDType.I16 or SafeTensorsDType.I8
            or SafeTensorsDType.U32 or SafeTensorsDType.U16 or SafeTensorsDType.U8))
            throw new NotSupportedException($"{Path}: tensor '{name}' has dtype {info.DTypeName}, which is not a signed integer or an unsigned one narrower than 64 bits.");
        if (info.ElementCount > Array.MaxLength)
            throw new NotSupportedException($"{Path}: tensor '{name}' has {info.ElementCount} elements, more than an array holds.");
        var result = new long[info.ElementCount];
        var handle = view.SafeMemoryMappedViewHandle;
        byte* pointer = null;
        handle.AcquirePointer(ref pointer);
        try
        {
            var source = new ReadOnlySpan<byte>(pointer + view.PointerOffset + dataStart + info.Begin, checked((int)info.ByteLength));
            switch (info.DType)
            {
                case SafeTensorsDType.I64: MemoryMarshal.Cast<byte, long>(source).CopyTo(result); break;
                case SafeTensorsDType.I32: Widen(MemoryMarshal.Cast<byte, int>(source), result); break;
                case SafeTensorsDType.I16: Widen(MemoryMarshal.Cast<byte, short>(source), result); break;
                case SafeTensorsDType.I8: Widen(MemoryMarshal.Cast<byte, sbyte>(source), result); break;
                case SafeTensorsDType.U32: Widen(MemoryMarshal.Cast<byte, uint>(source), result); break;
                case SafeTensorsDType.U16: Widen(MemoryMarshal.Cast<byte, ushort>(source), result); break;
                default: Widen(source, result); break;
            }
        }
        finally
        {
            handle.ReleasePointer();
        }
        return result;
    }

    static void Widen<T>(ReadOnlySpan<T> source, long[] destination) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        for (int i = 0; i < source.Length; i++) destination[i] = long.CreateTruncating(source[i]);
    }

    /// <summary>Reads every tensor, keyed by name.</summary>
    public Dictionary<string, Tensor> ReadAll()
    {
        var result = new Dictionary<string, Tensor>(Tensors.Count, StringComparer.Ordinal);
        foreach (var t in Tensors) result.Add(t.Name, Read(t.Name));
        return result;
    }

    void CheckReadable(SafeTensorInfo info)
    {
        if (!ElementConversion.CanDecode(info.DType))
            throw new NotSupportedException($"{Path}: tensor '{info.Name}' has dtype {info.DTypeName}, which this reader does not convert to float32.");
        if (info.ElementCount > int.MaxValue)
            throw new NotSupportedException($"{Path}: tensor '{info.Name}' has {info.ElementCount} elements; a Tensor holds at most {int.MaxValue}.");
    }

    unsafe void Copy(SafeTensorInfo info, Span<float> destination)
    {
        int size = SafeTensorsDTypes.Size(info.DType);
        var handle = view.SafeMemoryMappedViewHandle;
        byte* pointer = null;
        // The reference count taken here keeps the mapping alive even if Dispose races with this read.
        handle.AcquirePointer(ref pointer);
        try
        {
            byte* tensorStart = pointer + view.PointerOffset + dataStart + info.Begin;
            for (int i = 0; i < destination.Length; i += ChunkElements)
            {
                int count = Math.Min(ChunkElements, destination.Length - i);
                var source = new ReadOnlySpan<byte>(tensorStart + (long)i * size, count * size);
                ElementConversion.Decode(info.DType, source, destination.Slice(i, count));
            }
        }
        finally
        {
            handle.ReleasePointer();
        }
    }

    public void Dispose()
    {
        view.Dispose();
        map.Dispose();
    }
}
