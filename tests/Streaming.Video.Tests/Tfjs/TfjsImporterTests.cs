using Microsoft.ML.OnnxRuntime;
using Streaming.Video.Tfjs;

namespace Streaming.Video.Tests.Tfjs;

public sealed class TfjsImporterTests
{
    [Fact]
    public void Import_QuantizedWeights_DequantizedAndBatched()
    {
        using var tiny = new TinyTfjsModel();
        var onnx = Path.Combine(tiny.Folder, "tiny.onnx");
        TfjsImporter.Import(tiny.Json, onnx);

        using var session = new InferenceSession(onnx);
        float[] x = [0, 1, 2, 3, -1, -2, 0.5f, 10, 7, 8, 9, 100];
        using var input = OrtValue.CreateTensorValueFromMemory(x, [3, 2, 2, 1]);
        using var results = session.Run(new RunOptions(), ["x"], [input], ["y"]);

        Assert.Equal([3, 2, 2, 1], results[0].GetTensorTypeAndShape().Shape);
        var y = results[0].GetTensorDataAsSpan<float>().ToArray();
        for (var i = 0; i < x.Length; i++) Assert.Equal(x[i] * TinyTfjsModel.Scale + TinyTfjsModel.Offset, y[i], 1e-5f);
    }

    [Fact]
    public void Import_UnsupportedOp_NamesOpAndNode()
    {
        using var tiny = new TinyTfjsModel(new { name = "gelu/erf", op = "Erf", input = new[] { "y" }, attr = new { } });

        var e = Assert.Throws<NotSupportedException>(() => TfjsImporter.Import(tiny.Json, Path.Combine(tiny.Folder, "tiny.onnx")));

        Assert.Contains("'Erf'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'gelu/erf'", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(tiny.Folder, "tiny.onnx")));
    }

    [Fact]
    public void Import_MissingModel_Throws()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "model.json");

        var e = Assert.Throws<FileNotFoundException>(() => TfjsImporter.Import(missing, missing + ".onnx"));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_TruncatedWeights_SaysWhichWeight()
    {
        using var tiny = new TinyTfjsModel();
        File.WriteAllBytes(tiny.Bin, [6, 1]);

        var e = Assert.Throws<InvalidDataException>(() => TfjsImporter.Import(tiny.Json, Path.Combine(tiny.Folder, "tiny.onnx")));

        Assert.Contains("'offset'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_NotAGraphModel_Throws()
    {
        using var tiny = new TinyTfjsModel();
        File.WriteAllText(tiny.Json, """{"format": "layers-model", "modelTopology": {"config": {}}}""");

        var e = Assert.Throws<InvalidDataException>(() => TfjsImporter.Import(tiny.Json, Path.Combine(tiny.Folder, "tiny.onnx")));

        Assert.Contains("graph model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_FeaturesNodeMissing_Throws()
    {
        using var tiny = new TinyTfjsModel();

        var e = Assert.Throws<ArgumentException>(() => TfjsImporter.Import(tiny.Json, Path.Combine(tiny.Folder, "tiny.onnx"), "no/such/node"));

        Assert.Contains("'no/such/node'", e.Message, StringComparison.Ordinal);
    }
}
