using Streaming.Video.Onnx;

namespace Streaming.Video.Tfjs;

/// <summary>
/// <c>streaming models import --tfjs</c>: a TF.js graph model to an ONNX file that ONNX Runtime runs on N frames per
/// call. Reads the graph and weights (dequantizing them), translates the ops in <see cref="TfjsToOnnx.SupportedOps"/>
/// to ONNX opset <see cref="OnnxGraph.Opset"/>, and writes the model with its weights inline.
/// </summary>
public static class TfjsImporter
{
    /// <summary>What an import wrote.</summary>
    public sealed record Summary(string Output, int TfjsNodes, int OnnxNodes, long Bytes, IReadOnlyList<string> Ops);

    /// <param name="modelJson">The TF.js <c>model.json</c>; its weight shards are read from beside it.</param>
    /// <param name="output">The .onnx file to write (its folder is created).</param>
    /// <param name="featuresNode">
    /// A TF node whose 4-D activation becomes a second output, <c>features</c> [N, C], its global average over space;
    /// null for none.
    /// </param>
    public static Summary Import(string modelJson, string output, string? featuresNode = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelJson);
        ArgumentException.ThrowIfNullOrWhiteSpace(output);
        var model = TfjsGraphModel.Load(modelJson);
        var graph = TfjsToOnnx.Translate(model, featuresNode);
        var bytes = graph.ToModel(Path.GetFileNameWithoutExtension(modelJson), "streaming models import");
        var folder = Path.GetDirectoryName(Path.GetFullPath(output));
        if (folder is not null) Directory.CreateDirectory(folder);
        // Write then rename, so that a reader never sees half a model (the tests and the service import on demand).
        var temporary = output + ".partial";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, output, overwrite: true);
        return new Summary(output, model.Nodes.Count, graph.Nodes.Count, bytes.LongLength, model.Nodes.Select(n => n.Op).Distinct().Order(StringComparer.Ordinal).ToList());
    }
}
