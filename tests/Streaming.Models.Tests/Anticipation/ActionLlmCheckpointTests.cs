using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization.Training;
using Streaming.Tensors;

namespace Streaming.Models.Tests.Anticipation;

/// <summary>Saving, loading and resuming ActionLLM on a tiny base model written as a Hugging Face folder.</summary>
public sealed class ActionLlmCheckpointTests : IDisposable
{
    static readonly string[] Actions = ["cut_tomato", "place_tomato_into_bowl", "add_oil", "mix"];
    static readonly ActionLlmConfig Config = new() { Queries = 5, InteractionWidth = 16, Dropout = 0f };
    static readonly ActionLlmTrainingOptions Options = new() { Epochs = 2, StepsPerVideo = 20, ObservationsPerVideo = 2 };

    readonly string root = Directory.CreateTempSubdirectory("actionllm-").FullName;
    readonly string baseFolder;
    readonly List<LabelledVideo> videos;

    public ActionLlmCheckpointTests()
    {
        baseFolder = Path.Combine(root, "lm");
        var bpe = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 }).Train(Actions.Select(ActionCorpus.Phrase));
        HfCheckpoint.Save(new LlamaModel(LlamaConfig.Tiny with { VocabSize = bpe.ToTokenizer().VocabularySize }, new Random(2)), baseFolder);
        bpe.Save(Path.Combine(baseFolder, "tokenizer.json"));
        var rng = new Random(3);
        videos = [.. Enumerable.Range(0, 4).Select(v => new LabelledVideo($"v{v}", [.. Enumerable.Range(0, 4).SelectMany(a => Enumerable.Repeat(a, 10 + rng.Next(10)))], null))];
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    ActionLlm Fresh() => new(HfCheckpoint.Load(baseFolder), Streaming.Models.Tokenization.Tokenizer.Load(Path.Combine(baseFolder, "tokenizer.json")), Actions, Config, new Random(4));

    static float[] Predict(ActionLlm model)
    {
        using var _ = GradMode.Disable();
        var output = model.Forward([0, 0, 1, 1, 1]);
        return [.. output.FutureLogits.ToArray(), .. output.Durations.ToArray(), .. output.PastLogits.ToArray()];
    }

    [Fact]
    public void SaveThenLoad_SamePredictionsAndSampling()
    {
        var model = ActionLlmTraining.Train(Fresh(), videos, Options);
        var dir = Path.Combine(root, "ckpt");
        ActionLlmCheckpoint.Save(dir, model, baseFolder, stepsPerVideo: 20);
        var loaded = ActionLlmCheckpoint.Load(dir);
        Assert.Equal(20, loaded.StepsPerVideo);
        Assert.Equal(Actions, loaded.Model.Actions);
        Assert.Equal(Predict(model), Predict(loaded.Model));
        Assert.Equal(model.Durations!.Runs, loaded.Model.Durations!.Runs);
        Assert.Equal(model.Transitions!.Probabilities, loaded.Model.Transitions!.Probabilities);
        Assert.True(File.Exists(Path.Combine(dir, "base", "tokenizer.json")), "the base model travels with the checkpoint");
    }

    [Fact]
    public void DurationsAndTransitions_AbsentAreLeftToTheModel_BrokenNameTheField()
    {
        var dir = Path.Combine(root, "durations");
        ActionLlmCheckpoint.Save(dir, Fresh(), baseFolder, 20);
        Assert.Null(ActionLlmCheckpoint.Load(dir).Model.Durations);
        Assert.Null(ActionLlmCheckpoint.Load(dir).Model.Transitions);

        var model = Fresh();
        model.Durations = new ActionDurations([[0.2], [0.3], [], [0.5]]);
        ActionLlmCheckpoint.Save(dir, model, baseFolder, 20);
        var config = Path.Combine(dir, ActionLlmCheckpoint.ConfigFileName);
        var json = File.ReadAllText(config);
        foreach (var (from, to, problem) in new[] { ("0.3", "-0.3", "(0, 1]"), ("0.3", "\"x\"", "is not a number"), ("[]", "{}", "lists of run durations, one per action") })
        {
            File.WriteAllText(config, json.Replace(from, to, StringComparison.Ordinal));
            var e = Assert.Throws<InvalidDataException>(() => ActionLlmCheckpoint.Load(dir));
            Assert.Contains("'action_durations'", e.Message);
            Assert.Contains(problem, e.Message);
        }

        model.Durations = null;
        model.Transitions = new ActionTransitions([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.5, 0.5, 0.0, 0.0]]);
        ActionLlmCheckpoint.Save(dir, model, baseFolder, 20);
        File.WriteAllText(config, File.ReadAllText(config).Replace("0.5", "0.25", StringComparison.Ordinal));
        var broken = Assert.Throws<InvalidDataException>(() => ActionLlmCheckpoint.Load(dir));
        Assert.Contains("'action_transitions'", broken.Message);
        Assert.Contains("sums to 0.5", broken.Message);
    }

    [Fact]
    public void Resume_AfterOneEpoch_EndsWhereTheUninterruptedRunEnds()
    {
        var straight = ActionLlmTraining.Train(Fresh(), videos, Options);

        var dir = Path.Combine(root, "resume");
        var first = Fresh();
        // The run is cut off after its first epoch's checkpoint, as a killed process would be.
        Assert.Throws<OperationCanceledException>(() => ActionLlmTraining.Train(first, videos, Options, afterEpoch: s =>
        {
            ActionLlmCheckpoint.Save(dir, first, baseFolder, 20, s);
            throw new OperationCanceledException();
        }));
        var state = ActionLlmCheckpoint.LoadTrainingState(dir);
        Assert.NotNull(state);
        Assert.Equal(1, state.EpochsDone);
        var resumed = ActionLlmCheckpoint.Load(dir).Model;
        ActionLlmTraining.Train(resumed, videos, Options, resume: state);

        Assert.Equal(Predict(straight), Predict(resumed));
    }

    [Fact]
    public void StopAfterEpochs_EndsWhereTheWholeScheduleStoodAfterThatEpoch()
    {
        var whole = Fresh();
        float[]? afterFirst = null;
        ActionLlmTraining.Train(whole, videos, Options, afterEpoch: s =>
        {
            if (s.EpochsDone == 1) afterFirst = Predict(whole);
        });
        var stopped = ActionLlmTraining.Train(Fresh(), videos, Options with { StopAfterEpochs = 1 });
        Assert.Equal(afterFirst, Predict(stopped));
        // One epoch of a one-epoch schedule decays the learning rate sooner: not the same model.
        Assert.NotEqual(afterFirst, Predict(ActionLlmTraining.Train(Fresh(), videos, Options with { Epochs = 1 })));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ActionLlmTraining.Train(Fresh(), videos, Options with { StopAfterEpochs = 3 }));
        Assert.Contains("stopping after 3 epochs, outside 1..2", e.Message);
    }

    [Fact]
    public void VisualModel_SaveThenLoad_KeepsItsFeatureWidthAndPredictions()
    {
        var rng = new Random(5);
        var withFeatures = videos.Select(v =>
        {
            var path = Path.Combine(root, "features", v.Name + ".npy");
            Datasets.NpyTestFile.Write(path, [3, v.Labels.Length], [.. Enumerable.Range(0, 3 * v.Labels.Length).Select(_ => (float)rng.NextDouble())]);
            return v with { FeaturesPath = path };
        }).ToList();
        var lm = HfCheckpoint.Load(baseFolder);
        var tokenizer = Streaming.Models.Tokenization.Tokenizer.Load(Path.Combine(baseFolder, "tokenizer.json"));
        var model = ActionLlmTraining.Train(new ActionLlm(lm, tokenizer, Actions, Config with { VisualFeatures = 3 }, new Random(4)), withFeatures, Options);
        var dir = Path.Combine(root, "visual");
        ActionLlmCheckpoint.Save(dir, model, baseFolder, stepsPerVideo: 20);
        var loaded = ActionLlmCheckpoint.Load(dir).Model;
        Assert.Equal(3, loaded.Config.VisualFeatures);
        var features = Tensor.FromArray([.. Enumerable.Range(0, 15).Select(i => i / 15f)], 5, 3);
        float[] Predict(ActionLlm m)
        {
            using var _ = GradMode.Disable();
            var o = m.Forward([0, 0, 1, 1, 1], features);
            return [.. o.FutureLogits.ToArray(), .. o.Durations.ToArray(), .. o.VisualPastLogits!.ToArray()];
        }
        Assert.Equal(Predict(model), Predict(loaded));
    }

    [Fact]
    public void Load_CheckpointWithoutVisualFeatures_IsLabelOnly()
    {
        var dir = Path.Combine(root, "older");
        ActionLlmCheckpoint.Save(dir, Fresh(), baseFolder, 20);
        var config = Path.Combine(dir, ActionLlmCheckpoint.ConfigFileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        Assert.True(json.Remove("visual_features"), "the field is written");
        File.WriteAllText(config, json.ToJsonString());
        var loaded = ActionLlmCheckpoint.Load(dir).Model;
        Assert.Equal(0, loaded.Config.VisualFeatures);
        Assert.Equal(Predict(Fresh()), Predict(loaded));
    }

    [Fact]
    public void Load_MissingWeights_NamesTheFile()
    {
        var dir = Path.Combine(root, "broken");
        ActionLlmCheckpoint.Save(dir, Fresh(), baseFolder, 20);
        File.Delete(Path.Combine(dir, ActionLlmCheckpoint.WeightsFileName));
        var e = Assert.ThrowsAny<IOException>(() => ActionLlmCheckpoint.Load(dir));
        Assert.Contains(ActionLlmCheckpoint.WeightsFileName, e.Message);
    }

    [Fact]
    public void Load_WrongFormat_SaysWhichField()
    {
        var dir = Path.Combine(root, "format");
        ActionLlmCheckpoint.Save(dir, Fresh(), baseFolder, 20);
        var config = Path.Combine(dir, ActionLlmCheckpoint.ConfigFileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace("streaming-actionllm/1", "something-else", StringComparison.Ordinal));
        Assert.Contains("'format'", Assert.Throws<InvalidDataException>(() => ActionLlmCheckpoint.Load(dir)).Message);
    }

    [Theory]
    [InlineData(0.6, 0.5)]
    [InlineData(0.0, 0.5)]
    [InlineData(0.2, 1.0)]
    public void Train_ObservedFractionsOutOfOrder_Throws(double min, double max) =>
        Assert.Contains("0 < min <= max < 1", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ActionLlmTraining.Train(Fresh(), videos, Options with { MinObserved = min, MaxObserved = max })).Message);

    [Fact]
    public void Resume_MoreEpochsDoneThanAsked_Throws()
    {
        var state = new AnticipationTrainingState(5, new Dictionary<string, Tensor>());
        Assert.Contains("5 epochs done", Assert.Throws<ArgumentException>(() => ActionLlmTraining.Train(Fresh(), videos, Options, resume: state)).Message);
    }
}
