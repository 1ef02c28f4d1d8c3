using System.Text.Json;

namespace Streaming.Video.Tests.Tfjs;

/// <summary>
/// A small TF.js graph model written to a temporary folder: <c>y = x * scale + offset</c> on a [1, size, size, channels]
/// float input, with <c>scale</c> stored as uint8 (affine) and <c>offset</c> as uint16, plus any extra nodes a test adds.
/// </summary>
public sealed class TinyTfjsModel : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("tiny-tfjs-").FullName;
    public string Json => Path.Combine(Folder, "model.json");
    public string Bin => Path.Combine(Folder, "model.bin");

    // scale: q = 6 with scale 0.5 and min -1 -> 2.0; offset: q = 300 with scale 0.01 and min 0.5 -> 3.5.
    public const float Scale = 2.0f;
    public const float Offset = 3.5f;

    public TinyTfjsModel(params object[] extraNodes) : this(2, 1, extraNodes)
    {
    }

    public TinyTfjsModel(int size, int channels, params object[] extraNodes)
    {
        var side = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        object[] nodes =
        [
            new { name = "x", op = "Placeholder", attr = new { dtype = new { type = "DT_FLOAT" }, shape = new { shape = new { dim = new[] { new { size = "-1" }, new { size = side }, new { size = side }, new { size = channels.ToString(System.Globalization.CultureInfo.InvariantCulture) } } } } } },
            new { name = "scale", op = "Const", attr = new { } },
            new { name = "offset", op = "Const", attr = new { } },
            new { name = "scaled", op = "Mul", input = new[] { "x", "scale" }, attr = new { } },
            new { name = "y", op = "AddV2", input = new[] { "scaled", "offset" }, attr = new { } },
            .. extraNodes,
        ];
        var model = new
        {
            format = "graph-model",
            modelTopology = new { node = nodes },
            weightsManifest = new[]
            {
                new
                {
                    paths = new[] { "model.bin" },
                    weights = new object[]
                    {
                        new { name = "scale", shape = new[] { 1 }, dtype = "float32", quantization = new { dtype = "uint8", scale = 0.5, min = -1.0 } },
                        new { name = "offset", shape = new[] { 1 }, dtype = "float32", quantization = new { dtype = "uint16", scale = 0.01, min = 0.5 } },
                    },
                },
            },
        };
        File.WriteAllText(Json, JsonSerializer.Serialize(model));
        File.WriteAllBytes(Bin, [6, 300 & 0xff, 300 >> 8]);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
