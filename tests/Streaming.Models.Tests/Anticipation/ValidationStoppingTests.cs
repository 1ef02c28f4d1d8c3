using Streaming.Models.Anticipation;
using Streaming.Models.Datasets;
using Streaming.Models.Language;
using Streaming.Models.Tokenization.Training;

namespace Streaming.Models.Tests.Anticipation;

/// <summary>Early stopping on validation keeps the weights of the best-scored epoch.</summary>
public sealed class ValidationStoppingTests
{
    [Fact]
    public void Restore_puts_back_the_best_epochs_trainable_weights()
    {
        string[] actions = ["cut", "mix"];
        var tokenizer = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 280 }).Train(actions.Select(ActionCorpus.Phrase)).ToTokenizer();
        var model = new ActionLlm(new LlamaModel(LlamaConfig.Tiny with { VocabSize = tokenizer.VocabularySize }, new Random(1)), tokenizer, actions,
            new ActionLlmConfig { Queries = 3, InteractionWidth = 8 }, new Random(2));
        var stopping = new ValidationStopping(model);
        Assert.Throws<InvalidOperationException>(stopping.Restore);
        var (name, parameter) = model.TrainableParameters().First();

        SetAll(parameter, 1f);
        stopping.Observe(5, 0.30);
        SetAll(parameter, 2f);
        stopping.Observe(10, 0.42);
        SetAll(parameter, 3f);
        stopping.Observe(15, 0.42);                                  // a tie keeps the earlier epoch
        SetAll(parameter, 4f);
        stopping.Observe(20, 0.10);
        stopping.Restore();

        Assert.Equal(10, stopping.BestEpoch);
        Assert.Equal(0.42, stopping.BestScore);
        Assert.Equal([5, 10, 15, 20], stopping.Scores.Select(s => s.Epoch));
        Assert.All(parameter.ToArray(), v => Assert.Equal(2f, v));
        Assert.NotEmpty(name);
    }

    static void SetAll(Streaming.Tensors.Tensor t, float value) => t.Span.Fill(value);
}
