using Streaming.Kafka.Topics;
using Streaming.Service;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;

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
    public void Frames_WithoutPoseModel_OrWithAnEmptyBatch_SayWhatToSet()
    {
        Assert.Contains("Video:PoseModel", Assert.Throws<ArgumentException>(() => Load(("Pipeline:Input", "Frames"))).Message);
        var e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:Input", "Frames"), ("Video:PoseModel", "m.onnx"), ("Video:PoseBatchSize", "0")));
        Assert.Contains("'Video'", e.Message);
    }

    [Fact]
    public void ActionLabels_WithoutAnticipator_SayWhatToSet()
    {
        var e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:Input", "ActionLabels")));
        Assert.Contains("Pipeline:Anticipator", e.Message);
    }

    [Fact]
    public void Anticipator_WithSkeletonInput_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => Load(("Pipeline:Anticipator", "ckpt")));
        Assert.Contains("ActionLabels", e.Message);
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
