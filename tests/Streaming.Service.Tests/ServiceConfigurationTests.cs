using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Kafka.Topics;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;
using Streaming.Video.Pose;

namespace Streaming.Service.Tests;

/// <summary>Pipeline settings as `streaming run` reads them: the action-label input's, the micro-batch wait.</summary>
public sealed class ServiceConfigurationTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("service-configuration-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    ServiceConfiguration Load(params (string Key, string Value)[] flags) =>
        ServiceConfiguration.Load(Path.Combine(root, "appsettings.json"), flags.Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)));

    [Fact]
    public void ActionLabels_ReadTheirOwnTopic_UnlessOneIsConfigured()
    {
        var settings = Load(("Pipeline:Input", "ActionLabels"), ("Pipeline:Anticipator", "ckpt"), ("Pipeline:ActivitySeconds", "120"));
        Assert.Equal(PipelineInput.ActionLabels, settings.Pipeline.Input);
        Assert.Equal([StreamingTopics.ActionLabels.Name], settings.Kafka.InputTopics);
        Assert.Equal(120, settings.Pipeline.ActivitySeconds);
        Assert.Equal(["labels"], Load(("Pipeline:Input", "ActionLabels"), ("Pipeline:Anticipator", "ckpt"), ("Kafka:InputTopics:0", "labels")).Kafka.InputTopics);
        Assert.Equal(["streaming.skeletons"], Load().Kafka.InputTopics);
    }

    [Fact]
    public void Frames_ReadTheirOwnTopic_WithThePoseModelAndItsBatches()
    {
        var settings = Load(("Pipeline:Input", "Frames"), ("Video:PoseModel", "movenet.onnx"), ("Video:PoseBatchSize", "4"));
        Assert.Equal(PipelineInput.Frames, settings.Pipeline.Input);
        Assert.Equal([StreamingTopics.Frames.Name], settings.Kafka.InputTopics);
        Assert.Equal(("movenet.onnx", 4), (settings.Video.PoseModel, settings.Video.PoseBatchSize));
        Assert.Equal(4, settings.Pipeline.ToFrameOptions(settings.Video).Analysis.MaxBatchSize);
        Assert.Equal(["cams"], Load(("Pipeline:Input", "Frames"), ("Video:PoseModel", "m.onnx"), ("Kafka:InputTopics:0", "cams")).Kafka.InputTopics);
    }

    [Fact]
    public void Frames_ByDefault_RunMoveNetLightningAndTheTwoDimensionalLlmAr()
    {
        var settings = Load(("Pipeline:Input", "Frames"));
        Assert.Equal(MoveNet.Lightning, settings.Video.MoveNet);
        Assert.Equal(Path.Combine("samples", "llm-ar-2d"), settings.Pipeline.Model);
        Assert.Equal("m", Load(("Pipeline:Input", "Frames"), ("Pipeline:Model", "m")).Pipeline.Model);
        Assert.Equal(Path.Combine("samples", "baseline"), Load().Pipeline.Model);
        Assert.Equal(MoveNet.Thunder, Load(("Pipeline:Input", "Frames"), ("Video:PoseModel", "thunder")).Video.MoveNet);
    }

    [Fact]
    public void SampleSettings_BindToEachInputsDefaults()
    {
        var settings = ServiceConfiguration.Load(Path.Combine(RepositoryFiles.Root, "samples", "appsettings.json"), [new("Pipeline:Input", "Frames")]);
        Assert.Equal(new VideoSettings(), settings.Video);
        Assert.Equal(Path.Combine("samples", "llm-ar-2d"), settings.Pipeline.Model);
        var skeletons = ServiceConfiguration.Load(Path.Combine(RepositoryFiles.Root, "samples", "appsettings.json"), []);
        Assert.Equal(Path.Combine("samples", "baseline"), skeletons.Pipeline.Model);
    }

    [Fact]
    public void Frames_OwnOnnxModel_IsDescribedByTheVideoSection()
    {
        var video = Load(("Pipeline:Input", "Frames"), ("Video:PoseModel", "rtmpose.onnx"), ("Video:InputWidth", "192"), ("Video:InputHeight", "256"),
            ("Video:InputLayout", "Nchw"), ("Video:ValueRange", "Unit"), ("Video:OutputLayout", "XyScorePixels"), ("Video:KeypointsOutput", "kp"),
            ("Video:IntraOpThreads", "1"), ("Video:ExecutionProvider", "Cuda")).Video;
        Assert.Null(video.MoveNet);
        var pose = video.ToPoseModelSettings("/models/rtmpose.onnx");
        Assert.Equal(("/models/rtmpose.onnx", 192, 256, PoseInputLayout.Nchw, PoseValueRange.Unit, KeypointLayout.XyScorePixels, "kp", 1, ExecutionProvider.Cuda),
            (pose.ModelPath, pose.InputWidth, pose.InputHeight, pose.InputLayout, pose.ValueRange, pose.OutputLayout, pose.KeypointsOutput, pose.IntraOpThreads, pose.ExecutionProvider));
        // MoveNet's description is its own; the file settings do not apply to it.
        var thunder = new VideoSettings { PoseModel = "thunder", IntraOpThreads = 2 }.ToPoseModelSettings("t.onnx");
        Assert.Equal((256, 256, "features", 2), (thunder.InputWidth, thunder.InputHeight, thunder.FeaturesOutput, thunder.IntraOpThreads));
    }

    [Fact]
    public void Frames_WithAnEmptyPoseModel_AnEmptyBatch_OrFileSettingsOnMoveNet_SayWhatToSet()
    {
        Assert.Contains("Video:PoseModel", Assert.Throws<ArgumentException>(() => Load(("Pipeline:Input", "Frames"), ("Video:PoseModel", " "))).Message);
        var e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:Input", "Frames"), ("Video:PoseModel", "m.onnx"), ("Video:PoseBatchSize", "0")));
        Assert.Contains("'Video'", e.Message);
        e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:Input", "Frames"), ("Video:InputWidth", "256")));
        Assert.Contains("Video:PoseModel 'lightning' is MoveNet", e.Message);
        e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:Input", "Frames"), ("Video:PoseModel", "m.onnx"), ("Video:InputWidth", "8")));
        Assert.Contains("input size 8x192", e.Message);
    }

    [Fact]
    public void PoseModel_MissingFile_NamesTheSettingAndTheChoices()
    {
        var missing = Path.Combine(root, "absent.onnx");
        var e = Assert.Throws<FileNotFoundException>(() => ServicePoseModel.Load(new VideoSettings { PoseModel = missing }, NullLogger.Instance));
        Assert.Contains("Video:PoseModel", e.Message);
        Assert.Contains("lightning or thunder", e.Message);
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void ActionLabels_WithoutAnticipator_SayWhatToSet()
    {
        var e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:Input", "ActionLabels")));
        Assert.Contains("Pipeline:Anticipator", e.Message);
    }

    [Fact]
    public void Anticipator_WithSkeletonInput_AnticipatesTheRecognitions_WithAPositiveActivity()
    {
        var settings = Load(("Pipeline:Anticipator", "ckpt"), ("Pipeline:ActivitySeconds", "30")).Pipeline;
        Assert.Equal((PipelineInput.Skeletons, "ckpt", 30.0), (settings.Input, settings.Anticipator, settings.ActivitySeconds));
        var e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:Anticipator", "ckpt"), ("Pipeline:ActivitySeconds", "-1")));
        Assert.Contains("ActivitySeconds must be positive, got -1", e.Message);
    }

    [Fact]
    public void ActivitySeconds_MustBePositive()
    {
        var e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:Input", "ActionLabels"), ("Pipeline:Anticipator", "ckpt"), ("Pipeline:ActivitySeconds", "0")));
        Assert.Contains("ActivitySeconds", e.Message);
    }

    [Fact]
    public void MaxWaitMs_DefaultsToNoWait_BindsIntoTheMicroBatcherOfBothInputs()
    {
        Assert.Equal(TimeSpan.Zero, Load().Pipeline.ToOptions().Batching.MaxWait);
        Assert.Equal(TimeSpan.FromMilliseconds(7.5), Load(("Pipeline:MaxWaitMs", "7.5")).Pipeline.ToOptions().Batching.MaxWait);
        var actions = Load(("Pipeline:Input", "ActionLabels"), ("Pipeline:Anticipator", "ckpt"), ("Pipeline:MaxWaitMs", "40"));
        Assert.Equal(TimeSpan.FromMilliseconds(40), actions.Pipeline.ToActionOptions().Batching.MaxWait);
        var e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:MaxWaitMs", "-1")));
        Assert.Contains("Pipeline", e.Message);
        Assert.Contains("MaxWait", e.Message);
    }

    [Fact]
    public void MissingCheckpoint_SaysHowToMakeOne()
    {
        var e = Assert.Throws<FileNotFoundException>(() => AnticipatorFolder.Load(Path.Combine(root, "nothing"), TimeSpan.FromSeconds(60)));
        Assert.Contains("streaming train anticipator", e.Message);
    }
}
