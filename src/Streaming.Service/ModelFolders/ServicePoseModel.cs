using Microsoft.Extensions.Logging;
using Streaming.Service.Configuration;
using Streaming.Video.Imaging;
using Streaming.Video.Pose;

namespace Streaming.Service.ModelFolders;

/// <summary>
/// The pose model the <c>Video</c> settings name: MoveNet from the repository's build folder (its TF.js files installed by
/// scripts/setup.sh into build/pose-peer, imported to ONNX in build/models on first use), or the user's ONNX file.
/// </summary>
public static class ServicePoseModel
{
    public static OnnxPoseModel Load(VideoSettings video, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(video);
        video.Validate();
        string path;
        if (video.MoveNet is { } moveNet)
        {
            var build = BuildFolder();
            if (!File.Exists(PoseModels.OnnxModel(build, moveNet)))
                logger.LogInformation("importing {Model} from build/pose-peer into {Folder} (first use)", moveNet.Name, Path.Combine(build, "models"));
            path = PoseModels.EnsureImported(build, moveNet);
        }
        else
        {
            path = Path.GetFullPath(video.PoseModel);
            if (!File.Exists(path))
                throw new FileNotFoundException($"{VideoSettings.SectionName}:PoseModel '{video.PoseModel}' does not exist ({path}): give lightning or thunder (MoveNet, " +
                    "installed by scripts/setup.sh) or the path of a COCO-17 pose model in ONNX.", path);
        }
        var model = new OnnxPoseModel(video.ToPoseModelSettings(path), logger);
        try
        {
            // A first run lets ONNX Runtime allocate and pick its kernels now rather than on the first frames of live cameras.
            model.Estimate([RgbImage.Create(64, 64, new byte[64 * 64 * 3])]);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// The build folder above the working directory, else above the binaries (a `dotnet run` from elsewhere); neither:
    /// the search from the working directory throws, telling the user to run scripts/setup.sh.
    /// </summary>
    static string BuildFolder() =>
        TryFind(Directory.GetCurrentDirectory()) ?? TryFind(AppContext.BaseDirectory) ?? PoseModels.FindBuildFolder(Directory.GetCurrentDirectory());

    static string? TryFind(string start)
    {
        try
        {
            return PoseModels.FindBuildFolder(start);
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
