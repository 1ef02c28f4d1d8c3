namespace Streaming.Models.Checkpoints;

/// <summary>
/// A checkpoint whose tensors do not fit the model: every missing, unexpected or mis-shaped tensor (and
/// every tensor an index promises but its shard lacks) is listed at once, so one run shows them all.
/// </summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string source, IReadOnlyList<string> problems)
        : base($"{source}: {problems.Count} problem(s) loading the checkpoint:\n  " + string.Join("\n  ", problems))
    {
        Source = source;
        Problems = problems;
    }

    /// <summary>The file or directory loaded.</summary>
    public new string Source { get; }

    /// <summary>One line per problem: "missing: name (shape)", "unexpected: ...", "shape mismatch: ...".</summary>
    public IReadOnlyList<string> Problems { get; }
}
