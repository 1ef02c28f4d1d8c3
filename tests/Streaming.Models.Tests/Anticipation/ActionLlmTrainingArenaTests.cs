using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization.Training;
using Streaming.Tensors;
using Streaming.Tensors.Optim;

namespace Streaming.Models.Tests.Anticipation;

/// <summary>
/// Training steps on storage reused from step to step (<see cref="TensorArena"/>) compute exactly what steps on fresh
/// arrays compute, and nothing made in a step is read after it: returned storage is overwritten with NaN, which any
/// late reader would carry into the parameters.
/// </summary>
public sealed class ActionLlmTrainingArenaTests
{
    static readonly string[] Actions = ["cut_tomato", "place_tomato_into_bowl", "add_oil", "mix", "serve"];

    static ActionLlm Model()
    {
        var tokenizer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 }).Train(Actions.Select(ActionCorpus.Phrase)).ToTokenizer();
        var lm = new LlamaModel(LlamaConfig.Tiny with { VocabSize = tokenizer.VocabularySize }, new Random(2));
        return new ActionLlm(lm, tokenizer, Actions, new ActionLlmConfig { Queries = 8, InteractionWidth = 64 }, new Random(4));
    }

    /// <summary>The trainable parameters after two epochs of steps on these batches, with dropout and label noise on.</summary>
    static float[] Train(int batchSize, TensorArena? arena)
    {
        var rng = new Random(3);
        var videos = Enumerable.Range(0, 6).Select(v => new LabelledVideo($"v{v}",
            [.. Enumerable.Range(0, 12).SelectMany(a => Enumerable.Repeat(rng.Next(Actions.Length), 10 + rng.Next(30)))], null)).ToList();
        var options = new ActionLlmTrainingOptions { BatchSize = batchSize, StepsPerVideo = 60, ObservationsPerVideo = 2 };
        var model = Model();
        model.Train();
        var optimizer = ActionLlmTraining.Optimizer(model, options);
        var noise = new Random(5);
        TrainingStep.Arena = arena;
        try
        {
            for (int epoch = 0; epoch < 2; epoch++)
                foreach (var (_, examples) in ActionLlmTraining.EpochBatches(videos, options, model.Config.Queries, Actions.Length, new Random(7 + epoch)))
                    Assert.True(float.IsFinite(ActionLlmTraining.Step(model, optimizer, examples, null, options, noise)));
        }
        finally
        {
            TrainingStep.Arena = new TensorArena();
        }
        Assert.All(optimizer.Parameters, p => Assert.Null(p.Value.Grad));
        return [.. optimizer.Parameters.SelectMany(p => p.Value.ToArray())];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void StepsOnReusedStorage_EqualStepsOnFreshArrays(int batchSize)
    {
        var arena = new TensorArena { PoisonReturned = true };
        var fresh = Train(batchSize, arena: null);
        var reused = Train(batchSize, arena);
        Assert.True(arena.FreeFloats > 0, "the steps' storage went back to the arena");
        Assert.All(reused, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(fresh, reused);
    }
}
