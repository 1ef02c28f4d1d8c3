using System.Buffers.Binary;
using System.Text.Json;

namespace Streaming.Video.Tfjs;

/// <summary>
/// A TF.js graph model (<c>model.json</c> with <c>format: graph-model</c>): its nodes, signature and the weights of
/// its binary shards, dequantized to float32 (affine uint8/uint16 as <c>q * scale + min</c>, float16 widened).
/// </summary>
internal sealed class TfjsGraphModel
{
    public required string Path { get; init; }
    public required IReadOnlyList<TfjsNode> Nodes { get; init; }
    public required IReadOnlyDictionary<string, TfjsWeight> Weights { get; init; }

    /// <summary>Output tensors named in the signature (e.g. <c>Identity:0</c>); empty when the file has no signature.</summary>
    public required IReadOnlyList<string> SignatureOutputs { get; init; }

    public static TfjsGraphModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"TF.js model '{path}' does not exist.", path);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"TF.js model '{path}' is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("modelTopology", out var topology) || !topology.TryGetProperty("node", out var nodeList))
                throw new InvalidDataException($"TF.js model '{path}' has no modelTopology.node list; is it a graph model (a layers model is not supported)?");
            if (root.TryGetProperty("format", out var format) && format.GetString() is { } f && f != "graph-model")
                throw new InvalidDataException($"TF.js model '{path}' has format '{f}'; only 'graph-model' is supported.");
            var nodes = nodeList.EnumerateArray().Select(n => new TfjsNode(
                n.GetProperty("name").GetString() ?? throw new InvalidDataException($"a node of '{path}' has no name."),
                n.GetProperty("op").GetString() ?? "",
                n.TryGetProperty("input", out var inputs) ? inputs.EnumerateArray().Select(i => i.GetString() ?? "").ToArray() : [],
                n.TryGetProperty("attr", out var attr) ? attr.Clone() : default)).ToList();
            var outputs = root.TryGetProperty("signature", out var signature) && signature.TryGetProperty("outputs", out var outs)
                ? outs.EnumerateObject().Select(o => o.Value.TryGetProperty("name", out var n) ? n.GetString() ?? o.Name : o.Name).ToList()
                : [];
            if (!root.TryGetProperty("weightsManifest", out var manifest))
                throw new InvalidDataException($"TF.js model '{path}' has no weightsManifest.");
            return new TfjsGraphModel { Path = path, Nodes = nodes, Weights = ReadWeights(path, manifest), SignatureOutputs = outputs };
        }
    }

    static Dictionary<string, TfjsWeight> ReadWeights(string modelPath, JsonElement manifest)
    {
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(modelPath))!;
        var weights = new Dictionary<string, TfjsWeight>(StringComparer.Ordinal);
        foreach (var group in manifest.EnumerateArray())
        {
            // A group's shards are one byte stream split into files; its weights lie in it back to back, in manifest order.
            var shards = group.GetProperty("paths").EnumerateArray().Select(p => System.IO.Path.Combine(folder, p.GetString() ?? "")).ToList();
            using var bytes = new MemoryStream();
            foreach (var shard in shards)
            {
                if (!File.Exists(shard)) throw new FileNotFoundException($"weights shard '{shard}' of '{modelPath}' does not exist.", shard);
                using var file = File.OpenRead(shard);
                file.CopyTo(bytes);
            }
            var data = bytes.GetBuffer().AsSpan(0, (int)bytes.Length);
            var offset = 0;
            foreach (var w in group.GetProperty("weights").EnumerateArray())
            {
                var weight = ReadWeight(w, data, ref offset, modelPath);
                weights[weight.Name] = weight;
            }
        }
        return weights;
    }

    static TfjsWeight ReadWeight(JsonElement w, ReadOnlySpan<byte> data, ref int offset, string modelPath)
    {
        var name = w.GetProperty("name").GetString() ?? "";
        var shape = w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var count = shape.Aggregate(1L, (a, d) => a * d);
        var dtype = w.GetProperty("dtype").GetString() ?? "";
        var stored = w.TryGetProperty("quantization", out var q) ? q.GetProperty("dtype").GetString() ?? "" : dtype;
        var width = stored switch
        {
            "float32" or "int32" => 4,
            "float16" or "uint16" => 2,
            "uint8" => 1,
            _ => throw new NotSupportedException($"weight '{name}' of '{modelPath}' is stored as '{stored}'; supported: float32, int32, and float16/uint8/uint16 quantization."),
        };
        var size = count * width;
        if (offset + size > data.Length)
            throw new InvalidDataException($"weights of '{modelPath}' end at byte {data.Length}, but '{name}' ({stored} [{string.Join(',', shape)}]) needs bytes {offset}..{offset + size}.");
        var raw = data.Slice(offset, (int)size);
        offset += (int)size;

        if (dtype == "int32")
        {
            if (stored != "int32") throw new NotSupportedException($"weight '{name}' of '{modelPath}': quantized int32 weights are not supported.");
            var ints = new int[count];
            for (var i = 0; i < count; i++) ints[i] = BinaryPrimitives.ReadInt32LittleEndian(raw[(i * 4)..]);
            return new TfjsWeight(name, shape, null, ints);
        }
        if (dtype != "float32") throw new NotSupportedException($"weight '{name}' of '{modelPath}' has dtype '{dtype}'; supported: float32, int32.");
        var floats = new float[count];
        switch (stored)
        {
            case "float32":
                for (var i = 0; i < count; i++) floats[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
                break;
            case "float16":
                for (var i = 0; i < count; i++) floats[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(i * 2)..]);
                break;
            default:
                // Affine quantization, as tfjs-converter writes it: value = q * scale + min.
                var scale = q.GetProperty("scale").GetSingle();
                var min = q.GetProperty("min").GetSingle();
                for (var i = 0; i < count; i++)
                    floats[i] = (stored == "uint8" ? raw[i] : BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..])) * scale + min;
                break;
        }
        return new TfjsWeight(name, shape, floats, null);
    }
}
