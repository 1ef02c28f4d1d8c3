using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Acknowledgements;

/// <summary>How an input ended: it contributed to at least one published output, or it was rejected (dead-letter it with the reason).</summary>
public readonly record struct AckOutcome(Rejection? Rejection)
{
    public bool Contributed => Rejection is null;

    public static AckOutcome Contribution => default;
}
