using System.Diagnostics.CodeAnalysis;

namespace Streaming.Pipeline.Contracts;

/// <summary>The result of reading an input message: either a value or the rejection that says why not.</summary>
public readonly record struct Parsed<T> where T : class
{
    public T? Value { get; }
    public Rejection? Rejection { get; }

    Parsed(T? value, Rejection? rejection) { Value = value; Rejection = rejection; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsValid => Value is not null;

    public static Parsed<T> Ok(T value) => new(value, null);

    public static Parsed<T> Fail(RejectionReason reason, string message) => new(null, new Rejection(reason, message));
}
