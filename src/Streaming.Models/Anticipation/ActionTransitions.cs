namespace Streaming.Models.Anticipation;

/// <summary>
/// Which action follows which in the training videos: the first-order transition probabilities of
/// <see cref="TransitionAnticipator"/>, counted the same way. ActionLLM's decoding weighs each query's class
/// probabilities by the transition from the action before it, a product of the two (as shallow fusion of a language
/// model in speech recognition): on 50 Salads the queries alone name the next action in 42% of the test observations,
/// the transitions alone in 66%, their product in 74% (see the README).
/// </summary>
public sealed class ActionTransitions
{
    readonly double[][] probabilities;   // [from][to]

    /// <param name="probabilities">[from][to]: the probability that <c>to</c> follows <c>from</c>; rows sum to 1, or are all 0 for an action never followed.</param>
    public ActionTransitions(IReadOnlyList<IReadOnlyList<double>> probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        int k = probabilities.Count;
        if (k == 0) throw new ArgumentException("action transitions: no actions.", nameof(probabilities));
        for (int from = 0; from < k; from++)
        {
            var row = probabilities[from];
            if (row.Count != k) throw new ArgumentException($"action transitions: row {from} has {row.Count} entries for {k} actions.", nameof(probabilities));
            if (row.Any(p => !(p >= 0 && p <= 1)))
                throw new ArgumentException($"action transitions: row {from} holds a value outside [0, 1]: {string.Join(", ", row)}.", nameof(probabilities));
            double sum = row.Sum();
            if (sum != 0 && Math.Abs(sum - 1) > 1e-6)
                throw new ArgumentException($"action transitions: row {from} sums to {sum}; each row sums to 1 (or 0 for an action never followed).", nameof(probabilities));
        }
        this.probabilities = [.. probabilities.Select(r => r.ToArray())];
    }

    /// <summary>Counts the transitions between consecutive runs of <paramref name="videos"/> (frame labels) as <see cref="TransitionAnticipator.Train"/> does.</summary>
    public static ActionTransitions Count(IEnumerable<IReadOnlyList<int>> videos, IReadOnlyList<string> actions) =>
        new(TransitionAnticipator.Train(videos.Select(AnticipationProtocol.Runs), actions).Transitions);

    /// <summary>The actions counted.</summary>
    public int Actions => probabilities.Length;

    /// <summary>[from][to]: the probability that <c>to</c> follows <c>from</c>.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Probabilities => probabilities;

    /// <summary>The probability that <paramref name="to"/> follows <paramref name="from"/>.</summary>
    public double Probability(int from, int to) => probabilities[from][to];
}
