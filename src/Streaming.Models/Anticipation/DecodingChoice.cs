using Streaming.Models.Datasets;

namespace Streaming.Models.Anticipation;

/// <summary>
/// How ActionLLM's outputs become a future, the choices `eval lta` makes on validation videos: the counted residual time
/// of the action in progress (<see cref="ActionLlm.Durations"/>), the counted transitions (<see cref="ActionLlm.Transitions"/>),
/// and whether the seeds' models decode as one ensemble or each alone.
/// </summary>
public sealed record DecodingChoice(bool DurationPrior, bool TransitionPrior, bool Ensemble)
{
    public string Name => string.Join(" + ", new[]
    {
        DurationPrior ? "residual time" : "first query's time",
        TransitionPrior ? "transitions" : "queries alone",
        Ensemble ? "ensemble of seeds" : "each seed alone",
    });

    /// <summary>Every choice; the ensemble only when there is more than one seed.</summary>
    public static IReadOnlyList<DecodingChoice> Candidates(int seeds) =>
        [.. from ensemble in seeds > 1 ? new[] { false, true } : [false]
            from duration in new[] { true, false }
            from transition in new[] { true, false }
            select new DecodingChoice(duration, transition, ensemble)];

    /// <summary>Sets the counted priors of <paramref name="models"/> as this choice says, counted on the videos they were trained on.</summary>
    public void Apply(IEnumerable<ActionLlm> models, IReadOnlyList<LabelledVideo> trainedOn)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(trainedOn);
        foreach (var model in models)
        {
            model.Durations = DurationPrior ? ActionDurations.Count(trainedOn.Select(v => v.Labels), model.Actions.Count) : null;
            model.Transitions = TransitionPrior ? ActionTransitions.Count(trainedOn.Select(v => v.Labels), model.Actions) : null;
        }
    }
}
