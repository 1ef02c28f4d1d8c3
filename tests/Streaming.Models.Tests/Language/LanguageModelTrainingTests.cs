using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Recognition;
using Streaming.Models.Tokenization;
using Streaming.Tensors;
using Streaming.Tensors.Optim;
using Xunit.Abstractions;

namespace Streaming.Models.Tests.Language;

/// <summary>
/// Pre-training the base model on the 50 Salads action sequences of one split's training videos, and on the corpus
/// `streaming train lm` reads by default, which adds the skeleton datasets' names, descriptions and instructions.
/// </summary>
public sealed class LanguageModelTrainingTests(ITestOutputHelper output)
{
    static readonly LanguageModelTrainingOptions Small = new() { HiddenSize = 32, Layers = 2, Heads = 4, KeyValueHeads = 2, VocabularySize = 400, ContextLength = 48, BatchSize = 8, Steps = 120 };

    static readonly Lazy<(FrameLabelDataset Dataset, TrainedLanguageModel Trained)> Split1 = new(() =>
    {
        var dataset = FrameLabelDataset.Open(SharedData.Path("50salads"));
        return (dataset, LanguageModelTraining.Train(ActionCorpus.Documents(dataset.Split(1).Train, dataset.Actions), Small));
    });

    // The default vocabulary: 400 tokens leave the skeleton labels at about 4 tokens each.
    static readonly Lazy<TrainedLanguageModel> Split1WithSkeletons = new(() =>
    {
        var dataset = FrameLabelDataset.Open(SharedData.Path("50salads"));
        IReadOnlyList<string> corpus = [.. ActionCorpus.Documents(dataset.Split(1).Train, dataset.Actions), .. SkeletonCorpus.Documents(SharedData.Root, CorpusParts.All)];
        return LanguageModelTraining.Train(corpus, Small with { VocabularySize = new LanguageModelTrainingOptions().VocabularySize });
    });

    [Fact]
    public void StepsOnReusedStorage_EqualStepsOnFreshArrays()
    {
        var dataset = FrameLabelDataset.Open(SharedData.Path("50salads"));
        var documents = ActionCorpus.Documents(dataset.Split(1).Train, dataset.Actions);
        var options = Small with { Steps = 20 };
        float[] Weights(TensorArena? arena)
        {
            TrainingStep.Arena = arena;
            try
            {
                return [.. LanguageModelTraining.Train(documents, options).Model.TrainableParameters().SelectMany(p => p.Value.ToArray())];
            }
            finally
            {
                TrainingStep.Arena = new TensorArena();
            }
        }
        var arena = new TensorArena { PoisonReturned = true };
        var fresh = Weights(null);
        var reused = Weights(arena);
        Assert.True(arena.FreeFloats > 0, "the steps' storage went back to the arena");
        Assert.Equal(fresh, reused);
    }

    [Fact]
    public void Document_OneLinePerSegmentReadAsPhrases()
    {
        var video = new LabelledVideo("v", [0, 0, 1, 1, 1, 0, 2], null);
        Assert.Equal("cut tomato\nadd oil\ncut tomato\naction end", ActionCorpus.Document(video, ["cut_tomato", "add_oil", "action_end"]));
    }

    [Fact]
    public void Train_ActionSequences_LossFallsFarBelowUniform()
    {
        var trained = Split1.Value.Trained;
        double uniform = Math.Log(trained.Model.Config.VocabSize);
        output.WriteLine($"corpus {trained.CorpusTokens} tokens, vocabulary {trained.Model.Config.VocabSize}, loss {trained.FirstLoss:0.000} -> {trained.FinalLoss:0.000} (uniform {uniform:0.000}), {trained.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(trained.FirstLoss, uniform - 1, uniform + 1);
        Assert.True(trained.FinalLoss < 1.5, $"final loss {trained.FinalLoss}");
    }

    [Fact]
    public void Train_LearnsTheRecipe_NextActionAfterCutTomatoIsPlaceTomato()
    {
        // In every 50 Salads video that cuts a tomato, the next step places it into the bowl (sometimes after other cuts);
        // a model that learnt the sequences ranks "place" first after "cut tomato\n" among the first words of actions.
        var (dataset, trained) = Split1.Value;
        var tokenizer = trained.Tokenizer.ToTokenizer();
        var ids = tokenizer.Encode("cut tomato\n", addSpecialTokens: false).ToArray();
        float[] next;
        using (GradMode.Disable()) next = trained.Model.Forward(ids, 1).Logits!.Narrow(1, ids.Length - 1, 1).ToArray();
        var firstWords = dataset.Actions.Select(a => ActionCorpus.Phrase(a).Split(' ')[0]).Distinct().ToArray();
        var best = firstWords.MaxBy(w => next[tokenizer.Encode(w, addSpecialTokens: false)[0]]);
        Assert.Equal("place", best);
    }

    /// <summary>LLM-AR prompts the base model with this text: it must decode to itself, and its labels must be few tokens each.</summary>
    [Theory]
    [InlineData("msr-action3d")]
    [InlineData("utkinect-action3d")]
    public void Tokenizer_RoundTripsTheInstructionInFewTokensPerLabel(string dataset)
    {
        var tokenizer = Split1WithSkeletons.Value.Tokenizer.ToTokenizer();
        var labels = SkeletonCorpus.Labels(SharedData.Root, dataset);
        var text = ActionInstruction.For(labels) + "\n" + ActionInstruction.Answer(labels[^1]);
        var ids = tokenizer.Encode(text, addSpecialTokens: false);
        Assert.Equal(text, tokenizer.Decode(ids));
        double perLabel = labels.Average(l => tokenizer.Encode(" " + ActionCorpus.Phrase(l), addSpecialTokens: false).Count);
        output.WriteLine($"{dataset}: {ids.Count} tokens, {perLabel:0.00} per label");
        Assert.True(perLabel <= 3, $"{perLabel:0.00} tokens per label");
    }

    [Fact]
    public void SavedCheckpoint_LoadsWithTheSameLogitsAndEndOfText()
    {
        var trained = Split1.Value.Trained;
        var dir = Directory.CreateTempSubdirectory("lm-").FullName;
        try
        {
            trained.Save(dir);
            var loaded = HfCheckpoint.Load(dir);
            var tokenizer = Tokenizer.Load(Path.Combine(dir, "tokenizer.json"));
            Assert.Equal(tokenizer.TokenToId(LanguageModelTraining.EndOfText), loaded.Config.EosTokenId);
            var ids = tokenizer.Encode("cut cucumber\nplace cucumber into bowl", addSpecialTokens: false).ToArray();
            using var _ = GradMode.Disable();
            Assert.Equal(trained.Model.Forward(ids, 1).Logits!.ToArray(), loaded.Forward(ids, 1).Logits!.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Train_EmptyCorpus_Throws() =>
        Assert.Contains("corpus is empty", Assert.Throws<ArgumentException>(() => LanguageModelTraining.Train(["", "  "], Small)).Message);
}
