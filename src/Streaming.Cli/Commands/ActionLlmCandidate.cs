using System.Globalization;

namespace Streaming.Cli.Commands;

/// <summary>
/// One way to train ActionLLM that `eval lta` chooses on validation videos: the peak learning rate, the number of action
/// queries, and the range the observed fractions of training examples are drawn from.
/// </summary>
public sealed record ActionLlmCandidate(float LearningRate, int Queries, double MinObserved, double MaxObserved)
{
    /// <summary>The flags' training: the default candidate.</summary>
    public static ActionLlmCandidate Of(ActionLlmSetup setup) =>
        new(setup.Training.LearningRate, setup.Config.Queries, setup.Training.MinObserved, setup.Training.MaxObserved);

    public string Name => string.Create(CultureInfo.InvariantCulture, $"lr {LearningRate:g3}, {Queries} queries, observed {MinObserved:0.###}-{MaxObserved:0.###}");

    /// <summary><paramref name="setup"/> trained this way.</summary>
    public ActionLlmSetup Apply(ActionLlmSetup setup) => setup with
    {
        Config = setup.Config with { Queries = Queries },
        Training = setup.Training with { LearningRate = LearningRate, MinObserved = MinObserved, MaxObserved = MaxObserved },
    };

    /// <summary>
    /// <paramref name="default"/> first, then each other value of one setting with the others at their defaults (not the
    /// full grid: every candidate trains a model per split, and a few validation videos cannot rank a grid anyway).
    /// </summary>
    public static IReadOnlyList<ActionLlmCandidate> Around(ActionLlmCandidate @default, IEnumerable<float> learningRates, IEnumerable<int> queries,
        IEnumerable<(double Min, double Max)> observed)
    {
        var candidates = new List<ActionLlmCandidate> { @default };
        candidates.AddRange(learningRates.Select(r => @default with { LearningRate = r }));
        candidates.AddRange(queries.Select(q => @default with { Queries = q }));
        candidates.AddRange(observed.Select(o => @default with { MinObserved = o.Min, MaxObserved = o.Max }));
        return [.. candidates.Distinct()];
    }
}
