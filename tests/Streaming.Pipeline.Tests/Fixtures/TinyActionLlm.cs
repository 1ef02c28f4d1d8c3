using Streaming.Models.Anticipation;
using Streaming.Models.Checkpoints;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization.Training;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>
/// A tiny ActionLLM checkpoint made in seconds: a byte-level BPE over the action phrases, a tiny random LLaMA as the
/// frozen base, and ActionLLM trained for a few epochs on synthetic videos that go through the actions in order with
/// varying lengths, so its futures are the cycle and its durations positive. Saved with <see cref="ActionLlmCheckpoint.Save"/>.
/// </summary>
public static class TinyActionLlm
{
    public static readonly string[] Actions = ["cut_tomato", "place_tomato_into_bowl", "add_oil", "mix_ingredients"];

    public const int StepsPerVideo = 20;

    /// <summary>
    /// Writes the checkpoint into <paramref name="folder"/> (base model under <c>folder/../lm</c>) and returns the folder:
    /// trained on videos that go through <paramref name="actions"/> (default <see cref="Actions"/>) in order.
    /// </summary>
    public static string Save(string folder, int maxPositions = 2048, int epochs = 4, IReadOnlyList<string>? actions = null)
    {
        actions ??= Actions;
        var baseFolder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folder))!, Path.GetFileName(folder) + "-lm");
        var bpe = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 }).Train(actions.Select(ActionCorpus.Phrase));
        var config = LlamaConfig.Tiny with { VocabSize = bpe.ToTokenizer().VocabularySize, MaxPositionEmbeddings = maxPositions };
        HfCheckpoint.Save(new LlamaModel(config, new Random(2)), baseFolder);
        bpe.Save(Path.Combine(baseFolder, "tokenizer.json"));
        var model = new ActionLlm(HfCheckpoint.Load(baseFolder), Streaming.Models.Tokenization.Tokenizer.Load(Path.Combine(baseFolder, "tokenizer.json")), actions,
            new ActionLlmConfig { Queries = 5, InteractionWidth = 16, Dropout = 0f }, new Random(4));
        var rng = new Random(3);
        var videos = Enumerable.Range(0, 6)
            .Select(v => new LabelledVideo($"v{v}", [.. Enumerable.Range(0, actions.Count).SelectMany(a => Enumerable.Repeat(a, 20 + rng.Next(20)))], null)).ToList();
        ActionLlmTraining.Train(model, videos, new ActionLlmTrainingOptions { Epochs = epochs, StepsPerVideo = StepsPerVideo, ObservationsPerVideo = 4, LearningRate = 3e-3f });
        ActionLlmCheckpoint.Save(folder, model, baseFolder, StepsPerVideo);
        return folder;
    }
}
