using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization.Training;

namespace Streaming.Models.Tests.Anticipation;

/// <summary>The scored epochs' weights can be put back, and a choice on validation keeps the default within the noise.</summary>
public sealed class ValidationStoppingTests
{
    [Fact]
    public void Restore_puts_back_the_weights_of_a_scored_epoch()
    {
        string[] actions = ["cut", "mix"];
        var tokenizer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 280 }).Train(actions.Select(ActionCorpus.Phrase)).ToTokenizer();
        var model = new ActionLlm(new LlamaModel(LlamaConfig.Tiny with { VocabSize = tokenizer.VocabularySize }, new Random(1)), tokenizer, actions,
            new ActionLlmConfig { Queries = 3, InteractionWidth = 8 }, new Random(2));
        var stopping = new ValidationStopping(model);
        Assert.Throws<InvalidOperationException>(() => stopping.Restore(5));
        var (_, parameter) = model.TrainableParameters().First();

        SetAll(parameter, 1f);
        stopping.Observe(5, 0.30);
        SetAll(parameter, 2f);
        stopping.Observe(10, 0.42);
        SetAll(parameter, 3f);
        stopping.Observe(15, 0.40);
        stopping.Restore(10);

        Assert.Equal([5, 10, 15], stopping.Scores.Select(s => s.Epoch));
        Assert.Equal(0.42, stopping.ScoreAt(10));
        Assert.All(parameter.ToArray(), v => Assert.Equal(2f, v));
        stopping.Restore(15);
        Assert.All(parameter.ToArray(), v => Assert.Equal(3f, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => stopping.ScoreAt(20));
    }

    [Fact]
    public void Choice_keeps_the_default_unless_the_best_beats_it_by_more_than_the_noise_across_splits()
    {
        string[] candidates = ["default", "steady", "lucky"];
        var scores = new Dictionary<string, double[]>
        {
            ["default"] = [30, 32, 31, 29, 33],
            ["steady"] = [31, 33, 32, 30, 34],           // +1 on every split: standard error 0
            ["lucky"] = [40, 26, 35, 24, 38],            // +1.6 on average, but +10 to -5 from split to split
        };
        var (chosen, best, advantage, error) = ValidationChoice.Choose(candidates, "default", c => scores[c]);
        Assert.Equal(("steady", "lucky", 1.0, 0.0), (chosen, best, Math.Round(advantage, 6), Math.Round(error, 6)));
        scores.Remove("steady");
        (chosen, best, advantage, error) = ValidationChoice.Choose(["default", "lucky"], "default", c => scores[c]);
        Assert.Equal(("default", "lucky"), (chosen, best));
        Assert.True(advantage > 0 && advantage < error, $"advantage {advantage}, standard error {error}");
        // One split gives no noise estimate: the best is taken.
        var (single, _, _, singleError) = ValidationChoice.Choose(["default", "lucky"], "default", c => scores[c][..1]);
        Assert.Equal("lucky", single);
        Assert.True(double.IsNaN(singleError));
        Assert.Throws<ArgumentException>(() => ValidationChoice.Choose(["lucky"], "default", c => scores[c]));
    }

    static void SetAll(Streaming.Tensors.Tensor t, float value) => t.Span.Fill(value);
}
