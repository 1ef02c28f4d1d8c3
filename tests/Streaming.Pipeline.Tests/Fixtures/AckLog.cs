using Streaming.Pipeline.Acknowledgements;

namespace Streaming.Pipeline.Tests.Fixtures;

/// <summary>Makes acknowledgement tokens that record how often and how each input settled, as the Kafka edge would.</summary>
public sealed class AckLog
{
    readonly Lock _gate = new();
    readonly List<List<AckOutcome>> _outcomes = [];

    public AckToken NewToken(out int id)
    {
        lock (_gate)
        {
            var slot = new List<AckOutcome>();
            _outcomes.Add(slot);
            id = _outcomes.Count - 1;
            return new AckToken(o => { lock (_gate) slot.Add(o); });
        }
    }

    public AckToken NewToken() => NewToken(out _);

    public int Count { get { lock (_gate) return _outcomes.Count; } }

    public IReadOnlyList<AckOutcome> Outcomes(int id) { lock (_gate) return [.. _outcomes[id]]; }

    /// <summary>The single outcome of an input; fails when it settled zero or several times.</summary>
    public AckOutcome Single(int id) => Assert.Single(Outcomes(id));

    public string? ReasonOf(int id) => Single(id).Rejection?.Code;

    public IReadOnlyList<string> Reasons()
    {
        lock (_gate) return _outcomes.SelectMany(o => o).Where(o => !o.Contributed).Select(o => o.Rejection!.Code).ToList();
    }
}
