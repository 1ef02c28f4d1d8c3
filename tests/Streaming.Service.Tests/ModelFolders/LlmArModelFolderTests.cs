using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Streaming.Kafka.Configuration;
using Streaming.Kafka.Embedded;
using Streaming.Kafka.Producing;
using Streaming.Kafka.Tests.Interop;
using Streaming.Models.Checkpoints;
using Streaming.Models.Language;
using Streaming.Models.LlmAr;
using Streaming.Pipeline.Contracts;
using Streaming.Pipeline.Inference;
using Streaming.Pipeline.Telemetry;
using Streaming.Pipeline.Tests.Fixtures;
using Streaming.Service.Configuration;
using Streaming.Service.ModelFolders;

namespace Streaming.Service.Tests.ModelFolders;

/// <summary>A tiny 3-D LLM-AR folder with its anticipator, a 2-D one and a 3-D VTEM one (event tokens + P-Tuning v2), trained once for the test class.</summary>
public sealed class TinyLlmArFolder : IDisposable
{
    public TinyLlmArFolder()
    {
        var utKinect = Path.Combine(RepositoryFiles.Data, "utkinect-action3d");
        ThreeD = TinyLlmAr.Save(Path.Combine(Root, "3d"), utKinect);
        TwoD = TinyLlmAr.Save(Path.Combine(Root, "2d"), utKinect, dimensions: 2, anticipator: false);
        Vtem = TinyLlmAr.Save(Path.Combine(Root, "vtem"), utKinect, tokenizer: LlmArTokenizer.EventTokens, adapter: LlmArAdapter.PTuningV2);
        ActionLlm = TinyActionLlm.Save(Path.Combine(Root, "actionllm"), actions: LlmArCheckpoint.Load(ThreeD).Labels);
        SaladsActionLlm = TinyActionLlm.Save(Path.Combine(Root, "actionllm-salads"), epochs: 1);
    }

    /// <summary>ActionLLM checkpoints: one trained on the 3-D recognizer's actions, one on other actions.</summary>
    public string ActionLlm { get; }

    public string SaladsActionLlm { get; }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "llm-ar-folder-" + Guid.NewGuid().ToString("N")[..8]);

    public string ThreeD { get; }

    public string TwoD { get; }

    public string Vtem { get; }

    /// <summary>A copy of the 3-D folder (or of <paramref name="source"/>) to break.</summary>
    public string Copy(string name, string? source = null)
    {
        source ??= ThreeD;
        var copy = Path.Combine(Root, name);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// LLM-AR folders as <c>streaming run --model</c> loads them: told apart by llm-ar.json, with the folder's anticipator;
/// a folder whose parts do not belong together fails at load with one message naming the part; served end to end.
/// </summary>
public sealed class LlmArModelFolderTests(TinyLlmArFolder folders) : IClassFixture<TinyLlmArFolder>
{
    [Fact]
    public void Load_AnLlmArFolder_NamesItsKindAndWeights_AndChainsItsAnticipator()
    {
        var threeD = Assert.IsType<LlmArActionModel>(SkeletonModelFolder.Load(folders.ThreeD, TimeSpan.FromSeconds(20)));
        Assert.Matches(new Regex("^llm-ar-3d@[0-9a-f]{8}$"), threeD.Id);
        var twoD = Assert.IsType<LlmArActionModel>(SkeletonModelFolder.Load(folders.TwoD, TimeSpan.FromSeconds(20)));
        Assert.Matches(new Regex("^llm-ar-2d@[0-9a-f]{8}$"), twoD.Id);
        Assert.Equal(ServiceModel.Load(new PipelineSettings { Model = folders.ThreeD }).Id, threeD.Id);
        var vtem = Assert.IsType<LlmArActionModel>(SkeletonModelFolder.Load(folders.Vtem, TimeSpan.FromSeconds(20)));
        Assert.Matches(new Regex("^vtem-3d@[0-9a-f]{8}$"), vtem.Id);
    }

    [Fact]
    public void Load_PromptsOfAnotherShape_FailsNamingTheTensor()
    {
        var folder = folders.Copy("vtem-prompts", folders.Vtem);
        // Prompts saved for L = 4 under a config that says 8.
        var config = Path.Combine(folder, LlmArCheckpoint.AdapterFolder, "adapter_config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"num_virtual_tokens\": 4", "\"num_virtual_tokens\": 8", StringComparison.Ordinal));
        var error = Assert.ThrowsAny<Exception>(() => SkeletonModelFolder.Load(folder, TimeSpan.FromSeconds(20)));
        Assert.Contains("prompt_embeddings", error.Message, StringComparison.Ordinal);
        Assert.Contains("adapter_model.safetensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LoraForAnotherBaseModel_FailsNamingTheBaseModelHash()
    {
        var folder = folders.Copy("other-base");
        var baseFolder = Path.Combine(folder, LlmArCheckpoint.BaseFolder);
        HfCheckpoint.Save(new LlamaModel(HfCheckpoint.Load(baseFolder).Config, new Random(99)), baseFolder);
        var error = Assert.ThrowsAny<Exception>(() => SkeletonModelFolder.Load(folder, TimeSpan.FromSeconds(20)));
        Assert.Contains("base_model_sha256", error.Message, StringComparison.Ordinal);
        Assert.Contains("LoRA weights only fit the model they were trained on", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LabelsThatDoNotMatchTheHeadOrTheAnticipator_FailNamingTheLabels()
    {
        var extraLabel = folders.Copy("extra-label");
        EditConfig(extraLabel, json => json["labels"]!.AsArray().Add("dance"));
        var error = Assert.ThrowsAny<Exception>(() => SkeletonModelFolder.Load(extraLabel, TimeSpan.FromSeconds(20)));
        Assert.Contains("the label list of llm-ar.json does not match the checkpoint", error.Message, StringComparison.Ordinal);

        var renamed = folders.Copy("renamed-label");
        EditConfig(renamed, json => json["labels"]![0] = "stroll");
        error = Assert.Throws<InvalidDataException>(() => SkeletonModelFolder.Load(renamed, TimeSpan.FromSeconds(20)));
        Assert.StartsWith($"{renamed}: the recognizer's labels (stroll, sit_down,", error.Message, StringComparison.Ordinal);
        Assert.Contains("differ from the anticipator's (walk, sit_down,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ATokenizerOfOtherClips_FailsNamingItsInputs()
    {
        var folder = folders.Copy("2d-tokenizer");
        foreach (var file in new[] { "action_sentences.json", "action_sentences.safetensors" })
            File.Copy(Path.Combine(folders.TwoD, file), Path.Combine(folder, file), overwrite: true);
        var error = Assert.ThrowsAny<ArgumentException>(() => SkeletonModelFolder.Load(folder, TimeSpan.FromSeconds(20)));
        Assert.Equal("LLM-AR: the action-sentences tokenizer reads 40 values per frame, but 3-D clips of the canonical skeleton have 60. (Parameter 'observations')", error.Message);
    }

    /// <summary>The VTEM folder (event tokens + P-Tuning v2) served as LLM-AR is: every window of a kinect20 stream recognized and anticipated.</summary>
    [Fact]
    public async Task Service_VtemFolder_RecognizesAndAnticipatesEveryWindow()
    {
        var outputs = await ServeSixteenWindows(SkeletonModelFolder.Load(folders.Vtem, TimeSpan.FromSeconds(20)), new PipelineSettings { IdleTimeoutSeconds = 2, PerStreamCapacity = 64 });
        Assert.All(outputs, p => Assert.StartsWith("vtem-3d@", p.ModelId, StringComparison.Ordinal));
        Assert.All(outputs, p => Assert.NotEmpty(p.Future));
    }

    [Fact]
    public async Task Service_LlmArWithAnActionLlmAnticipator_ItsFutureContinuesTheRecognizedPast()
    {
        var pipeline = new PipelineSettings { Model = folders.ThreeD, Anticipator = folders.ActionLlm, ActivitySeconds = 40, IdleTimeoutSeconds = 2, PerStreamCapacity = 64 };
        var outputs = await ServeSixteenWindows(ServiceModel.Load(pipeline), pipeline);
        var labels = LlmArCheckpoint.Load(folders.ThreeD).Labels;
        Assert.All(outputs, p => Assert.Matches("^llm-ar-3d@[0-9a-f]{8}\\+actionllm@[0-9a-f]{8}$", p.ModelId));
        Assert.All(outputs, p => Assert.Equal(p.Recognized.Label, p.Past[^1].Label));
        var last = outputs.MaxBy(p => p.WindowId)!;
        Assert.NotEmpty(last.Future);
        Assert.Equal(last.WindowEnd, last.Future[0].Start);
        Assert.All(last.Future, f => Assert.Contains(f.Label, labels));
    }

    /// <summary>A kinect20 stream of 60 frames (16 windows of 15 every 3) through the service with <paramref name="model"/>: every window predicted, nothing dead-lettered.</summary>
    static async Task<List<ActionPrediction>> ServeSixteenWindows(IActionModel model, PipelineSettings pipeline)
    {
        var kafka = new KafkaSettings { EmbeddedPartitions = 1 };
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;
        await ServiceFeed.Publish(kafka, bootstrap, ServiceFeed.Frames("cam", 0, 60));
        using var telemetry = new PipelineTelemetry();
        var outputs = new List<ActionPrediction>();
        using (ServiceFeed.Read(kafka, bootstrap, outputs))
        using (var service = new StreamingService(kafka, bootstrap, model, pipeline, telemetry, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            await ServiceFeed.Until(() => ServiceFeed.Count(outputs) >= 16, "16 predictions", 60, () => $"{ServiceFeed.Count(outputs)} predictions, {service.DeadLettered} dead letters");
            Assert.Equal(0, service.DeadLettered);
        }
        lock (outputs)
        {
            Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), outputs.Select(p => p.WindowId).Order());
            return [.. outputs];
        }
    }

    [Fact]
    public void ServiceModel_AnActionLlmOfOtherActions_FailsNamingTheActions()
    {
        var e = Assert.Throws<InvalidDataException>(() => ServiceModel.Load(new PipelineSettings { Model = folders.ThreeD, Anticipator = folders.SaladsActionLlm }));
        Assert.Matches("^anticipator actionllm@[0-9a-f]{8} does not know the action\\(s\\) .*walk.* that model llm-ar-3d@[0-9a-f]{8} recognizes \\(it knows cut_tomato, ", e.Message);
    }

    static void EditConfig(string folder, Action<JsonNode> edit)
    {
        var path = Path.Combine(folder, LlmArCheckpoint.ConfigFile);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    /// <summary>
    /// The service on the embedded broker with the 3-D folder: a kinect20 stream with one NaN joint among its frames, an
    /// ntu25 stream of the same body and a coco17 one. The NaN frame is dead-lettered non-finite at ingest and the
    /// kinect20 stream is served without it; the ntu25 stream gets the kinect20 recognitions; coco17 is unserved-layout.
    /// </summary>
    [Fact]
    public async Task Service_NanFrameDeadLetteredNonFinite_Kinect20AndNtu25Served_Coco17Refused()
    {
        var kafka = new KafkaSettings { EmbeddedPartitions = 1 };
        using var endpoint = KafkaEndpoint.Open(kafka);
        var bootstrap = endpoint.BootstrapServers;
        var kinect = ServiceFeed.Frames("kinect", 0, 60);
        var ntu = kinect.Select(f => LayoutStreams.Ntu25(f, "ntu"));
        var coco = kinect.Select(f => LayoutStreams.Coco17(f, "coco"));
        using (var sink = new KafkaSink(kafka, bootstrap))
        {
            foreach (var f in kinect.Concat(ntu).Concat(coco))
            {
                var json = Encoding.UTF8.GetString(SkeletonFrameJson.Serialize(f));
                // JSON has no NaN: a producer that writes one sends the string, which ingest reads as non-finite.
                if (f.Stream == "kinect" && f.Sequence == 30) json = Regex.Replace(json, "\"joints\":\\[\\[[^,]+,", "\"joints\":[[\"NaN\",");
                await sink.PublishAsync(kafka.InputTopics[0], Encoding.UTF8.GetBytes(f.Stream), Encoding.UTF8.GetBytes(json));
            }
        }

        var model = SkeletonModelFolder.Load(folders.ThreeD, TimeSpan.FromSeconds(20));
        using var telemetry = new PipelineTelemetry();
        var pipeline = new PipelineSettings { IdleTimeoutSeconds = 2, PerStreamCapacity = 64 };
        var outputs = new List<ActionPrediction>();
        using (ServiceFeed.Read(kafka, bootstrap, outputs))
        using (var service = new StreamingService(kafka, bootstrap, model, pipeline, telemetry, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            // 59 kinect20 frames make 15 windows of 15 every 3, the ntu25 stream's 60 make 16; coco17's 60 frames are all dead letters.
            await ServiceFeed.Until(() => ServiceFeed.Count(outputs) >= 31 && service.DeadLettered >= 61, "31 predictions and 61 dead letters", 60,
                () => $"{ServiceFeed.Count(outputs)} predictions, {service.DeadLettered} dead letters");
            await Task.Delay(500);
        }

        lock (outputs)
        {
            Assert.All(outputs, p => Assert.Equal(model.Id, p.ModelId));
            var (fromKinect, fromNtu) = (outputs.Where(p => p.Stream == "kinect").ToList(), outputs.Where(p => p.Stream == "ntu").ToList());
            Assert.Equal(15, fromKinect.Count);
            Assert.Equal(16, fromNtu.Count);
            Assert.DoesNotContain(outputs, p => p.Stream == "coco");
            Assert.All(fromKinect.Concat(fromNtu), p => Assert.NotEmpty(p.Future));
            // Before the NaN frame both streams form the same windows of the same body.
            Assert.Equal(fromNtu.Where(p => p.WindowId < 6).Select(p => p.Recognized.Label), fromKinect.Where(p => p.WindowId < 6).Select(p => p.Recognized.Label));
        }
        var dead = (await Kcat.Run(null, "-b", bootstrap, "-C", "-t", kafka.InputTopics[0] + ".dlq", "-e", "-o", "beginning", "-f", "%k|%h\n"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var nan = Assert.Single(dead, d => d.StartsWith("kinect|", StringComparison.Ordinal) && d.Contains("dlq.reason=non-finite", StringComparison.Ordinal));
        Assert.Contains("joint 0 (hip-center) value 0 is NaN", nan, StringComparison.Ordinal);
        // The kinect20 stream's last two frames fill no window: incomplete-window once the stream goes idle.
        Assert.All(dead.Where(d => d.StartsWith("kinect|", StringComparison.Ordinal) && d != nan), d => Assert.Contains("dlq.reason=incomplete-window", d, StringComparison.Ordinal));
        Assert.DoesNotContain(dead, d => d.StartsWith("ntu|", StringComparison.Ordinal));
        var refused = dead.Where(d => d.StartsWith("coco|", StringComparison.Ordinal)).ToList();
        Assert.Equal(60, refused.Count);
        Assert.All(refused, d => Assert.Contains("dlq.reason=unserved-layout", d, StringComparison.Ordinal));
        Assert.Contains($"model {model.Id} serves kinect20 and ntu25 skeletons (a 3-D model); stream coco window 0 sends coco17", refused[0], StringComparison.Ordinal);
    }
}
