using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization.Training;

namespace Streaming.Models.Tests.Anticipation;

/// <summary>The weights of every scored epoch can be put back.</summary>
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

    static void SetAll(Streaming.Tensors.Tensor t, float value) => t.Span.Fill(value);
}
