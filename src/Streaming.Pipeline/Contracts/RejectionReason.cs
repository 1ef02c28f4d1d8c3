namespace Streaming.Pipeline.Contracts;

/// <summary>Why an input message went to the dead-letter topic instead of contributing to an output.</summary>
public enum RejectionReason
{
    NotJson,
    SchemaVersion,
    MissingField,
    InvalidField,
    UnknownLayout,
    UnknownLabel,
    JointCount,
    NonFinite,
    Oversized,
    TruncatedJpeg,
    FrameSize,
    Late,
    Duplicate,
    FutureTimestamp,
    IncompleteWindow,
    BackpressureDropOldest,
    BackpressureDropNewest,
    ModelFailed,
    KeyMismatch,
    UnservedLayout,
    TooFewFrames,
    NoBody,
    UnknownFormat,
    CorruptJpeg,
    PoseFailed,
}

public static class RejectionReasonCodes
{
    /// <summary>The machine-readable code written to the dead-letter header and the metrics tag, e.g. <c>not-json</c>.</summary>
    public static string Code(this RejectionReason reason) => reason switch
    {
        RejectionReason.NotJson => "not-json",
        RejectionReason.SchemaVersion => "schema-version",
        RejectionReason.MissingField => "missing-field",
        RejectionReason.InvalidField => "invalid-field",
        RejectionReason.UnknownLayout => "unknown-layout",
        RejectionReason.UnknownLabel => "unknown-label",
        RejectionReason.JointCount => "joint-count",
        RejectionReason.NonFinite => "non-finite",
        RejectionReason.Oversized => "oversized",
        RejectionReason.TruncatedJpeg => "truncated-jpeg",
        RejectionReason.FrameSize => "frame-size",
        RejectionReason.Late => "late",
        RejectionReason.Duplicate => "duplicate",
        RejectionReason.FutureTimestamp => "future-timestamp",
        RejectionReason.IncompleteWindow => "incomplete-window",
        RejectionReason.BackpressureDropOldest => "backpressure-drop-oldest",
        RejectionReason.BackpressureDropNewest => "backpressure-drop-newest",
        RejectionReason.ModelFailed => "model-failed",
        RejectionReason.KeyMismatch => "key-mismatch",
        RejectionReason.UnservedLayout => "unserved-layout",
        RejectionReason.TooFewFrames => "too-few-frames",
        RejectionReason.NoBody => "no-body",
        RejectionReason.UnknownFormat => "unknown-format",
        RejectionReason.CorruptJpeg => "corrupt-jpeg",
        RejectionReason.PoseFailed => "pose-failed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown rejection reason"),
    };
}
