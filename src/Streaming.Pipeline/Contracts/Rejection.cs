namespace Streaming.Pipeline.Contracts;

/// <summary>A rejected input: a machine-readable reason and a message a person can act on.</summary>
public sealed record Rejection(RejectionReason Reason, string Message)
{
    public string Code => Reason.Code();

    public override string ToString() => $"{Code}: {Message}";
}
